import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  isAlive,
  shadowEntryLocked,
  sshdUnavailableReason,
  startSshd,
  stopSshd,
  strictModesSafe,
} from '../../src/remote/sshd.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  makePool,
  randomTag,
  sleep,
  startServer,
  tempDir,
} from './harness.js';

const key = generateRunKey();
const each = new Cleanup();
afterEach(() => each.run());

describeWithSshd('startSshd (a real OpenSSH sshd)', () => {
  it('writes a config sshd accepts, every file named with the tag, and serves logins', async () => {
    const dir = tempDir(each);
    const tag = randomTag('run');
    const s = await startSshd({ dir, tag, authorizedKeys: [key.publicKey], maxSessions: 7 });
    each.add(() => s.stop());
    const config = readFileSync(s.files.config, 'utf8');
    for (const line of [
      `ListenAddress 127.0.0.1:${s.port}`,
      `HostKey ${dir}/sshd-${tag}-host-ed25519`,
      `AuthorizedKeysFile ${dir}/sshd-${tag}-authorized_keys`,
      `PidFile ${dir}/sshd-${tag}.pid`,
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'StrictModes no', // the directory is under /tmp, which is world-writable
      'MaxSessions 7',
      'UseDNS no',
    ]) {
      expect(config.split('\n')).toContain(line);
    }
    execFileSync('/usr/sbin/sshd', ['-t', '-f', s.files.config]);
    for (const f of readdirSync(dir)) expect(f).toContain(tag);
    expect(Number(readFileSync(s.files.pidFile, 'utf8'))).toBe(s.pid);
    expect(s.port).toBeGreaterThanOrEqual(20000);
    const { pool } = makePool(each, key);
    const r = await pool.run({ name: 'x', host: '127.0.0.1', port: s.port, user: 'root' }, [
      'echo',
      'in',
    ]);
    expect(r.stdout).toBe('in\n');
  });

  it("gives sessions a home of its own, so no one's shell start-up files run", async () => {
    const dir = tempDir(each);
    const marked = join(dir, 'marked-home');
    mkdirSync(marked);
    // bash reads $HOME/.bashrc for a command sshd starts: this one leaves a mark when it runs
    writeFileSync(join(marked, '.bashrc'), 'echo ran >> "$HOME/startup-file-ran"\n');
    const { pool } = makePool(each, key);
    const plain = await startSshd({ dir, tag: randomTag('own'), authorizedKeys: [key.publicKey] });
    each.add(() => plain.stop());
    const hostOf = (s: { port: number; pid: number }) => ({
      name: `sshd-${s.pid}`,
      host: '127.0.0.1',
      port: s.port,
      user: 'root',
    });
    const own = await pool.run(hostOf(plain), { script: 'echo "home=$HOME"' });
    expect(own.stdout).toBe(`home=${plain.files.home}\n`);
    expect(readdirSync(plain.files.home)).toEqual([]);
    // negative control: the same session with a home that has a start-up file runs it
    const other = await startSshd({
      dir,
      tag: randomTag('marked'),
      authorizedKeys: [key.publicKey],
      home: marked,
    });
    each.add(() => other.stop());
    const withFile = await pool.run(hostOf(other), { script: 'echo "home=$HOME"' });
    expect(withFile.stdout).toBe(`home=${marked}\n`);
    expect(readdirSync(marked)).toContain('startup-file-ran');
  });

  it("starts with a minimal environment, not this process's (no credential reaches it)", async () => {
    const secret = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const dir = tempDir(each);
    // sshd overwrites its environ with its process title, so it is read as sshd starts:
    // a wrapper records the environment it was given, then becomes the real sshd
    const seen = join(dir, 'environment');
    const wrapper = join(dir, 'sshd-wrapper');
    writeFileSync(wrapper, `#!/bin/sh\nenv > ${seen}\nexec /usr/sbin/sshd "$@"\n`, { mode: 0o755 });
    process.env.AWS_SECRET_ACCESS_KEY_TE_TEST = secret;
    try {
      const s = await startSshd({
        dir,
        tag: randomTag('env'),
        authorizedKeys: [key.publicKey],
        sshdPath: wrapper,
      });
      each.add(() => s.stop());
      const names = readFileSync(seen, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('=')[0]);
      expect(names).not.toContain('AWS_SECRET_ACCESS_KEY_TE_TEST');
      expect(readFileSync(seen, 'utf8')).not.toContain(secret);
      expect(names).toContain('PATH');
      // negative control: the same wrapper run as a child that inherits records it
      execFileSync(wrapper, ['-V'], { stdio: 'ignore' });
      expect(readFileSync(seen, 'utf8')).toContain(secret);
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY_TE_TEST;
    }
  });

  it('a command channel that cannot start says why, and commands still run', async () => {
    const dir = tempDir(each);
    const slowHome = join(dir, 'slow-home');
    mkdirSync(slowHome);
    writeFileSync(join(slowHome, '.bashrc'), 'sleep 2\n');
    const s = await startSshd({
      dir,
      tag: randomTag('slow'),
      authorizedKeys: [key.publicKey],
      home: slowHome,
    });
    each.add(() => s.stop());
    const { pool, logger } = makePool(each, key, { connectTimeoutMs: 700 });
    const host = { name: 'slow', host: '127.0.0.1', port: s.port, user: 'root' };
    expect((await pool.run(host, ['echo', 'anyway'])).stdout).toBe('anyway\n');
    expect(logger.lines.join('\n')).toMatch(
      /slow: persistent command channel unavailable \(the command runner did not start within 700 ms: the login shell ran for that long before it \(its start-up files, or a host too busy to start it\) and printed nothing\)/,
    );
  });

  it('keeps its host keys across a restart and reports them', async () => {
    const server = await startServer(each, key);
    const keys = server.sshd.hostPublicKeys;
    expect(keys[0]).toMatch(/^ssh-ed25519 AAAA/);
    const again = await server.restart();
    expect(again.hostPublicKeys).toEqual(keys);
    expect(again.port).toBe(server.host.port);
  });

  it('fails clearly when a fixed port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    each.add(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as { port: number }).port;
    await expect(
      startSshd({ dir: tempDir(each), tag: randomTag(), authorizedKeys: [key.publicKey], port }),
    ).rejects.toThrow(
      new RegExp(`did not start: port ${port}: .*(Address already in use|Cannot bind)`),
    );
  });

  it('stop() ends the listener, every session and the commands they run', async () => {
    const server = await startServer(each, key);
    const { pool } = makePool(each, key);
    const pidFile = join(server.dir, 'sleeper');
    void pool
      .exec(server.host, { script: `sleep 300 & echo $! > ${pidFile}; wait` })
      .catch(() => {});
    let sleeper = 0;
    for (let i = 0; i < 200 && !sleeper; i++) {
      await sleep(25);
      try {
        sleeper = Number(readFileSync(pidFile, 'utf8'));
      } catch {
        // not yet
      }
    }
    expect(await isAlive(sleeper)).toBe(true);
    await server.sshd.stop();
    expect(await isAlive(server.sshd.pid)).toBe(false);
    expect(await isAlive(sleeper)).toBe(false);
    await server.sshd.stop(); // idempotent
  });

  it('stopSshd stops by recorded pid only when the pid still runs that config', async () => {
    const server = await startServer(each, key);
    expect(await stopSshd(server.sshd.pid, '/not/this/config')).toBe(false);
    expect(await isAlive(server.sshd.pid)).toBe(true);
    expect(await stopSshd(server.sshd.pid, server.sshd.files.config)).toBe(true);
    expect(await isAlive(server.sshd.pid)).toBe(false);
    expect(await stopSshd(server.sshd.pid, server.sshd.files.config)).toBe(false);
  });

  it('uses StrictModes yes in a directory no one else can write to', async () => {
    const dir = `/run/tungsten-e2e-ssh-test-${randomBytes(4).toString('hex')}`;
    mkdirSync(dir, { mode: 0o700 });
    each.add(() => rmSync(dir, { recursive: true, force: true }));
    expect(strictModesSafe(dir)).toBe(true);
    const server = await startServer(each, key, { dir });
    expect(readFileSync(server.sshd.files.config, 'utf8')).toContain('StrictModes yes');
    const { pool } = makePool(each, key);
    expect((await pool.run(server.host, ['echo', 'strict'])).stdout).toBe('strict\n');
  });

  it('can use PAM, for accounts sshd would otherwise treat as locked', async () => {
    const server = await startServer(each, key, { usePam: true });
    expect(readFileSync(server.sshd.files.config, 'utf8').split('\n')).toContain('UsePAM yes');
    const { pool } = makePool(each, key);
    expect((await pool.run(server.host, ['echo', 'pam'])).stdout).toBe('pam\n');
  });

  it('runs inside a network namespace, reachable there and not from outside', async () => {
    const ns = `te-ssh-${randomBytes(3).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', ns]);
    each.add(() => execFileSync('ip', ['netns', 'del', ns]));
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const dir = tempDir(each);
    const s = await startSshd({
      dir,
      tag: randomTag(),
      authorizedKeys: [key.publicKey],
      netns: ns,
    });
    each.add(() => s.stop());
    expect(s.netns).toBe(ns);
    // the listener really is in the namespace
    const nsInode = execFileSync(
      'ip',
      ['netns', 'exec', ns, 'stat', '-L', '-c', '%i', '/proc/self/ns/net'],
      {
        encoding: 'utf8',
      },
    ).trim();
    const sshdInode = execFileSync('stat', ['-L', '-c', '%i', `/proc/${s.pid}/ns/net`], {
      encoding: 'utf8',
    }).trim();
    expect(sshdInode).toBe(nsInode);
    // an OpenSSH client inside the namespace logs in
    const keyFile = join(dir, 'id');
    writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${s.port} ${s.hostPublicKeys[0]}\n`);
    const out = execFileSync(
      'ip',
      [
        ...['netns', 'exec', ns, 'ssh', '-i', keyFile, '-p', String(s.port)],
        ...[
          '-o',
          'BatchMode=yes',
          '-o',
          'IdentitiesOnly=yes',
          '-o',
          `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
        ],
        ...['-o', 'StrictHostKeyChecking=yes', 'root@127.0.0.1', 'echo', 'inside'],
      ],
      { encoding: 'utf8' },
    );
    expect(out).toBe('inside\n');
    // from the root namespace the same address and port has nothing listening
    const { pool } = makePool(each, key, { connectTimeoutMs: 3000 });
    await expect(
      pool.exec({ name: 'outside', host: '127.0.0.1', port: s.port, user: 'root' }, ['true']),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});

it('recognises a locked account in /etc/shadow', () => {
  const shadow =
    'root:!:19000:0:99999:7:::\nubuntu:*:19000:0:99999:7:::\nbob:$y$j9T$abc:19000::::::\n';
  expect(shadowEntryLocked(shadow, 'root')).toBe(true);
  expect(shadowEntryLocked(shadow, 'ubuntu')).toBe(false);
  expect(shadowEntryLocked(shadow, 'bob')).toBe(false);
  expect(shadowEntryLocked(shadow, 'nobody')).toBe(false);
});

it('says why a real sshd cannot run', () => {
  expect(sshdUnavailableReason('/nonexistent/sshd')).toMatch(
    /\/nonexistent\/sshd is not installed/,
  );
  expect(strictModesSafe('/tmp')).toBe(false);
  expect(strictModesSafe('/')).toBe(true);
});
