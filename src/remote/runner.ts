/**
 * The persistent command channel: one long-lived `bash` per SSH session that
 * runs many commands, one at a time, so a command costs a few forks on the
 * remote side instead of a new session (and the user's login shell with its
 * rc files, which on a real machine is most of an exec's cost).
 *
 * Protocol (all over the session's stdin/stdout/stderr):
 *   request:  "<nonce>\n<command line(s)>\n<nonce>\n"
 *   the runner runs the command line in a subshell (eval: the lines the pool
 *   builds are quoted words only, so they read no runner variable; scripts run
 *   in a `bash -c` of their own), stdin /dev/null, its stdout and
 *   stderr each through a pipe that is drained until every writer has closed it
 *   (as an SSH channel would), then writes "<nonce> <exit code>\n" to stderr and
 *   "<nonce> end\n" to stdout.
 * The nonce is random per command and never part of the command, so output
 * cannot fake a trailer. A request cut short (channel closed mid-request) is
 * never run.
 */
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { quoteArgv } from './quote.js';
import { TrailerScanner } from './output.js';

export const RUNNER_SCRIPT = `printf '%s ready\\n' "$1"
set --
while IFS= read -r n; do
  c= t=
  while IFS= read -r l; do
    if [ "$l" = "$n" ]; then t=1; break; fi
    c+=$l$'\\n'
  done
  [ -n "$t" ] || exit 0
  { eval "$c" </dev/null 2>&1 >&3 3>&- | cat >&2 3>&-; printf '%s %s\\n' "$n" "\${PIPESTATUS[0]}" >&2; } 3>&1 | cat
  printf '%s end\\n' "$n"
done
`;

export interface OutputSink {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

/** The runner's channel closed while a command was running (or before it was ready). */
export class RunnerClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunnerClosedError';
  }
}

interface Pending {
  sink: OutputSink;
  out: TrailerScanner;
  err: TrailerScanner;
  resolve(code: number): void;
  reject(e: Error): void;
}

function nonce(): string {
  return `te${randomBytes(16).toString('hex')}`;
}

export class CommandRunner {
  private current: Pending | undefined;
  private isClosed = false;
  /** resolves when the channel has closed (for whatever reason) */
  readonly closed: Promise<void>;
  /** set by the pool when its slot was handed to someone else at close */
  keepSlotOnClose = false;

  private constructor(private readonly channel: ClientChannel) {
    this.closed = new Promise((resolve) => {
      channel.on('close', () => {
        this.isClosed = true;
        const p = this.current;
        this.current = undefined;
        p?.reject(new RunnerClosedError('the command channel closed while a command was running'));
        resolve();
      });
    });
    channel.on('data', (chunk: Buffer) => this.onData(chunk, 'out'));
    channel.stderr.on('data', (chunk: Buffer) => this.onData(chunk, 'err'));
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** The exec command that starts a runner, and the nonce of its ready line. */
  static launchCommand(): { command: string; ready: string } {
    const ready = nonce();
    const command = `exec ${quoteArgv(['bash', '--noprofile', '--norc', '-c', RUNNER_SCRIPT, 'tungsten-e2e-runner', ready])}`;
    return { command, ready };
  }

  /** Wait on a channel running launchCommand() until the runner says it is ready. */
  static async attach(
    channel: ClientChannel,
    ready: string,
    timeoutMs: number,
  ): Promise<CommandRunner> {
    const runner = new CommandRunner(channel);
    const scanner = new TrailerScanner(Buffer.from(`${ready} `));
    let noise = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const starting = runner.current;
        runner.current = undefined;
        starting?.reject(
          new RunnerClosedError(
            `the command runner did not start within ${timeoutMs} ms: the login shell ran for that long before it (its start-up files, or a host too busy to start it)${noise.trim() ? '' : ' and printed nothing'}`,
          ),
        );
        channel.close();
      }, timeoutMs);
      // until ready, output is the login shell's own (rc files); it is dropped
      runner.current = {
        sink: {
          stdout: (b) => (noise += b.toString('utf8')),
          stderr: (b) => (noise += b.toString('utf8')),
        },
        out: scanner,
        err: new TrailerScanner(Buffer.from(`${ready}-never `)),
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          const said = noise.trim().split('\n').slice(-3).join(' / ');
          reject(
            new RunnerClosedError(`${e.message}${said ? ` (it said: ${said.slice(0, 300)})` : ''}`),
          );
        },
      };
      runner.startupDone = () => runner.current?.resolve(0);
    });
    runner.current = undefined;
    runner.startupDone = undefined;
    return runner;
  }

  private startupDone: (() => void) | undefined;

  private onData(chunk: Buffer, which: 'out' | 'err'): void {
    const p = this.current;
    if (!p) return; // nothing runs: stray output (a background process) is dropped
    const scanner = which === 'out' ? p.out : p.err;
    const output = scanner.push(chunk);
    if (output.length) (which === 'out' ? p.sink.stdout : p.sink.stderr)(output);
    if (this.startupDone) {
      if (p.out.done) this.startupDone();
      return;
    }
    if (p.out.done && p.err.done) {
      this.current = undefined;
      const code = Number((p.err.trailer ?? '').trim());
      if (Number.isInteger(code)) p.resolve(code);
      else
        p.reject(
          new RunnerClosedError(`the command runner sent a malformed trailer: ${p.err.trailer}`),
        );
    }
  }

  /** Run one command line; resolves with its exit code. One command at a time. */
  run(commandLine: string, sink: OutputSink): Promise<number> {
    if (this.current) throw new Error('CommandRunner.run called while a command is running');
    if (this.isClosed)
      return Promise.reject(new RunnerClosedError('the command channel is closed'));
    const n = nonce();
    return new Promise<number>((resolve, reject) => {
      this.current = {
        sink,
        out: new TrailerScanner(Buffer.from(`${n} `)),
        err: new TrailerScanner(Buffer.from(`${n} `)),
        resolve,
        reject,
      };
      this.channel.write(`${n}\n${commandLine}\n${n}\n`);
    });
  }

  /** Close the channel (the runner exits at end of input); resolves when it is closed. */
  close(): Promise<void> {
    if (!this.isClosed) {
      try {
        this.channel.end();
        this.channel.close();
      } catch {
        // the connection is already gone
      }
    }
    return this.closed;
  }
}
