/**
 * The SSH pool: one authenticated connection per host, reused for every
 * command, upload and probe; a per-host cap on concurrent sessions with a
 * queue beyond it; keepalives; reconnect on the next command after a drop.
 *
 * Commands normally run on persistent command channels (runner.ts): one
 * long-lived `bash` per session slot, so a command costs a few forks instead
 * of a new session plus the login shell. Commands with stdin, and every
 * command when `commandChannel: false`, get a session of their own (`exec`).
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { InfraError } from '../errors.js';
import { secrets, type Logger } from '../log.js';
import {
  buildRemoteCommand,
  describeCommand,
  isScript,
  isTimeoutExit,
  KILL_AFTER_SECONDS,
  scriptTravelsOnStdin,
  type RemoteCommand,
} from './command.js';
import {
  ConnectionLostError,
  formatElapsed,
  HostKeyMismatchError,
  RemoteCommandError,
  RemoteError,
  RemoteTimeoutError,
  SshConnectError,
} from './errors.js';
import type { HostKeyStore } from './hostKeys.js';
import { fingerprintOf } from './keys.js';
import { OutputBuffer } from './output.js';
import { CommandRunner, RunnerClosedError, type OutputSink } from './runner.js';
import { sshLogin, tcpConnect } from './login.js';
import { rebootHost, type RebootOptions } from './reboot.js';
import { settlesWithin, sleep } from './wait.js';
import { describeHost, endpointKey, type RemoteHost } from './target.js';

export type { RemoteCommand } from './command.js';
export { DEFAULT_BOOT_ID_COMMAND, DEFAULT_REBOOT_COMMAND, type RebootOptions } from './reboot.js';

export interface ExecOptions {
  /** the remote process group is killed this long after the command starts (and the call fails) */
  timeoutMs?: number;
  /** passed with `env NAME=value` (visible in the remote ps: no secrets here, use stdin) */
  env?: Record<string, string>;
  /** run as root through `sudo -n` (skipped when the login user is root) */
  sudo?: boolean;
  /** bytes for the command's stdin (the command then gets a session of its own) */
  stdin?: string | Buffer;
  /** cap per stream (stdout, stderr); the rest is dropped and `truncated` set. Default 32 MiB */
  maxOutputBytes?: number;
  /** log each output line as it arrives, prefixed "[host] " */
  stream?: boolean;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** how long the command ran (waiting for a free session slot not included) */
  durationMs: number;
  truncated: boolean;
  /** the signal that ended the command, when one did (code is then 128 + its number) */
  signal?: string;
}

export interface RemotePoolOptions {
  privateKey: string | Buffer;
  hostKeys: HostKeyStore;
  logger: Logger;
  /** concurrent sessions per host (OpenSSH MaxSessions defaults to 10) */
  maxSessionsPerHost?: number;
  keepaliveIntervalMs?: number;
  /** unanswered keepalives before the connection is declared dead */
  keepaliveCountMax?: number;
  /** TCP connect plus SSH handshake and login */
  connectTimeoutMs?: number;
  /** run commands on persistent command channels (default true) */
  commandChannel?: boolean;
  /** defaults for reboot() */
  reboot?: RebootOptions;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/** A session slot, or an idle runner that already holds one. */
type Lease = { kind: 'slot' } | { kind: 'runner'; runner: CommandRunner };

interface Waiter {
  want: 'runner' | 'session';
  resolve(lease: Lease): void;
  reject(e: Error): void;
}

/** The connection closed before a queued request got its turn; it is retried on a new one. */
class ConnectionGone extends Error {}

/** ssh2 reports "SIGKILL" (some servers "KILL"); normalised to node's "SIGKILL". */
function signalName(name: string): string {
  return name.startsWith('SIG') ? name : `SIG${name}`;
}

function signalNumber(name: string): number {
  return (osConstants.signals as Record<string, number>)[signalName(name)] ?? 0;
}

class Connection {
  alive = true;
  closeReason = 'the server closed the connection';
  open = 0;
  readonly idle: CommandRunner[] = [];
  readonly waiters: Waiter[] = [];
  /** sessions the server confirmed and that have not closed yet */
  sessions = 0;
  /** session opens in flight */
  readonly opening = new Set<Promise<unknown>>();
  lastSessionClose = 0;
  runnerBroken = false;
  readonly closed: Promise<void>;

