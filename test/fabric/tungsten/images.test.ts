/**
 * The runner's image pulls (registry.images: runner) against a real registry:
 * Debian's docker-registry on 127.0.0.1, seeded with small images of real tar
 * layers, one behind a linux/amd64 + linux/arm64 index, and Docker Hub's
 * Bearer token flow played in front of it (tokenGate). The node's side is the
 * rendered `images` step run by real bash over the pushed layout, with
 * stand-in runtimes (standins/docker, standins/ctr) whose load hands the
 * archive to the real skopeo, which reads every layer against the config.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../../src/config/load.js';
import { InfraError } from '../../../src/errors.js';
import { manifestImages, nodeImageLayout } from '../../../src/fabric/tungsten/images/layout.js';
import { parseImageRef, RegistryClient } from '../../../src/fabric/tungsten/images/registry.js';
import { ImageStore } from '../../../src/fabric/tungsten/images/store.js';
import { IMAGE_DIR, installSteps } from '../../../src/fabric/tungsten/install/steps.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';
import { Cleanup, tempDir } from '../../remote/harness.js';
import {
  registryUnavailable,
  startRegistry,
  tokenGate,
  type RegistryServer,
  type SeededImage,
} from './registryServer.js';

const STANDINS = resolve('test/fabric/tungsten/standins');
const noRegistry = registryUnavailable('image pulls against a real registry');

const cleanup = new Cleanup();
/** retries without the waits */
const NO_WAIT = { retryDelaysMs: [0, 0] };

