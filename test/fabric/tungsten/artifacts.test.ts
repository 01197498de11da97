/**
 * The runner's cache of the profile's pinned downloads against a local HTTP
 * server serving the files (and kubelet's .sha512, as dl.k8s.io does): a cold
 * cache downloads each file once, a warm one none; a file whose checksum does
 * not match is refused naming it and its URL, and nothing of it is kept.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../../src/config/load.js';
import { InfraError } from '../../../src/errors.js';
import {
  ArtifactCache,
  cacheKey,
  defaultCacheDir,
  pinnedArtifacts,
} from '../../../src/fabric/tungsten/artifacts.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import { tempDir } from '../../helpers.js';

const body = (name: string) => `a ${name} binary, for the test\n`;
const sha = (algo: string, s: string) => createHash(algo).update(s).digest('hex');

describe('the artifact cache', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];
  let plan: Plan;
  let dir: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const name = (req.url ?? '').split('/').pop()!;
      if ((req.url ?? '').includes('/gone/')) {
        res.writeHead(404).end();
      } else if (name.endsWith('.sha512')) {
        res.end(`${sha('sha512', body(name.replace('.sha512', '')))}  ${name}\n`);
      } else if (['kubeadm', 'kubelet', 'kubectl'].includes(name)) {
        res.end(body(name));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const real = buildPlanFromConfig(await loadSiteFile('examples/aws-azure.yml'));
    plan = structuredClone(real);
    plan.profile.kubernetes.binaries.url = `${base}/v{version}/{name}`;
    plan.profile.kubernetes.binaries['checksum-url'] = `${base}/v{version}/{name}.sha512`;
    plan.profile.kubernetes.binaries.checksums = {
      kubeadm: `sha1:${sha('sha1', body('kubeadm'))}`,
      kubectl: `sha1:${sha('sha1', body('kubectl'))}`,
    };
    dir = tempDir('te-artifacts-');
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists the profile's pinned downloads: tf-2018 its three binaries, opensdn-24 none (packages)", async () => {
    const real = buildPlanFromConfig(await loadSiteFile('examples/aws-azure.yml'));
    expect(
      pinnedArtifacts(real).map((a) => `${a.name} ${a.algo} ${a.sum ? 'pinned' : 'sum file'}`),
    ).toEqual(['kubeadm sha1 pinned', 'kubelet sha512 sum file', 'kubectl sha1 pinned']);
    expect(pinnedArtifacts(real)[0]!.url).toBe(
      'https://dl.k8s.io/release/v1.10.11/bin/linux/amd64/kubeadm',
    );
    const now = buildPlanFromConfig(await loadSiteFile('examples/opensdn-aws-gcp.yml'));
    expect(pinnedArtifacts(now)).toEqual([]);
    // the key changes with the profile's downloads
    expect(cacheKey(real)).toMatch(/^tungsten-e2e-artifacts-tf-2018-[0-9a-f]{16}$/);
    expect(cacheKey(plan)).not.toBe(cacheKey(real));
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/tungsten-e2e/artifacts');
  });

  it('cold: each file downloaded once and checked; warm: nothing downloaded', async () => {
    const cold = new ArtifactCache(dir);
    const first = await cold.resolveAll(plan);
    expect(first.map((f) => `${f.name} ${f.hit}`)).toEqual([
      'kubeadm false',
      'kubelet false',
      'kubectl false',
    ]);
    expect(cold.downloads).toBe(3);
    for (const f of first) expect(readFileSync(f.path, 'utf8')).toBe(body(f.name));
    const before = requests.filter((r) => !r.endsWith('.sha512')).length;
    const warm = new ArtifactCache(dir);
    const again = await warm.resolveAll(plan);
    expect(again.every((f) => f.hit)).toBe(true);
    expect(warm.downloads).toBe(0);
    expect(requests.filter((r) => !r.endsWith('.sha512')).length).toBe(before);
    // a damaged cached file is fetched again, not trusted
    const kubeadm = again.find((f) => f.name === 'kubeadm')!;
    writeFileSync(kubeadm.path, 'damaged');
    const repaired = new ArtifactCache(dir);
    expect((await repaired.resolveAll(plan)).find((f) => f.name === 'kubeadm')!.hit).toBe(false);
    expect(repaired.downloads).toBe(1);
  });

  it('a checksum that does not match is refused, naming the file and its URL; nothing is kept', async () => {
    const bad = structuredClone(plan);
    bad.profile.kubernetes.binaries.checksums.kubectl = `sha1:${'0'.repeat(40)}`;
    const empty = tempDir('te-artifacts-bad-');
    try {
      const e = await new ArtifactCache(empty).resolveAll(bad).catch((x: unknown) => x as Error);
      expect(e).toBeInstanceOf(InfraError);
      expect((e as Error).message).toBe(
        `kubectl: checksum mismatch for ${base}/v1.10.11/kubectl: the profile wants sha1 ${'0'.repeat(40)}, the download has ${sha('sha1', body('kubectl'))}; nothing was kept`,
      );
      expect(readdirSync(empty).filter((f) => f.includes('kubectl'))).toEqual([]);
      const missing = structuredClone(plan);
      missing.profile.kubernetes.binaries.url = `${base}/gone/{name}`;
      const e404 = await new ArtifactCache(empty)
        .resolveAll(missing)
        .catch((x: unknown) => x as Error);
      expect((e404 as Error).message).toMatch(
        new RegExp(`^kube\\w+: ${base}/gone/kube\\w+ answered HTTP 404$`),
      );
      expect(existsSync(join(empty, 'x'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
