/**
 * A host with no address the runner can reach, reached through its site's
 * master: two sshd in two network namespaces. The runner's namespace has a
 * route to the jump host only; the target sits on a link between the two.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConnectionLostError, SshConnectError } from '../../src/remote/errors.js';
import { startSshd, type RunningSshd } from '../../src/remote/sshd.js';
import type { RemoteHost } from '../../src/remote/target.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  makePool,
  randomTag,
  tempDir,
} from './harness.js';

const key = generateRunKey();
const suite = new Cleanup();
afterAll(() => suite.run());

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });

describeWithSshd('jump hosts (two sshd in two network namespaces)', () => {
  const id = randomBytes(3).toString('hex');
  const nsJump = `te-jump-${id}`;
  const nsTarget = `te-tgt-${id}`;
  const b = randomBytes(3);
  const prefix = `10.${200 + (b[0]! % 50)}.${b[1]!}`;
  const base = (b[2]! % 32) * 8; // two /30s in one /29
  const rootAddr = `${prefix}.${base + 1}`;
  const jumpAddr = `${prefix}.${base + 2}`;
  const jumpInner = `${prefix}.${base + 5}`;
  const targetAddr = `${prefix}.${base + 6}`;
  let jumpSshd: RunningSshd;
  let targetSshd: RunningSshd;
  let dir: string;
  let jump: RemoteHost;
  let target: RemoteHost;

  beforeAll(async () => {
    dir = tempDir(suite);
    ip('netns', 'add', nsJump);
    suite.add(() => ip('netns', 'del', nsJump));
    ip('netns', 'add', nsTarget);
    suite.add(() => ip('netns', 'del', nsTarget));
    // runner <-> jump
    ip('link', 'add', `tej${id}r`, 'type', 'veth', 'peer', 'name', `tej${id}a`);
    suite.add(() => ip('link', 'del', `tej${id}r`));
    ip('link', 'set', `tej${id}a`, 'netns', nsJump);
    ip('addr', 'add', `${rootAddr}/30`, 'dev', `tej${id}r`);
    ip('link', 'set', `tej${id}r`, 'up');
    ip('-n', nsJump, 'addr', 'add', `${jumpAddr}/30`, 'dev', `tej${id}a`);
    ip('-n', nsJump, 'link', 'set', `tej${id}a`, 'up');
    // jump <-> target (the runner has no route to this link)
    ip('-n', nsJump, 'link', 'add', `tej${id}b`, 'type', 'veth', 'peer', 'name', `tej${id}c`);
    ip('-n', nsJump, 'link', 'set', `tej${id}c`, 'netns', nsTarget);
    ip('-n', nsJump, 'addr', 'add', `${jumpInner}/30`, 'dev', `tej${id}b`);
    ip('-n', nsJump, 'link', 'set', `tej${id}b`, 'up');
    ip('-n', nsTarget, 'addr', 'add', `${targetAddr}/30`, 'dev', `tej${id}c`);
    ip('-n', nsTarget, 'link', 'set', `tej${id}c`, 'up');

    const tag = randomTag('jump');
    jumpSshd = await startSshd({
      dir,
      tag: `${tag}-master`,
      authorizedKeys: [key.publicKey],
      netns: nsJump,
      listenAddress: jumpAddr,
    });
    suite.add(() => jumpSshd.stop());
    targetSshd = await startSshd({
      dir,
      tag: `${tag}-worker`,
      authorizedKeys: [key.publicKey],
      netns: nsTarget,
      listenAddress: targetAddr,
    });
    suite.add(() => targetSshd.stop());
    jump = { name: 'east-master', host: jumpAddr, port: jumpSshd.port, user: 'root' };
    target = { name: 'east-worker-1', host: targetAddr, port: targetSshd.port, user: 'root', jump };
  });

  it('runs commands and uploads on the target through the jump host', async () => {
    const each = new Cleanup();
    try {
      const { pool } = makePool(each, key);
      const r = await pool.run(target, ['readlink', '/proc/self/ns/net']);
      const targetNs = execFileSync(
        'ip',
        ['netns', 'exec', nsTarget, 'readlink', '/proc/self/ns/net'],
        {
          encoding: 'utf8',
        },
      );
      expect(r.stdout).toBe(targetNs);
      // the target's sshd saw the login come from the jump host's inner address
      expect(readFileSync(targetSshd.files.log, 'utf8')).toMatch(
        new RegExp(`Accepted publickey for root from ${jumpInner.replace(/\./g, '\\.')} port \\d+`),
      );
      await pool.upload(target, join(dir, 'via-jump.txt'), 'through the master\n', 0o600);
      expect(readFileSync(join(dir, 'via-jump.txt'), 'utf8')).toBe('through the master\n');
      // many commands share the one tunnelled connection
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => pool.run(target, ['echo', String(i)])),
      );
      expect(
        readFileSync(targetSshd.files.log, 'utf8').split('Accepted publickey').length - 1,
      ).toBe(1);
    } finally {
      await each.run();
    }
  });

  it('negative control: the target cannot be reached directly', async () => {
    const each = new Cleanup();
    try {
      const { pool } = makePool(each, key, { connectTimeoutMs: 1500 });
      const direct: RemoteHost = { ...target, name: 'direct' };
      delete direct.jump;
      await expect(pool.exec(direct, ['true'])).rejects.toThrow(SshConnectError);
    } finally {
      await each.run();
    }
  });

  it('fails a running command when the jump host drops, and recovers through it', async () => {
    const each = new Cleanup();
    try {
      const { pool } = makePool(each, key);
      await pool.run(target, ['true']);
      const running = pool.exec(target, ['sleep', '30']).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 300));
      const port = jumpSshd.port;
      await jumpSshd.stop();
      const err = await running;
      expect(err).toBeInstanceOf(ConnectionLostError);
      expect((err as Error).message).toContain('east-worker-1');
      jumpSshd = await startSshd({
        dir,
        tag: jumpSshd.files.config.replace(/^.*\/sshd-(.*)\.conf$/, '$1'),
        authorizedKeys: [key.publicKey],
        netns: nsJump,
        listenAddress: jumpAddr,
        port,
      });
      expect((await pool.run(target, ['echo', 'again'])).stdout).toBe('again\n');
    } finally {
      await each.run();
    }
  });
});
