/**
 * `sudo` through the pool, for real: a non-root login user on a real sshd,
 * with passwordless sudo in a sudoers drop-in, runs a command as root only
 * when asked; a user without the sudoers entry gets sudo's own refusal, not
 * a hang at a password prompt. The users and drop-ins are made for the test
 * and removed after it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteCommandError } from '../../src/remote/errors.js';
import { needsTool } from '../support/requirements.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  makePool,
  randomTag,
  startServer,
  type Server,
} from './harness.js';

const key = generateRunKey();
const suite = new Cleanup();
let server: Server;

const noSudo = needsTool('the real-sshd sudo tests', 'sudo', 'sudo');
const noUseradd = needsTool('the real-sshd sudo tests', 'useradd', 'passwd');

/** A login user with its own home and a shell; removed with its home after the file. */
function makeUser(sudoers: boolean): string {
  const name = `te${randomTag('')}`.slice(0, 12);
  const r = spawnSync('useradd', ['-m', '-s', '/bin/bash', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`useradd ${name}: ${r.stderr}`);
  suite.add(() => {
    spawnSync('userdel', ['-r', '-f', name], { stdio: 'ignore' });
  });
  // useradd leaves the account locked ("!"), which sshd refuses even for a key; "*" has no password and is not locked
  spawnSync('usermod', ['-p', '*', name]);
  if (sudoers) {
    const dropIn = `/etc/sudoers.d/${name}`;
    writeFileSync(dropIn, `${name} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 });
    suite.add(() => rmSync(dropIn, { force: true }));
    const check = spawnSync('visudo', ['-c', '-f', dropIn], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`visudo ${dropIn}: ${check.stdout}${check.stderr}`);
  }
  return name;
}

const id = (uid: string) => Number(uid.trim());

describeWithSshd('exec with sudo as a non-root login user (real sshd, real sudo)', () => {
  if (noSudo || noUseradd) {
    it.skip(`needs sudo and useradd: ${noSudo ?? noUseradd}`, () => {});
    return;
  }
  let sudoer: string;
  let plain: string;

  beforeAll(async () => {
    sudoer = makeUser(true);
    plain = makeUser(false);
    // the one authorized_keys file of this sshd serves every user it lets in; sshd
    // reads it as the user logging in, so the user must be able to reach it
    server = await startServer(suite, key);
    chmodSync(server.dir, 0o711);
    for (const f of readdirSync(server.dir).filter((n) => n.endsWith('authorized_keys'))) {
      chmodSync(join(server.dir, f), 0o644);
    }
  });
  afterAll(() => suite.run());

  for (const commandChannel of [true, false]) {
    const mode = commandChannel ? 'command channel' : 'session per command';

    it(`[${mode}] runs as the login user, and as root only with sudo`, async () => {
      const { pool } = makePool(suite, key, { commandChannel });
      const host = { ...server.host, name: 'sudoer', user: sudoer };
      const plainUid = await pool.exec(host, ['id', '-u']);
      const rootUid = await pool.exec(host, ['id', '-u'], { sudo: true });
      expect(id(plainUid.stdout)).toBeGreaterThan(0);
      expect(id(rootUid.stdout)).toBe(0);
      // quoting survives sudo: one argument with spaces and a quote, as given
      const arg = `it's a "word" $HOME`;
      const echoed = await pool.exec(host, ['printf', '%s', arg], { sudo: true });
      expect(echoed.stdout).toBe(arg);
    });

    it(`[${mode}] negative control: without a sudoers entry sudo refuses at once (no password prompt)`, async () => {
      const { pool } = makePool(suite, key, { commandChannel });
      const host = { ...server.host, name: 'plain', user: plain };
      expect(id((await pool.exec(host, ['id', '-u'])).stdout)).toBeGreaterThan(0);
      const started = Date.now();
      const error = await pool.run(host, ['id', '-u'], { sudo: true, timeoutMs: 20_000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RemoteCommandError);
      expect((error as RemoteCommandError).message).toMatch(/password is required/);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  }
});
