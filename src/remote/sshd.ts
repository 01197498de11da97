/**
 * Starts a real OpenSSH sshd: the local provider runs one per network
 * namespace (its sites' "machines"), and the SSH tests and benchmark run
 * against one on loopback.
 *
 * Everything lives in one caller-given directory and every file name carries a
 * caller-given tag (the run id), so several runs and test workers can share a
 * directory and a machine without touching each other's files. sshd runs in
 * the foreground (-D) with its log on stderr (-e) sent to a file, detached from
 * this process, so it can outlive it until teardown stops it by pid.
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../log.js';

const execFileAsync = promisify(execFile);

export const SSHD_PATH = '/usr/sbin/sshd';
export const SSH_KEYGEN_PATH = '/usr/bin/ssh-keygen';
/** The whole environment sshd (and `ip netns exec` before it) starts with. */
export const SSHD_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};

/** sshd's privilege-separation directory; it refuses to start without it. */
export const PRIVSEP_DIR = '/run/sshd';

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface SshdOptions {
  /** directory for keys, config, pid file and log (created 0700) */
  dir: string;
  /** carried by every file name (the run id, plus a site or test name) */
  tag: string;
  /** OpenSSH public key lines allowed to log in */
  authorizedKeys: readonly string[];
  /** default 127.0.0.1 */
  listenAddress?: string;
  /** default: a random free high port (retried if taken) */
  port?: number;
  /** run inside this network namespace (`ip netns exec <ns> sshd …`) */
  netns?: string;
  /** sessions (exec, shell, sftp) per connection; OpenSSH's default is 10 */
  maxSessions?: number;
  /** default: yes unless a directory above `dir` is group/world-writable (e.g. /tmp) */
  strictModes?: boolean;
  /** default ['ed25519']; existing key files in `dir` are reused, so a restart keeps its keys */
  hostKeyTypes?: readonly HostKeyType[];
  /**
   * default: no, unless the account sshd serves (this process's user) has a
   * locked password ("!" in /etc/shadow, as on some images): without PAM, sshd
   * refuses every login to such an account, keys included
   */
  usePam?: boolean;
  /**
   * HOME of every session (SetEnv): default a directory of this sshd's own
   * (`files.home`), so sessions never read the host user's shell start-up
   * files (bash reads ~/.bashrc for commands sshd starts)
   */
  home?: string;
  /** more variables for every session (sshd takes only its first SetEnv line, so not in extraConfig) */
  env?: Readonly<Record<string, string>>;
  /** extra sshd_config lines, appended as given */
  extraConfig?: readonly string[];
  sshdPath?: string;
  /** how long to wait for "Server listening"; default 10 s */
  startTimeoutMs?: number;
  logger?: Logger;
}

export interface SshdFiles {
  config: string;
  authorizedKeys: string;
  pidFile: string;
  log: string;
  /** the sessions' HOME unless the caller names another: empty, so no start-up files run */
  home: string;
  hostKey(type: HostKeyType): string;
}

