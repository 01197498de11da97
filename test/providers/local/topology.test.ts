import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../../src/config/load.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';
import { ownsLink, ownsNetns, processResourceId } from '../../../src/providers/local/naming.js';
import {
  blockInUse,
  publicNetwork,
  runNetworkBatch,
  siteBatches,
  siteLayout,
} from '../../../src/providers/local/topology.js';

const RUN = 'ab12cd';

function plan(sites: number, workers = 1) {
  const text = [
    'sites:',
    ...Array.from({ length: sites }, (_, i) => [
      `  - name: s${i}`,
      '    provider: local',
      `    nodes: { workers: ${workers} }`,
    ]).flat(),
  ].join('\n');
  return buildPlanFromConfig(parseSiteFile(text, 'sites.yml'));
}

describe('local topology', () => {
  it('puts the public network and the WAN in one /23 of 198.18.0.0/15', () => {
    expect(publicNetwork(RUN, 0)).toMatchObject({
      bridge: 'teab12cdr',
      cidr: '198.18.0.0/24',
      rootAddress: '198.18.0.1',
      wanNetns: 'te-ab12cd-wan',
      wanBridge: 'teab12cdw',
      wanCidr: '198.18.1.0/24',
    });
    expect(publicNetwork(RUN, 255)).toMatchObject({
      cidr: '198.19.254.0/24',
      wanCidr: '198.19.255.0/24',
    });
    expect(() => publicNetwork(RUN, 256)).toThrow(/outside/);
  });

  it('lays out a site: edge with the gateway, nodes on the underlay, public ends for master and edge', () => {
    const p = plan(2);
    const net = publicNetwork(RUN, 3);
    const west = siteLayout(RUN, net, p, p.sites[1]!);
    expect(west).toMatchObject({
      site: 's1',
      edgeNetns: 'te-ab12cd-s1-edge',
      underlayBridge: 'teab12cdb1',
      underlayCidr: '172.16.1.0/24',
      gateway: '172.16.1.1',
      wan: { address: '198.18.7.11', a: { name: 'teab12cdx1', netns: 'te-ab12cd-s1-edge' } },
    });
    // the WAN routes no underlay: only the tunnel does (src/tunnel, at the end of provisioning)
    expect(west).not.toHaveProperty('routes');
    expect(west.hosts.map((h) => [h.name, h.netns, h.address, h.public?.address])).toEqual([
      ['s1-master', 'te-ab12cd-s1-master', '172.16.1.10', '198.18.6.12'],
      ['s1-worker-1', 'te-ab12cd-s1-worker-1', '172.16.1.11', undefined],
      ['s1-edge', 'te-ab12cd-s1-edge', '172.16.1.1', '198.18.6.13'],
    ]);
    expect(west.hosts[0]!.underlay).toEqual({
      a: { name: 'teab12cdu100', netns: 'te-ab12cd-s1-master' },
      b: { name: 'teab12cdv100', netns: 'te-ab12cd-s1-edge' },
    });
    // the root end of a public veth is in the root namespace
    expect(west.hosts[0]!.public!.b).toEqual({ name: 'teab12cdp100' });
  });

  it('writes ip -batch programs that create, address and route everything', () => {
    const p = plan(2);
    const net = publicNetwork(RUN, 0);
    const layout = siteLayout(RUN, net, p, p.sites[0]!);
    const b = siteBatches(layout, net);
    expect(b.root).toContain('netns add te-ab12cd-s0-master');
    expect(b.root).toContain(
      'link add teab12cdu0 netns te-ab12cd-s0-master type veth peer name teab12cdv0 netns te-ab12cd-s0-edge',
    );
    expect(b.root).toContain(
      'link add teab12cdm0 netns te-ab12cd-s0-master type veth peer name teab12cdp0',
    );
    expect(b.perNetns.get('te-ab12cd-s0-edge')).toEqual(
      expect.arrayContaining([
        'addr add 172.16.0.1/24 dev teab12cdb0',
        'link set teab12cdv1 master teab12cdb0 up',
      ]),
    );
    expect(b.perNetns.get('te-ab12cd-s0-edge')!.filter((l) => l.startsWith('route '))).toEqual([]);
    expect(b.perNetns.get('te-ab12cd-s0-worker-1')).toEqual([
      'link set lo up',
      'addr add 172.16.0.11/24 dev teab12cdu1',
      'link set teab12cdu1 up',
      'route add default via 172.16.0.1',
    ]);
    expect(b.rootAfter).toEqual([
      'link set teab12cdp0 alias te-ab12cd-s0-master-public',
      'link set teab12cdp0 master teab12cdr up',
      'link set teab12cdp99 alias te-ab12cd-s0-edge-public',
      'link set teab12cdp99 master teab12cdr up',
    ]);
    expect(runNetworkBatch(net).root).toEqual([
      'netns add te-ab12cd-wan',
      'link add teab12cdr type bridge',
      'addr add 198.18.0.1/24 dev teab12cdr',
      'link set teab12cdr alias te-ab12cd-public',
      'link set teab12cdr up',
    ]);
  });

  it('names every link within 15 characters, uniquely, carrying the run id (any size of run)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: 0, max: 50 }),
        (n, workers) => {
          const p = plan(n, workers);
          const net = publicNetwork(RUN, 7);
          const names: string[] = [net.bridge, net.wanBridge];
          const spaces: string[] = [net.wanNetns];
          for (const s of p.sites) {
            const l = siteLayout(RUN, net, p, s);
            names.push(l.underlayBridge, l.wan.a.name, l.wan.b.name);
            for (const h of l.hosts) {
              spaces.push(h.netns);
              if (h.underlay) names.push(h.underlay.a.name, h.underlay.b.name);
              if (h.public) names.push(h.public.a.name, h.public.b.name);
            }
          }
          expect(new Set(names).size).toBe(names.length);
          for (const name of names) {
            expect(name.length).toBeLessThanOrEqual(15);
            expect(ownsLink(RUN, name)).toBe(true);
          }
          for (const ns of spaces) expect(ownsNetns(RUN, ns)).toBe(true);
        },
      ),
      { numRuns: 20, examples: [[100, 50]] },
    );
  });

  it('sees a block as taken when a route or address overlaps either of its /24s', () => {
    expect(blockInUse(0, ['198.18.1.77/32'])).toBe(true);
    expect(blockInUse(1, ['198.18.1.77/32'])).toBe(false);
    expect(blockInUse(200, ['198.18.0.0/15'])).toBe(true);
    expect(blockInUse(4, ['10.0.0.0/8', '192.0.2.0/24', 'garbage'])).toBe(false);
    expect(blockInUse(2, ['198.18.4.9'])).toBe(true);
  });
});

