/**
 * How a requested command becomes the one string a remote shell runs: argv is
 * quoted word by word, a script runs under `bash -c`, and sudo, the timeout
 * wrapper and environment are argv words in front of it, so nothing the
 * caller passes is ever parsed as shell syntax except a script's own text.
 */
import { checkEnvName, quoteArgv } from './quote.js';

export type RemoteCommand = readonly string[] | { script: string };

export interface CommandShape {
  env?: Record<string, string>;
  sudo?: boolean;
  timeoutMs?: number;
  /** the login user; sudo is skipped for root */
  user: string;
}

/** Grace between the remote timeout's SIGTERM and its SIGKILL. */
export const KILL_AFTER_SECONDS = 3;

/**
 * Scripts up to this size travel inside the command string (an argument to
 * `bash -c`, which Linux caps at 128 KiB); larger ones are sent on stdin and
 * run from a temporary file.
 */
export const INLINE_SCRIPT_MAX_BYTES = 64 * 1024;

export function isScript(command: RemoteCommand): command is { script: string } {
  return !Array.isArray(command) && typeof (command as { script?: unknown }).script === 'string';
}

/** The words that run `command`, before any wrapper. */
function commandWords(command: RemoteCommand, largeScript: boolean): string[] {
  if (!isScript(command)) {
    const argv = command as readonly string[];
    if (argv.length === 0) throw new TypeError('empty command');
    return [...argv];
  }
  if (!largeScript) return ['bash', '-c', command.script];
  // the script arrives on stdin; it runs from a file so that a command inside
  // it that reads stdin cannot swallow the rest of the script
  return [
    'bash',
    '-c',
    'f=$(mktemp) || exit 125; trap \'rm -f "$f"\' EXIT; cat >"$f" && bash "$f" </dev/null',
  ];
}

export function scriptTravelsOnStdin(command: RemoteCommand): boolean {
  return isScript(command) && Buffer.byteLength(command.script) > INLINE_SCRIPT_MAX_BYTES;
}

/** The command string for the remote shell (no secrets from `env` belong here: they are visible in ps). */
export function buildRemoteCommand(command: RemoteCommand, shape: CommandShape): string {
  const words: string[] = [];
  if (shape.sudo && shape.user !== 'root') words.push('sudo', '-n', '--');
  if (shape.timeoutMs !== undefined) {
    if (!(shape.timeoutMs > 0))
      throw new TypeError(`timeoutMs must be positive, got ${shape.timeoutMs}`);
    const seconds = Math.max(shape.timeoutMs / 1000, 0.001);
    words.push('timeout', '-k', String(KILL_AFTER_SECONDS), `${Number(seconds.toFixed(3))}s`);
  }
  const env = Object.entries(shape.env ?? {});
  if (env.length) words.push('env', ...env.map(([k, v]) => `${checkEnvName(k)}=${v}`));
  words.push(...commandWords(command, scriptTravelsOnStdin(command)));
  return quoteArgv(words);
}

/** How messages name a command: the quoted argv, or a script's first line. */
export function describeCommand(command: RemoteCommand, maxChars = 240): string {
  let text: string;
  if (isScript(command)) {
    const lines = command.script.split('\n').filter((l) => l.trim() !== '');
    const first = lines[0]?.trim() ?? '';
    text = lines.length > 1 ? `script: ${first} … (${lines.length} lines)` : `script: ${first}`;
  } else {
    text = quoteArgv(command as readonly string[]);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

/** Exit codes `timeout` uses when it had to kill the command (TERM, then KILL). */
export function isTimeoutExit(code: number): boolean {
  return code === 124 || code === 128 + 9;
}
