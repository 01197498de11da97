/**
 * The site file's faults, each a negative control that must turn a real
 * verdict red: no-bgp (cross-site traffic fails), control-race (the status
 * shows the race until the control pod is deleted), leak-isolation (the
 * isolation rules are never applied). What the suites and the ready phase
 * make of them (verdicts, the recorded remediation) is in suites.test.ts and
 * cli.test.ts.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { IsolationConfig, Workloads } from '../../src/fabric/fabric.js';
import { probeOne } from '../../src/fabric/fabric.js';
import type { LiveRun } from '../../src/pipeline.js';
import {
  birdc,
  eventually,
  IS_ROOT,
  ipIn,
  leftovers,
  NOTHING,
  noteSkip,
  removeScratch,
  Runs,
  siteFile,
  sleep,
} from './helpers.js';

noteSkip('local provider, faults');

async function deploy(live: LiveRun): Promise<Workloads> {
  const deployed = await Promise.all(
    live.sites.map((s) => live.fabric.deployWorkloads(s, ['tenant-a', 'tenant-b'], live.ctx)),
  );
  return { pods: deployed.flatMap((w) => w.pods), services: deployed.flatMap((w) => w.services) };
}

const pick = (world: Workloads, site: string, ns: string) => ({
  client: world.pods.find((p) => p.site === site && p.namespace === ns && p.role === 'client')!,
  backend: world.pods.find((p) => p.site === site && p.namespace === ns && p.role === 'backend')!,
  service: world.services.find((s) => s.site === site && s.namespace === ns)!,
});

/** One probe from a client pod to a service's address, port 80, within 1.5 s. */
const toService = (live: LiveRun, from: Workloads['pods'][number], to: { ip: string }) =>
  probeOne(live.fabric, from, { ip: to.ip, port: 80 }, 1500, live.ctx);

const RACE_CONTROL = 'control: initializing (No BGP configuration for self)';
const raceAgent = (ip: string) =>
  `agent: initializing (XMPP:control-node:${ip} connection down, No Configuration for self)`;

describe.skipIf(!IS_ROOT)('local provider + emulated fabric: faults', () => {
  const runs = new Runs();
  let live: LiveRun | undefined;

  afterEach(async () => {
    await live?.close();
    live = undefined;
    await runs.downAll();
  }, 60_000);
  afterAll(removeScratch);

  it('no-bgp: peering is never configured, so a pod at one site cannot reach the other', async () => {
    ({ live } = await runs.up(siteFile([{ name: 'east', faults: ['no-bgp'] }, { name: 'west' }])));
    expect(live.connect.established).toEqual([]);
    expect(live.connect.down).toEqual([
      { a: 'east', b: 'west', state: expect.stringContaining('east: not configured') },
    ]);
    const world = await deploy(live);
    const east = pick(world, 'east', 'tenant-a');
    const west = pick(world, 'west', 'tenant-a');
    const out = await toService(live, east.client, west.service);
    expect(['refused', 'timeout']).toContain(out.result);
    const back = await toService(live, west.client, east.service);
    expect(['refused', 'timeout']).toContain(back.result);
    // no route to the other site anywhere: BIRD has no session and learned nothing
    expect(birdc(live.runId, 'east-master', 'control', 'show', 'protocols')).not.toContain(
      'peer_west',
    );
    const westRanges = live.plan.sites.find((s) => s.name === 'west')!.cidrs.service;
    expect(ipIn(`te-${live.runId}-east-worker-1`, 'route', 'show', westRanges)).toBe('');
    // the same run still works inside a site: the fault is what broke it
    const local = await toService(live, east.client, east.service);
    expect(local).toMatchObject({ result: 'connected', detail: east.backend.name });
  }, 60_000);

  it('wrong-tunnel-key: no handshake, so connect names the tunnel and nothing crosses; nothing is left behind', async () => {
    ({ live } = await runs.up(
      siteFile([{ name: 'east', faults: ['wrong-tunnel-key'] }, { name: 'west' }]),
      {},
      { handshakeDeadlineMs: 2_000 },
    ));
    const runId = live.runId;
    expect(live.connect.established).toEqual([]);
    expect(live.connect.down).toEqual([
      {
        a: 'east',
        b: 'west',
        state: expect.stringContaining('the WireGuard tunnel east ↔ west has no handshake'),
      },
    ]);
    expect(await live.tunnels()).toEqual([
      { a: 'east', b: 'west', handshake: false, rxBytes: 0, txBytes: expect.any(Number) },
    ]);
    const world = await deploy(live);
    const east = pick(world, 'east', 'tenant-a');
    const west = pick(world, 'west', 'tenant-a');
    const out = await toService(live, east.client, west.service);
    expect(['refused', 'timeout', 'unreachable']).toContain(out.result);
    await live.close();
    live = undefined;
    await runs.downAll();
    expect(leftovers(runId)).toEqual(NOTHING);
  }, 60_000);

  it('control-race: status shows both initializing lines until the control pod is deleted', async () => {
    ({ live } = await runs.up(
      siteFile([{ name: 'east', faults: ['control-race'] }, { name: 'west' }]),
      { until: 'install' },
    ));
    const east = live.sites.find((s) => s.plan.name === 'east')!;
    const west = live.sites.find((s) => s.plan.name === 'west')!;
    // the race persists: several seconds is many BGP retry intervals
    for (let i = 0; i < 3; i++) {
      const status = await live.fabric.status(east, live.ctx);
      expect(status['east-master']).toContain(RACE_CONTROL);
      expect(status['east-master']).toContain(raceAgent('172.16.0.10'));
      expect(status['east-worker-1']).toContain(raceAgent('172.16.0.10'));
      await sleep(1000);
    }
    // the healthy site is not affected
    const healthy = await eventually(
      () => live!.fabric.status(west, live!.ctx),
      (s) => Object.values(s).every((t) => !/initializing/.test(t)),
      10_000,
    );
    expect(healthy['west-master']).toContain('control: active');

    await live.fabric.remediate(east, 'delete-control-pod', live.ctx);
    const after = await eventually(
      () => live!.fabric.status(east, live!.ctx),
      (s) => Object.values(s).every((t) => !/initializing|inactive/.test(t)),
      10_000,
    );
    expect(after['east-master']).toContain('control: active');
    expect(after['east-master']).toContain('agent: active');
    expect(after['east-worker-1']).toContain('agent: active');
  }, 60_000);

  it('leak-isolation: the isolation rules are never applied at that site', async () => {
    ({ live } = await runs.up(
      siteFile([{ name: 'east', faults: ['leak-isolation'] }, { name: 'west' }]),
    ));
    const world = await deploy(live);
    const config: IsolationConfig = {
      mode: 'namespace',
      namespaces: [
        { name: 'tenant-a', labels: {}, annotations: { 'opencontrail.org/isolation': 'true' } },
        { name: 'tenant-b', labels: {}, annotations: {} },
      ],
      networkPolicies: [],
    };
    await Promise.all(
      live.sites.map((s) => live!.fabric.applyIsolation(s, config, world, live!.ctx)),
    );
    const outsider = pick(world, 'west', 'tenant-b').client;
    // east leaks: its isolated namespace still answers an outsider
    const leaked = pick(world, 'east', 'tenant-a');
    const r1 = await toService(live, outsider, leaked.service);
    expect(r1).toMatchObject({ result: 'connected', detail: leaked.backend.name });
    // west enforces the same configuration: the positive control
    const enforced = pick(world, 'west', 'tenant-a');
    const r2 = await toService(live, outsider, enforced.service);
    expect(r2.result).toBe('timeout');
  }, 60_000);
});
