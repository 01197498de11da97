/**
 * The pinned downloads kept in GitHub's cache between workflow runs: the
 * real @actions/cache library (with real tar) against a cache service on
 * 127.0.0.1 speaking the cache protocol GitHub Enterprise Server serves
 * (`_apis/artifactcache`: look up by keys and version, reserve, upload in
 * ranges, commit, download). github.com's newer protocol is the library's
 * own business; the action only calls restoreCache and saveCache.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionsCache, restoreArtifacts, saveArtifacts } from '../../src/action/artifactCache.js';
import { loadSiteFile } from '../../src/config/load.js';
import { ArtifactCache, cacheKey } from '../../src/fabric/tungsten/artifacts.js';
import { memoryLogger } from '../../src/log.js';
import { buildPlanFromConfig } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';
import { tempDir } from '../helpers.js';

const TOKEN = 'runtime-token-for-the-cache';

interface Entry {
  key: string;
  version: string;
  id: number;
  chunks: Buffer[];
  size?: number;
}

/** The cache service of GHES: what @actions/cache's v1 client talks to. */
class FakeCacheService {
  readonly requests: string[] = [];
  readonly entries: Entry[] = [];
  failAll = false;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server!.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(`${req.method} ${url.pathname}`);
    const json = (status: number, value?: unknown) => {
      res.writeHead(status, value === undefined ? {} : { 'content-type': 'application/json' });
      res.end(value === undefined ? undefined : JSON.stringify(value));
    };
    if (this.failAll) return json(500, { message: 'the cache service is down' });
    if (url.pathname.startsWith('/archive/')) {
      const e = this.entries.find((x) => x.id === Number(url.pathname.split('/')[2]));
      const data = Buffer.concat(e?.chunks ?? []);
      res.writeHead(200, { 'content-length': data.length });
      return void res.end(data);
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { message: 'no token' });
    const api = url.pathname.replace(/^\/_apis\/artifactcache\//, '');
    if (req.method === 'GET' && api === 'cache') {
      const keys = (url.searchParams.get('keys') ?? '').split(',');
      const version = url.searchParams.get('version');
      const e = this.entries.find(
        (x) => x.size !== undefined && x.version === version && keys.includes(x.key),
      );
      if (!e) return json(204);
      return json(200, {
        cacheKey: e.key,
        scope: 'refs/heads/main',
        creationTime: '2026-12-07T08:00:00Z',
        archiveLocation: `${this.url}archive/${e.id}`,
      });
    }
    if (req.method === 'POST' && api === 'caches') {
      const r = JSON.parse(body.toString()) as { key: string; version: string };
      if (this.entries.some((x) => x.key === r.key && x.version === r.version)) {
        return json(409, {
          message: `Cache already exists. Scope: refs/heads/main, Key: ${r.key}`,
        });
      }
      const e = { key: r.key, version: r.version, id: this.entries.length + 1, chunks: [] };
      this.entries.push(e);
      return json(201, { cacheId: e.id });
    }
    const id = /^caches\/(\d+)$/.exec(api)?.[1];
    const e = this.entries.find((x) => x.id === Number(id));
    if (e && req.method === 'PATCH') {
      const range = /^bytes (\d+)-(\d+)\/\*$/.exec(String(req.headers['content-range']));
      if (!range || Number(range[2]) - Number(range[1]) + 1 !== body.length) return json(400);
      e.chunks.push(body);
      return json(204);
    }
    if (e && req.method === 'POST') {
      const { size } = JSON.parse(body.toString()) as { size: number };
      if (size !== Buffer.concat(e.chunks).length) return json(400, { message: 'size mismatch' });
      e.size = size;
      return json(204);
    }
    return json(404, { message: `not served: ${req.method} ${url.pathname}` });
  }
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const BINARIES = ['kubeadm', 'kubectl', 'kubelet'];

describe("the pinned downloads in GitHub's cache", () => {
  const service = new FakeCacheService();
  const saved: Record<string, string | undefined> = {};
  let plan: Plan;
  let dir: string;

  beforeAll(async () => {
    await service.start();
    for (const k of [
      'ACTIONS_CACHE_URL',
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_RESULTS_URL',
      'ACTIONS_CACHE_SERVICE_V2',
      'GITHUB_WORKSPACE',
    ]) {
      saved[k] = process.env[k];
    }
    process.env.ACTIONS_CACHE_URL = service.url;
    process.env.ACTIONS_RUNTIME_TOKEN = TOKEN;
    delete process.env.ACTIONS_RESULTS_URL;
    delete process.env.ACTIONS_CACHE_SERVICE_V2;
    // the tool cache's path is the same on every hosted runner; the cache's version depends on it
    dir = join(tempDir('te-toolcache-'), 'tungsten-e2e', 'artifacts');
    process.env.GITHUB_WORKSPACE = tempDir('te-workspace-');
    plan = structuredClone(buildPlanFromConfig(await loadSiteFile('examples/aws-azure.yml')));
    plan.profile.kubernetes.binaries.checksums = Object.fromEntries(
      BINARIES.map((b) => [b, `sha1:${sha1(`binary ${b}\n`)}`]),
    );
  });

  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await service.stop();
  });

