/**
 * Files the run writes for its user (results, an exported state) while it
 * runs as root through sudo (the CLI's and the action's re-run): handed back
 * to the user who ran sudo, so that user's tools (the artifact uploader, rm)
 * can read and remove them.
 */
import { chown, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The user behind sudo, when this process is root through sudo. */
export function sudoUser(
  env: NodeJS.ProcessEnv = process.env,
): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(env.SUDO_UID);
  const gid = Number(env.SUDO_GID);
  if (!env.SUDO_UID || !env.SUDO_GID || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    return undefined;
  }
  return { uid, gid };
}

/** Give `paths` to the user behind sudo; nothing when there is none. */
export async function handToSudoUser(
  paths: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const user = sudoUser(env);
  if (!user) return;
  for (const p of paths) {
    // a filesystem that refuses (no owners, read-only) leaves the file as it is: still readable
    await chown(p, user.uid, user.gid).catch(() => {});
  }
}

/** mkdir -p, returning every directory it created (outermost first). */
export async function makeDirs(dir: string): Promise<string[]> {
  return dirsMade(dir, await mkdir(dir, { recursive: true }));
}

/** The directories `mkdir -p dir` made, given the first one it reports (outermost first). */
export function dirsMade(dir: string, first: string | undefined): string[] {
  if (first === undefined) return [];
  const made: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    made.unshift(d);
    if (d === resolve(first) || dirname(d) === d) break;
  }
  return made;
}
