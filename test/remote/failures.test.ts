/**
 * What goes wrong with real machines, done to a real sshd: a key the host
 * does not accept, a host key that changes, the server dying mid-command, a
 * server that is down for a while, a connection that silently stops answering.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  ConnectionLostError,
  HostKeyMismatchError,
  RemoteError,
  SshConnectError,
} from '../../src/remote/errors.js';
import { HostKeyStore } from '../../src/remote/hostKeys.js';
import { fingerprintOf } from '../../src/remote/keys.js';
import { descendantsOf } from '../../src/remote/sshd.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  makePool,
  sleep,
  startServer,
  tempDir,
} from './harness.js';

const key = generateRunKey();
const execFileAsync = promisify(execFile);
const each = new Cleanup();
afterEach(() => each.run());

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describeWithSshd('SSH failures against a real sshd', () => {
  it('refuses a key the host does not know, clearly and without leaking the key', async () => {
    const server = await startServer(each, key);
    const stranger = generateRunKey();
    const { pool, logger } = makePool(each, stranger);
    const err = await pool.exec(server.host, ['true']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshConnectError);
    expect((err as SshConnectError).reason).toBe('auth');
    const msg = (err as Error).message;
    expect(msg).toContain('h1');
    expect(msg).toContain('root@127.0.0.1');
    expect(msg).toContain(stranger.fingerprint);
    expect(msg).toMatch(/authorized_keys/);
    const body = stranger.privateKey.split('\n')[1]!;
    expect(msg).not.toContain(body);
    expect(logger.lines.join('\n')).not.toContain(body);
    // control: the right key on the same server works
    const { pool: good } = makePool(each, key);
    expect((await good.run(server.host, ['echo', 'ok'])).stdout).toBe('ok\n');
  });

  it('refuses a changed host key, naming the host and both fingerprints', async () => {
    const server = await startServer(each, key);
    const { pool, hostKeys } = makePool(each, key);
    await pool.run(server.host, ['true']);
    const pinned = fingerprintOf(server.sshd.hostPublicKeys[0]!);
    expect(hostKeys.fingerprints('h1')).toEqual([pinned]);
    // the "machine" is replaced: same address and port, new host keys
    await server.sshd.stop();
    const impostor = await startServer(each, key, { port: server.host.port, dir: tempDir(each) });
    const presented = fingerprintOf(impostor.sshd.hostPublicKeys[0]!);
    expect(presented).not.toBe(pinned);
    const err = await pool.exec(server.host, ['true']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    const msg = (err as Error).message;
    expect(msg).toContain('h1');
    expect(msg).toContain(pinned);
    expect(msg).toContain(presented);
    // waiting does not retry past a changed key
    const started = Date.now();
    await expect(pool.waitForSsh(server.host, Date.now() + 20_000)).rejects.toThrow(
      HostKeyMismatchError,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('pins provider-supplied host keys before the first connection', async () => {
    const server = await startServer(each, key);
    const other = await startServer(each, key);
    const { pool } = makePool(each, key);
    // the provider says h1 has `other`'s key: the real server must be refused
    const wrong = { ...server.host, name: 'provided', hostKeys: other.sshd.hostPublicKeys };
    await expect(pool.exec(wrong, ['true'])).rejects.toThrow(HostKeyMismatchError);
    const right = { ...server.host, name: 'provided-ok', hostKeys: server.sshd.hostPublicKeys };
    expect((await pool.run(right, ['echo', 'ok'])).stdout).toBe('ok\n');
  });

  for (const commandChannel of [true, false]) {
    const mode = commandChannel ? 'command channel' : 'session per command';
    it(`[${mode}] fails a command whose connection drops, then reconnects on the next one`, async () => {
      const server = await startServer(each, key);
      const { pool, logger } = makePool(each, key, { commandChannel });
      await pool.run(server.host, ['true']);
      const marker = join(server.dir, 'started');
      const running = pool
        .exec(server.host, { script: `touch ${marker}; sleep 30` })
        .catch((e: unknown) => e);
      await waitFor(() => {
        try {
          readFileSync(marker);
          return true;
        } catch {
          return false;
        }
      });
      await server.sshd.stop(); // kills the listener and every session process
      const err = await running;
      expect(err).toBeInstanceOf(ConnectionLostError);
      const msg = (err as Error).message;
      expect(msg).toMatch(
        /connection to h1 was lost after \d+\.\ds while running: script: touch .*sleep 30/,
      );
      await server.restart();
      expect((await pool.run(server.host, ['echo', 'back'])).stdout).toBe('back\n');
      expect(logger.lines.join('\n')).toMatch(
        /reconnected to h1 .* \(the previous connection was lost/,
      );
    });
  }

  it('waitForSsh returns once a stopped sshd is back, and fails clearly at the deadline', async () => {
    const server = await startServer(each, key);
    const { pool } = makePool(each, key);
    await pool.run(server.host, ['true']);
    await server.sshd.stop();
    const tooSoon = await pool.waitForSsh(server.host, Date.now() + 1200).catch((e: unknown) => e);
    expect(tooSoon).toBeInstanceOf(RemoteError);
    expect((tooSoon as Error).message).toMatch(
      /SSH on h1 .* did not come up within \d+\.\ds; last error: .*ECONNREFUSED/,
    );

    const waiting = pool.waitForSsh(server.host, Date.now() + 30_000).then(() => Date.now());
    await sleep(1500);
    const restartedAt = Date.now();
    await server.restart();
    const upAt = await waiting;
    expect(upAt).toBeGreaterThanOrEqual(restartedAt);
    expect((await pool.run(server.host, ['echo', 'up'])).stdout).toBe('up\n');
  });

  it('declares a silent connection dead by keepalive and fails the running command', async () => {
    const server = await startServer(each, key);
    const { pool } = makePool(each, key, { keepaliveIntervalMs: 300, keepaliveCountMax: 2 });
    await pool.run(server.host, ['true']);
    // freeze every process serving the connection: packets are accepted, nothing answers
    const frozen = await descendantsOf(server.sshd.pid);
    expect(frozen.length).toBeGreaterThan(0);
    each.add(() => frozen.forEach((p) => process.kill(p, 'SIGCONT')));
    const started = Date.now();
    const running = pool.exec(server.host, ['sleep', '20']).catch((e: unknown) => e);
    await sleep(50);
    for (const p of frozen) process.kill(p, 'SIGSTOP');
    const err = await running;
    expect(err).toBeInstanceOf(ConnectionLostError);
    expect((err as Error).message).toMatch(/Keepalive timeout/i);
    expect(Date.now() - started).toBeLessThan(5000);
    for (const p of frozen) process.kill(p, 'SIGCONT');
    // a fresh connection works
    expect((await pool.run(server.host, ['echo', 'alive'])).stdout).toBe('alive\n');
  });

  it('falls back to one session per command where the command channel cannot start', async () => {
    // sshd gives sessions a PATH without bash: the runner cannot start, absolute commands still run
    const server = await startServer(each, key, { env: { PATH: '/nonexistent-te' } });
    const { pool, logger } = makePool(each, key);
    expect((await pool.run(server.host, ['/bin/echo', 'fallback'])).stdout).toBe('fallback\n');
    expect((await pool.run(server.host, ['/bin/echo', 'again'])).stdout).toBe('again\n');
    const warnings = logger.lines.filter((l) => l.startsWith('warn:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /h1: persistent command channel unavailable .*using one session per command/,
    );
  });

  it('keeps no timer pending: a process exits as soon as its pool is closed', async () => {
    const server = await startServer(each, key);
    const dir = tempDir(each);
    writeFileSync(join(dir, 'key'), key.privateKey, { mode: 0o600 });
    const script = `
      import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
      import { silentLogger } from ${JSON.stringify(new URL('../../src/log.ts', import.meta.url).pathname)};
      import { HostKeyStore } from ${JSON.stringify(new URL('../../src/remote/hostKeys.ts', import.meta.url).pathname)};
      import { RemotePool } from ${JSON.stringify(new URL('../../src/remote/pool.ts', import.meta.url).pathname)};
      const pool = new RemotePool({ privateKey: readFileSync(${JSON.stringify(join(dir, 'key'))}, 'utf8'),
        hostKeys: new HostKeyStore(), logger: silentLogger });
      const host = { name: 'h1', host: '127.0.0.1', port: ${server.host.port}, user: 'root' };
      await pool.waitForSsh(host, Date.now() + 600_000);
      await pool.run(host, ['true'], { timeoutMs: 600_000 });
      await pool.run(host, ['true'], { stdin: 'x', timeoutMs: 600_000 });
      await pool.close();
      console.log('closed at', Date.now());
    `;
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        timeout: 60_000,
      },
    );
    const closedAt = Number(/closed at (\d+)/.exec(stdout)?.[1]);
    expect(Date.now() - closedAt).toBeLessThan(2000);
  });

  it('trusts pins written by an earlier process (known_hosts in the state directory)', async () => {
    const server = await startServer(each, key);
    const file = join(tempDir(each), 'known_hosts');
    const first = makePool(each, key, { hostKeys: new HostKeyStore({ file }) });
    await first.pool.run(server.host, ['true']);
    await first.pool.close();
    const later = makePool(each, key, { hostKeys: await HostKeyStore.load(file) });
    expect(later.hostKeys.fingerprints('h1')).toEqual([
      fingerprintOf(server.sshd.hostPublicKeys[0]!),
    ]);
    await later.pool.run(server.host, ['true']);
    expect(later.logger.lines.join('\n')).not.toMatch(/pinned host key/);
  });
});
