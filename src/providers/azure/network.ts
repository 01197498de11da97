/**
 * A site's network, inside the site's resource group: an NSG equivalent to
 * the other clouds' firewall rules, a route table sending the other sites'
 * underlay ranges to the edge VM (next hop type VirtualAppliance), and a VNet
 * whose one subnet holds the underlay range (Azure's gateway is its .1, the
 * plan's gateway; .1-.3 are Azure's, the edge is .5, nodes from .10).
 */
import { WIREGUARD_PORT } from '../../tunnel/wireguard.js';
import type { NetworkSecurityGroup, SecurityRule } from '@azure/arm-network';
import type { Plan, SitePlan } from '../../plan/types.js';
import type { ProviderContext } from '../provider.js';
import { resourceName, runTags } from '../cloud/tags.js';
import type { AzureApi } from './api.js';

export type TagSource = Pick<ProviderContext, 'runId' | 'expiresAt' | 'repo'>;

export const DEFAULT_SSH_CIDR = '0.0.0.0/0';

export interface SiteNetwork {
  group: string;
  location: string;
  nsg: string;
  subnetId: string;
}

export const groupName = (runId: string, site: string): string =>
  resourceName(runId, site, 'rg').replace(/-rg$/, '');

export function armId(sub: string, group: string, type?: string, name?: string): string {
  const rg = `/subscriptions/${sub}/resourceGroups/${group}`;
  return type && name ? `${rg}/providers/${type}/${name}` : rg;
}

const rule = (
  name: string,
  priority: number,
  protocol: SecurityRule['protocol'],
  sources: string[],
  ports: string[] | undefined,
  description: string,
  destination = '*',
): SecurityRule => ({
  name,
  description,
  priority,
  protocol,
  access: 'Allow',
  direction: 'Inbound',
  sourcePortRange: '*',
  ...(sources.length === 1
    ? { sourceAddressPrefix: sources[0] }
    : { sourceAddressPrefixes: sources }),
  ...(ports === undefined
    ? { destinationPortRange: '*' }
    : ports.length === 1
      ? { destinationPortRange: ports[0] }
      : { destinationPortRanges: ports }),
  destinationAddressPrefix: destination,
});

/**
 * Rules every host gets: SSH from ssh-cidr, everything inside the site, and
 * everything from the other sites' underlays. NSGs cannot name GRE (their
 * protocols are TCP, UDP, ICMP, ESP, AH or any), so the other sites get
 * "any": BGP, MPLS over UDP, VXLAN and GRE alike. Azure itself drops GRE
 * inside a virtual network, so TF on Azure must carry MPLS over UDP.
 */
export function nodeRules(site: SitePlan, plan: Plan): SecurityRule[] {
  const others = plan.sites.filter((s) => s.name !== site.name).map((s) => s.cidrs.underlay);
  const rules = [
    rule(
      'ssh',
      100,
      'Tcp',
      [site.sshCidr ?? DEFAULT_SSH_CIDR],
      ['22'],
      'SSH (key only, per-run key)',
    ),
    rule('intra-site', 110, '*', [site.cidrs.underlay], undefined, 'everything inside the site'),
  ];
  if (others.length) {
    rules.push(
      rule(
        'peers',
        120,
        '*',
        others,
        undefined,
        'BGP, MPLS over UDP, VXLAN and GRE from the other sites',
      ),
    );
  }
  return rules;
}

/** The edge VM's WireGuard rule for one peer edge: its UDP port from the peer's public address, to the edge only. */
export function edgeRules(
  peer: { site: string; publicAddress: string },
  edgeAddress: string,
  priority: number,
): SecurityRule[] {
  return [
    rule(
      `wg-${peer.site}`,
      priority,
      'Udp',
      [`${peer.publicAddress}/32`],
      [String(WIREGUARD_PORT)],
      `WireGuard from the ${peer.site} edge`,
      `${edgeAddress}/32`,
    ),
  ];
}

export async function createGroup(
  api: AzureApi,
  site: SitePlan,
  location: string,
  ctx: ProviderContext,
): Promise<string> {
  const group = groupName(ctx.runId, site.name);
  await api.call(
    'resourceGroups.createOrUpdate',
    `resource group ${group}`,
    () =>
      api.clients.resources.resourceGroups.createOrUpdate(group, {
        location,
        tags: runTags(ctx, site.name, group),
      }),
    { where: location },
  );
  await ctx.recordResource({
    provider: 'azure',
    site: site.name,
    kind: 'resource-group',
    id: armId(api.subscriptionId, group),
    region: location,
  });
  return group;
}

