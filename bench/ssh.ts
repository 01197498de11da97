/**
 * SSH benchmark against a real sshd on loopback: the pool versus a fresh
 * OpenSSH `ssh` per command, and the floor (the same commands typed into one
 * open remote shell), one at a time and 8 at a time.
 *
 *   npm run bench -- ssh [--count 200] [--concurrency 8]
 *
 * Every figure runs `true` on the remote side. The slow baselines (a process
 * or a session per command) run at most SLOW_COUNT commands, so the whole
 * benchmark ends in about a minute; figures compare per command. The last
 * line is the per-command ratio of the first two figures:
 * `ssh-pool speedup: N.Nx`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { silentLogger } from '../src/log.js';
import { HostKeyStore } from '../src/remote/hostKeys.js';
import { generateRunKey, type RunKey } from '../src/remote/keys.js';
import { RemotePool } from '../src/remote/pool.js';
import { startSshd, sshdUnavailableReason, type RunningSshd } from '../src/remote/sshd.js';
import type { RemoteHost } from '../src/remote/target.js';

const execFileAsync = promisify(execFile);

interface Figure {
  label: string;
  concurrency: number;
  ms: number;
  count: number;
}

const FLAGS = ['--count', '--concurrency'];

/** commands run by each slow baseline (100-300 ms a command) at most */
const SLOW_COUNT = 50;

/** Bad arguments: one sentence naming the flag, exit 2 (as for every user error). */
function usage(message: string): never {
  console.error(`npm run bench -- ssh: ${message}`);
  process.exit(2);
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const text = args[i + 1];
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !(value >= 1))
    usage(`--${name} must be a positive integer, got ${JSON.stringify(text ?? '')}`);
  return value;
}

function checkFlags(args: string[]): void {
  for (let i = 0; i < args.length; i += 2) {
    if (!FLAGS.includes(args[i]!))
      usage(`unknown argument ${JSON.stringify(args[i])}; it takes ${FLAGS.join(' N, ')} N`);
  }
}

/** Run `count` tasks with at most `concurrency` in flight; returns elapsed ms. */
async function timed(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return performance.now() - started;
}

function print(f: Figure): void {
  const per = f.ms / f.count;
  const label = `${f.label}, concurrency ${f.concurrency}:`.padEnd(62);
  console.log(
    `${label} ${f.count} commands in ${(f.ms / 1000).toFixed(2).padStart(6)} s = ${per.toFixed(1).padStart(6)} ms/command`,
  );
}

async function poolFigure(
  label: string,
  key: RunKey,
  host: RemoteHost,
  count: number,
  concurrency: number,
  commandChannel: boolean,
): Promise<Figure> {
  // a fresh pool each time: the figure includes opening its connection
  const pool = new RemotePool({
    privateKey: key.privateKey,
    hostKeys: new HostKeyStore(),
    logger: silentLogger,
    commandChannel,
  });
  try {
    const ms = await timed(count, concurrency, async () => {
      const r = await pool.exec(host, ['true']);
      if (r.code !== 0) throw new Error(`true exited ${r.code}: ${r.stderr}`);
    });
    return { label, concurrency, ms, count };
  } finally {
    await pool.close();
  }
}

async function sshClientFigure(
  sshArgs: string[],
  count: number,
  concurrency: number,
): Promise<Figure> {
  const ms = await timed(count, concurrency, async () => {
    await execFileAsync('ssh', [...sshArgs, 'true']);
  });
  return { label: 'OpenSSH ssh client, one process per command', concurrency, ms, count };
}

async function connectRaw(key: RunKey, sshd: RunningSshd, noDelay: boolean): Promise<ssh2.Client> {
  const sock = new Socket();
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.connect(sshd.port, '127.0.0.1', () => resolve());
  });
  sock.setNoDelay(noDelay);
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({ sock, username: 'root', privateKey: key.privateKey });
  });
  return client;
}

/** The same commands typed one after another into one open remote shell. */
async function floorFigure(key: RunKey, sshd: RunningSshd, count: number): Promise<Figure> {
  const client = await connectRaw(key, sshd, true);
  try {
    const shell = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec('bash', (err, ch) => (err ? reject(err) : resolve(ch))),
    );
    let buffered = '';
    let waiting: { marker: string; resolve: () => void } | undefined;
    shell.on('data', (d: Buffer) => {
      buffered += d.toString();
      if (waiting && buffered.includes(waiting.marker)) {
        buffered = '';
        const w = waiting;
        waiting = undefined;
        w.resolve();
      }
    });
    shell.stderr.resume();
    const send = (i: number) =>
      new Promise<void>((resolve) => {
        waiting = { marker: `done-${i}\n`, resolve };
        shell.write(`true; echo done-${i}\n`);
      });
    await send(-1); // the shell has started (rc files read)
    const ms = await timed(count, 1, send);
    shell.end('exit\n');
    return {
      label: 'floor: the same commands in one open remote shell',
      concurrency: 1,
      ms,
      count,
    };
  } finally {
    client.end();
  }
}

