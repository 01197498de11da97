/**
 * TF peering through the config API (peering.ts) against an in-test API with
 * the real API's semantics (configApiStandIn.ts): what is created, that a
 * PUT keeps what the object carried (read-modify-write), that a second call
 * changes nothing, and the introspect's neighbor list read back. The last
 * part runs the tungsten fabric's peer/peerStatus over real sshd port
 * forwards, one stand-in API per site.
 */
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../../src/config/load.js';
import { InfraError } from '../../../src/errors.js';
import type { FabricContext, FabricSite } from '../../../src/fabric/fabric.js';
import { ConfigApi } from '../../../src/fabric/tungsten/configApi.js';
import { TungstenFabric } from '../../../src/fabric/tungsten/index.js';
import {
  configurePeering,
  IP_FABRIC_RI,
  neighborSessions,
  parseBgpNeighbors,
  PEER_VENDOR,
  peeringSpec,
  removePeers,
  type PeeringSpec,
} from '../../../src/fabric/tungsten/peering.js';
import { memoryLogger } from '../../../src/log.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import { Cleanup, describeWithSshd, generateRunKey, makePool } from '../../remote/harness.js';
import { ConfigApiStandIn } from './configApiStandIn.js';
import { startMasters, type Masters } from './masters.js';

const direct = (port: number) => () =>
  new Promise<Duplex>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });

const SPEC: PeeringSpec = {
  asn: 64513,
  local: 'gcp-master',
  peers: [{ name: 'aws-master', address: '172.16.0.10', asn: 64512 }],
  routeTarget: 'target:64512:7000100',
  networks: [
    ['default-domain', 'k8s-default', 'k8s-default-pod-network'],
    ['default-domain', 'k8s-default', 'k8s-default-service-network'],
  ],
};