describe('process resource ids', () => {
  it('name the program, the pid and the run file, whether argv is split or one title string', () => {
    const conf = '/run/tungsten-e2e/ab12cd/east-master/sshd-ab12cd-east-master.conf';
    const expected = `sshd 42 ${conf}`;
    expect(processResourceId('ab12cd', 42, ['sshd', conf])).toBe(expected);
    expect(processResourceId('ab12cd', 42, ['/usr/sbin/sshd', '-D', '-e', '-f', conf])).toBe(
      expected,
    );
    expect(
      processResourceId('ab12cd', 42, [
        `sshd: /usr/sbin/sshd -D -e -f ${conf} [listener] 0 of 200-400 startups`,
      ]),
    ).toBe(expected);
    expect(
      processResourceId('ab12cd', 7, [
        'bird',
        '-c',
        '/run/tungsten-e2e/ab12cd/east-master/control.conf',
      ]),
    ).toBe('bird 7 /run/tungsten-e2e/ab12cd/east-master/control.conf');
    // a process found only by its namespace names no run file
    expect(processResourceId('ab12cd', 9, ['/usr/bin/node', 'probe.mjs'])).toBe('node 9');
    // another run's file is not this run's
    expect(
      processResourceId('ab12cd', 9, ['bird', '-c', '/run/tungsten-e2e/ab12cdx/h/c.conf']),
    ).toBe('bird 9');
  });
});
