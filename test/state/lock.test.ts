import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { LOCK_FILE, lockStateDir, withStateLock } from '../../src/state/lock.js';
import { runBundle } from '../bundle.js';
import { tempDir } from '../helpers.js';

/** A real other process holding the lock (what a second `up` meets); its pid and stop. */
function otherHolder(dir: string) {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: child.pid, command: 'up', since: '2026-12-07T00:00:00.000Z' }),
  );
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

describe('the state directory lock', () => {
  it('a second command on a directory in use is refused in one sentence naming the holder', () => {
    const dir = tempDir('te-lock-');
    const other = otherHolder(dir);
    try {
      expect(() => lockStateDir(dir, 'down')).toThrow(UserError);
      expect(() => lockStateDir(dir, 'down')).toThrow(
        `${dir} is in use by "up" (pid ${other.pid}, since 2026-12-07T00:00:00.000Z); wait for it to end, or pass another --state directory.`,
      );
    } finally {
      other.stop();
    }
  });

  it('a lock whose process is gone (SIGKILL) is taken over; release removes it', () => {
    const dir = tempDir('te-lock-');
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {
      encoding: 'utf8',
    });
    const deadPid = Number(gone.stdout.trim());
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: deadPid, command: 'run', since: 'x' }),
    );
    const unlock = lockStateDir(dir, 'down');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'down',
    });
    unlock();
    unlock(); // idempotent
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('is re-entrant in one process (run holds it while its up and down take it)', async () => {
    const dir = tempDir('te-lock-');
    await withStateLock(dir, 'run', async () => {
      await withStateLock(dir, 'down', async () => {
        expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
      });
      // the inner release keeps the outer hold
      expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('creates nothing where a command that needs state finds none', () => {
    const dir = join(tempDir('te-lock-'), 'no-such-state');
    lockStateDir(dir, 'down', { create: false })();
    expect(existsSync(dir)).toBe(false);
    mkdirSync(dir);
    const unlock = lockStateDir(dir, 'down', { create: false });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    unlock();
  });

  it('the CLI: down on a state directory another command holds exits 2 with that sentence, no stack trace', () => {
    const dir = tempDir('te-lock-');
    writeFileSync(join(dir, 'state.json'), '{}');
    const other = otherHolder(dir);
    try {
      const r = runBundle('cli', ['down', '--state', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `error: ${dir} is in use by "up" (pid ${other.pid}, since 2026-12-07T00:00:00.000Z); wait for it to end, or pass another --state directory.`,
      );
      expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('{}');
    } finally {
      other.stop();
    }
  });
});
