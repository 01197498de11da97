import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  isAlive,
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
    const dir = `/run/te-ssh-${randomBytes(4).toString('hex')}`;
    mkdirSync(dir, { mode: 0o700 });
    each.add(() => rmSync(dir, { recursive: true, force: true }));
    expect(strictModesSafe(dir)).toBe(true);
    const server = await startServer(each, key, { dir });
    expect(readFileSync(server.sshd.files.config, 'utf8')).toContain('StrictModes yes');
    const { pool } = makePool(each, key);
    expect((await pool.run(server.host, ['echo', 'strict'])).stdout).toBe('strict\n');
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

it('says why a real sshd cannot run', () => {
  expect(sshdUnavailableReason('/nonexistent/sshd')).toMatch(
    /\/nonexistent\/sshd is not installed/,
  );
  expect(strictModesSafe('/tmp')).toBe(false);
  expect(strictModesSafe('/')).toBe(true);
});
