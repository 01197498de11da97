/**
 * The local provider's wiring, decided on paper from the plan, the run id and
 * the run's public block. Pure: provisioning turns it into `ip` commands,
 * tests read it directly.
 *
 *   root namespace ── te<id>r bridge 198.18.B.1/24 (the run's "public" network)
 *        (root-namespace links carry an alias naming run, site and host: te-<id>-<host>-public)
 *        │  public veths: every master and edge (198.18.B.10+2s / .11+2s)
 *   site s edge netns ── te<id>b<s> underlay bridge at the plan's gateway
 *        │  underlay veths: every node at its plan address, default route via the gateway
 *        ├─ te<id>x<s> on the WAN (198.18.B+1.10+s)
 *        └─ te<id>g<s> the WireGuard tunnel to every other edge (made by the connect
 *           phase, src/tunnel): the only route to the other sites' underlays
 *   WAN netns ── te<id>w bridge joining every edge (the "Internet" the tunnels cross)
 *
 * The runner reaches masters and edges at their public addresses; workers only
 * through their master (a jump host), as in a cloud.
 */
import { formatIp, mustParseCidr, parseIp } from '../../net/cidr.js';
import type { HostRole, Plan, SitePlan } from '../../plan/types.js';
import { hostNetns, linkName, netnsPrefix, wanNetns } from './naming.js';

/** RFC 2544's benchmarking range: never routed on the Internet, rarely used on hosts. */
export const BENCHMARK_RANGE = '198.18.0.0/15';
/** 512 /24s in 198.18.0.0/15: block b owns the public /24 2b and the WAN /24 2b+1. */
export const PUBLIC_BLOCKS = 256;
/** public addresses are .10+2s (master) and .11+2s (edge); WAN addresses .10+s */
export const MAX_LOCAL_SITES = 100;
/** host index of a site's edge in link names (masters are 0, workers 1…50) */
const EDGE_ORDINAL = 99;
const HOSTS_PER_SITE = 100;

export interface PublicNetwork {
  block: number;
  /** the root namespace's bridge and its /24 */
  bridge: string;
  /** the bridge's alias (a link name has no room for more than the run id) */
  bridgeAlias: string;
  cidr: string;
  rootAddress: string;
  /** the WAN bridge (in its own namespace) and its /24 */
  wanNetns: string;
  wanBridge: string;
  wanCidr: string;
}

export function publicNetwork(runId: string, block: number): PublicNetwork {
  if (!Number.isInteger(block) || block < 0 || block >= PUBLIC_BLOCKS) {
    throw new Error(`public block ${block} is outside 0..${PUBLIC_BLOCKS - 1}`);
  }
  const base = mustParseCidr(BENCHMARK_RANGE).base + block * 512;
  return {
    block,
    bridge: linkName(runId, 'publicBridge'),
    bridgeAlias: `${netnsPrefix(runId)}public`,
    cidr: `${formatIp(base)}/24`,
    rootAddress: formatIp(base + 1),
    wanNetns: wanNetns(runId),
    wanBridge: linkName(runId, 'wanBridge'),
    wanCidr: `${formatIp(base + 256)}/24`,
  };
}

export interface Veth {
  /** name and namespace of each end; namespace undefined = root namespace */
  a: { name: string; netns?: string };
  b: { name: string; netns?: string };
}

export interface LocalHostLayout {
  name: string;
  role: HostRole;
  netns: string;
  /** index in link names, unique in the run */
  ordinal: number;
  address: string;
  /** underlay veth: a = the host's end, b = the port on the site bridge (edge namespace); absent for the edge */
  underlay?: Veth;
  /** public veth: a = the host's end, b = the port on the root bridge (masters and edges) */
  public?: Veth & { address: string; alias: string };
}

export interface LocalSiteLayout {
  site: string;
  index: number;
  edgeNetns: string;
  underlayBridge: string;
  underlayCidr: string;
  underlayPrefix: number;
  gateway: string;
  /** the edge's way to the other edges: the tunnels run over it (the WAN routes no underlay) */
  wan: Veth & { address: string };
  /** master first, then workers, then the edge */
  hosts: LocalHostLayout[];
}

export function wanAddress(net: PublicNetwork, siteIndex: number): string {
  return formatIp(mustParseCidr(net.wanCidr).base + 10 + siteIndex);
}

export function publicAddress(net: PublicNetwork, siteIndex: number, role: 'master' | 'edge') {
  return formatIp(mustParseCidr(net.cidr).base + 10 + 2 * siteIndex + (role === 'edge' ? 1 : 0));
}

