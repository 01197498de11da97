/**
 * The profile's pinned downloads (the Kubernetes binaries of profiles that
 * install them from dl.k8s.io) fetched once on the runner, checked, kept in a
 * cache directory keyed by content, and pushed to the nodes over SFTP; the
 * nodes' install takes a pushed file whose checksum matches before it would
 * download. A checksum that does not match is an infrastructure error naming
 * the file and the URL, and nothing of it is kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InfraError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';
import { STATE_DIR } from './install/steps.js';

/** Where the nodes find the pushed files (the install's fetch looks here first). */
export const NODE_ARTIFACT_DIR = `${STATE_DIR}/artifacts`;

export type Algo = 'sha1' | 'sha256' | 'sha512';

export interface Artifact {
  name: string;
  url: string;
  algo: Algo;
  /** the pinned sum; else the release's own sum file at sumUrl */
  sum?: string;
  sumUrl?: string;
}

export interface CachedArtifact {
  name: string;
  path: string;
  algo: Algo;
  sum: string;
  /** found in the cache, not downloaded */
  hit: boolean;
}

const BINARIES = ['kubeadm', 'kubelet', 'kubectl'] as const;

/** The profile's pinned downloads for the nodes; none for profiles that install packages. */
export function pinnedArtifacts(plan: Plan): Artifact[] {
  const k = plan.profile.kubernetes;
  if (k['package-repo']) return [];
  const fill = (t: string, name: string) =>
    t.replace('{version}', plan.versions.kubernetes).replace('{name}', name);
  return BINARIES.map((name) => {
    const pinned = k.binaries.checksums[name];
    if (pinned) {
      const [algo, sum] = pinned.split(':') as [Algo, string];
      return { name, url: fill(k.binaries.url, name), algo, sum };
    }
    const sumUrl = fill(k.binaries['checksum-url'] ?? '', name);
    return {
      name,
      url: fill(k.binaries.url, name),
      algo: sumUrl.endsWith('.sha512') ? 'sha512' : 'sha256',
      sumUrl,
    };
  });
}

/** The runner keeps something for the nodes: pinned binaries, or the images it pulls (registry.images: runner). */
export function hasRunnerDownloads(plan: Plan): boolean {
  return pinnedArtifacts(plan).length > 0 || plan.registry.images === 'runner';
}

/**
 * What keys the CI cache: the profile's downloads and, when the runner pulls
 * them, where the images come from (registry, tag, manifest), so a change of
 * either starts a new cache.
 */
export function cacheKey(plan: Plan): string {
  const list = pinnedArtifacts(plan).map(
    (a) => `${a.name} ${a.url} ${a.algo}:${a.sum ?? a.sumUrl}`,
  );
  if (plan.registry.images === 'runner') {
    list.push(
      `images ${plan.versions.tfRegistry}:${plan.versions.tfTag} ${plan.profile.tf.manifest.url}`,
    );
  }
  const hash = createHash('sha256').update(list.join('\n')).digest('hex').slice(0, 16);
  return `tungsten-e2e-artifacts-${plan.profile.name}-${hash}`;
}

/** The CLI's cache directory: $XDG_CACHE_HOME/tungsten-e2e/artifacts, else ~/.cache/…. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tungsten-e2e', 'artifacts');
}

const digest = (algo: Algo, data: Buffer) => createHash(algo).update(data).digest('hex');

export class ArtifactCache {
  /** files downloaded by this cache (not counting sum files) */
  downloads = 0;

  constructor(
    readonly dir: string,
    private readonly get: typeof fetch = fetch,
  ) {}

  private async download(url: string, what: string): Promise<Buffer> {
    const r = await this.get(url, { signal: AbortSignal.timeout(300_000) }).catch((e: unknown) => {
      throw new InfraError(
        `${what}: ${url} could not be downloaded: ${e instanceof Error ? e.message : String(e)}`,
      );
    });
    if (!r.ok) throw new InfraError(`${what}: ${url} answered HTTP ${r.status}`);
    return Buffer.from(await r.arrayBuffer());
  }

  /** The artifact from the cache, downloading and checking it when it is not there. */
  async resolve(a: Artifact): Promise<CachedArtifact> {
    const sum =
      a.sum ??
      (await this.download(a.sumUrl!, `${a.name}'s checksum`))
        .toString('utf8')
        .trim()
        .split(/\s+/)[0]!;
    if (!/^[0-9a-f]{40,128}$/.test(sum)) {
      throw new InfraError(`${a.name}: ${a.sumUrl} does not hold a ${a.algo} checksum`);
    }
    const path = join(this.dir, `${a.algo}-${sum}-${a.name}`);
    const cached = await readFile(path).catch(() => undefined);
    if (cached && digest(a.algo, cached) === sum)
      return { name: a.name, path, algo: a.algo, sum, hit: true };
    const data = await this.download(a.url, a.name);
    this.downloads++;
    const got = digest(a.algo, data);
    if (got !== sum) {
      throw new InfraError(
        `${a.name}: checksum mismatch for ${a.url}: the profile wants ${a.algo} ${sum}, the download has ${got}; nothing was kept`,
      );
    }
    await mkdir(this.dir, { recursive: true });
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, data, { mode: 0o644 });
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
    return { name: a.name, path, algo: a.algo, sum, hit: false };
  }

  /** Every pinned download of a plan, at once. */
  resolveAll(plan: Plan): Promise<CachedArtifact[]> {
    return Promise.all(pinnedArtifacts(plan).map((a) => this.resolve(a)));
  }
}