export async function createSiteNetwork(
  api: AzureApi,
  site: SitePlan,
  plan: Plan,
  group: string,
  location: string,
  ctx: ProviderContext,
): Promise<SiteNetwork> {
  const name = (what: string) => resourceName(ctx.runId, site.name, what);
  const tags = (n: string) => runTags(ctx, site.name, n);
  const sub = api.subscriptionId;
  const record = (type: string, kind: string, n: string) =>
    ctx.recordResource({
      provider: 'azure',
      site: site.name,
      kind,
      id: armId(sub, group, type, n),
      region: location,
    });
  const opts = { where: location, fresh: true };

  const nsg = name('nsg');
  const nsgBody: NetworkSecurityGroup = {
    location,
    tags: tags(nsg),
    securityRules: nodeRules(site, plan),
  };
  await api.operate(
    'networkSecurityGroups.createOrUpdate',
    `network security group ${nsg}`,
    () => api.clients.network.networkSecurityGroups.beginCreateOrUpdate(group, nsg, nsgBody),
    opts,
  );
  await record('Microsoft.Network/networkSecurityGroups', 'network-security-group', nsg);

  const routes = name('routes');
  const edge = site.hosts.find((h) => h.role === 'edge');
  const others = plan.sites.filter((s) => s.name !== site.name);
  await api.operate(
    'routeTables.createOrUpdate',
    `route table ${routes}`,
    () =>
      api.clients.network.routeTables.beginCreateOrUpdate(group, routes, {
        location,
        tags: tags(routes),
        disableBgpRoutePropagation: true,
        routes: edge
          ? others.map((o) => ({
              name: `to-${o.name}`,
              addressPrefix: o.cidrs.underlay,
              nextHopType: 'VirtualAppliance',
              nextHopIpAddress: edge.privateAddress,
            }))
          : [],
      }),
    opts,
  );
  await record('Microsoft.Network/routeTables', 'route-table', routes);

  const vnet = name('vnet');
  await api.operate(
    'virtualNetworks.createOrUpdate',
    `virtual network ${vnet} (${site.cidrs.underlay})`,
    () =>
      api.clients.network.virtualNetworks.beginCreateOrUpdate(group, vnet, {
        location,
        tags: tags(vnet),
        addressSpace: { addressPrefixes: [site.cidrs.underlay] },
        subnets: [
          {
            name: 'underlay',
            addressPrefix: site.cidrs.underlay,
            networkSecurityGroup: {
              id: armId(sub, group, 'Microsoft.Network/networkSecurityGroups', nsg),
            },
            routeTable: { id: armId(sub, group, 'Microsoft.Network/routeTables', routes) },
          },
        ],
      }),
    opts,
  );
  await record('Microsoft.Network/virtualNetworks', 'virtual-network', vnet);
  return {
    group,
    location,
    nsg,
    subnetId: `${armId(sub, group, 'Microsoft.Network/virtualNetworks', vnet)}/subnets/underlay`,
  };
}

/** Add (or re-put, idempotently) the WireGuard rule for each peer edge. */
export async function authorizeEdgeRules(
  api: AzureApi,
  group: string,
  nsg: string,
  edgeAddress: string,
  peers: { site: string; publicAddress: string }[],
  where: string,
): Promise<void> {
  const current = await api.call('networkSecurityGroups.get', `network security group ${nsg}`, () =>
    api.clients.network.networkSecurityGroups.get(group, nsg),
  );
  const existing = current.securityRules ?? [];
  let next = Math.max(1000, ...existing.map((r) => (r.priority ?? 0) + 1));
  for (const peer of peers) {
    const already = existing.find((r) => r.name === `ike-${peer.site}`)?.priority;
    const priority = already ?? next;
    if (already === undefined) next += 2;
    for (const r of edgeRules(peer, edgeAddress, priority)) {
      await api.operate(
        'securityRules.createOrUpdate',
        `rule ${r.name} of ${nsg}`,
        () => api.clients.network.securityRules.beginCreateOrUpdate(group, nsg, r.name!, r),
        { where },
      );
    }
  }
}
