/**
 * A site's network: a custom-mode VPC network, one subnetwork holding the
 * underlay range in the site's region (its gateway is the range's .1, the
 * plan's gateway), and firewall rules equivalent to the AWS security groups.
 * None of these take labels: the run's tags ride in their description.
 */
import { WIREGUARD_PORT } from '../../tunnel/wireguard.js';
import type { protos } from '@google-cloud/compute';
import type { Plan, SitePlan } from '../../plan/types.js';
import type { ProviderContext } from '../provider.js';
import { resourceName, runTags } from '../cloud/tags.js';
import type { GcpApi } from './api.js';
import { isAlreadyExists } from './errors.js';
import { describeTags } from './labels.js';
import { UNDERLAY_MTU } from '../../tunnel/wireguard.js';

type Firewall = protos.google.cloud.compute.v1.IFirewall;
export type TagSource = Pick<ProviderContext, 'runId' | 'expiresAt' | 'repo'>;

export const DEFAULT_SSH_CIDR = '0.0.0.0/0';

export interface SiteNetwork {
  network: string;
  networkUrl: string;
  subnetwork: string;
  subnetworkUrl: string;
  region: string;
}

/** The network tag that the WireGuard firewall rules target: only the edge VM carries it. */
export const edgeTag = (runId: string): string => `te-${runId}-edge`;

export const networkUrl = (project: string, name: string): string =>
  `projects/${project}/global/networks/${name}`;

/** Rules every host of the site gets: SSH, intra-site, BGP and the data plane from the other sites. */
export function nodeFirewalls(
  site: SitePlan,
  plan: Plan,
  ctx: TagSource,
  network: string,
): Firewall[] {
  const name = (what: string) => resourceName(ctx.runId, site.name, what);
  const rule = (what: string, allowed: Firewall['allowed'], sourceRanges: string[]): Firewall => ({
    name: name(what),
    description: describeTags(runTags(ctx, site.name, name(what))),
    network,
    direction: 'INGRESS',
    priority: 1000,
    allowed,
    sourceRanges,
  });
  const rules = [
    rule('ssh', [{ IPProtocol: 'tcp', ports: ['22'] }], [site.sshCidr ?? DEFAULT_SSH_CIDR]),
    rule('intra', [{ IPProtocol: 'all' }], [site.cidrs.underlay]),
  ];
  const others = plan.sites.filter((s) => s.name !== site.name).map((s) => s.cidrs.underlay);
  if (others.length) {
    rules.push(
      rule(
        'peers',
        [
          { IPProtocol: 'tcp', ports: ['179'] },
          { IPProtocol: 'udp', ports: ['6635', '4789'] },
          { IPProtocol: '47' },
        ],
        others,
      ),
    );
  }
  return rules;
}

/** The edge VM's WireGuard rule for one peer edge: its UDP port from the peer's public address. */
export function edgeFirewall(
  site: string,
  peer: { site: string; publicAddress: string },
  ctx: TagSource,
  network: string,
): Firewall {
  const name = resourceName(ctx.runId, site, `wg-${peer.site}`);
  return {
    name,
    description: describeTags(runTags(ctx, site, name)),
    network,
    direction: 'INGRESS',
    priority: 1000,
    allowed: [{ IPProtocol: 'udp', ports: [String(WIREGUARD_PORT)] }],
    sourceRanges: [`${peer.publicAddress}/32`],
    targetTags: [edgeTag(ctx.runId)],
  };
}

export async function insertFirewall(api: GcpApi, firewall: Firewall): Promise<void> {
  try {
    await api.operate(
      'firewalls.insert',
      `firewall ${firewall.name}`,
      { global: true },
      (requestId) =>
        api.clients.firewalls.insert({
          project: api.project,
          firewallResource: firewall,
          requestId,
        }),
      { fresh: true },
    );
  } catch (e) {
    // authorizeEdges is idempotent: the rule is already there
    if (!isAlreadyExists((e as { cause?: unknown }).cause ?? e)) throw e;
  }
}

/** Create the site's network, recording each resource the moment it exists. */
export async function createSiteNetwork(
  api: GcpApi,
  site: SitePlan,
  plan: Plan,
  region: string,
  ctx: ProviderContext,
): Promise<SiteNetwork> {
  const name = (what: string) => resourceName(ctx.runId, site.name, what);
  const record = (kind: string, id: string, where?: string) =>
    ctx.recordResource({
      provider: 'gcp',
      site: site.name,
      kind,
      id,
      ...(where ? { region: where } : {}),
    });

  const network = name('vpc');
  await api.operate('networks.insert', `network ${network}`, { global: true }, (requestId) =>
    api.clients.networks.insert({
      project: api.project,
      requestId,
      networkResource: {
        name: network,
        description: describeTags(runTags(ctx, site.name, network)),
        autoCreateSubnetworks: false,
        routingConfig: { routingMode: 'REGIONAL' },
        // GCP's default is 1460; the tunnel and the pods' MTU are planned on UNDERLAY_MTU
        mtu: UNDERLAY_MTU,
      },
    }),
  );
  await record('network', network);
  const netUrl = networkUrl(api.project, network);

  const subnetwork = name('underlay');
  await api.operate(
    'subnetworks.insert',
    `subnetwork ${subnetwork} (${site.cidrs.underlay})`,
    { region },
    (requestId) =>
      api.clients.subnetworks.insert({
        project: api.project,
        region,
        requestId,
        subnetworkResource: {
          name: subnetwork,
          description: describeTags(runTags(ctx, site.name, subnetwork)),
          network: netUrl,
          ipCidrRange: site.cidrs.underlay,
          region,
        },
      }),
    { fresh: true },
  );
  await record('subnetwork', subnetwork, region);

  for (const fw of nodeFirewalls(site, plan, ctx, netUrl)) {
    await insertFirewall(api, fw);
    await record('firewall', fw.name!);
  }
  return {
    network,
    networkUrl: netUrl,
    subnetwork,
    subnetworkUrl: `projects/${api.project}/regions/${region}/subnetworks/${subnetwork}`,
    region,
  };
}
