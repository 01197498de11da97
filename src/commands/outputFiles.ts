/**
 * Files a command writes into a directory the user named (`plan --out DIR`,
 * the action's `results-dir`). A directory that cannot be written is the
 * user's to change: one sentence naming the flag or input, the path and why,
 * exit 2. A disk that fails under a writable path is an infrastructure error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InfraError, UserError } from '../errors.js';

/** Why a path the user chose cannot be written, by the error code the file system gave. */
const USER_CAUSES: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file of that name is in the way',
  EISDIR: 'a directory of that name is in the way',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the name is too long',
  ENOENT: 'a part of the path does not exist',
  ELOOP: 'the path loops through symbolic links',
};

/**
 * Write `files` (paths relative to `dir`) into `dir`, creating directories
 * as needed; returns the written paths. `label` names where `dir` came from,
 * e.g. `--out` or `action input 'results-dir'`.
 */
export async function writeInto(
  dir: string,
  label: string,
  files: Readonly<Record<string, string>>,
): Promise<string[]> {
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    await attempt(() => mkdir(dirname(path), { recursive: true }), dir, label, dirname(path));
    await attempt(() => writeFile(path, text), dir, label, path);
    written.push(path);
  }
  return written;
}

async function attempt(
  op: () => Promise<unknown>,
  dir: string,
  label: string,
  path: string,
): Promise<void> {
  try {
    await op();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const cause = USER_CAUSES[code];
    if (cause) {
      throw new UserError(
        `${label} ${dir}: cannot write ${path} (${cause}); choose a directory you can write to.`,
      );
    }
    throw new InfraError(
      `cannot write ${path} under ${label} ${dir}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}