describe.skipIf(noRegistry)('images pulled on the runner and loaded on the nodes', () => {
  let registry: RegistryServer;
  let dir: string;
  let control: SeededImage;
  let agent: SeededImage;

  beforeAll(async () => {
    dir = tempDir(cleanup, 'te-images-');
    registry = await startRegistry(cleanup, join(dir, 'registry'));
    // two images sharing their base layer, as TF's do; one behind a multi-platform index
    control = await registry.push('opensdn/opensdn-controller-control', '2025-11-03', {
      base: 'the shared base layer\n',
      control: 'contrail-control\n',
    });
    agent = await registry.push(
      'opensdn/opensdn-vrouter-agent',
      '2025-11-03',
      { base: 'the shared base layer\n', agent: 'contrail-vrouter-agent\n' },
      { index: true },
    );
  }, 30_000);

  afterAll(() => cleanup.run(), 30_000);

  it('reads references as a runtime does: Docker Hub by default, library/ for a single name, a port is a host', () => {
    expect(parseImageRef('busybox:1.28')).toMatchObject({
      ref: 'docker.io/library/busybox:1.28',
      host: 'registry-1.docker.io',
      repository: 'library/busybox',
      reference: '1.28',
    });
    expect(parseImageRef('opensdn/opensdn-vrouter-agent:2025-11-03')).toMatchObject({
      ref: 'docker.io/opensdn/opensdn-vrouter-agent:2025-11-03',
      repository: 'opensdn/opensdn-vrouter-agent',
    });
    expect(parseImageRef('127.0.0.1:5000/opensdn/x')).toMatchObject({
      host: '127.0.0.1:5000',
      repository: 'opensdn/x',
      reference: 'latest',
    });
    expect(() => parseImageRef('Not An Image')).toThrow(InfraError);
  });

  it('pulls each image once into blobs by digest: the amd64 entry of an index, shared layers stored once; then from the store with no registry asked', async () => {
    const storeDir = join(dir, 'store-cold-warm');
    const store = new ImageStore(storeDir);
    const cold = new RegistryClient(undefined, NO_WAIT);
    const first = await store.resolveAll([control.ref, agent.ref], cold);
    expect(first.map((i) => i.hit)).toEqual([false, false]);
    expect(first[1]!.layers.map((l) => l.digest)).toEqual(agent.layers);
    expect(first[1]!.config.digest).toBe(agent.config);
    // index, then the amd64 manifest: 3 manifest GETs for two images
    expect(cold.manifestGets).toBe(3);
    // the base layer is the same blob in both images, kept once
    expect(control.layers[0]).toBe(agent.layers[0]);
    const blobs = readdir(join(storeDir, 'blobs', 'sha256'));
    expect(blobs).toHaveLength(
      new Set([...control.layers, ...agent.layers, control.config, agent.config]).size,
    );

    const warm = new RegistryClient(undefined, NO_WAIT);
    const again = await new ImageStore(storeDir).resolveAll([control.ref, agent.ref], warm);
    expect(again.map((i) => i.hit)).toEqual([true, true]);
    expect(warm.manifestGets).toBe(0);

    // the control: a damaged blob in the store is not trusted; the image is pulled again
    const damaged = new ImageStore(storeDir).blobPath(control.layers[1]!);
    writeFileSync(damaged, 'not the layer');
    const repaired = await new ImageStore(storeDir).resolve(
      control.ref,
      new RegistryClient(undefined, NO_WAIT),
    );
    expect(repaired.hit).toBe(false);
    expect(sha256(readFileSync(damaged))).toBe(control.layers[1]);
  });

  it('a registry that serves other bytes than the digest is refused, naming the image and blob, and nothing is kept', async () => {
    const bad = await registry.push('opensdn/opensdn-tampered', '1', { only: 'the real layer\n' });
    // change the blob in the registry's own storage: it serves what is on disk
    const hex = bad.layers[0]!.slice('sha256:'.length);
    const data = join(
      dir,
      'registry',
      'storage',
      'docker',
      'registry',
      'v2',
      'blobs',
      'sha256',
      hex.slice(0, 2),
      hex,
      'data',
    );
    writeFileSync(data, 'tampered bytes');
    const store = new ImageStore(join(dir, 'store-tampered'));
    const e = await store
      .resolve(bad.ref, new RegistryClient(undefined, NO_WAIT))
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InfraError);
    expect((e as Error).message).toMatch(
      new RegExp(
        `^${escape(bad.ref)}: blob ${bad.layers[0]}: checksum mismatch: arrived as sha256:[0-9a-f]{64}; nothing was kept \\(3 tries\\)$`,
      ),
    );
    expect(readdir(join(dir, 'store-tampered', 'blobs', 'sha256'))).not.toContain(hex);
    const missing = await store
      .resolve(`${registry.host}/opensdn/opensdn-none:1`, new RegistryClient(undefined, NO_WAIT))
      .catch((x: unknown) => x);
    expect((missing as Error).message).toBe(
      `${registry.host}/opensdn/opensdn-none:1: http://${registry.host}/v2/opensdn/opensdn-none/manifests/1 answered HTTP 404`,
    );
  });

  it("Docker Hub's token flow: a 401 with a Bearer challenge, a token for the repository's pull scope with the run's registry user, then the pull", async () => {
    const gate = await tokenGate(cleanup, registry, 'ci-bot', 'pw-0123');
    const ref = control.ref.replace(registry.host, gate.host);
    const client = new RegistryClient(
      { host: gate.host, username: 'ci-bot', password: 'pw-0123' },
      NO_WAIT,
    );
    const image = await new ImageStore(join(dir, 'store-token')).resolve(ref, client);
    expect(image.layers.map((l) => l.digest)).toEqual(control.layers);
    expect(gate.tokenRequests[0]).toBe(
      'ci-bot:pw-0123 registry.test repository:opensdn/opensdn-controller-control:pull',
    );
    // the token is kept for the repository: one token for the manifest and every blob
    expect(gate.tokenRequests).toHaveLength(1);
    expect(gate.manifestGets).toBe(1);
    // the control: a wrong password is refused by the token service, and said so
    const wrong = new RegistryClient(
      { host: gate.host, username: 'ci-bot', password: 'nope' },
      NO_WAIT,
    );
    const e = await new ImageStore(join(dir, 'store-token-2'))
      .resolve(ref, wrong)
      .catch((x: unknown) => x);
    expect((e as Error).message).toBe(
      `${gate.host}/opensdn/opensdn-controller-control:2025-11-03: the registry's token service http://${gate.host} answered HTTP 401 (check the registry user and password)`,
    );
    // blobs behind a redirect to another origin, as Docker Hub's CDN: followed, and no credential goes along
    gate.cdn.redirect = true;
    const viaCdn = await new ImageStore(join(dir, 'store-cdn')).resolve(
      ref,
      new RegistryClient({ host: gate.host, username: 'ci-bot', password: 'pw-0123' }, NO_WAIT),
    );
    expect(viaCdn.layers.map((l) => l.digest)).toEqual(control.layers);
    expect(gate.cdn.served).toBe(1 + control.layers.length);
    expect(gate.cdn.withAuthorization).toBe(0);
    gate.cdn.redirect = false;
    // credentials are only for their own registry: another host gets none
    const elsewhere = new RegistryClient(
      {
        host: 'docker.io',
        username: 'ci-bot',
        password: 'pw-0123',
      },
      NO_WAIT,
    );
    const e2 = await new ImageStore(join(dir, 'store-token-3'))
      .resolve(ref, elsewhere)
      .catch((x: unknown) => x);
    expect((e2 as Error).message).toContain('answered HTTP 401');
    expect(gate.tokenRequests.at(-1)).toMatch(/^ registry.test /);
  });

  it('a failing registry: a 5xx is tried again (3 tries), a 429 is not and names the pull limit and what to set', async () => {
    const gate = await tokenGate(cleanup, registry, 'ci-bot', 'pw-0123');
    const ref = agent.ref.replace(registry.host, gate.host);
    const auth = { host: gate.host, username: 'ci-bot', password: 'pw-0123' };
    gate.fail = { status: 503, count: 2 };
    const image = await new ImageStore(join(dir, 'store-flaky')).resolve(
      ref,
      new RegistryClient(auth, NO_WAIT),
    );
    expect(image.layers.map((l) => l.digest)).toEqual(agent.layers);
    expect(gate.failed).toBe(2);
    // the control: one failure more than the tries
    gate.fail = { status: 503, count: 3 };
    const e = await new ImageStore(join(dir, 'store-flaky-2'))
      .resolve(ref, new RegistryClient(auth, NO_WAIT))
      .catch((x: unknown) => x);
    expect((e as Error).message).toBe(
      `${ref}: http://${gate.host}/v2/opensdn/opensdn-vrouter-agent/manifests/2025-11-03 answered HTTP 503 (3 tries)`,
    );
    gate.fail = {
      status: 429,
      count: 1,
      body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your unauthenticated pull rate limit."}]}',
    };
    const before = gate.failed;
    const limited = await new ImageStore(join(dir, 'store-limited'))
      .resolve(ref, new RegistryClient(auth, NO_WAIT))
      .catch((x: unknown) => x);
    expect(gate.failed - before).toBe(1);
    expect((limited as Error).message).toBe(
      `${ref}: ${gate.host} refused the pull with HTTP 429 (its pull limit: {"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your unauthenticated pull rate limit."}]}); give registry credentials (registry.username and the registry-password input), or set registry.mirror`,
    );
  });

  it("finds every image a rendered manifest runs (containers and init containers) and the test pods' image, each once", () => {
    const rendered = readFileSync('test/fixtures/manifests/opensdn-standalone.yaml', 'utf8')
      .replace(/\{\{ ?CONTRAIL_REGISTRY ?\}\}/g, 'docker.io/opensdn')
      .replace(/\{\{ ?CONTRAIL_CONTAINER_TAG ?\}\}/g, '2025-11-03')
      .replace(/\{\{ ?VROUTER_KERNEL_INIT_IMAGE ?\}\}/g, 'opensdn-vrouter-kernel-init')
      .replace(/\{\{[^}]*\}\}/g, 'x');
    const images = manifestImages(rendered, ['busybox:1.28', 'busybox:1.28']);
    expect(images).toContain('docker.io/opensdn/opensdn-vrouter-kernel-init:2025-11-03');
    expect(images).toContain('docker.io/opensdn/opensdn-external-kafka:2025-11-03');
    expect(images.at(-1)).toBe('busybox:1.28');
    expect(new Set(images).size).toBe(images.length);
    expect(images.filter((i) => !i.startsWith('docker.io/opensdn/opensdn-'))).toEqual([
      'busybox:1.28',
    ]);
  });

  for (const example of ['examples/aws-azure.yml', 'examples/opensdn-aws-gcp.yml']) {
    it(`${example}: the node's images step checks the pushed blobs, loads each image once as a docker-archive the real skopeo reads, and a second run loads nothing`, async () => {
      const plan = buildPlanFromConfig(await loadSiteFile(example));
      const runtime = plan.profile['container-runtime'].name;
      const root = join(dir, `node-${runtime}`);
      const log = join(root, 'calls.log');
      mkdirSync(root, { recursive: true });
      writeFileSync(log, '');
      const store = new ImageStore(join(dir, 'store-node'));
      const images = await store.resolveAll(
        [control.ref, agent.ref],
        new RegistryClient(undefined, NO_WAIT),
      );
      // what the fabric pushes, written here under the node's root
      const layout = nodeImageLayout(images, store);
      const at = (p: string) => join(root, IMAGE_DIR, p);
      for (const b of layout.blobs) {
        mkdirSync(dirname(at(b.remote)), { recursive: true });
        writeFileSync(at(b.remote), readFileSync(b.local));
      }
      for (const f of layout.files) {
        mkdirSync(dirname(at(f.path)), { recursive: true });
        writeFileSync(at(f.path), f.content);
      }
      const site = plan.sites[0]!;
      const step = installSteps(plan, site, {}, { root }).find((s) => s.name === 'images')!;
      const run = () =>
        spawnSync('bash', ['--norc', '-c', step.script(site.hosts[0]!)], {
          encoding: 'utf8',
          env: {
            PATH: `${STANDINS}:${process.env.PATH}`,
            TE_ROOT: root,
            TE_LOG: log,
            TE_HOST: 'n1',
          },
        });
      const first = run();
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout.trim().split('\n')).toEqual(
        images.map((i) => `${i.ref}: loaded from the runner's image store`),
      );
      const loaded = readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => /-loaded /.test(l));
      expect(loaded).toEqual(
        images.map((i) => `n1 ${runtime === 'docker' ? 'docker' : 'ctr'}-loaded ${i.ref}`),
      );

      const second = run();
      expect(second.status).toBe(0);
      expect(second.stdout.trim().split('\n')).toEqual(
        images.map((i) => `${i.ref}: already loaded`),
      );
      expect(
        readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => /-loaded /.test(l)),
      ).toHaveLength(2);

      // the control: a blob damaged on the way is refused before anything loads it
      writeFileSync(join(root, 'runtime-images'), '');
      appendFileSync(at(`blobs/sha256/${agent.layers[1]!.slice(7)}`), 'x');
      const damaged = run();
      expect(damaged.status).toBe(1);
      expect(damaged.stderr).toContain(
        `${images[1]!.ref}: a pushed blob does not match its digest (removed; the next run pushes it again): blobs/sha256/${agent.layers[1]!.slice(7)}: FAILED`,
      );
      expect(existsSync(at(`blobs/sha256/${agent.layers[1]!.slice(7)}`))).toBe(false);
      expect(existsSync(at(`blobs/sha256/${agent.layers[0]!.slice(7)}`))).toBe(true);
    });
  }

  it("the control of the stand-in's check: an archive whose layer is not the config's is refused by skopeo", () => {
    const root = join(dir, 'bad-archive');
    mkdirSync(root, { recursive: true });
    const layer = execFileSync('tar', ['-C', STANDINS, '-cf', '-', 'ctr']);
    writeFileSync(join(root, 'layer.tar'), layer);
    writeFileSync(
      join(root, 'config.json'),
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [`sha256:${'0'.repeat(64)}`] },
      }),
    );
    writeFileSync(
      join(root, 'manifest.json'),
      JSON.stringify([{ Config: 'config.json', RepoTags: ['x/bad:1'], Layers: ['layer.tar'] }]),
    );
    const archive = execFileSync('tar', [
      '-C',
      root,
      '-cf',
      '-',
      'manifest.json',
      'config.json',
      'layer.tar',
    ]);
    const log = join(root, 'calls.log');
    const r = spawnSync(join(STANDINS, 'image-load'), ['docker'], {
      input: archive,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, TE_ROOT: root, TE_LOG: log, TE_HOST: 'n1' },
    });
    expect(r.status).toBe(1);
    expect(readFileSync(log, 'utf8')).toBe('n1 docker-load-refused x/bad:1\n');
  });
});

function readdir(path: string): string[] {
  try {
    return readdirSync(path).filter((n) => !n.endsWith('.tmp'));
  } catch {
    return [];
  }
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