  constructor(
    readonly host: RemoteHost,
    readonly client: Client,
    public limit: number,
    onClose: (conn: Connection) => void,
  ) {
    client.on('error', (e: Error) => {
      this.closeReason = e.message;
    });
    this.closed = new Promise((resolve) => {
      client.on('close', () => {
        this.alive = false;
        for (const w of this.waiters.splice(0)) w.reject(new ConnectionGone(this.closeReason));
        onClose(this);
        resolve();
      });
    });
  }
}

export class RemotePool {
  private readonly privateKey: string;
  private readonly keyFingerprint: string;
  private readonly conns = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection>>();
  private readonly lost = new Map<string, string>();
  private readonly limit: number;
  private readonly connectTimeoutMs: number;
  private isClosed = false;

  constructor(private readonly options: RemotePoolOptions) {
    this.privateKey = options.privateKey.toString();
    secrets.add(this.privateKey);
    const parsed = ssh2.utils.parseKey(this.privateKey);
    if (parsed instanceof Error)
      throw new TypeError(`the SSH private key cannot be used: ${parsed.message}`);
    this.keyFingerprint = fingerprintOf(parsed.getPublicSSH());
    this.limit = Math.max(1, options.maxSessionsPerHost ?? 10);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  }

  // ---- commands -----------------------------------------------------------

