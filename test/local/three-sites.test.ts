/** Three local sites: a full mesh of eBGP sessions, and traffic between every pair. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workloads } from '../../src/fabric/fabric.js';
import { probeOne } from '../../src/fabric/fabric.js';
import type { LiveRun } from '../../src/pipeline.js';
import {
  birdc,
  IS_ROOT,
  leftovers,
  NOTHING,
  noteSkip,
  removeScratch,
  Runs,
  siteFile,
} from './helpers.js';

noteSkip('local provider, three sites');

describe.skipIf(!IS_ROOT)('local provider + emulated fabric: three sites, full mesh', () => {
  const runs = new Runs();
  let live: LiveRun;
  let world: Workloads;

  beforeAll(async () => {
    // examples/local-three.yml's sites, with no worker at "north": its master runs the pods
    ({ live } = await runs.up(
      siteFile([{ name: 'east' }, { name: 'west' }, { name: 'north', workers: 0 }]),
    ));
    const deployed = await Promise.all(
      live.sites.map((s) => live.fabric.deployWorkloads(s, ['tenant-a', 'tenant-b'], live.ctx)),
    );
    world = {
      pods: deployed.flatMap((w) => w.pods),
      services: deployed.flatMap((w) => w.services),
    };
  }, 90_000);

  afterAll(async () => {
    await live?.close();
    await runs.downAll();
    removeScratch();
    if (live) expect(leftovers(live.runId)).toEqual(NOTHING);
  }, 60_000);

  it('every pair of control nodes is established', () => {
    const pairs = live.connect.established.map((p) => [p.a, p.b].sort().join('-')).sort();
    expect(pairs).toEqual(['east-north', 'east-west', 'north-west']);
    expect(live.connect.down).toEqual([]);
    for (const site of ['east', 'west', 'north']) {
      const protocols = birdc(live.runId, `${site}-master`, 'control', 'show', 'protocols');
      const peers = protocols.split('\n').filter((l) => l.startsWith('peer_'));
      expect(peers).toHaveLength(2);
      for (const p of peers) expect(p).toContain('Established');
    }
  });

  it("a client at every site reaches every other site's services", async () => {
    const results: string[] = [];
    for (const from of world.pods.filter(
      (p) => p.role === 'client' && p.namespace === 'tenant-a',
    )) {
      for (const to of world.services.filter(
        (s) => s.site !== from.site && s.namespace === 'tenant-a',
      )) {
        const r = await probeOne(live.fabric, from, { ip: to.ip, port: to.port }, 2000, live.ctx);
        const backend = world.pods.find(
          (p) => p.site === to.site && p.namespace === to.namespace && p.role === 'backend',
        )!;
        results.push(
          `${from.site}->${to.site}: ${r.result} ${r.result === 'connected' ? r.detail === backend.name : r.detail}`,
        );
      }
    }
    expect(results.sort()).toEqual([
      'east->north: connected true',
      'east->west: connected true',
      'north->east: connected true',
      'north->west: connected true',
      'west->east: connected true',
      'west->north: connected true',
    ]);
  });
});
