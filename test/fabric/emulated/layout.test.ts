import { describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../../src/config/load.js';
import {
  backendsOf,
  pairIndex,
  siteFabricLayout,
  siteWorkloadLayout,
  tunnelEnd,
} from '../../../src/fabric/emulated/layout.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';

const plan = buildPlanFromConfig(
  parseSiteFile(
    `sites:
  - { name: east, provider: local, nodes: { workers: 2 } }
  - { name: west, provider: local, nodes: { workers: 0 }, cidrs: { pod: 10.50.0.0/24 } }
`,
    'sites.yml',
  ),
);
const [east, west] = plan.sites as [(typeof plan.sites)[0], (typeof plan.sites)[0]];

describe('emulated fabric layout', () => {
  it('gives every node a slice of the pod range, pods on workers only when there are workers', () => {
    const l = siteFabricLayout(east);
    expect(l.nodes.map((n) => [n.host, n.podSlice, n.podGateway, n.hostsPods])).toEqual([
      ['east-master', '10.32.0.0/24', '10.32.0.1', false],
      ['east-worker-1', '10.32.1.0/24', '10.32.1.1', true],
      ['east-worker-2', '10.32.2.0/24', '10.32.2.1', true],
    ]);
    // a /24 pod range is cut smaller; with no worker the master runs the pods
    const w = siteFabricLayout(west);
    expect(w.nodes.map((n) => [n.podSlice, n.hostsPods])).toEqual([['10.50.0.0/24', true]]);
    expect(w.compute.map((n) => n.host)).toEqual(['west-master']);
  });

  it('places a backend, a client and a service per namespace, alternating over the compute nodes', () => {
    const wl = siteWorkloadLayout('ab12cd', east, siteFabricLayout(east), ['tenant-a', 'tenant-b']);
    expect(wl.pods.map((p) => [p.namespace, p.name, p.role, p.node, p.ip])).toEqual([
      ['tenant-a', 'echo-east-tenant-a', 'backend', 'east-worker-1', '10.32.1.2'],
      ['tenant-a', 'client-east-tenant-a', 'client', 'east-worker-2', '10.32.2.2'],
      ['tenant-b', 'echo-east-tenant-b', 'backend', 'east-worker-1', '10.32.1.3'],
      ['tenant-b', 'client-east-tenant-b', 'client', 'east-worker-2', '10.32.2.3'],
    ]);
    expect(wl.pods[0]).toMatchObject({
      netns: 'te-ab12cd-east-pod-tenant-a-echo-east-tenant-a',
      nodeLink: 'teab12cdq0',
      podLink: 'teab12cdk0',
      gateway: '10.32.1.1',
    });
    expect(wl.services.map((s) => [s.namespace, s.name, s.ip, s.port, s.targetPort])).toEqual([
      ['tenant-a', 'echo', '10.96.0.10', 80, 8080],
      ['tenant-b', 'echo', '10.96.0.11', 80, 8080],
    ]);
    expect(backendsOf(wl.services[1]!, wl.pods).map((p) => p.name)).toEqual(['echo-east-tenant-b']);
  });

  it('pairs sites on VXLAN tunnels whose two ends agree', () => {
    const a = tunnelEnd('ab12cd', east, west);
    const b = tunnelEnd('ab12cd', west, east);
    expect(a).toMatchObject({
      device: 'teab12cdt1',
      vni: 4096,
      local: '172.16.0.10',
      remote: '172.16.1.10',
      address: '169.254.0.0',
      peerAddress: '169.254.0.1',
    });
    expect(b).toMatchObject({
      device: 'teab12cdt0',
      vni: a.vni,
      address: a.peerAddress,
      peerAddress: a.address,
    });
    const seen = new Set<number>();
    for (let j = 1; j < 100; j++) for (let i = 0; i < j; i++) seen.add(pairIndex(i, j));
    expect(seen.size).toBe((100 * 99) / 2);
    expect(pairIndex(3, 7)).toBe(pairIndex(7, 3));
  });
});