  /** Run a command; resolves with its exit code and output whatever the code. */
  async exec(
    host: RemoteHost,
    command: RemoteCommand,
    options: ExecOptions = {},
  ): Promise<ExecResult> {
    const display = describeCommand(command);
    const line = buildRemoteCommand(command, {
      user: host.user,
      ...(options.env ? { env: options.env } : {}),
      ...(options.sudo ? { sudo: true } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    const bigScript = scriptTravelsOnStdin(command);
    if (bigScript && options.stdin !== undefined) {
      throw new TypeError(
        `${display}: a script over 64 KiB travels on stdin, so it cannot also be given stdin`,
      );
    }
    const stdin = bigScript && isScript(command) ? command.script : options.stdin;
    const wantRunner = this.options.commandChannel !== false && stdin === undefined;

    for (let attempt = 0; ; attempt++) {
      const conn = await this.connection(host);
      let lease: Lease;
      try {
        lease = await this.acquire(conn, wantRunner && !conn.runnerBroken ? 'runner' : 'session');
      } catch (e) {
        if (e instanceof ConnectionGone && attempt < 2) continue;
        if (e instanceof ConnectionGone) {
          throw new RemoteError(
            host.name,
            `connection to ${describeHost(host)} keeps closing: ${e.message}`,
          );
        }
        throw e;
      }
      return await this.runOnLease(conn, lease, line, display, stdin, options);
    }
  }

  /** Like exec, but a non-zero exit throws RemoteCommandError. */
  async run(
    host: RemoteHost,
    command: RemoteCommand,
    options: ExecOptions = {},
  ): Promise<ExecResult> {
    const result = await this.exec(host, command, options);
    if (result.code !== 0) {
      throw new RemoteCommandError(
        host.name,
        describeCommand(command),
        result.code,
        result.stdout,
        result.stderr,
        result.durationMs,
      );
    }
    return result;
  }

  private async runOnLease(
    conn: Connection,
    lease: Lease,
    line: string,
    display: string,
    stdin: string | Buffer | undefined,
    options: ExecOptions,
  ): Promise<ExecResult> {
    const host = conn.host;
    const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const log = this.options.logger;
    const prefix = `[${host.name}] `;
    const stdout = new OutputBuffer(max, options.stream ? (l) => log.info(prefix + l) : undefined);
    const stderr = new OutputBuffer(max, options.stream ? (l) => log.info(prefix + l) : undefined);
    const sink: OutputSink = { stdout: (b) => stdout.push(b), stderr: (b) => stderr.push(b) };
    const started = Date.now();
    const timeoutMs = options.timeoutMs;
    // the remote `timeout` kills the command; this local limit only catches a host that stopped answering
    const localLimit =
      timeoutMs === undefined ? undefined : timeoutMs + (KILL_AFTER_SECONDS + 5) * 1000;

    let outcome: { code: number; signal?: string } | { lost: string } | { stuck: true };
    if (lease.kind === 'runner') {
      outcome = await this.onRunner(conn, lease.runner, line, sink, localLimit);
    } else {
      outcome = await this.onSession(conn, line, sink, stdin, localLimit);
    }
    stdout.flush();
    stderr.flush();
    const durationMs = Date.now() - started;

    if ('lost' in outcome) {
      throw new ConnectionLostError(host.name, display, durationMs, outcome.lost);
    }
    if (
      'stuck' in outcome ||
      (timeoutMs !== undefined && isTimeoutExit(outcome.code) && durationMs >= timeoutMs)
    ) {
      throw new RemoteTimeoutError(
        host.name,
        display,
        timeoutMs ?? 0,
        durationMs,
        stdout.text(),
        stderr.text(),
      );
    }
    const result: ExecResult = {
      code: outcome.code,
      stdout: stdout.text(),
      stderr: stderr.text(),
      durationMs,
      truncated: stdout.truncated || stderr.truncated,
    };
    if (outcome.signal) result.signal = outcome.signal;
    log.debug(`${host.name}: ${display} -> exit ${result.code} in ${formatElapsed(durationMs)}`);
    return result;
  }

  private async onRunner(
    conn: Connection,
    runner: CommandRunner,
    line: string,
    sink: OutputSink,
    localLimit: number | undefined,
  ): Promise<{ code: number } | { lost: string } | { stuck: true }> {
    let timer: NodeJS.Timeout | undefined;
    let stuck = false;
    if (localLimit !== undefined) {
      timer = setTimeout(() => {
        stuck = true;
        void runner.close();
      }, localLimit);
    }
    try {
      const code = await runner.run(line, sink);
      this.releaseRunner(conn, runner);
      return { code };
    } catch (e) {
      if (stuck) return { stuck: true };
      if (!(e instanceof RunnerClosedError)) throw e;
      await settlesWithin(conn.closed, 50);
      return { lost: conn.alive ? `the command channel closed: ${e.message}` : conn.closeReason };
    } finally {
      clearTimeout(timer);
    }
  }

  private async onSession(
    conn: Connection,
    line: string,
    sink: OutputSink,
    stdin: string | Buffer | undefined,
    localLimit: number | undefined,
  ): Promise<{ code: number; signal?: string } | { lost: string } | { stuck: true }> {
    let channel: ClientChannel;
    // the exit status is recorded in the exec callback itself: a quick command's
    // reply, exit status and EOF can arrive in one read, before an await resumes
    let exit: { code: number; signal?: string } | undefined;
    try {
      channel = await this.openSession<ClientChannel>(conn, (c, cb) =>
        c.exec(line, (err, ch) => {
          ch?.once('exit', (code: number | null, signal?: string) => {
            exit =
              code !== null && code !== undefined
                ? { code }
                : {
                    code: 128 + signalNumber(signal ?? ''),
                    signal: signalName(signal ?? 'unknown'),
                  };
          });
          cb(err, ch);
        }),
      );
    } catch (e) {
      this.releaseSlot(conn);
      if (!conn.alive) return { lost: conn.closeReason };
      throw e;
    }
    return await new Promise((resolve) => {
      let stuck = false;
      const timer =
        localLimit === undefined
          ? undefined
          : setTimeout(() => {
              stuck = true;
              channel.close();
            }, localLimit);
      channel.on('data', (b: Buffer) => sink.stdout(b));
      channel.stderr.on('data', (b: Buffer) => sink.stderr(b));
      channel.on('close', () => {
        clearTimeout(timer);
        this.sessionClosed(conn);
        this.releaseSlot(conn);
        if (stuck) return resolve({ stuck: true });
        if (exit) return resolve(exit);
        void settlesWithin(conn.closed, 50).then(() =>
          resolve({
            lost: conn.alive ? 'the session closed without an exit status' : conn.closeReason,
          }),
        );
      });
      channel.end(stdin);
    });
  }

  // ---- session slots ------------------------------------------------------

  private acquire(conn: Connection, want: 'runner' | 'session'): Promise<Lease> {
    if (!conn.alive) return Promise.reject(new ConnectionGone(conn.closeReason));
    return new Promise<Lease>((resolve, reject) => {
      conn.waiters.push({ want, resolve, reject });
      this.pump(conn);
    }).then((lease) =>
      lease.kind === 'slot' && want === 'runner' ? this.startRunner(conn) : lease,
    );
  }

  /** Hand out idle runners and free slots to waiters, in order. */
  private pump(conn: Connection): void {
    while (conn.waiters.length && conn.alive) {
      const w = conn.waiters[0]!;
      if (w.want === 'runner' && conn.idle.length) {
        conn.waiters.shift();
        w.resolve({ kind: 'runner', runner: conn.idle.pop()! });
      } else if (conn.open < conn.limit) {
        conn.waiters.shift();
        conn.open++;
        w.resolve({ kind: 'slot' });
      } else if (w.want === 'session' && conn.idle.length) {
        // the session needs a slot an idle runner holds: close it and pass its slot on
        conn.waiters.shift();
        const runner = conn.idle.shift()!;
        runner.keepSlotOnClose = true;
        void runner.close().then(() => w.resolve({ kind: 'slot' }));
      } else {
        break;
      }
    }
  }

  private releaseSlot(conn: Connection): void {
    conn.open--;
    this.pump(conn);
  }

  private releaseRunner(conn: Connection, runner: CommandRunner): void {
    if (!runner.isOpen || !conn.alive) return;
    conn.idle.push(runner);
    this.pump(conn);
  }

  /** Start a runner in a slot the caller holds; falls back to a plain session if runners cannot start. */
  private async startRunner(conn: Connection): Promise<Lease> {
    let runner: CommandRunner;
    let channelClosed: Promise<unknown> | undefined;
    try {
      const launch = CommandRunner.launchCommand();
      const channel = await this.openSession<ClientChannel>(conn, (c, cb) =>
        c.exec(launch.command, cb),
      );
      channelClosed = new Promise((r) => channel.once('close', r));
      runner = await CommandRunner.attach(channel, launch.ready, this.connectTimeoutMs);
    } catch (e) {
      if (channelClosed) {
        // the session opened but no runner started in it; it is closing
        await settlesWithin(Promise.race([channelClosed, conn.closed]), 2000);
        this.sessionClosed(conn);
      }
      if (!conn.alive) {
        this.releaseSlot(conn);
        throw new ConnectionGone(conn.closeReason);
      }
      if (e instanceof RemoteError) {
        this.releaseSlot(conn);
        throw e;
      }
      conn.runnerBroken = true;
      this.options.logger.warn(
        `${conn.host.name}: persistent command channel unavailable (${(e as Error).message}); ` +
          'using one session per command',
      );
      return { kind: 'slot' };
    }
    void runner.closed.then(() => {
      this.sessionClosed(conn);
      const i = conn.idle.indexOf(runner);
      if (i >= 0) conn.idle.splice(i, 1);
      if (!runner.keepSlotOnClose) this.releaseSlot(conn);
    });
    return { kind: 'runner', runner };
  }

  /**
   * Open a session in a slot the caller holds (the caller reports its close
   * with sessionClosed). If the server refuses:
   * - right after one of our sessions closed, sshd may not have freed that
   *   slot yet (it does so a loop later): try again shortly;
   * - otherwise it allows no more sessions than are open now (MaxSessions
   *   below our limit): lower this connection's limit to that and queue.
   */
  private async openSession<T>(
    conn: Connection,
    open: (client: Client, cb: (err: Error | undefined, value: T) => void) => unknown,
  ): Promise<T> {
    let pause = 10;
    for (;;) {
      const opening = new Promise<T>((resolve, reject) => {
        try {
          const r = open(conn.client, (err, v) => (err ? reject(err) : resolve(v)));
          if (r instanceof Promise) r.then(resolve, reject);
        } catch (e) {
          reject(e as Error);
        }
      });
      conn.opening.add(opening);
      try {
        const value = await opening;
        conn.sessions++;
        return value;
      } catch (e) {
        const refused = /Channel open failure/.test((e as Error).message);
        if (!refused || !conn.alive) throw e;
        // sessions opened alongside this one count once they are through
        conn.opening.delete(opening);
        await Promise.allSettled([...conn.opening]);
        // first: one of our sessions closed just now, and sshd frees its slot a loop later
        // (quick commands make this common, also when none of ours is open any more)
        if (Date.now() - conn.lastSessionClose < 250) {
          await sleep(pause);
          pause = Math.min(pause * 2, 500);
          continue;
        }
        if (conn.sessions === 0) {
          throw new RemoteError(
            conn.host.name,
            `${describeHost(conn.host)} refused to open a session: ${(e as Error).message}`,
          );
        }
        if (conn.sessions < conn.limit) {
          conn.limit = conn.sessions;
          this.options.logger.warn(
            `${conn.host.name} allows fewer concurrent sessions than ${this.limit} ` +
              `(its sshd MaxSessions); using ${conn.limit}`,
          );
        }
        // give the slot back and queue again under the lower limit
        conn.open--;
        try {
          await new Promise<Lease>((resolve, reject) => {
            conn.waiters.unshift({ want: 'session', resolve, reject });
            this.pump(conn);
          });
        } catch (gone) {
          conn.open++; // the caller still accounts for one slot
          throw gone;
        }
      } finally {
        conn.opening.delete(opening);
      }
    }
  }

  private sessionClosed(conn: Connection): void {
    conn.sessions--;
    conn.lastSessionClose = Date.now();
  }

  // ---- connections --------------------------------------------------------

  private async connection(
    host: RemoteHost,
    timeoutMs = this.connectTimeoutMs,
  ): Promise<Connection> {
    if (this.isClosed) throw new InfraError('the SSH pool is closed');
    const key = endpointKey(host);
    const live = this.conns.get(key);
    if (live?.alive) return live;
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const attempt = this.connect(host, timeoutMs).finally(() => this.connecting.delete(key));
    this.connecting.set(key, attempt);
    const conn = await attempt;
    this.conns.set(key, conn);
    return conn;
  }

  private async connect(host: RemoteHost, timeoutMs: number): Promise<Connection> {
    const started = Date.now();
    const deadline = started + timeoutMs;
    const sock = host.jump
      ? await this.forwardThrough(host, deadline)
      : await tcpConnect(host, timeoutMs);
    const client = await sshLogin(sock, host, {
      privateKey: this.privateKey,
      keyFingerprint: this.keyFingerprint,
      hostKeys: this.options.hostKeys,
      deadline,
      timeoutMs,
      keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: this.options.keepaliveCountMax ?? 3,
    });
    const key = endpointKey(host);
    const conn = new Connection(host, client, this.limit, (c) => {
      if (this.conns.get(key) === c) this.conns.delete(key);
      if (!this.isClosed) {
        this.lost.set(key, c.closeReason);
        this.options.logger.debug(`connection to ${describeHost(host)} closed: ${c.closeReason}`);
      }
    });
    const previous = this.lost.get(key);
    if (previous !== undefined) {
      this.lost.delete(key);
      this.options.logger.info(
        `reconnected to ${describeHost(host)} in ${Date.now() - started} ms (the previous connection was lost: ${previous})`,
      );
    } else {
      this.options.logger.debug(`connected to ${describeHost(host)} in ${Date.now() - started} ms`);
    }
    return conn;
  }

  private async forwardThrough(host: RemoteHost, deadline: number): Promise<Duplex> {
    const jump = host.jump!;
    const via = await this.connection(jump, Math.max(1, deadline - Date.now()));
    return await new Promise<Duplex>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(
        () => {
          done = true;
          reject(
            new SshConnectError(
              host.name,
              'unreachable',
              `cannot reach ${describeHost(host)} through ${jump.name}: no connection within ${formatElapsed(deadline - Date.now() + 1)}`,
            ),
          );
        },
        Math.max(1, deadline - Date.now()),
      );
      try {
        via.client.forwardOut('127.0.0.1', 0, host.host, host.port, (err, stream) => {
          clearTimeout(timer);
          if (done) {
            stream?.destroy();
            return;
          }
          if (err) {
            reject(
              new SshConnectError(
                host.name,
                'unreachable',
                `cannot reach ${describeHost(host)} through ${jump.name}: ${err.message}`,
                { cause: err },
              ),
            );
          } else resolve(stream);
        });
      } catch (e) {
        clearTimeout(timer);
        reject(
          new SshConnectError(
            host.name,
            'unreachable',
            `cannot reach ${describeHost(host)}: ${(e as Error).message}`,
          ),
        );
      }
    });
  }

  /**
   * A TCP connection from the host to `address:port` (its own loopback by
   * default) over the pooled SSH connection: an API a host serves only to
   * itself is reached without opening it to the network. Forwarded channels
   * are not sessions, so they take no session slot.
   */
  async forward(
    host: RemoteHost,
    port: number,
    address = '127.0.0.1',
    timeoutMs = this.connectTimeoutMs,
  ): Promise<Duplex> {
    const conn = await this.connection(host);
    const where = `${address}:${port} from ${host.name}`;
    return await new Promise<Duplex>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(
          new RemoteError(
            host.name,
            `no connection to ${where} within ${formatElapsed(timeoutMs)}`,
          ),
        );
      }, timeoutMs);
      try {
        conn.client.forwardOut('127.0.0.1', 0, address, port, (err, stream) => {
          clearTimeout(timer);
          if (done) {
            stream?.destroy();
            return;
          }
          if (err)
            reject(
              new RemoteError(host.name, `cannot connect to ${where}: ${err.message}`, {
                cause: err,
              }),
            );
          else resolve(stream);
        });
      } catch (e) {
        clearTimeout(timer);
        reject(new RemoteError(host.name, `cannot connect to ${where}: ${(e as Error).message}`));
      }
    });
  }

  /** Drop a host's connection (the next command opens a new one). */
  /** Drop the host's connection (the next command connects again). */
  async disconnect(host: RemoteHost): Promise<void> {
    const conn = this.conns.get(endpointKey(host));
    if (!conn) return;
    this.conns.delete(endpointKey(host));
    conn.client.end();
    await settlesWithin(conn.closed, 2000);
    if (conn.alive) conn.client.destroy();
  }

  // ---- files --------------------------------------------------------------

  /**
   * Write `content` to `remotePath` over SFTP with exactly `mode` (default
   * 0644): written to a temporary name beside it, then renamed over it, so a
   * reader never sees half a file.
   */
  async upload(
    host: RemoteHost,
    remotePath: string,
    content: string | Buffer,
    mode = 0o644,
  ): Promise<void> {
    await this.sftpWrite(host, remotePath, mode, content.length, (s, tmp, cb) =>
      s.writeFile(tmp, content, { mode }, cb),
    );
  }

  /**
   * Upload a local file (see upload), streamed in parallel chunks (SFTP's
   * fastPut), so an image layer of hundreds of MiB is never held in memory.
   */
  async uploadFile(
    host: RemoteHost,
    remotePath: string,
    localPath: string,
    mode = 0o644,
  ): Promise<void> {
    const { size } = await stat(localPath);
    await this.sftpWrite(host, remotePath, mode, size, (s, tmp, cb) =>
      s.fastPut(localPath, tmp, { mode }, cb),
    );
  }

  /** Write to a temporary name beside remotePath with `write`, set the mode, rename into place. */
  private async sftpWrite(
    host: RemoteHost,
    remotePath: string,
    mode: number,
    size: number,
    write: (s: SFTPWrapper, tmp: string, cb: (err: Error | null | undefined) => void) => void,
  ): Promise<void> {
    const started = Date.now();
    const conn = await this.sessionSlot(host);
    const tmp = `${remotePath}.tmp-${randomBytes(4).toString('hex')}`;
    let sftp: SFTPWrapper | undefined;
    try {
      const s = await this.openSession<SFTPWrapper>(conn, (c, cb) => c.sftp(cb));
      sftp = s;
      const call = (fn: (cb: (err: Error | null | undefined) => void) => void) =>
        new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
      try {
        await call((cb) => write(s, tmp, cb));
        await call((cb) => s.chmod(tmp, mode, cb));
        await call((cb) => s.ext_openssh_rename(tmp, remotePath, cb));
      } catch (e) {
        await call((cb) => s.unlink(tmp, cb)).catch(() => {});
        throw e;
      }
    } catch (e) {
      if (e instanceof RemoteError) throw e;
      if (!conn.alive) {
        throw new ConnectionLostError(
          host.name,
          `upload ${remotePath}`,
          Date.now() - started,
          conn.closeReason,
        );
      }
      throw new RemoteError(
        host.name,
        `upload of ${remotePath} to ${host.name} failed after ${formatElapsed(Date.now() - started)}: ${(e as Error).message}`,
        { cause: e },
      );
    } finally {
      if (sftp) {
        const closed = new Promise<void>((r) => sftp!.once('close', () => r()));
        sftp.end();
        await settlesWithin(Promise.race([closed, conn.closed]), 2000);
        this.sessionClosed(conn);
      }
      this.releaseSlot(conn);
    }
    this.options.logger.debug(
      `${host.name}: uploaded ${remotePath} (${size} bytes, mode ${mode.toString(8)})`,
    );
  }

  /** A connection and a session slot on it, retrying if the connection closes while queued. */
  private async sessionSlot(host: RemoteHost): Promise<Connection> {
    for (let attempt = 0; ; attempt++) {
      const conn = await this.connection(host);
      try {
        await this.acquire(conn, 'session');
        return conn;
      } catch (e) {
        if (!(e instanceof ConnectionGone)) throw e;
        if (attempt >= 2) {
          throw new RemoteError(
            host.name,
            `connection to ${describeHost(host)} keeps closing: ${e.message}`,
          );
        }
      }
    }
  }

  // ---- waiting ------------------------------------------------------------

  /**
   * Wait until the host accepts an SSH login and runs a command, retrying with
   * backoff (a booting machine refuses, resets or times out for a while). A
   * changed host key fails at once.
   */
  async waitForSsh(host: RemoteHost, deadline: number): Promise<void> {
    const started = Date.now();
    let delay = 250;
    let last = 'no attempt made';
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        const conn = await this.connection(host, Math.min(this.connectTimeoutMs, remaining));
        await this.probe(conn, host, Math.min(15_000, Math.max(1, deadline - Date.now())));
        if (attempt > 1) {
          this.options.logger.info(
            `${host.name}: SSH is up after ${formatElapsed(Date.now() - started)}`,
          );
        }
        return;
      } catch (e) {
        if (e instanceof HostKeyMismatchError) throw e;
        last = (e as Error).message;
        this.options.logger.debug(`${host.name}: waiting for SSH (attempt ${attempt}): ${last}`);
      }
      const pause = Math.min(delay, deadline - Date.now());
      if (pause <= 0) break;
      await sleep(pause);
      delay = Math.min(delay * 2, 5000);
    }
    throw new RemoteError(
      host.name,
      `SSH on ${describeHost(host)} did not come up within ${formatElapsed(Date.now() - started)}; last error: ${last}`,
    );
  }

  /** Prove a connection works by running `true`; a connection that does not answer is dropped. */
  private async probe(conn: Connection, host: RemoteHost, timeoutMs: number): Promise<void> {
    const probe = this.exec(host, ['true']);
    const answered = await settlesWithin(probe, timeoutMs);
    if (answered) {
      await probe; // a failure is the caller's to see
      return;
    }
    probe.catch(() => {});
    conn.client.destroy();
    throw new Error(`the connection did not answer within ${formatElapsed(timeoutMs)}`);
  }

  /**
   * Reboot a host and prove it happened (reboot.ts). `deadline` is epoch ms
   * (a value below 1e12 is taken as a duration from now).
   */
  async reboot(host: RemoteHost, deadline: number, options: RebootOptions = {}): Promise<void> {
    await rebootHost(
      this,
      host,
      deadline,
      { ...this.options.reboot, ...options },
      this.options.logger,
    );
  }

  /** The host's connection (made if there is none): when it closes. */
  async connectionClosed(host: RemoteHost): Promise<{ closed: Promise<void> }> {
    const conn = await this.connection(host);
    return { closed: conn.closed };
  }

  // ---- lifecycle ----------------------------------------------------------

  /** Close every connection (commands still running fail). */
  async close(): Promise<void> {
    this.isClosed = true;
    await Promise.allSettled([...this.connecting.values()]);
    const conns = [...this.conns.values()];
    this.conns.clear();
    for (const c of conns) c.client.end();
    await settlesWithin(Promise.all(conns.map((c) => c.closed)), 3000);
    for (const c of conns) if (c.alive) c.client.destroy();
  }
}
