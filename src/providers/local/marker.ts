/**
 * The run marker: /run/tungsten-e2e/<runid>/run.json, written before anything
 * else of a run exists. It holds the expiry (for the janitor) and the run's
 * public block (so concurrent runs never pick the same one), and is found by
 * listing the directory: no state file needed.
 */
import {
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { RUN_ID } from '../../state/runState.js';
import { RUN_ROOT, runDir } from './naming.js';

export const MARKER_FILE = 'run.json';

export interface RunMarker {
  runId: string;
  createdAt: string;
  expiresAt: string;
  repo?: string;
  /** the state directory of the run that made it, for messages */
  stateDir: string;
  publicBlock: number;
}

export function markerPath(runId: string): string {
  return `${runDir(runId)}/${MARKER_FILE}`;
}

export async function writeMarker(marker: RunMarker): Promise<void> {
  await mkdir(RUN_ROOT, { recursive: true, mode: 0o755 });
  await mkdir(runDir(marker.runId), { recursive: true, mode: 0o755 });
  const tmp = `${markerPath(marker.runId)}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(marker, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, markerPath(marker.runId));
}

export async function readMarker(runId: string): Promise<RunMarker | undefined> {
  try {
    const m = JSON.parse(await readFile(markerPath(runId), 'utf8')) as RunMarker;
    return m.runId === runId ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Run ids with a directory under /run/tungsten-e2e (with or without a readable marker). */
export async function runIdsOnHost(): Promise<string[]> {
  try {
    return (await readdir(RUN_ROOT)).filter((name) => RUN_ID.test(name)).sort();
  } catch {
    return [];
  }
}

export async function readMarkers(): Promise<RunMarker[]> {
  const markers = await Promise.all((await runIdsOnHost()).map((id) => readMarker(id)));
  return markers.filter((m): m is RunMarker => m !== undefined);
}

/**
 * Reserve a public block for a run: /run/tungsten-e2e/block-<b> is a symlink
 * to the run id. Creating a symlink is atomic, so two runs starting at once
 * never get the same block. A reservation whose run directory is gone is
 * stale and is taken over.
 */
export function blockLink(block: number): string {
  return `${RUN_ROOT}/block-${block}`;
}

export async function reserveBlock(block: number, runId: string): Promise<boolean> {
  await mkdir(RUN_ROOT, { recursive: true, mode: 0o755 });
  const link = blockLink(block);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await symlink(runId, link);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = await readlink(link).catch(() => undefined);
      if (owner === runId) return true;
      if (owner !== undefined && (await runIdsOnHost()).includes(owner)) return false;
      await rm(link, { force: true });
    }
  }
  return false;
}

/** The blocks reserved for a run (normally one). */
export async function blocksOf(runId: string): Promise<string[]> {
  let names: string[] = [];
  try {
    names = (await readdir(RUN_ROOT)).filter((n) => /^block-\d+$/.test(n));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    const owner = await readlink(`${RUN_ROOT}/${n}`).catch(() => undefined);
    if (owner === runId) out.push(`${RUN_ROOT}/${n}`);
  }
  return out;
}