describe('peering through the config API', () => {
  let tf: ConfigApiStandIn;
  let api: ConfigApi;
  beforeEach(async () => {
    tf = new ConfigApiStandIn('gcp-master', '172.17.0.10');
    await tf.start();
    api = new ConfigApi(direct(tf.configPort), 'the config API of gcp-master');
  });
  afterEach(() => tf.stop());

  it('sets the global ASN, creates the peer with its ASN, families and session, and adds the shared route target', async () => {
    tf.seedCluster();
    const changed = await configurePeering(api, SPEC);
    expect(changed).toEqual([
      'global ASN 64512 → 64513',
      'bgp-router aws-master (AS64512 at 172.16.0.10) created',
      'route target target:64512:7000100 on k8s-default-pod-network',
      'route target target:64512:7000100 on k8s-default-service-network',
    ]);
    expect(tf.all('global-system-config')[0]!.autonomous_system).toBe(64513);
    const peer = tf.find('bgp-router', [...IP_FABRIC_RI, 'aws-master'])!;
    expect(peer.bgp_router_parameters).toEqual({
      router_type: 'router',
      vendor: PEER_VENDOR,
      autonomous_system: 64512,
      identifier: '172.16.0.10',
      address: '172.16.0.10',
      port: 179,
      address_families: { family: ['route-target', 'inet-vpn', 'e-vpn', 'inet6-vpn'] },
    });
    expect(peer.bgp_router_parameters).not.toMatchObject({ vendor: 'contrail' });
    expect(peer.bgp_router_refs).toEqual([
      {
        to: [...IP_FABRIC_RI, 'gcp-master'],
        attr: {
          session: [
            {
              attributes: [
                {
                  address_families: { family: ['route-target', 'inet-vpn', 'e-vpn', 'inet6-vpn'] },
                },
              ],
            },
          ],
        },
      },
    ]);
    // read-modify-write: the route target TF gave the network is still there
    for (const vn of SPEC.networks) {
      expect(tf.find('virtual-network', vn)!.route_target_list).toEqual({
        route_target: ['target:64512:8000003', 'target:64512:7000100'],
      });
    }
  });

  it('a second call changes nothing: no write reaches the API', async () => {
    tf.seedCluster();
    await configurePeering(api, SPEC);
    const before = tf.writes().length;
    expect(await configurePeering(api, SPEC)).toEqual([]);
    expect(tf.writes().slice(before)).toEqual([]);
  });

  it('a peer router left with a wrong ASN and no session is corrected, keeping the refs it had', async () => {
    tf.seedCluster();
    tf.seed('bgp-router', [...IP_FABRIC_RI, 'other-router'], { parent_type: 'routing-instance' });
    tf.seed('bgp-router', [...IP_FABRIC_RI, 'aws-master'], {
      parent_type: 'routing-instance',
      bgp_router_parameters: {
        vendor: PEER_VENDOR,
        autonomous_system: 64999,
        address: '172.16.0.10',
      },
      bgp_router_refs: [{ to: [...IP_FABRIC_RI, 'other-router'], attr: null }],
    });
    const changed = await configurePeering(api, SPEC);
    expect(changed).toContain(
      'bgp-router aws-master updated (bgp_router_parameters, bgp_router_refs)',
    );
    const peer = tf.find('bgp-router', [...IP_FABRIC_RI, 'aws-master'])!;
    expect(peer.bgp_router_parameters).toMatchObject({ autonomous_system: 64512 });
    expect((peer.bgp_router_refs as { to: string[] }[]).map((r) => r.to.at(-1))).toEqual([
      'other-router',
      'gcp-master',
    ]);
  });

  it("without the control node's own bgp-router it stops and names the race; without kube-manager's network it names the network", async () => {
    tf.seedCluster({ ownRouter: false });
    await expect(configurePeering(api, SPEC)).rejects.toThrow(
      /the control node's own bgp-router gcp-master does not exist.*the race/,
    );
    await tf.stop();
    tf = new ConfigApiStandIn('gcp-master', '172.17.0.10');
    await tf.start();
    api = new ConfigApi(direct(tf.configPort), 'the config API of gcp-master');
    tf.seedCluster({ networks: false });
    await expect(configurePeering(api, SPEC)).rejects.toThrow(
      'virtual network default-domain:k8s-default:k8s-default-pod-network does not exist (kube-manager creates it when it starts)',
    );
  });

  it('an API error is an infrastructure error naming the API, the request and the answer', async () => {
    const e = await new ConfigApi(direct(tf.configPort), 'the config API of gcp-master')
      .update('bgp-router', '00000000-0000-0000-0000-000000000000', {})
      .catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(InfraError);
    expect(e!.message).toBe(
      'the config API of gcp-master: PUT /bgp-router/00000000-0000-0000-0000-000000000000 answered HTTP 404: bgp-router 00000000-0000-0000-0000-000000000000 not found',
    );
  });

  it("removing peers deletes only the routers the harness made, never a control node's own", async () => {
    tf.seedCluster();
    await configurePeering(api, SPEC);
    expect(await removePeers(api, ['aws-master', 'gcp-master', 'absent'])).toEqual(['aws-master']);
    expect(tf.find('bgp-router', [...IP_FABRIC_RI, 'aws-master'])).toBeUndefined();
    expect(tf.find('bgp-router', [...IP_FABRIC_RI, 'gcp-master'])).toBeDefined();
  });
});

describe('the control node introspect', () => {
  it('reads BGP neighbors from a BgpNeighborListResp; XMPP sessions are not peers; an absent peer is "not configured"', async () => {
    const tf = new ConfigApiStandIn('gcp-master', '172.17.0.10');
    await tf.start();
    try {
      tf.seedCluster();
      tf.sessionState = (a) => (a === '172.16.0.10' ? 'Active' : 'Established');
      await configurePeering(new ConfigApi(direct(tf.configPort), 'api'), SPEC);
      const xml = await (
        await fetch(`http://127.0.0.1:${tf.introspectPort}/Snh_BgpNeighborReq?search_string=`)
      ).text();
      const neighbors = parseBgpNeighbors(xml);
      expect(neighbors).toEqual([
        {
          peer: 'aws-master',
          address: '172.16.0.10',
          asn: 64512,
          encoding: 'BGP',
          state: 'Active',
        },
        {
          peer: 'gcp-master-vrouter',
          address: '10.0.0.21',
          asn: 64512,
          encoding: 'XMPP',
          state: 'Established',
        },
      ]);
      expect(
        neighborSessions(neighbors, [
          { site: 'aws', address: '172.16.0.10' },
          { site: 'azure', address: '172.18.0.10' },
        ]),
      ).toEqual([
        { site: 'aws', state: 'Active', established: false },
        { site: 'azure', state: 'not configured', established: false },
      ]);
    } finally {
      await tf.stop();
    }
    expect(() => parseBgpNeighbors('<html>502 Bad Gateway</html>')).toThrow(
      /did not answer with a BgpNeighborListResp/,
    );
  });
});

