/**
 * The one quoting helper: turns argv into a string a POSIX shell (the remote
 * login shell, or `bash -c`) splits back into exactly the same words, byte for
 * byte. Every value that reaches a remote shell goes through here; no caller
 * concatenates shell strings from config values.
 */

/** Characters that never need quoting in any word position. */
const SAFE_WORD = /^[A-Za-z0-9_./@:,+=-]+$/;

/**
 * Words that mean something else when they are the first word of a command:
 * reserved words and bash keywords. Quoting them makes the shell look them up
 * as commands, as an exec of argv[0] would.
 */
const RESERVED_FIRST_WORDS = new Set([
  '!',
  '[[',
  ']]',
  '{',
  '}',
  'case',
  'coproc',
  'do',
  'done',
  'elif',
  'else',
  'esac',
  'fi',
  'for',
  'function',
  'if',
  'in',
  'select',
  'then',
  'time',
  'until',
  'while',
]);

/** One shell word that evaluates to exactly `s` (no expansion, no splitting). */
export function quoteArg(s: string): string {
  if (s.includes('\0')) {
    throw new TypeError(`a shell argument cannot contain a NUL byte: ${JSON.stringify(s)}`);
  }
  if (s === '') return "''";
  if (SAFE_WORD.test(s)) return s;
  // Inside single quotes nothing is special except the closing quote itself,
  // which is written as: end quote, escaped quote, reopen quote.
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A command line that runs argv[0] with argv[1..] as its arguments, unchanged. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('cannot quote an empty command');
  return argv
    .map((arg, i) => {
      if (i === 0 && (RESERVED_FIRST_WORDS.has(arg) || arg.includes('='))) {
        // a reserved word or NAME=value in command position would not run argv[0]
        return `'${arg.replace(/'/g, `'\\''`)}'`;
      }
      return quoteArg(arg);
    })
    .join(' ');
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An environment variable name a shell and `env` accept, or a TypeError. */
export function checkEnvName(name: string): string {
  if (!ENV_NAME.test(name)) {
    throw new TypeError(`not a valid environment variable name: ${JSON.stringify(name)}`);
  }
  return name;
}
