import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RemoteError } from '../../src/remote/errors.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  makePool,
  startServer,
  tempDir,
  type Server,
} from './harness.js';

const key = generateRunKey();
const suite = new Cleanup();
const each = new Cleanup();
afterEach(() => each.run());
afterAll(() => suite.run());
let server: Server;

describeWithSshd('upload over SFTP to a real sshd', () => {
  beforeAll(async () => {
    server = await startServer(suite, key);
  });

  it('writes a string with exactly the mode asked for, whatever the umask', async () => {
    const { pool } = makePool(each, key);
    const target = join(tempDir(each), 'kubeadm.yaml');
    await pool.upload(server.host, target, 'kind: InitConfiguration\n', 0o664);
    expect(readFileSync(target, 'utf8')).toBe('kind: InitConfiguration\n');
    expect(statSync(target).mode & 0o7777).toBe(0o664); // group-writable: a umask of 022 would have removed it
    await pool.upload(server.host, join(target + '.x'), '#!/bin/sh\necho hi\n', 0o755);
    expect(statSync(target + '.x').mode & 0o7777).toBe(0o755);
    expect((await pool.run(server.host, [target + '.x'])).stdout).toBe('hi\n');
  });

  it('writes binary content byte for byte and replaces a file atomically, mode included', async () => {
    const { pool } = makePool(each, key);
    const dir = tempDir(each);
    const target = join(dir, 'blob');
    writeFileSync(target, 'old', { mode: 0o600 });
    const bytes = Buffer.concat([
      Buffer.from([...Array(256).keys()]),
      randomBytes(3 * 1024 * 1024),
    ]);
    await pool.upload(server.host, target, bytes, 0o644);
    expect(readFileSync(target).equals(bytes)).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['blob']); // no temporary file left
  });

  it('uploads a local file', async () => {
    const { pool } = makePool(each, key);
    const dir = tempDir(each);
    writeFileSync(join(dir, 'src.txt'), 'from a file\n');
    await pool.uploadFile(server.host, join(dir, 'dst.txt'), join(dir, 'src.txt'), 0o600);
    expect(readFileSync(join(dir, 'dst.txt'), 'utf8')).toBe('from a file\n');
    expect(statSync(join(dir, 'dst.txt')).mode & 0o777).toBe(0o600);
  });

  it('fails clearly when the directory does not exist, and leaves nothing behind', async () => {
    const { pool } = makePool(each, key);
    const missing = join(tempDir(each), 'no-such-dir', 'f');
    const err = await pool.upload(server.host, missing, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as Error).message).toMatch(
      /upload of .*no-such-dir\/f to h1 failed after \d+\.\ds: No such file/,
    );
    expect(existsSync(missing)).toBe(false);
    // the pool still works on that host
    expect((await pool.run(server.host, ['echo', 'ok'])).stdout).toBe('ok\n');
  });

  it('shares the session limit with commands (sshd MaxSessions 2)', async () => {
    const tight = await startServer(each, key, { maxSessions: 2 });
    const { pool, logger } = makePool(each, key, { maxSessionsPerHost: 2 });
    const dir = tempDir(each);
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) =>
        pool.upload(tight.host, join(dir, `f${i}`), `content ${i}`),
      ),
      ...Array.from({ length: 6 }, (_, i) => pool.run(tight.host, ['echo', String(i)])),
    ]);
    for (let i = 0; i < 6; i++)
      expect(readFileSync(join(dir, `f${i}`), 'utf8')).toBe(`content ${i}`);
    expect(logger.lines.filter((l) => l.startsWith('warn:'))).toEqual([]);
  });
});
