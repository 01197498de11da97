/**
 * Where the emulated fabric puts things, decided from the plan alone (pure):
 * per-node pod slices, pod placement and addresses, service VIPs, and the
 * VXLAN tunnels between control nodes.
 *
 * How it maps to TF's roles:
 *   control node   BIRD on the master: eBGP to the other sites' control nodes
 *                  (the plan's ASN and router id), route reflector for the
 *                  site's agents, and programs the master's forwarding
 *   vrouter agent  BIRD on every node with one iBGP session "xmpp" to the
 *                  control node (XMPP's stand-in): it announces the node's pod
 *                  slice and the service VIPs whose backends it hosts, and
 *                  installs what the control node reflects into the kernel
 *   data plane     VXLAN between masters (TF's overlay tunnels; BGP next hops
 *                  are the tunnel ends), nftables DNAT for services and
 *                  filtering for isolation on the node hosting the pod
 * Pods run on the workers (the master is tainted, as kubeadm leaves it), on
 * the master only when the site has no worker.
 */
import { formatIp, mustParseCidr } from '../../net/cidr.js';
import type { SitePlan } from '../../plan/types.js';
import { linkName, podNetns } from '../../providers/local/naming.js';

/** the port backends listen on (the demo's echoserver containerPort) and the service port */
export const BACKEND_PORT = 8080;
export const SERVICE_PORT = 80;
/** VXLAN's IANA port; each master has one device per peer site */
export const VXLAN_PORT = 4789;
const VNI_BASE = 4096;

export interface NodeLayout {
  host: string;
  role: 'master' | 'worker';
  address: string;
  /** 0 for the master, w for worker w */
  ordinal: number;
  /** the node's share of the site's pod range, and the pods' gateway (on the node's lo) */
  podSlice: string;
  podGateway: string;
  hostsPods: boolean;
}

export interface SiteFabricLayout {
  site: string;
  siteIndex: number;
  asn: number;
  routerId: string;
  master: NodeLayout;
  nodes: NodeLayout[];
  /** nodes that run pods */
  compute: NodeLayout[];
}

export function siteFabricLayout(site: SitePlan): SiteFabricLayout {
  const planned = site.hosts.filter(
    (h): h is typeof h & { role: 'master' | 'worker' } => h.role !== 'edge',
  );
  const pod = mustParseCidr(site.cidrs.pod);
  const bits = Math.ceil(Math.log2(Math.max(planned.length, 1)));
  const slicePrefix = Math.max(24, pod.prefix + bits);
  if (slicePrefix > 29) {
    throw new Error(
      `site ${site.name}: pod range ${site.cidrs.pod} is too small for ${planned.length} nodes`,
    );
  }
  const sliceSize = 2 ** (32 - slicePrefix);
  const workers = planned.filter((h) => h.role === 'worker').length;
  let w = 0;
  const nodes = planned.map((h): NodeLayout => {
    const ordinal = h.role === 'master' ? 0 : ++w;
    const base = pod.base + ordinal * sliceSize;
    return {
      host: h.name,
      role: h.role,
      address: h.privateAddress,
      ordinal,
      podSlice: `${formatIp(base)}/${slicePrefix}`,
      podGateway: formatIp(base + 1),
      hostsPods: h.role === 'worker' || workers === 0,
    };
  });
  nodes.sort((a, b) => a.ordinal - b.ordinal);
  return {
    site: site.name,
    siteIndex: site.index,
    asn: site.asn,
    routerId: site.routerId,
    master: nodes[0]!,
    nodes,
    compute: nodes.filter((n) => n.hostsPods),
  };
}

export interface PodPlacement {
  site: string;
  namespace: string;
  name: string;
  role: 'backend' | 'client';
  node: string;
  ip: string;
  gateway: string;
  labels: Record<string, string>;
  netns: string;
  /** veth: node end, pod end */
  nodeLink: string;
  podLink: string;
}

export interface ServicePlacement {
  site: string;
  namespace: string;
  name: string;
  ip: string;
  port: number;
  targetPort: number;
  selector: Record<string, string>;
}

export interface SiteWorkloadLayout {
  pods: PodPlacement[];
  services: ServicePlacement[];
}

export const BACKEND_LABELS = { app: 'echo' } as const;
export const CLIENT_LABELS = { app: 'client' } as const;