/** One exec session per command on a raw ssh2 connection with Nagle's algorithm left on. */
async function nagleFigure(key: RunKey, sshd: RunningSshd, count: number): Promise<Figure> {
  const client = await connectRaw(key, sshd, false);
  try {
    const ms = await timed(
      count,
      1,
      () =>
        new Promise<void>((resolve, reject) =>
          client.exec('true', (err, ch) => {
            if (err) return reject(err);
            ch.resume();
            ch.stderr.resume();
            ch.on('close', () => resolve());
          }),
        ),
    );
    return {
      label: 'ssh2 session per command, TCP_NODELAY off (default)',
      concurrency: 1,
      ms,
      count,
    };
  } finally {
    client.end();
  }
}

export async function run(args: string[]): Promise<void> {
  checkFlags(args);
  const count = option(args, 'count', 200);
  const concurrency = option(args, 'concurrency', 8);
  const reason = sshdUnavailableReason();
  if (reason) {
    console.error(`ssh benchmark needs a real sshd: ${reason}`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tungsten-e2e-bench-ssh-'));
  const key = generateRunKey('tungsten-e2e-bench');
  const sshd = await startSshd({
    dir,
    tag: `bench${process.pid}`,
    authorizedKeys: [key.publicKey],
  }).catch((e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  // Ctrl-C (or a kill) must not leave an sshd that lets the bench key in as root
  let stopping: Promise<never> | undefined;
  const interrupted = (signal: NodeJS.Signals) => {
    if (stopping) return;
    console.error(`ssh benchmark: ${signal}: stopping its sshd`);
    stopping = sshd
      .stop()
      .finally(() => rmSync(dir, { recursive: true, force: true }))
      .then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const keyFile = await key.writePrivateKey(dir);
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(
      knownHosts,
      sshd.hostPublicKeys.map((k) => `[127.0.0.1]:${sshd.port} ${k}\n`).join(''),
    );
    const sshArgs = [
      ...['-F', '/dev/null', '-i', keyFile, '-p', String(sshd.port)],
      ...['-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=yes'],
      ...[
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'ControlMaster=no',
        '-o',
        'ControlPath=none',
      ],
      'root@127.0.0.1',
    ];
    const host: RemoteHost = { name: 'bench', host: '127.0.0.1', port: sshd.port, user: 'root' };
    const { stderr: version } = await execFileAsync('ssh', ['-V']);
    console.log(
      `ssh benchmark: ${count} x \`true\` on a real sshd (${version.trim().split(',')[0]}) at 127.0.0.1:${sshd.port}, ` +
        `${cpus().length} CPUs; pool = RemotePool with TCP_NODELAY`,
    );
    // warm caches (binaries, host keys) so no figure pays for being first
    await execFileAsync('ssh', [...sshArgs, 'true']);

    const slow = Math.min(count, SLOW_COUNT);
    const poolC1 = await poolFigure('pool, persistent command channel', key, host, count, 1, true);
    print(poolC1);
    const sshC1 = await sshClientFigure(sshArgs, slow, 1);
    print(sshC1);
    print(await floorFigure(key, sshd, count));
    print(
      await poolFigure('pool, persistent command channel', key, host, count, concurrency, true),
    );
    print(await sshClientFigure(sshArgs, slow, concurrency));
    console.log(
      'for comparison, one SSH session per command (what each command costs without the command channel):',
    );
    print(await poolFigure('pool, session per command', key, host, slow, 1, false));
    print(await poolFigure('pool, session per command', key, host, slow, concurrency, false));
    print(await nagleFigure(key, sshd, slow));
    const perCommand = (f: Figure) => f.ms / f.count;
    console.log(`ssh-pool speedup: ${(perCommand(sshC1) / perCommand(poolC1)).toFixed(1)}x`);
  } catch (e) {
    // the figure in progress failed because its sshd was stopped: exit as interrupted
    if (stopping) await stopping;
    throw e;
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    if (!stopping) {
      await sshd.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
