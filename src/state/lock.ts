/**
 * One command at a time per state directory: `up`, `test`, `down`, `run` and
 * the action's steps take an exclusive lock file (O_EXCL) in it, so two runs
 * can never both record themselves in one state.json (and `down` then find
 * only one). A lock whose process is gone (SIGKILL, a crash) is taken over.
 * Re-entrant within a process: `run` holds it while its up and down take it.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { processAlive as running } from '../pids.js';
import { dirsMade } from './owner.js';

export const LOCK_FILE = 'lock';

interface LockHolder {
  pid: number;
  command: string;
  since: string;
}

interface Held {
  depth: number;
  /** directories the lock made (outermost first), removed again if the command left them empty */
  made: string[];
}

const held = new Map<string, Held>();

/** errors that mean this process cannot write there: the command itself reports that better */
const CANNOT_WRITE = new Set(['EACCES', 'EPERM', 'EROFS']);

function holderOf(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string, command: string): boolean {
  try {
    const fd = openSync(path, 'wx', 0o600);
    const holder: LockHolder = { pid: process.pid, command, since: new Date().toISOString() };
    writeSync(fd, JSON.stringify(holder));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

export interface LockOptions {
  /** make the directory when it does not exist (default); else take no lock there */
  create?: boolean;
}

/**
 * The command that started a run in `dir` and died without finishing it:
 * an `up` or `run` whose lock is still there (a SIGKILL runs no exit
 * handler) with no live process behind it. A run `up` left standing on
 * purpose released its lock; a killed `test` or `down` orphans nothing.
 */
export function deadOwner(dir: string): { pid: number; command: string } | undefined {
  const holder = holderOf(join(dir, LOCK_FILE));
  if (!holder || !['up', 'run'].includes(holder.command) || running(holder.pid)) return undefined;
  return { pid: holder.pid, command: holder.command };
}

/** Take the state directory's lock for `command`; returns its release (idempotent). */
export function lockStateDir(dir: string, command: string, options: LockOptions = {}): () => void {
  const path = join(dir, LOCK_FILE);
  // nothing to guard where there is no state: the command says so itself, and creates nothing
  if (options.create === false && !existsSync(dir)) return () => {};
  const mine = held.get(path);
  if (mine) {
    mine.depth++;
    return once(() => release(path));
  }
  let made: string[];
  try {
    made = makeDirs(dir);
    if (!tryCreateOrTakeOver(dir, path, command)) return () => {};
  } catch (e) {
    if (CANNOT_WRITE.has((e as NodeJS.ErrnoException).code ?? '')) return () => {};
    throw e;
  }
  held.set(path, { depth: 1, made });
  return once(() => release(path));
}

/** true once the lock is ours; throws when a live process holds it */
function tryCreateOrTakeOver(dir: string, path: string, command: string): boolean {
  for (let attempt = 0; !tryCreate(path, command); attempt++) {
    const holder = holderOf(path);
    if (holder && running(holder.pid) && holder.pid !== process.pid) {
      throw new UserError(
        `${dir} is in use by "${holder.command}" (pid ${holder.pid}, since ${holder.since}); wait for it to end, or pass another --state directory.`,
      );
    }
    // the holder is gone (killed, crashed) or the file is half written: take it over
    if (attempt >= 2)
      throw new UserError(
        `${dir}: cannot take its lock file ${path}; remove it if no command runs.`,
      );
    rmSync(path, { force: true });
  }
  return true;
}

/** mkdir -p; the directories it made, outermost first. */
function makeDirs(dir: string): string[] {
  return dirsMade(dir, mkdirSync(dir, { recursive: true, mode: 0o700 }));
}

/** Run fn while holding the state directory's lock. */
export async function withStateLock<T>(
  dir: string,
  command: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const unlock = lockStateDir(dir, command, options);
  try {
    return await fn();
  } finally {
    unlock();
  }
}

function release(path: string): void {
  const mine = held.get(path);
  if (!mine) return;
  if (mine.depth > 1) {
    mine.depth--;
    return;
  }
  held.delete(path);
  unlockFile(path, mine.made);
}

/** Remove our lock file, and the directories the lock made if nothing else went into them. */
function unlockFile(path: string, made: readonly string[]): void {
  if (holderOf(path)?.pid !== process.pid) return;
  rmSync(path, { force: true });
  for (const d of [...made].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty: the command made its state there
    }
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

process.once('exit', () => {
  for (const [path, mine] of held) {
    try {
      unlockFile(path, mine.made);
    } catch {
      // exiting anyway
    }
  }
});