export interface RunningSshd {
  pid: number;
  port: number;
  listenAddress: string;
  netns?: string;
  /** "ssh-ed25519 AAAA… comment" for each host key */
  hostPublicKeys: string[];
  files: SshdFiles;
  /** stop the listener and every session it started (and their commands); idempotent */
  stop(): Promise<void>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function sshdFiles(dir: string, tag: string): SshdFiles {
  if (!NAME.test(tag))
    throw new TypeError(`sshd tag must be [A-Za-z0-9_.-]+, got ${JSON.stringify(tag)}`);
  const base = join(resolve(dir), `sshd-${tag}`);
  return {
    config: `${base}.conf`,
    authorizedKeys: `${base}-authorized_keys`,
    pidFile: `${base}.pid`,
    log: `${base}.log`,
    home: `${base}-home`,
    hostKey: (type) => `${base}-host-${type}`,
  };
}

/** Why a real sshd cannot be started here, or undefined when it can. */
export function sshdUnavailableReason(sshdPath = SSHD_PATH): string | undefined {
  for (const tool of [sshdPath, SSH_KEYGEN_PATH]) {
    try {
      accessSync(tool, constants.X_OK);
    } catch {
      return `${tool} is not installed (apt-get install openssh-server openssh-client)`;
    }
  }
  if (process.getuid?.() !== 0)
    return 'sshd must run as root here (to log in as root and use /run/sshd)';
  return undefined;
}

/** Whether sshd's StrictModes checks would pass for files in `dir` (no unsafe ancestor). */
export function strictModesSafe(dir: string): boolean {
  const uid = process.getuid?.() ?? 0;
  let current = resolve(dir);
  for (;;) {
    try {
      const st = statSync(current);
      if ((st.uid !== 0 && st.uid !== uid) || (st.mode & 0o022) !== 0) return false;
    } catch {
      return false;
    }
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** Whether a shadow(5) entry's password field marks the account locked ("!…"). */
export function shadowEntryLocked(shadowText: string, user: string): boolean {
  const line = shadowText.split('\n').find((l) => l.startsWith(`${user}:`));
  return line?.split(':')[1]?.startsWith('!') ?? false;
}

function currentAccountLocked(): boolean {
  try {
    const user = userInfo().username;
    return shadowEntryLocked(readFileSync('/etc/shadow', 'utf8'), user);
  } catch {
    return false;
  }
}

function renderConfig(
  files: SshdFiles,
  o: Required<Pick<SshdOptions, 'listenAddress' | 'maxSessions' | 'strictModes' | 'usePam'>> & {
    port: number;
    env: Readonly<Record<string, string>>;
    hostKeyTypes: readonly HostKeyType[];
    extraConfig: readonly string[];
  },
): string {
  const address = o.listenAddress.includes(':') ? `[${o.listenAddress}]` : o.listenAddress;
  return [
    '# written by tungsten-e2e (src/remote/sshd.ts)',
    `ListenAddress ${address}:${o.port}`,
    ...o.hostKeyTypes.map((t) => `HostKey ${files.hostKey(t)}`),
    `AuthorizedKeysFile ${files.authorizedKeys}`,
    `PidFile ${files.pidFile}`,
    `UsePAM ${o.usePam ? 'yes' : 'no'}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    `StrictModes ${o.strictModes ? 'yes' : 'no'}`,
    `MaxSessions ${o.maxSessions}`,
    // many clients at once (tests, benchmark, a whole site) must not be throttled
    'MaxStartups 200:30:400',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'AllowTcpForwarding yes',
    'PermitUserEnvironment no',
    // a session's shell reads $HOME/.bashrc: a home of our own keeps the host
    // user's start-up files (and whatever they lock or wait for) out of every session
    `SetEnv ${Object.entries(o.env)
      .map(([k, v]) => `"${k}=${v}"`)
      .join(' ')}`,
    'PermitUserRC no',
    'Subsystem sftp internal-sftp',
    'LogLevel INFO',
    ...o.extraConfig,
    '',
  ].join('\n');
}

async function ensureHostKey(path: string, type: HostKeyType, tag: string): Promise<string> {
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const bits = type === 'rsa' ? ['-b', '3072'] : [];
    await execFileAsync(SSH_KEYGEN_PATH, [
      '-q',
      '-t',
      type,
      ...bits,
      '-N',
      '',
      '-C',
      `tungsten-e2e-host-${tag}`,
      '-f',
      path,
    ]);
  }
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

async function ensurePrivsepDir(): Promise<void> {
  await mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
}

function randomPort(): number {
  return 20000 + Math.floor(Math.random() * 40000);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start sshd; resolves once it is listening. */
export async function startSshd(options: SshdOptions): Promise<RunningSshd> {
  if (options.netns !== undefined && !NAME.test(options.netns)) {
    throw new TypeError(
      `network namespace name must be [A-Za-z0-9_.-]+, got ${JSON.stringify(options.netns)}`,
    );
  }
  const files = sshdFiles(options.dir, options.tag);
  await mkdir(resolve(options.dir), { recursive: true, mode: 0o700 });
  await ensurePrivsepDir();
  const home = options.home ?? files.home;
  const env = { HOME: home, ...options.env };
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || /["\n]/.test(v))
      throw new TypeError(
        `sshd session variable ${k}=${v}: a name, and a value without quotes or newlines`,
      );
  }
  if (options.extraConfig?.some((l) => /^\s*SetEnv\b/i.test(l)))
    throw new TypeError(
      'sshd: pass session variables as env, not as a SetEnv line (sshd uses only the first)',
    );
  await mkdir(home, { recursive: true, mode: 0o700 });
  const hostKeyTypes = options.hostKeyTypes ?? ['ed25519'];
  const hostPublicKeys: string[] = [];
  for (const type of hostKeyTypes) {
    hostPublicKeys.push(await ensureHostKey(files.hostKey(type), type, options.tag));
  }
  await writeFile(
    files.authorizedKeys,
    options.authorizedKeys.map((k) => k.trim()).join('\n') + '\n',
    {
      mode: 0o600,
    },
  );
  const listenAddress = options.listenAddress ?? '127.0.0.1';
  const strictModes = options.strictModes ?? strictModesSafe(options.dir);
  const usePam = options.usePam ?? (currentAccountLocked() && existsSync('/etc/pam.d/sshd'));
  const attempts = options.port === undefined ? 10 : 1;
  let lastError = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? randomPort();
    await writeFile(
      files.config,
      renderConfig(files, {
        listenAddress,
        port,
        maxSessions: options.maxSessions ?? 10,
        strictModes,
        usePam,
        env,
        hostKeyTypes,
        extraConfig: options.extraConfig ?? [],
      }),
      { mode: 0o600 },
    );
    const started = await launch(files, options, port);
    if ('pid' in started) {
      options.logger?.debug(
        `sshd ${options.tag} listening on ${listenAddress}:${port}${options.netns ? ` in netns ${options.netns}` : ''} (pid ${started.pid})`,
      );
      const result: RunningSshd = {
        pid: started.pid,
        port,
        listenAddress,
        hostPublicKeys,
        files,
        stop: () => stopProcessTree(started.pid),
      };
      if (options.netns !== undefined) result.netns = options.netns;
      return result;
    }
    lastError = started.error;
    if (!started.portTaken) break;
  }
  throw new Error(`sshd ${options.tag} did not start: ${lastError} (log: ${files.log})`);
}

async function launch(
  files: SshdFiles,
  options: SshdOptions,
  port: number,
): Promise<{ pid: number } | { error: string; portTaken: boolean }> {
  const sshd = options.sshdPath ?? SSHD_PATH;
  const argv = [sshd, '-D', '-e', '-f', files.config];
  const command =
    options.netns !== undefined ? ['ip', 'netns', 'exec', options.netns, ...argv] : argv;
  const logFd = openSync(files.log, 'a', 0o600);
  const logStart = statSync(files.log).size;
  let exited: { code: number | null; signal: string | null } | undefined;
  let spawnError: Error | undefined;
  const child = spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', logFd, logFd],
    detached: true,
    // not this process's environment: it holds cloud credentials and tokens, and a
    // long-lived sshd would keep them readable in /proc for as long as it runs
    env: SSHD_ENV,
  });
  closeSync(logFd);
  child.on('error', (e) => (spawnError = e));
  child.on('exit', (code, signal) => (exited = { code, signal }));
  child.unref();

  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  const logSince = async () => (await readFile(files.log)).subarray(logStart).toString('utf8');
  for (;;) {
    const log = await logSince();
    if (spawnError) return { error: spawnError.message, portTaken: false };
    if (/Server listening on /.test(log) && child.pid !== undefined) return { pid: child.pid };
    if (exited) {
      const portTaken = /Address already in use|Cannot bind any address/.test(log);
      const why =
        log.trim().split('\n').slice(-3).join(' / ') || `exit ${exited.code ?? exited.signal}`;
      return { error: `port ${port}: ${why}`, portTaken };
    }
    if (Date.now() > deadline) {
      if (child.pid !== undefined) await stopProcessTree(child.pid);
      return {
        error: `no "Server listening" within ${options.startTimeoutMs ?? 10_000} ms`,
        portTaken: false,
      };
    }
    await sleep(15);
  }
}

interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
}

async function processTable(): Promise<ProcInfo[]> {
  const out: ProcInfo[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …"; comm may hold spaces and parentheses
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(entry), state: rest[0] ?? '?', ppid: Number(rest[1]) });
    } catch {
      // the process exited while we looked
    }
  }
  return out;
}

/** Every live descendant of pid (children, grandchildren, …). */
export async function descendantsOf(pid: number): Promise<number[]> {
  const table = await processTable();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of table) {
      if (p.ppid === parent && p.state !== 'Z') {
        found.push(p.pid);
        queue.push(p.pid);
      }
    }
  }
  return found;
}

/** Whether pid is a live (not zombie) process. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = [...pids];
  while (alive.length && Date.now() < deadline) {
    await sleep(20);
    const still: number[] = [];
    for (const p of alive) if (await isAlive(p)) still.push(p);
    alive = still;
  }
  return alive;
}

/**
 * Stop an sshd listener and everything below it: per-connection sshd
 * processes call setsid(), so they are not in the listener's process group and
 * survive it unless killed one by one; the commands they run go with them.
 */
export async function stopProcessTree(pid: number): Promise<void> {
  if (!(await isAlive(pid))) return;
  // stop the listener from accepting while its tree is collected
  signal(pid, 'SIGSTOP');
  const tree = await descendantsOf(pid);
  for (const p of tree) signal(p, 'SIGKILL');
  signal(pid, 'SIGTERM');
  signal(pid, 'SIGCONT');
  const left = await waitGone([pid, ...tree], 3000);
  for (const p of left) signal(p, 'SIGKILL');
  await waitGone(left, 3000);
}

/**
 * Stop an sshd started earlier (possibly by another process) by its recorded
 * pid, after checking the pid still runs that sshd config (pids get reused).
 * Returns whether it was running.
 */
export async function stopSshd(pid: number, configPath: string): Promise<boolean> {
  let cmdline: string;
  try {
    cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
  } catch {
    return false;
  }
  if (!cmdline.includes('sshd') || !cmdline.includes(configPath)) return false;
  await stopProcessTree(pid);
  return true;
}
