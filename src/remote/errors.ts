/**
 * What can go wrong talking to a machine. All are infrastructure failures
 * (exit 3); each message names the host, and where there is one, the command
 * and how long it had run.
 */
import { InfraError } from '../errors.js';

/** Seconds with one decimal, for messages: "12.3s". */
export function formatElapsed(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The last lines of a stream, for an error message. */
export function tail(text: string, maxChars = 1500): string {
  const trimmed = text.trimEnd();
  if (trimmed.length <= maxChars) return trimmed;
  return `…${trimmed.slice(trimmed.length - maxChars)}`;
}

export class RemoteError extends InfraError {
  constructor(
    readonly host: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RemoteError';
  }
}

/** Could not open an authenticated connection (unreachable, handshake, or auth). */
export class SshConnectError extends RemoteError {
  constructor(
    host: string,
    readonly reason: 'unreachable' | 'auth' | 'handshake',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(host, message, options);
    this.name = 'SshConnectError';
  }
}

/** The host presented a key other than the one pinned for it. Never retried. */
export class HostKeyMismatchError extends RemoteError {
  constructor(
    host: string,
    readonly expectedFingerprints: string[],
    readonly presentedFingerprint: string,
    message: string,
  ) {
    super(host, message);
    this.name = 'HostKeyMismatchError';
  }
}

export interface CommandFailureDetail {
  command: string;
  elapsedMs: number;
  stdout: string;
  stderr: string;
}

/** A command ran and exited non-zero (thrown by `run`, not `exec`). */
export class RemoteCommandError extends RemoteError {
  constructor(
    host: string,
    readonly command: string,
    readonly code: number,
    readonly stdout: string,
    readonly stderr: string,
    readonly elapsedMs: number,
  ) {
    const err = tail(stderr);
    super(
      host,
      `command on ${host} exited with code ${code} after ${formatElapsed(elapsedMs)}: ${command}` +
        (err ? `\nstderr (tail):\n${err}` : ''),
    );
    this.name = 'RemoteCommandError';
  }
}

/** A command outlived its timeout; the remote process group was killed. */
export class RemoteTimeoutError extends RemoteError {
  constructor(
    host: string,
    readonly command: string,
    readonly timeoutMs: number,
    readonly elapsedMs: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      host,
      `command on ${host} timed out after ${formatElapsed(elapsedMs)} (limit ${formatElapsed(timeoutMs)}) and was killed: ${command}`,
    );
    this.name = 'RemoteTimeoutError';
  }
}

/** The connection dropped while a command was running; its outcome is unknown. */
export class ConnectionLostError extends RemoteError {
  constructor(
    host: string,
    readonly command: string,
    readonly elapsedMs: number,
    reason: string,
  ) {
    super(
      host,
      `connection to ${host} was lost after ${formatElapsed(elapsedMs)} while running: ${command} (${reason}); ` +
        'the command may or may not have finished; the next command opens a new connection',
    );
    this.name = 'ConnectionLostError';
  }
}