/** Unique per site, so an echo reply names exactly one backend. */
export function backendName(site: string, namespace: string): string {
  return `echo-${site}-${namespace}`;
}
export function clientName(site: string, namespace: string): string {
  return `client-${site}-${namespace}`;
}
export const SERVICE_NAME = 'echo';

/**
 * Per test namespace i: an echo backend, a client and a service "echo" (port
 * 80 to the backend's 8080), like the demo's echoheaders. Backends and clients
 * alternate over the compute nodes; addresses count up in each node's slice
 * from .2; VIPs are the service range's .10+i.
 */
export function siteWorkloadLayout(
  runId: string,
  site: SitePlan,
  layout: SiteFabricLayout,
  namespaces: readonly string[],
): SiteWorkloadLayout {
  const used = new Map<string, number>();
  const pods: PodPlacement[] = [];
  const services: ServicePlacement[] = [];
  const service = mustParseCidr(site.cidrs.service);
  namespaces.forEach((ns, i) => {
    for (const [role, name, slot] of [
      ['backend', backendName(site.name, ns), 2 * i],
      ['client', clientName(site.name, ns), 2 * i + 1],
    ] as const) {
      const node = layout.compute[slot % layout.compute.length]!;
      const slice = mustParseCidr(node.podSlice);
      const next = used.get(node.host) ?? 2;
      if (next >= 2 ** (32 - slice.prefix) - 1) {
        throw new Error(`node ${node.host}: pod slice ${node.podSlice} is full`);
      }
      used.set(node.host, next + 1);
      const podIndex = site.index * 1000 + pods.length;
      pods.push({
        site: site.name,
        namespace: ns,
        name,
        role,
        node: node.host,
        ip: formatIp(slice.base + next),
        gateway: node.podGateway,
        labels: { ...(role === 'backend' ? BACKEND_LABELS : CLIENT_LABELS) },
        netns: podNetns(runId, site.name, ns, name),
        nodeLink: linkName(runId, 'podNode', podIndex),
        podLink: linkName(runId, 'podSide', podIndex),
      });
    }
    services.push({
      site: site.name,
      namespace: ns,
      name: SERVICE_NAME,
      ip: formatIp(service.base + 10 + i),
      port: SERVICE_PORT,
      targetPort: BACKEND_PORT,
      selector: { ...BACKEND_LABELS },
    });
  });
  return { pods, services };
}

/** Pods a service selects: same site, same namespace, labels matching. */
export function backendsOf<
  P extends { site: string; namespace: string; labels: Record<string, string> },
>(service: Pick<ServicePlacement, 'site' | 'namespace' | 'selector'>, pods: readonly P[]): P[] {
  return pods.filter(
    (p) =>
      p.site === service.site &&
      p.namespace === service.namespace &&
      Object.entries(service.selector).every(([k, v]) => p.labels[k] === v),
  );
}

export interface TunnelEnd {
  peerSite: string;
  peerIndex: number;
  /** the VXLAN device on this master */
  device: string;
  vni: number;
  local: string;
  remote: string;
  /** this end's /31 on the tunnel, and the peer's (the BGP next hop of its routes) */
  address: string;
  peerAddress: string;
}

/** Index of the unordered site pair {i, j}: independent of the number of sites. */
export function pairIndex(i: number, j: number): number {
  const [lo, hi] = i < j ? [i, j] : [j, i];
  return (hi * (hi - 1)) / 2 + lo;
}

/** 169.254.0.0/16 /31s, one per site pair: the lower site index takes the even address. */
export function tunnelEnd(
  runId: string,
  self: Pick<SitePlan, 'index' | 'routerId'>,
  peer: Pick<SitePlan, 'index' | 'routerId' | 'name'>,
): TunnelEnd {
  const p = pairIndex(self.index, peer.index);
  const base = mustParseCidr('169.254.0.0/16').base + p * 2;
  const lowIsSelf = self.index < peer.index;
  return {
    peerSite: peer.name,
    peerIndex: peer.index,
    device: linkName(runId, 'tunnel', peer.index),
    vni: VNI_BASE + p,
    local: self.routerId,
    remote: peer.routerId,
    address: formatIp(base + (lowIsSelf ? 0 : 1)),
    peerAddress: formatIp(base + (lowIsSelf ? 1 : 0)),
  };
}

/** BIRD symbols cannot hold "-". */
export function birdSymbol(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}
