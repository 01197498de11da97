/**
 * Cross-site BGP between TF control nodes, through the config API, and the
 * sessions read back from the control node's introspect.
 *
 * Per site: the global ASN (global-system-config); for each remote control
 * node a bgp-router with a vendor other than `contrail` (the schema
 * transformer overwrites a contrail-vendor router's ASN with the local one)
 * and an explicit session to the local control node (no auto-mesh across
 * ASNs); one route target shared by every site on the cluster's pod and
 * service networks, so routes of one site's networks are imported by the
 * other's. Every change is read-modify-write and made only when needed: a
 * second call changes nothing.
 */
import { InfraError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';
import type { BgpSession, IsolationConfig } from '../fabric.js';
import type { ApiObject, ConfigApi, FqName } from './configApi.js';

/** The routing instance every bgp-router lives in. */
export const IP_FABRIC_RI: FqName = [
  'default-domain',
  'default-project',
  'ip-fabric',
  '__default__',
];
/** What TF needs between control nodes for L3VPN and EVPN. */
export const PEER_FAMILIES = ['route-target', 'inet-vpn', 'e-vpn', 'inet6-vpn'];
/** A vendor other than `contrail`, so TF keeps the remote ASN. */
export const PEER_VENDOR = 'tungsten-fabric';
/**
 * kube-manager's cluster name (KUBERNETES_CLUSTER_NAME), which names the
 * default project and its networks; the rendered manifests keep the default.
 */
export const CLUSTER_NAME = 'k8s';
/** Below 8000000, where TF's own route targets start. */
export const ROUTE_TARGET_NUMBER = 7_000_100;

export interface PeerSpec {
  /** the remote control node's name (its host name, as its own bgp-router is named) */
  name: string;
  address: string;
  asn: number;
}

export interface PeeringSpec {
  asn: number;
  /** the local control node's name */
  local: string;
  peers: PeerSpec[];
  routeTarget: string;
  networks: FqName[];
}

/** The cluster's default pod and service networks, as kube-manager names them. */
export function clusterNetworks(cluster = CLUSTER_NAME): FqName[] {
  const project = `${cluster}-default`;
  return [
    ['default-domain', project, `${cluster}-default-pod-network`],
    ['default-domain', project, `${cluster}-default-service-network`],
  ];
}

/** One route target for the whole run, equal on every site: the lowest site ASN and a fixed number. */
export function sharedRouteTarget(plan: Plan): string {
  return `target:${Math.min(...plan.sites.map((s) => s.asn))}:${ROUTE_TARGET_NUMBER}`;
}

/** The peering a site's control node needs, from the plan. */
export function peeringSpec(plan: Plan, site: string): PeeringSpec {
  const me = plan.sites.find((s) => s.name === site)!;
  const masterOf = (name: string) => {
    const s = plan.sites.find((x) => x.name === name);
    const m = s?.hosts.find((h) => h.role === 'master');
    if (!m) throw new InfraError(`site ${site}: peer site ${name} has no master in the plan`);
    return m.name;
  };
  return {
    asn: me.asn,
    local: masterOf(site),
    peers: me.peers.map((p) => ({ name: masterOf(p.site), address: p.address, asn: p.asn })),
    routeTarget: sharedRouteTarget(plan),
    networks: clusterNetworks(),
  };
}

function peerParameters(p: PeerSpec): Record<string, unknown> {
  return {
    router_type: 'router',
    vendor: PEER_VENDOR,
    autonomous_system: p.asn,
    identifier: p.address,
    address: p.address,
    port: 179,
    address_families: { family: [...PEER_FAMILIES] },
  };
}

interface Ref {
  to: string[];
  attr?: unknown;
  uuid?: string;
}

const sameName = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function sessionTo(local: string): Ref {
  return {
    to: [...IP_FABRIC_RI, local],
    attr: { session: [{ attributes: [{ address_families: { family: [...PEER_FAMILIES] } }] }] },
  };
}

/** Does `have` carry every key of `want` with the same value (JSON-equal)? */
function covers(have: unknown, want: Record<string, unknown>): boolean {
  if (!have || typeof have !== 'object') return false;
  const h = have as Record<string, unknown>;
  return Object.entries(want).every(([k, v]) => JSON.stringify(h[k]) === JSON.stringify(v));
}

/** Configure one site's side; returns what was changed (empty when all was in place). */
export async function configurePeering(api: ConfigApi, spec: PeeringSpec): Promise<string[]> {
  const changed: string[] = [];
  // the global ASN
  const [gsc] = await api.list('global-system-config');
  if (!gsc) throw new InfraError('the config API lists no global-system-config');
  const global = await api.read('global-system-config', gsc.uuid);
  if (global.autonomous_system !== spec.asn) {
    await api.update('global-system-config', gsc.uuid, { autonomous_system: spec.asn });
    changed.push(`global ASN ${String(global.autonomous_system)} → ${spec.asn}`);
  }
  // the local control node must have its own bgp-router (readiness provisions it when the race hid it)
  const localName = [...IP_FABRIC_RI, spec.local];
  if (!(await api.idOf('bgp-router', localName))) {
    throw new InfraError(
      `the control node's own bgp-router ${spec.local} does not exist, so no session can be made to it (the race: the readiness ladder's "provision bgp-router" creates it)`,
    );
  }
  for (const p of spec.peers) {
    const fqName = [...IP_FABRIC_RI, p.name];
    const params = peerParameters(p);
    const id = await api.idOf('bgp-router', fqName);
    if (!id) {
      const made = await api.create('bgp-router', {
        fq_name: fqName,
        parent_type: 'routing-instance',
        bgp_router_parameters: params,
        bgp_router_refs: [sessionTo(spec.local)],
      });
      if (made !== 'exists') {
        changed.push(`bgp-router ${p.name} (AS${p.asn} at ${p.address}) created`);
        continue;
      }
    }
    const uuid = id ?? (await api.idOf('bgp-router', fqName))!;
    const have = await api.read('bgp-router', uuid);
    const refs = ((have.bgp_router_refs as Ref[] | undefined) ?? []).map((r) => ({
      to: r.to,
      ...(r.attr !== undefined ? { attr: r.attr } : {}),
    }));
    const hasSession = refs.some((r) => sameName(r.to, localName));
    const paramsOk = covers(have.bgp_router_parameters, params);
    if (paramsOk && hasSession) continue;
    const update: ApiObject = {};
    if (!paramsOk) {
      update.bgp_router_parameters = {
        ...((have.bgp_router_parameters as Record<string, unknown>) ?? {}),
        ...params,
      };
    }
    // a PUT replaces the whole ref list: keep the refs it has
    if (!hasSession) update.bgp_router_refs = [...refs, sessionTo(spec.local)];
    await api.update('bgp-router', uuid, update);
    changed.push(`bgp-router ${p.name} updated (${Object.keys(update).join(', ')})`);
  }
  // one route target on the cluster's networks, added to what they carry
  for (const vn of spec.networks) {
    const uuid = await api.idOf('virtual-network', vn);
    if (!uuid) {
      throw new InfraError(
        `virtual network ${vn.join(':')} does not exist (kube-manager creates it when it starts)`,
      );
    }
    const have = await api.read('virtual-network', uuid);
    const list =
      (have.route_target_list as { route_target?: string[] } | undefined)?.route_target ?? [];
    if (list.includes(spec.routeTarget)) continue;
    await api.update('virtual-network', uuid, {
      route_target_list: { route_target: [...list, spec.routeTarget] },
    });
    changed.push(`route target ${spec.routeTarget} on ${vn.at(-1)!}`);
  }
  return changed;
}

/** An isolated namespace's own networks, as kube-manager names them (vnc_namespace.py). */
export function namespaceNetworks(namespace: string, cluster = CLUSTER_NAME): FqName[] {
  const project = `${cluster}-${namespace}`;
  return [
    ['default-domain', project, `${cluster}-${namespace}-pod-network`],
    ['default-domain', project, `${cluster}-${namespace}-service-network`],
  ];
}

/** kube-manager's firewall policy for a NetworkPolicy (vnc_security_policy.py): cluster-namespace-name. */
export function firewallPolicyName(
  namespace: string,
  policy: string,
  cluster = CLUSTER_NAME,
): string {
  return `${cluster}-${namespace}-${policy}`;
}

const ISOLATED = 'opencontrail.org/isolation';

/**
 * Poll the config API until kube-manager shows a mode: every isolated
 * namespace's networks exist (each then carries the run's shared route
 * target, added read-modify-write: kube-manager makes them without it), and
 * every NetworkPolicy has its firewall policy. Past the deadline: what is
 * still missing, named.
 */
export async function waitIsolation(
  api: ConfigApi,
  config: IsolationConfig,
  routeTarget: string,
  o: { deadlineMs: number; pollMs: number; signal: AbortSignal; where: string },
): Promise<void> {
  const started = Date.now();
  for (;;) {
    const missing: string[] = [];
    for (const ns of config.namespaces.filter((n) => n.annotations[ISOLATED] === 'true')) {
      for (const vn of namespaceNetworks(ns.name)) {
        const uuid = await api.idOf('virtual-network', vn);
        if (!uuid) {
          missing.push(`virtual network ${vn.join(':')}`);
          continue;
        }
        const have = await api.read('virtual-network', uuid);
        const list =
          (have.route_target_list as { route_target?: string[] } | undefined)?.route_target ?? [];
        if (!list.includes(routeTarget)) {
          await api.update('virtual-network', uuid, {
            route_target_list: { route_target: [...list, routeTarget] },
          });
        }
      }
    }
    if (config.networkPolicies.length > 0) {
      const names = new Set((await api.list('firewall-policy')).map((f) => f.fq_name.at(-1)));
      for (const p of config.networkPolicies) {
        const name = firewallPolicyName(p.namespace, p.name);
        if (!names.has(name)) missing.push(`firewall policy ${name}`);
      }
    }
    if (missing.length === 0) return;
    if (Date.now() - started >= o.deadlineMs) {
      throw new InfraError(
        `${o.where}: kube-manager has not applied isolation mode ${config.mode} after ${Math.round(o.deadlineMs / 1000)} s: no ${missing.join(', no ')} in the config API`,
      );
    }
    o.signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}

/** Remove the bgp-routers this site made for peers that are going away; returns those removed. */
export async function removePeers(api: ConfigApi, peers: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const name of peers) {
    const uuid = await api.idOf('bgp-router', [...IP_FABRIC_RI, name]);
    if (!uuid) continue;
    const have = await api.read('bgp-router', uuid);
    // only routers this harness made (never a control node's own)
    if ((have.bgp_router_parameters as { vendor?: string } | undefined)?.vendor !== PEER_VENDOR)
      continue;
    await api.remove('bgp-router', uuid);
    removed.push(name);
  }
  return removed;
}

/**
 * Undo one site's side of configurePeering on a cluster that stays (a static
 * site): the peers' bgp-routers and the shared route target on the cluster's
 * networks. The global ASN stays: it is the site's, and its earlier value is
 * not known. Returns what was removed.
 */
export async function unconfigurePeering(api: ConfigApi, spec: PeeringSpec): Promise<string[]> {
  const removed = (
    await removePeers(
      api,
      spec.peers.map((p) => p.name),
    )
  ).map((n) => `bgp-router ${n}`);
  for (const vn of spec.networks) {
    const uuid = await api.idOf('virtual-network', vn);
    if (!uuid) continue;
    const have = await api.read('virtual-network', uuid);
    const list =
      (have.route_target_list as { route_target?: string[] } | undefined)?.route_target ?? [];
    if (!list.includes(spec.routeTarget)) continue;
    await api.update('virtual-network', uuid, {
      route_target_list: { route_target: list.filter((rt) => rt !== spec.routeTarget) },
    });
    removed.push(`route target ${spec.routeTarget} on ${vn.at(-1)!}`);
  }
  return removed;
}

// ---- the control node's introspect (port 8083) --------------------------

export interface BgpNeighbor {
  peer: string;
  address: string;
  asn: number;
  /** BGP for routers, XMPP for vrouter agents */
  encoding: string;
  state: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!);

/**
 * The neighbors of a Sandesh `BgpNeighborListResp` (GET /Snh_BgpNeighborReq):
 * each `<BgpNeighborResp>` holds typed fields such as
 * `<state type="string" identifier="8">Established</state>`.
 */
export function parseBgpNeighbors(xml: string): BgpNeighbor[] {
  if (!/<BgpNeighborListResp\b/.test(xml)) {
    throw new InfraError(
      `the introspect did not answer with a BgpNeighborListResp: ${xml.trim().slice(0, 200)}`,
    );
  }
  const out: BgpNeighbor[] = [];
  for (const m of xml.matchAll(/<BgpNeighborResp>([\s\S]*?)<\/BgpNeighborResp>/g)) {
    const field = (name: string) =>
      unescape(new RegExp(`<${name}\\b[^>]*>([^<]*)</${name}>`).exec(m[1]!)?.[1]?.trim() ?? '');
    out.push({
      peer: field('peer'),
      address: field('peer_address'),
      asn: Number(field('peer_asn')),
      encoding: field('encoding'),
      state: field('state'),
    });
  }
  return out;
}

/** A session per peer the plan names, by the peer's address: its state, or "not configured". */
export function neighborSessions(
  neighbors: readonly BgpNeighbor[],
  peers: readonly { site: string; address: string }[],
): BgpSession[] {
  return peers.map((p) => {
    const n = neighbors.find((x) => x.encoding === 'BGP' && x.address === p.address);
    const state = n ? n.state : 'not configured';
    return { site: p.site, state, established: n?.state === 'Established' };
  });
}
