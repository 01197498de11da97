/**
 * Acceptance, end to end on this host: two local sites up, a pod at one site
 * reaches a service at the other over a route learned by BGP, isolation
 * rules are enforced, and down leaves nothing carrying the run id.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsolationConfig, Workloads } from '../../src/fabric/fabric.js';
import { probeOne } from '../../src/fabric/fabric.js';
import { down } from '../../src/pipeline.js';
import { LocalProvider } from '../../src/providers/local/index.js';
import type { LiveRun } from '../../src/pipeline.js';
import {
  birdc,
  IS_ROOT,
  ipIn,
  leftovers,
  NOTHING,
  noteSkip,
  removeScratch,
  Runs,
  siteFile,
  testLogger,
} from './helpers.js';

noteSkip('local provider, two sites');

describe.skipIf(!IS_ROOT)('local provider + emulated fabric: two sites', () => {
  const runs = new Runs();
  let live: LiveRun;
  let world: Workloads;

  beforeAll(async () => {
    ({ live } = await runs.up(siteFile([{ name: 'east' }, { name: 'west' }])));
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
  }, 60_000);

  const client = (site: string, ns: string) =>
    world.pods.find((p) => p.site === site && p.namespace === ns && p.role === 'client')!;
  const service = (site: string, ns: string) =>
    world.services.find((s) => s.site === site && s.namespace === ns)!;
  const backend = (site: string, ns: string) =>
    world.pods.find((p) => p.site === site && p.namespace === ns && p.role === 'backend')!;

  it('establishes BGP between the two control nodes and reports every service active', async () => {
    expect(live.connect.established).toEqual([{ a: 'east', b: 'west' }]);
    expect(live.connect.down).toEqual([]);
    for (const site of live.sites) {
      const status = await live.fabric.status(site, live.ctx);
      expect(Object.keys(status).sort()).toEqual(
        [`${site.plan.name}-master`, `${site.plan.name}-worker-1`].sort(),
      );
      expect(status[`${site.plan.name}-master`]).toContain(
        '== Contrail control ==\ncontrol: active',
      );
      for (const text of Object.values(status)) {
        expect(text).toContain('== Contrail vrouter ==');
        expect(text).toContain('agent: active');
        expect(text).not.toMatch(/initializing|inactive/);
      }
    }
  });

  it('the WireGuard tunnel carries every cross-site packet: its counters grow with the traffic, and with it down nothing crosses', async () => {
    const edge = `te-${live.runId}-east-edge`;
    const device = `te${live.runId}g0`;
    // MTU: the underlay's 1500 less WireGuard's 60; inside it the overlay's VXLAN less its 50
    expect(ipIn(edge, 'link', 'show', device)).toMatch(/ mtu 1440 /);
    expect(ipIn(`te-${live.runId}-east-master`, 'link', 'show', `te${live.runId}t1`)).toMatch(
      / mtu 1390 /,
    );
    const cross = () =>
      probeOne(
        live.fabric,
        client('east', 'tenant-a'),
        { ip: service('west', 'tenant-a').ip, port: 80 },
        1500,
        live.ctx,
      );
    const [before] = await live.tunnels();
    expect(before).toMatchObject({ a: 'east', b: 'west', handshake: true });
    expect(await cross()).toMatchObject({ result: 'connected' });
    const [after] = await live.tunnels();
    expect(after!.txBytes).toBeGreaterThan(before!.txBytes);
    expect(after!.rxBytes).toBeGreaterThan(before!.rxBytes);
    // the WAN routes no underlay: with the tunnel's interface down there is no other way across
    ipIn(edge, 'link', 'set', device, 'down');
    try {
      expect(['timeout', 'unreachable', 'refused']).toContain((await cross()).result);
    } finally {
      ipIn(edge, 'link', 'set', device, 'up');
      // the routes went with the link; the edge's script puts them back when run again
      const westUnderlay = live.plan.sites.find((x) => x.name === 'west')!.cidrs.underlay;
      ipIn(edge, 'route', 'replace', westUnderlay, 'dev', device);
    }
    expect(await cross()).toMatchObject({ result: 'connected' });
  });

  it("a pod at east reaches a service at west and gets west's backend name", async () => {
    const from = client('east', 'tenant-a');
    const to = service('west', 'tenant-a');
    const outcome = await probeOne(live.fabric, from, { ip: to.ip, port: to.port }, 2000, live.ctx);
    expect(outcome).toMatchObject({
      result: 'connected',
      detail: backend('west', 'tenant-a').name,
    });
    // and the other way round, to a pod address directly
    const back = await probeOne(
      live.fabric,
      client('west', 'tenant-b'),
      { ip: backend('east', 'tenant-b').ip, port: 8080 },
      2000,
      live.ctx,
    );
    expect(back).toMatchObject({ result: 'connected', detail: backend('east', 'tenant-b').name });
  });

  it('the route used was learned over BGP (birdc show route) and is in the kernel', () => {
    const runId = live.runId;
    const west = live.plan.sites.find((s) => s.name === 'west')!;
    const vip = service('west', 'tenant-a').ip;
    // east's control node learned west's service range from its eBGP peer
    const control = birdc(runId, 'east-master', 'control', 'show', 'route', 'for', vip, 'all');
    expect(control).toContain(west.cidrs.service);
    expect(control).toMatch(/\[peer_west [^\]]* from 172\.16\.1\.10\]/);
    expect(control).toContain('BGP.as_path: 64513');
    // east's worker (where the client runs) got it from the control node over its "XMPP" session
    const agent = birdc(runId, 'east-worker-1', 'agent', 'show', 'route', 'for', vip, 'all');
    expect(agent).toMatch(/unicast \[xmpp /);
    expect(agent).toContain('Type: BGP');
    expect(agent).toContain('BGP.next_hop: 172.16.0.10');
    expect(agent).toContain('BGP.as_path: 64513');
    // and BIRD put both into the kernels that forward the packet
    expect(ipIn(`te-${runId}-east-worker-1`, 'route', 'get', vip)).toMatch(
      /via 172\.16\.0\.10 .*\n?/,
    );
    expect(ipIn(`te-${runId}-east-worker-1`, 'route', 'show', west.cidrs.service)).toContain(
      'proto bird',
    );
    expect(ipIn(`te-${runId}-east-master`, 'route', 'show', west.cidrs.service)).toMatch(
      /via 169\.254\.0\.1 dev te\w+t1 proto bird/,
    );
  });

  it('applies namespace isolation from the annotations, and lifts it again', async () => {
    const isolated: IsolationConfig = {
      mode: 'namespace',
      namespaces: [
        { name: 'tenant-a', labels: {}, annotations: { 'opencontrail.org/isolation': 'true' } },
        { name: 'tenant-b', labels: {}, annotations: {} },
      ],
      networkPolicies: [],
    };
    await Promise.all(
      live.sites.map((s) => live.fabric.applyIsolation(s, isolated, world, live.ctx)),
    );
    const target = service('west', 'tenant-a');
    const outsider = await probeOne(
      live.fabric,
      client('east', 'tenant-b'),
      { ip: target.ip, port: target.port },
      2000,
      live.ctx,
    );
    expect(outsider.result).toBe('timeout');
    const insider = await probeOne(
      live.fabric,
      client('east', 'tenant-a'),
      { ip: target.ip, port: target.port },
      2000,
      live.ctx,
    );
    expect(insider).toMatchObject({
      result: 'connected',
      detail: backend('west', 'tenant-a').name,
    });

    const open: IsolationConfig = { mode: 'default', namespaces: [], networkPolicies: [] };
    await Promise.all(live.sites.map((s) => live.fabric.applyIsolation(s, open, world, live.ctx)));
    const again = await probeOne(
      live.fabric,
      client('east', 'tenant-b'),
      { ip: target.ip, port: target.port },
      2000,
      live.ctx,
    );
    expect(again.result).toBe('connected');
  });

  it('one probe call answers many targets in order: a drop is a timeout, a closed port a reset', async () => {
    const isolated: IsolationConfig = {
      mode: 'namespace',
      namespaces: [
        { name: 'tenant-a', labels: {}, annotations: { 'opencontrail.org/isolation': 'true' } },
        { name: 'tenant-b', labels: {}, annotations: {} },
      ],
      networkPolicies: [],
    };
    const apply = (config: IsolationConfig) =>
      Promise.all(live.sites.map((s) => live.fabric.applyIsolation(s, config, world, live.ctx)));
    await apply(isolated);
    const dropped = service('west', 'tenant-a');
    const open = service('west', 'tenant-b');
    const closedPort = { ip: backend('west', 'tenant-b').ip, port: 9 };
    const out = await live.fabric.probe(
      client('east', 'tenant-b'),
      [{ ip: dropped.ip, port: dropped.port }, { ip: open.ip, port: open.port }, closedPort],
      1000,
      live.ctx,
    );
    expect(out.map((o) => o.result)).toEqual(['timeout', 'connected', 'refused']);
    expect(out[1]!.detail).toBe(backend('west', 'tenant-b').name);
    await apply({ mode: 'default', namespaces: [], networkPolicies: [] });
  });

  it('service isolation opens services but not pods; a NetworkPolicy admits only its peers', async () => {
    const apply = (config: IsolationConfig) =>
      Promise.all(live.sites.map((s) => live.fabric.applyIsolation(s, config, world, live.ctx)));
    const probe = (from: string, ip: string, port: number) =>
      probeOne(live.fabric, client('east', from), { ip, port }, 2000, live.ctx).then(
        (r) => r.result,
      );
    const svc = service('west', 'tenant-a');
    const pod = backend('west', 'tenant-a');

    await apply({
      mode: 'service',
      namespaces: [
        {
          name: 'tenant-a',
          labels: {},
          annotations: {
            'opencontrail.org/isolation': 'true',
            'opencontrail.org/isolation.service': 'false',
          },
        },
        { name: 'tenant-b', labels: {}, annotations: {} },
      ],
      networkPolicies: [],
    });
    expect(await probe('tenant-b', svc.ip, svc.port)).toBe('connected');
    expect(await probe('tenant-b', pod.ip, pod.port!)).toBe('timeout');
    expect(await probe('tenant-a', pod.ip, pod.port!)).toBe('connected');

    await apply({
      mode: 'container',
      namespaces: [
        { name: 'tenant-a', labels: {}, annotations: {} },
        { name: 'tenant-b', labels: {}, annotations: {} },
      ],
      networkPolicies: [
        {
          name: 'echo-from-clients',
          namespace: 'tenant-a',
          podSelector: { app: 'echo' },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { app: 'client' } }] }],
        },
      ],
    });
    expect(await probe('tenant-b', svc.ip, svc.port)).toBe('timeout');
    expect(await probe('tenant-b', pod.ip, pod.port!)).toBe('timeout');
    expect(await probe('tenant-a', svc.ip, svc.port)).toBe('connected');
    // tenant-b's pods are selected by no policy
    expect(await probe('tenant-a', backend('west', 'tenant-b').ip, 8080)).toBe('connected');

    await apply({ mode: 'default', namespaces: [], networkPolicies: [] });
  });

  it('the janitor finds the run by its marker once it has expired, and not before', async () => {
    const provider = new LocalProvider();
    const ctx = { logger: testLogger(), signal: new AbortController().signal };
    const now = await provider.listExpired(new Date(), ctx);
    expect(now.map((r) => r.runId)).not.toContain(live.runId);
    const later = await provider.listExpired(new Date(Date.now() + 2 * 3600_000), ctx);
    const mine = later.find((r) => r.runId === live.runId)!;
    expect(mine.expiresAt.toISOString()).toBe(live.store.state.expiresAt);
    expect(mine.resources.filter((r) => r.kind === 'netns')).toHaveLength(1 + 2 * 3 + 2 * 4);
    expect(mine.resources.filter((r) => r.kind === 'process').length).toBeGreaterThanOrEqual(
      2 * 3 /* sshd */ + 2 * 3 /* bird */ + 2 * 2 /* echo */,
    );
  });

  it('down leaves nothing carrying the run id, and a second down is a no-op', async () => {
    const runId = live.runId;
    expect(leftovers(runId).netns.length).toBeGreaterThan(0);
    await live.close();
    const first = await down({ stateDir: live.stateDir }, { logger: testLogger() });
    expect(first.alreadyDown).toBe(false);
    expect(first.deleted.filter((d) => d.kind === 'netns').length).toBe(
      1 /* wan */ + 2 * 3 /* hosts */ + 2 * 4 /* pods */,
    );
    expect(leftovers(runId)).toEqual(NOTHING);
    const stateFile = join(live.stateDir, 'state.json');
    const written = readFileSync(stateFile, 'utf8');
    const mtime = statSync(stateFile).mtimeMs;
    const second = await down({ stateDir: live.stateDir }, { logger: testLogger() });
    expect(second).toMatchObject({ alreadyDown: true, deleted: [], remaining: [] });
    expect(leftovers(runId)).toEqual(NOTHING);
    // a no-op: the state stays as the first down wrote it
    expect(readFileSync(stateFile, 'utf8')).toBe(written);
    expect(statSync(stateFile).mtimeMs).toBe(mtime);
  });
});