describeWithSshd('tungsten peer and peerStatus over SSH port forwards', () => {
  const cleanup = new Cleanup();
  const key = generateRunKey();
  let plan: Plan;
  let sites: FabricSite[];
  let apis: Map<string, ConfigApiStandIn>;
  let endpoints: Masters['endpoints'];
  let fabric: TungstenFabric;
  let ctx: FabricContext;
  let logger: ReturnType<typeof memoryLogger>;

  beforeAll(async () => {
    plan = buildPlanFromConfig(await loadSiteFile('examples/aws-azure.yml'));
    ({ sites, apis, endpoints } = await startMasters(cleanup, key, plan));
    const { pool } = makePool(cleanup, key);
    fabric = new TungstenFabric({
      runId: 'tpeer',
      remote: pool,
      credentials: {},
      endpoints,
    });
    logger = memoryLogger();
    ctx = { plan, logger, signal: new AbortController().signal };
  }, 60_000);

  afterAll(() => cleanup.run(), 60_000);

  it('before peering every session is "not configured"; after, each site has an Established session to the other', async () => {
    for (const s of sites) {
      const sessions = await fabric.peerStatus(s, ctx);
      expect(sessions.map((x) => `${x.site}: ${x.state}`)).toEqual(
        s.plan.peers.map((p) => `${p.site}: not configured`),
      );
    }
    await Promise.all(sites.map((s) => fabric.peer(s, sites, ctx)));
    for (const s of sites) {
      expect(await fabric.peerStatus(s, ctx)).toEqual(
        s.plan.peers.map((p) => ({ site: p.site, state: 'Established', established: true })),
      );
      // each site's peer router carries the other site's ASN and address, from the plan
      const spec = peeringSpec(plan, s.plan.name);
      const tf = apis.get(spec.local)!;
      for (const p of spec.peers) {
        expect(
          tf.find('bgp-router', [...IP_FABRIC_RI, p.name])!.bgp_router_parameters,
        ).toMatchObject({
          autonomous_system: p.asn,
          address: p.address,
        });
      }
      expect(tf.all('global-system-config')[0]!.autonomous_system).toBe(s.plan.asn);
    }
    // the same route target on both sites' networks
    const rts = [...apis.values()].map((tf) =>
      JSON.stringify(
        tf.find('virtual-network', ['default-domain', 'k8s-default', 'k8s-default-pod-network'])!
          .route_target_list,
      ),
    );
    expect(new Set(rts).size).toBe(1);
  }, 60_000);

  it('peering again writes nothing and says so; a session that is down shows its state', async () => {
    const before = [...apis.values()].map((tf) => tf.writes().length);
    logger.lines.length = 0;
    await Promise.all(sites.map((s) => fabric.peer(s, sites, ctx)));
    expect([...apis.values()].map((tf) => tf.writes().length)).toEqual(before);
    expect(logger.lines.filter((l) => l.includes('BGP peering already in place'))).toHaveLength(2);
    const tf = apis.get(peeringSpec(plan, sites[0]!.plan.name).local)!;
    tf.sessionState = () => 'Connect';
    expect((await fabric.peerStatus(sites[0]!, ctx))[0]).toMatchObject({
      state: 'Connect',
      established: false,
    });
  }, 60_000);

  it('an introspect that does not listen is an infrastructure error naming the master', async () => {
    const e = await new TungstenFabric({
      runId: 'tpeer',
      remote: makePool(cleanup, key).pool,
      credentials: {},
      endpoints: () => ({ address: '127.0.0.1', configPort: 1, introspectPort: 1 }),
    })
      .peerStatus(sites[0]!, ctx)
      .catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(InfraError);
    expect((e as Error).message).toMatch(
      new RegExp(
        `^${sites[0]!.plan.name}-master: the control node's introspect did not answer: .*cannot connect to 127\\.0\\.0\\.1:1`,
      ),
    );
  }, 60_000);
});