export function siteLayout(
  runId: string,
  net: PublicNetwork,
  plan: Pick<Plan, 'sites'>,
  site: SitePlan,
): LocalSiteLayout {
  if (site.index >= MAX_LOCAL_SITES) {
    throw new Error(`site index ${site.index} exceeds ${MAX_LOCAL_SITES - 1}`);
  }
  const underlay = mustParseCidr(site.cidrs.underlay);
  const edgeHost = site.hosts.find((h) => h.role === 'edge');
  if (!edgeHost) throw new Error(`site ${site.name} has no edge host in its plan`);
  const edgeNetns = hostNetns(runId, edgeHost.name);
  let worker = 0;
  const hosts: LocalHostLayout[] = site.hosts.map((h) => {
    const local = h.role === 'master' ? 0 : h.role === 'worker' ? ++worker : EDGE_ORDINAL;
    const ordinal = site.index * HOSTS_PER_SITE + local;
    const netns = h.role === 'edge' ? edgeNetns : hostNetns(runId, h.name);
    const layout: LocalHostLayout = {
      name: h.name,
      role: h.role,
      netns,
      ordinal,
      address: h.privateAddress,
    };
    if (h.role !== 'edge') {
      layout.underlay = {
        a: { name: linkName(runId, 'underlayNode', ordinal), netns },
        b: { name: linkName(runId, 'underlayBridgePort', ordinal), netns: edgeNetns },
      };
    }
    if (h.role !== 'worker') {
      layout.public = {
        a: { name: linkName(runId, 'publicHost', ordinal), netns },
        b: { name: linkName(runId, 'publicRoot', ordinal) },
        address: publicAddress(net, site.index, h.role),
        alias: `${netns}-public`,
      };
    }
    return layout;
  });
  hosts.sort((x, y) => x.ordinal - y.ordinal);
  return {
    site: site.name,
    index: site.index,
    edgeNetns,
    underlayBridge: linkName(runId, 'underlayBridge', site.index),
    underlayCidr: site.cidrs.underlay,
    underlayPrefix: underlay.prefix,
    gateway: site.gateway,
    wan: {
      a: { name: linkName(runId, 'wanEdge', site.index), netns: edgeNetns },
      b: { name: linkName(runId, 'wanPort', site.index), netns: net.wanNetns },
      address: wanAddress(net, site.index),
    },
    hosts,
  };
}

/** `ip -batch` lines (root namespace) that create the run's public bridge and WAN. */
export function runNetworkBatch(net: PublicNetwork): { root: string[]; wan: string[] } {
  return {
    root: [
      `netns add ${net.wanNetns}`,
      `link add ${net.bridge} type bridge`,
      `addr add ${net.rootAddress}/24 dev ${net.bridge}`,
      `link set ${net.bridge} alias ${net.bridgeAlias}`,
      `link set ${net.bridge} up`,
    ],
    wan: [
      'link set lo up',
      `link add ${net.wanBridge} type bridge`,
      `link set ${net.wanBridge} up`,
    ],
  };
}

function vethLine(v: Veth): string {
  const end = (e: Veth['a']) => `${e.name}${e.netns ? ` netns ${e.netns}` : ''}`;
  return `link add ${end(v.a)} type veth peer name ${end(v.b)}`;
}

/**
 * The `ip -batch` programs that build one site: first the namespaces and veths
 * (from the root namespace), then one program per namespace for addresses,
 * bridges and routes.
 */
export function siteBatches(
  layout: LocalSiteLayout,
  net: PublicNetwork,
): { root: string[]; perNetns: Map<string, string[]>; rootAfter: string[] } {
  const root: string[] = [];
  const rootAfter: string[] = [];
  const perNetns = new Map<string, string[]>();
  const inNs = (ns: string, line: string) => {
    const lines = perNetns.get(ns) ?? [];
    lines.push(line);
    perNetns.set(ns, lines);
  };
  for (const h of layout.hosts) root.push(`netns add ${h.netns}`);
  root.push(vethLine(layout.wan));
  for (const h of layout.hosts) {
    if (h.underlay) root.push(vethLine(h.underlay));
    if (h.public) root.push(vethLine(h.public));
  }

  const edge = layout.edgeNetns;
  inNs(edge, 'link set lo up');
  inNs(edge, `link add ${layout.underlayBridge} type bridge`);
  inNs(edge, `addr add ${layout.gateway}/${layout.underlayPrefix} dev ${layout.underlayBridge}`);
  inNs(edge, `link set ${layout.underlayBridge} up`);
  inNs(edge, `addr add ${layout.wan.address}/24 dev ${layout.wan.a.name}`);
  inNs(edge, `link set ${layout.wan.a.name} up`);
  inNs(net.wanNetns, `link set ${layout.wan.b.name} master ${net.wanBridge} up`);

  for (const h of layout.hosts) {
    if (h.role !== 'edge') inNs(h.netns, 'link set lo up');
    if (h.underlay) {
      inNs(h.netns, `addr add ${h.address}/${layout.underlayPrefix} dev ${h.underlay.a.name}`);
      inNs(h.netns, `link set ${h.underlay.a.name} up`);
      inNs(h.netns, `route add default via ${layout.gateway}`);
      inNs(edge, `link set ${h.underlay.b.name} master ${layout.underlayBridge} up`);
    }
    if (h.public) {
      inNs(h.netns, `addr add ${h.public.address}/24 dev ${h.public.a.name}`);
      inNs(h.netns, `link set ${h.public.a.name} up`);
      rootAfter.push(
        `link set ${h.public.b.name} alias ${h.public.alias}`,
        `link set ${h.public.b.name} master ${net.bridge} up`,
      );
    }
  }
  return { root, perNetns, rootAfter };
}

/** Does an existing route or address fall inside block b's two /24s? */
export function blockInUse(block: number, used: readonly string[]): boolean {
  const lo = mustParseCidr(BENCHMARK_RANGE).base + block * 512;
  const hi = lo + 511;
  return used.some((text) => {
    const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?$/.exec(text);
    if (!m) return false;
    const ip = parseIp(m[1]!);
    if (ip === undefined) return false;
    const prefix = m[2] === undefined ? 32 : Number(m[2]);
    const start = prefix === 0 ? 0 : ip - (ip % 2 ** (32 - prefix));
    const end = start + 2 ** (32 - prefix) - 1;
    return start <= hi && lo <= end;
  });
}