  beforeEach(() => {
    rmSync(dir, { recursive: true, force: true });
    service.failAll = false;
  });

  /** what a run's ArtifactCache leaves in the directory: each pinned binary, checked */
  const fill = () => {
    mkdirSync(dir, { recursive: true });
    for (const b of BINARIES) {
      writeFileSync(join(dir, `sha1-${sha1(`binary ${b}\n`)}-${b}`), `binary ${b}\n`);
    }
  };

  it('a cold runner misses and saves after the run; the next runner restores it and downloads nothing', async () => {
    const logger = memoryLogger();
    const cold = await restoreArtifacts(plan, dir, actionsCache, logger);
    expect(cold).toEqual({ key: cacheKey(plan), dir, hit: false });
    fill();
    await saveArtifacts(cold, actionsCache, logger);
    expect(service.entries.map((e) => `${e.key} ${e.size !== undefined}`)).toEqual([
      `${cacheKey(plan)} true`,
    ]);
    expect(logger.lines.join('\n')).toContain(`artifact cache: saved ${cacheKey(plan)} (3 files)`);

    // the next job: an empty tool cache, restored from GitHub's cache
    rmSync(dir, { recursive: true, force: true });
    const warm = await restoreArtifacts(plan, dir, actionsCache, logger);
    expect(warm?.hit).toBe(true);
    expect(readdirSync(dir).sort()).toHaveLength(3);
    const noNetwork = (() => {
      throw new Error('no download expected');
    }) as unknown as typeof fetch;
    const artifacts = new ArtifactCache(dir, noNetwork);
    const resolved = await artifacts.resolveAll(plan);
    expect(resolved.every((a) => a.hit)).toBe(true);
    expect(artifacts.downloads).toBe(0);
    // a restored entry is not saved again
    const before = service.requests.length;
    await saveArtifacts(warm, actionsCache, logger);
    expect(service.requests.slice(before)).toEqual([]);
  });

  it('runs that download nothing (local sites, a profile with packages whose nodes pull) never ask the cache', async () => {
    const before = service.requests.length;
    const local = buildPlanFromConfig(await loadSiteFile('examples/local.yml'));
    const runnerPulls = buildPlanFromConfig(await loadSiteFile('examples/opensdn-aws-gcp.yml'));
    const packages: Plan = {
      ...runnerPulls,
      registry: { ...runnerPulls.registry, images: 'nodes' },
    };
    expect(await restoreArtifacts(local, dir, actionsCache, memoryLogger())).toBeUndefined();
    expect(await restoreArtifacts(packages, dir, actionsCache, memoryLogger())).toBeUndefined();
    expect(service.requests.length).toBe(before);
    // the control: the same profile with the runner pulling its images keeps them in the cache
    expect(runnerPulls.registry.images).toBe('runner');
    expect(cacheKey(runnerPulls)).not.toBe(cacheKey(packages));
    const restored = await restoreArtifacts(runnerPulls, dir, actionsCache, memoryLogger());
    expect(restored?.key).toBe(cacheKey(runnerPulls));
    expect(service.requests.length).toBeGreaterThan(before);
  });

  it('a cache service that fails is a warning and the run downloads; the control: its entry stays unsaved', async () => {
    service.failAll = true;
    const logger = memoryLogger();
    const restored = await restoreArtifacts(plan, dir, actionsCache, logger);
    expect(restored?.hit).toBe(false);
    fill();
    const entries = service.entries.length;
    await saveArtifacts(restored, actionsCache, logger);
    expect(service.entries.length).toBe(entries);
    expect(logger.lines.join('\n')).toContain(`artifact cache: ${cacheKey(plan)} was not saved`);
    expect(logger.lines.join('\n')).not.toContain('artifact cache: saved');
  });

  it('without the cache service (a CLI run, a runner without it) it says so and restores nothing', async () => {
    const url = process.env.ACTIONS_CACHE_URL;
    delete process.env.ACTIONS_CACHE_URL;
    try {
      const logger = memoryLogger();
      expect(await restoreArtifacts(plan, dir, actionsCache, logger)).toBeUndefined();
      expect(logger.lines.join('\n')).toContain("GitHub's cache is not available here");
    } finally {
      process.env.ACTIONS_CACHE_URL = url;
    }
  });

  it('keys differ by profile download list', () => {
    const other = structuredClone(plan);
    other.profile.kubernetes.binaries.checksums.kubeadm = `sha1:${randomBytes(20).toString('hex')}`;
    expect(cacheKey(other)).not.toBe(cacheKey(plan));
  });
});
