/**
 * What the workload configuration allows, pod by pod (pure). This is the
 * emulated vrouter's reading of TF's isolation annotations and Kubernetes
 * NetworkPolicies; it sees only the configuration and the pods, never the
 * suites' expected verdicts.
 *
 * - A namespace annotated `opencontrail.org/isolation: "true"` is isolated:
 *   its pods accept only pods of the same namespace; its services likewise,
 *   unless `opencontrail.org/isolation.service: "false"` opens them to all.
 * - Namespaces with the same name at different sites are one isolation domain
 *   (their virtual networks share a route target in TF).
 * - A pod selected by a NetworkPolicy of its namespace (policyTypes Ingress,
 *   or none given) accepts only the policy's peers: `podSelector` alone means
 *   pods of the policy's namespace, `namespaceSelector` pods of the namespaces
 *   whose labels match (only the labels the configuration gives: Kubernetes
 *   1.10 adds none), both together pods matching both, a rule without `from`
 *   everyone.
 *   Egress in policyTypes with no egress rules denies the pod's egress.
 * - Namespace isolation and policies both apply: a source must pass both.
 * Replies of allowed connections always pass (connection tracking).
 */
import type { IsolationConfig, NetworkPolicy } from '../fabric.js';

export const ISOLATION_ANNOTATION = 'opencontrail.org/isolation';
export const SERVICE_ISOLATION_ANNOTATION = 'opencontrail.org/isolation.service';

export interface PodIdentity {
  site: string;
  namespace: string;
  name: string;
  ip: string;
  labels: Record<string, string>;
}

/** Source addresses allowed to reach a pod; `any` also admits addresses that are no pod's. */
export type Sources = { any: true } | { any: false; ips: string[] };

export interface PodRules {
  /** connections straight to the pod's address */
  direct: Sources;
  /** connections to a service address, translated to the pod */
  viaService: Sources;
  egressDenied: boolean;
}

const ANY: Sources = { any: true };

function intersect(a: Sources, b: Sources): Sources {
  if (a.any) return b;
  if (b.any) return a;
  const keep = new Set(b.ips);
  return { any: false, ips: a.ips.filter((ip) => keep.has(ip)) };
}

function union(a: Sources, b: Sources): Sources {
  if (a.any || b.any) return ANY;
  return { any: false, ips: [...new Set([...a.ips, ...b.ips])].sort() };
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>) {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** A namespace's labels as the configuration gives them (Kubernetes 1.10 adds none itself). */
export function namespaceLabels(config: IsolationConfig, name: string): Record<string, string> {
  return { ...(config.namespaces.find((n) => n.name === name)?.labels ?? {}) };
}

function annotations(config: IsolationConfig, name: string): Record<string, string> {
  return config.namespaces.find((n) => n.name === name)?.annotations ?? {};
}

export function namespaceIsolated(config: IsolationConfig, name: string): boolean {
  return annotations(config, name)[ISOLATION_ANNOTATION] === 'true';
}

export function serviceIsolated(config: IsolationConfig, name: string): boolean {
  return (
    namespaceIsolated(config, name) &&
    annotations(config, name)[SERVICE_ISOLATION_ANNOTATION] !== 'false'
  );
}

function ipsOf(pods: readonly PodIdentity[]): Sources {
  return { any: false, ips: [...new Set(pods.map((p) => p.ip))].sort() };
}

function ingressTypes(p: NetworkPolicy): boolean {
  return p.policyTypes.length === 0 || p.policyTypes.includes('Ingress');
}

function policyPeers(
  policy: NetworkPolicy,
  world: readonly PodIdentity[],
  config: IsolationConfig,
) {
  let allowed: Sources = { any: false, ips: [] };
  for (const rule of policy.ingress) {
    if (rule.from.length === 0) return ANY;
    for (const peer of rule.from) {
      const pods = world.filter((src) => {
        const nsOk = peer.namespaceSelector
          ? matches(peer.namespaceSelector, namespaceLabels(config, src.namespace))
          : src.namespace === policy.namespace;
        return nsOk && matches(peer.podSelector, src.labels);
      });
      allowed = union(allowed, ipsOf(pods));
    }
  }
  return allowed;
}

export function podRules(
  pod: PodIdentity,
  config: IsolationConfig,
  world: readonly PodIdentity[],
): PodRules {
  const sameDomain = ipsOf(world.filter((p) => p.namespace === pod.namespace));
  let direct: Sources = namespaceIsolated(config, pod.namespace) ? sameDomain : ANY;
  let viaService: Sources = serviceIsolated(config, pod.namespace) ? sameDomain : ANY;

  // a namespace's policies select pods of that namespace in the cluster they are applied to
  const selecting = config.networkPolicies.filter(
    (p) => p.namespace === pod.namespace && matches(p.podSelector, pod.labels),
  );
  const ingress = selecting.filter(ingressTypes);
  if (ingress.length > 0) {
    const peers = ingress
      .map((p) => policyPeers(p, world, config))
      .reduce(union, { any: false, ips: [] } as Sources);
    direct = intersect(direct, peers);
    viaService = intersect(viaService, peers);
  }
  return {
    direct,
    viaService,
    egressDenied: selecting.some((p) => p.policyTypes.includes('Egress')),
  };
}
