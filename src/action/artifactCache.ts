/**
 * The profile's pinned downloads kept between workflow runs in GitHub's
 * cache (@actions/cache), keyed by the profile's download list (cacheKey):
 * restored into the runner's artifact directory before a run, saved after
 * one that filled it. The files are checked against their checksums on use
 * (fabric/tungsten/artifacts.ts), so a stale or damaged entry is downloaded
 * again, never trusted. A cache that cannot be reached is a warning: the run
 * downloads instead.
 */
import { readdir } from 'node:fs/promises';
import { cacheKey, hasRunnerDownloads } from '../fabric/tungsten/artifacts.js';
import type { Logger } from '../log.js';
import type { Plan } from '../plan/types.js';

/** The seam over @actions/cache, so the action's code is tested with the real library over a fake service. */
export interface CacheBackend {
  available(): boolean;
  /** the key restored, or undefined on a miss */
  restore(paths: string[], key: string): Promise<string | undefined>;
  /** whether the entry was stored (the library reports a failed save as a warning, not an error) */
  save(paths: string[], key: string): Promise<boolean>;
}

/** GitHub's cache through the toolkit's library, loaded only for a run that has downloads to keep. */
export async function actionsCache(): Promise<CacheBackend> {
  const cache = await import('@actions/cache');
  return {
    available: () => cache.isFeatureAvailable(),
    restore: (paths, key) => cache.restoreCache(paths, key),
    save: async (paths, key) => (await cache.saveCache(paths, key)) !== -1,
  };
}

export interface ArtifactRestore {
  key: string;
  dir: string;
  hit: boolean;
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Restore the plan's downloads; undefined when the plan has none or the cache is not there. */
export async function restoreArtifacts(
  plan: Plan,
  dir: string,
  backend: () => Promise<CacheBackend>,
  logger: Logger,
): Promise<ArtifactRestore | undefined> {
  if (plan.sites.every((s) => s.provider === 'local')) return undefined;
  if (!hasRunnerDownloads(plan)) return undefined;
  const key = cacheKey(plan);
  let cache: CacheBackend;
  try {
    cache = await backend();
    if (!cache.available()) {
      logger.info(`artifact cache: GitHub's cache is not available here; the run downloads ${key}`);
      return undefined;
    }
    const hit = (await cache.restore([dir], key)) === key;
    logger.info(
      `artifact cache: ${hit ? `restored ${key}` : `${key} not restored (no entry yet, or the cache failed: the library warns then); the run downloads`}`,
    );
    return { key, dir, hit };
  } catch (e) {
    logger.warn(`artifact cache: ${key} could not be restored (${why(e)}); the run downloads`);
    return { key, dir, hit: false };
  }
}

/** After the run: save what it downloaded, unless the entry was restored (entries are immutable). */
export async function saveArtifacts(
  restored: ArtifactRestore | undefined,
  backend: () => Promise<CacheBackend>,
  logger: Logger,
): Promise<void> {
  if (!restored || restored.hit) return;
  const files = await readdir(restored.dir).catch(() => []);
  if (files.length === 0) return;
  try {
    if (await (await backend()).save([restored.dir], restored.key)) {
      logger.info(`artifact cache: saved ${restored.key} (${files.length} files)`);
    } else {
      logger.warn(`artifact cache: ${restored.key} was not saved (see the library's warning)`);
    }
  } catch (e) {
    logger.warn(`artifact cache: ${restored.key} could not be saved (${why(e)})`);
  }
}
