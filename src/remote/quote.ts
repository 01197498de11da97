/**
 * The one quoting helper (minimal stand-in until the SSH layer lands with its
 * own, same names and signatures): argv → a string a POSIX shell splits back
 * into exactly the same words.
 */

const SAFE_WORD = /^[A-Za-z0-9_./@:,+-]+$/;

/** One shell word that evaluates to exactly `s` (no expansion, no splitting). */
export function quoteArg(s: string): string {
  if (s.includes('\0')) {
    throw new TypeError(`a shell argument cannot contain a NUL byte: ${JSON.stringify(s)}`);
  }
  if (s === '') return "''";
  if (SAFE_WORD.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A command line that runs argv[0] with argv[1..] as its arguments, unchanged. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('cannot quote an empty command');
  return argv
    .map((arg, i) =>
      // NAME=value in command position would be an assignment, not argv[0]
      i === 0 && arg.includes('=') ? `'${arg.replace(/'/g, `'\\''`)}'` : quoteArg(arg),
    )
    .join(' ');
}
