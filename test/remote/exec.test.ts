/**
 * Commands through the pool against a real sshd: exit codes, output, quoting,
 * timeouts that really kill, environment, stdin, streaming, and the per-host
 * session limit under 50 concurrent commands. Each runs both on persistent
 * command channels (the default) and with one session per command.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RemoteCommandError, RemoteTimeoutError } from '../../src/remote/errors.js';
import { isAlive } from '../../src/remote/sshd.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  makePool,
  sleep,
  startServer,
  tempDir,
  type Server,
} from './harness.js';

const key = generateRunKey();
const suite = new Cleanup();
const each = new Cleanup();
let server: Server;
let dir: string;

afterEach(() => each.run());
afterAll(() => suite.run());

async function waitForFile(path: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.endsWith('\n')) return text.trim();
    }
    await sleep(20);
  }
  throw new Error(`${path} did not appear`);
}

async function gone(pid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await sleep(25);
  }
  return false;
}

const AWKWARD = [
  "it's",
  'two  words',
  '$(touch PWNED)',
  '`touch PWNED`',
  'line1\nline2\n',
  'tab\there',
  'ünïcødé ✓ 日本語 🚀',
  '',
  '-n',
  '*',
  '~root',
  '$HOME',
  '\\back\\slash\\',
  '"dq"',
  "'",
  'a=b',
  '; rm -rf /nonexistent-te',
  '&& false',
  '| cat',
  '> file',
  '#comment',
  '!',
  '{a,b}',
  '\r',
];

describeWithSshd('remote exec against a real sshd', () => {
  beforeAll(async () => {
    dir = tempDir(suite);
    server = await startServer(suite, key, { dir });
  });

  it('[session per command] a command that ends at once still reports its exit status (200 x true, 8 at a time)', async () => {
    // its reply, exit status and EOF can arrive in one read, before the caller's await resumes
    const { pool } = makePool(each, key, { commandChannel: false });
    let next = 0;
    const codes: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 200) {
          next++;
          codes.push((await pool.exec(server.host, ['true'])).code);
        }
      }),
    );
    expect(codes).toEqual(Array.from({ length: 200 }, () => 0));
  });

  for (const commandChannel of [true, false]) {
    const mode = commandChannel ? 'command channel' : 'session per command';

    it(`[${mode}] returns exit codes and stderr; run() throws naming host, command, code and stderr`, async () => {
      const { pool } = makePool(each, key, { commandChannel });
      const r = await pool.exec(server.host, [
        'sh',
        '-c',
        'echo out; echo "bad thing" >&2; exit 7',
      ]);
      expect(r).toMatchObject({
        code: 7,
        stdout: 'out\n',
        stderr: 'bad thing\n',
        truncated: false,
      });
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      const ok = await pool.run(server.host, ['echo', 'fine']);
      expect(ok.stdout).toBe('fine\n');
      const err = await pool
        .run(server.host, ['ls', '/nonexistent-te-dir'])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteCommandError);
      const msg = (err as Error).message;
      expect(msg).toContain('h1');
      expect(msg).toContain('ls /nonexistent-te-dir');
      expect(msg).toContain('exit');
      expect(msg).toContain('code 2');
      expect(msg).toMatch(/No such file or directory/);
      expect(msg).toMatch(/after \d+\.\ds/);
    });

    it(`[${mode}] reports a command killed by a signal as 128+n`, async () => {
      const { pool } = makePool(each, key, { commandChannel });
      const r = await pool.exec(server.host, { script: 'kill -TERM $$' });
      expect(r.code).toBe(143);
    });

    it(`[${mode}] delivers argv byte for byte (quotes, spaces, $(), newlines, unicode)`, async () => {
      const { pool } = makePool(each, key, { commandChannel });
      const cwd = join(dir, `argv-${commandChannel}`);
      await pool.run(server.host, ['mkdir', '-p', cwd]);
      const r = await pool.run(server.host, [
        'sh',
        '-c',
        'cd "$1" && shift && printf "%s\\0" "$@"',
        'sh',
        cwd,
        ...AWKWARD,
      ]);
      expect(r.stdout).toBe(AWKWARD.map((a) => `${a}\0`).join(''));
      // the same through every wrapper (timeout, env)
      const wrapped = await pool.run(server.host, ['printf', '%s\\0', ...AWKWARD], {
        timeoutMs: 20_000,
        env: { TE_VALUE: AWKWARD.join('|') },
      });
      expect(wrapped.stdout).toBe(AWKWARD.map((a) => `${a}\0`).join(''));
      const env = await pool.run(server.host, ['printenv', 'TE_VALUE'], {
        env: { TE_VALUE: AWKWARD.join('|') },
      });
      expect(env.stdout).toBe(`${AWKWARD.join('|')}\n`);
      expect(existsSync(join(cwd, 'PWNED'))).toBe(false);

      // negative control: the same words joined naively are re-parsed by the remote shell…
      const naive = await pool.exec(server.host, {
        script: `cd ${cwd} && printf "%s\\0" ${AWKWARD.join(' ')}`,
      });
      expect(naive.stdout).not.toBe(AWKWARD.map((a) => `${a}\0`).join(''));
      // …and a value holding $() runs it
      const some = ['two  words', '$(touch PWNED)', 'line1\nline2'];
      const joined = await pool.exec(server.host, {
        script: `cd ${cwd} && printf "%s\\0" ${some.join(' ')}`,
      });
      expect(joined.stdout).not.toBe(some.map((a) => `${a}\0`).join(''));
      expect(existsSync(join(cwd, 'PWNED'))).toBe(true);
    });

    it(`[${mode}] kills the remote process group on timeout and says where, what and how long`, async () => {
      const { pool } = makePool(each, key, { commandChannel });
      const marks = join(dir, `timeout-${commandChannel}`);
      const started = Date.now();
      const err = await pool
        .exec(
          server.host,
          { script: `sleep 300 & echo $! > ${marks}.child; echo $$ > ${marks}.shell; wait` },
          { timeoutMs: 1500 },
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteTimeoutError);
      const msg = (err as Error).message;
      expect(msg).toMatch(
        /command on h1 timed out after \d+\.\ds \(limit 1\.5s\) and was killed: script: sleep 300 &/,
      );
      expect((err as RemoteTimeoutError).elapsedMs).toBeGreaterThanOrEqual(1500);
      expect(Date.now() - started).toBeLessThan(1500 + 5000);
      const shell = Number(await waitForFile(`${marks}.shell`));
      const child = Number(await waitForFile(`${marks}.child`));
      expect(await gone(shell)).toBe(true);
      expect(await gone(child)).toBe(true);
      // the pool is still usable on the same host
      expect((await pool.run(server.host, ['echo', 'after'])).stdout).toBe('after\n');
    });

    it(`[${mode}] carries 10 MB of output exactly`, async () => {
      const { pool } = makePool(each, key, { commandChannel });
      const file = join(dir, `big-${commandChannel}`);
      const content = randomBytes(7_500_000).toString('base64'); // 10,000,000 bytes
      writeFileSync(file, content);
      const r = await pool.run(server.host, ['cat', file]);
      expect(r.stdout.length).toBe(10_000_000);
      expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(
        createHash('sha256').update(content).digest('hex'),
      );
      expect(r.truncated).toBe(false);
      const capped = await pool.run(server.host, ['cat', file], { maxOutputBytes: 1000 });
      expect(capped.stdout).toBe(content.slice(0, 1000));
      expect(capped.truncated).toBe(true);
    });

    it(`[${mode}] streams output lines prefixed with the host name`, async () => {
      const { pool, logger } = makePool(each, key, { commandChannel });
      await pool.run(
        server.host,
        { script: 'echo one; echo two >&2; printf three' },
        { stream: true },
      );
      expect(logger.lines).toEqual(
        expect.arrayContaining(['info:[h1] one', 'info:[h1] two', 'info:[h1] three']),
      );
      const quiet = makePool(each, key, { commandChannel });
      await quiet.pool.run(server.host, ['echo', 'silent']);
      expect(quiet.logger.lines.filter((l) => l.startsWith('info:[h1]'))).toEqual([]);
    });

    it(`[${mode}] runs scripts with bash and passes stdin`, async () => {
      const { pool } = makePool(each, key, { commandChannel });
      const r = await pool.run(server.host, {
        script: 'set -e\nx=$((6*7))\necho "answer=$x"\n[[ -n $BASH_VERSION ]]',
      });
      expect(r.stdout).toBe('answer=42\n');
      const data = randomBytes(1_000_000);
      const sum = await pool.run(server.host, ['sha256sum'], { stdin: data });
      expect(sum.stdout.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
      const read = await pool.run(
        server.host,
        { script: 'read -r a; echo "got $a"' },
        { stdin: 'hello there\n' },
      );
      expect(read.stdout).toBe('got hello there\n');
    });

    it(`[${mode}] runs a script over 64 KiB from a temporary file that it removes`, async () => {
      const { pool } = makePool(each, key, { commandChannel });
      const script = `# ${'x'.repeat(70_000)}\necho "$0"\ncat\necho after-cat\n`;
      const r = await pool.run(server.host, { script });
      const [path, after] = r.stdout.trim().split('\n');
      expect(after).toBe('after-cat'); // `cat` read /dev/null, not the rest of the script
      expect(path).toMatch(/^\/tmp\/tmp\./);
      expect(existsSync(path!)).toBe(false);
      await expect(pool.exec(server.host, { script }, { stdin: 'x' })).rejects.toThrow(
        /cannot also be given stdin/,
      );
    });

    it(`[${mode}] ignores sudo for root (no sudo needed or installed)`, async () => {
      const { pool } = makePool(each, key, { commandChannel });
      expect((await pool.run(server.host, ['id', '-u'], { sudo: true })).stdout).toBe('0\n');
    });
  }

  it('uses one authenticated connection for many commands', async () => {
    const { pool } = makePool(each, key);
    const host = { ...server.host, name: 'reuse' };
    const logBefore = readFileSync(server.sshd.files.log, 'utf8').split(
      'Accepted publickey',
    ).length;
    await Promise.all(Array.from({ length: 30 }, (_, i) => pool.run(host, ['echo', String(i)])));
    for (let i = 0; i < 10; i++) await pool.run(host, ['true']);
    await pool.upload(host, join(dir, 'reuse.txt'), 'x');
    const logAfter = readFileSync(server.sshd.files.log, 'utf8').split('Accepted publickey').length;
    expect(logAfter - logBefore).toBe(1);
  });
});

describeWithSshd('the per-host session limit (sshd MaxSessions 4)', () => {
  let limited: Server;
  beforeAll(async () => {
    limited = await startServer(suite, key, { maxSessions: 4, name: 'limited' });
  });

  /**
   * 50 commands at once; each records the most commands it saw running at
   * the same time. Each samples for at least half a second, and goes on (up
   * to 4 s) until it has seen the server's limit reached: on a loaded machine
   * a new session can take longer to start than half a second, so a fixed
   * window could miss an overlap the pool does allow.
   */
  async function fifty(pool: ReturnType<typeof makePool>['pool'], tag: string): Promise<number> {
    const live = join(tempDir(each), tag);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        pool.run(limited.host, {
          script:
            `mkdir -p ${live}; touch ${live}/$$; m=0; i=0; ` +
            `while :; do n=$(ls ${live} | wc -l); ((n > m)) && m=$n; i=$((i + 1)); ` +
            `((i >= 10 && m >= 4)) && break; ((i >= 80)) && break; sleep 0.05; done; ` +
            `rm ${live}/$$; echo $m`,
        }),
      ),
    );
    return Math.max(...results.map((r) => Number(r.stdout.trim())));
  }

  for (const commandChannel of [true, false]) {
    const mode = commandChannel ? 'command channel' : 'session per command';
    it(
      `[${mode}] runs 50 concurrent commands, at most 4 at a time, all succeed`,
      { timeout: 90_000 },
      async () => {
        const { pool, logger } = makePool(each, key, { commandChannel, maxSessionsPerHost: 4 });
        expect(await fifty(pool, `c${commandChannel}`)).toBe(4);
        expect(logger.lines.filter((l) => l.startsWith('warn:'))).toEqual([]);
      },
    );
  }

  it(
    'adapts when the pool assumes more sessions than the server allows',
    { timeout: 90_000 },
    async () => {
      const { pool, logger } = makePool(each, key, { maxSessionsPerHost: 10 });
      expect(await fifty(pool, 'adapt')).toBeLessThanOrEqual(4);
      expect(logger.lines.join('\n')).toMatch(/allows fewer concurrent sessions than 10 .*using 4/);
    },
  );

  it('negative control: the server really refuses a fifth session on one connection', async () => {
    const client = new ssh2.Client();
    each.add(() => client.end());
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject);
      client.connect({
        host: '127.0.0.1',
        port: limited.host.port,
        username: 'root',
        privateKey: key.privateKey,
      });
    });
    const opened = await Promise.allSettled(
      Array.from(
        { length: 5 },
        () =>
          new Promise<void>((resolve, reject) =>
            client.exec('sleep 2', (err, ch) => {
              if (err) return reject(err);
              ch.resume();
              ch.stderr.resume();
              resolve();
            }),
          ),
      ),
    );
    expect(opened.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    const refused = opened.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/open failed/);
  });
});

describeWithSshd('why the timeout wrapper exists (OpenSSH, no pty)', () => {
  it('neither a signal request nor closing the channel kills the remote command', async () => {
    const plain = await startServer(each, key);
    const marks = join(plain.dir, 'plain');
    const client = new ssh2.Client();
    each.add(() => client.end());
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject);
      client.connect({
        host: '127.0.0.1',
        port: plain.host.port,
        username: 'root',
        privateKey: key.privateKey,
      });
    });
    const channel = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
      client.exec(
        `sleep 300 & echo $! > ${marks}.child; echo $$ > ${marks}.shell; wait`,
        (err, ch) => (err ? reject(err) : resolve(ch)),
      ),
    );
    channel.resume();
    channel.stderr.resume();
    const shell = Number(await waitForFile(`${marks}.shell`));
    const child = Number(await waitForFile(`${marks}.child`));
    each.add(() => {
      for (const pid of [child, shell]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    });
    channel.signal('KILL');
    channel.close();
    await sleep(1000);
    expect(await isAlive(shell)).toBe(true);
    expect(await isAlive(child)).toBe(true);
  });
});
