/**
 * The workload configuration each isolation mode applies, in Kubernetes terms:
 * what fabrics enforce (real TF through kube-manager; the emulated fabric
 * through nftables). Built from the modes' intent (scenario.ts), never from the
 * expected verdicts.
 *
 * Mode → configuration, per test namespace N (the same on every site):
 * - default: no annotation, no policy.
 * - namespace: N isolated → annotation `opencontrail.org/isolation: "true"`
 *   (TF then isolates N's pods and, by default, its services).
 * - service: N isolated → `opencontrail.org/isolation: "true"` plus
 *   `opencontrail.org/isolation.service: "false"` (services stay reachable).
 * - container: no annotation; NetworkPolicies (networking.k8s.io/v1, the
 *   subset Kubernetes 1.10 serves: one selector per peer):
 *   - `deny-all-ingress`: podSelector {} with policyTypes [Ingress] and no rule;
 *   - `allow-clients`: pods labelled app=echo accept pods labelled app=client
 *     of N (a podSelector peer: N's own pods, across sites one domain);
 *   - `allow-from-<M>` where M's pods may reach N's backends: a namespaceSelector
 *     peer on the namespace label `tungsten-e2e.io/namespace: M`.
 * Every test namespace carries `tungsten-e2e.io/namespace: <name>` in every
 * mode, so namespaceSelectors can name it.
 */
import type { IsolationMode } from '../config/types.js';
import type { IsolationConfig, NetworkPolicy } from '../fabric/fabric.js';
import { modeIntent } from './scenario.js';
import { BACKEND_LABELS, CLIENT_LABELS, NAMESPACE_LABEL } from '../fabric/workloads.js';

export const ISOLATION_ANNOTATION = 'opencontrail.org/isolation';
export const SERVICE_ISOLATION_ANNOTATION = 'opencontrail.org/isolation.service';

export function isolationConfig(
  mode: IsolationMode,
  namespaces: readonly string[],
): IsolationConfig {
  const intent = modeIntent(mode, namespaces);
  const config: IsolationConfig = { mode, namespaces: [], networkPolicies: [] };
  for (const ns of namespaces) {
    const annotations: Record<string, string> = {};
    if (intent.isolated.includes(ns)) {
      annotations[ISOLATION_ANNOTATION] = 'true';
      if (!intent.serviceIsolation) annotations[SERVICE_ISOLATION_ANNOTATION] = 'false';
    }
    config.namespaces.push({ name: ns, labels: { [NAMESPACE_LABEL]: ns }, annotations });
  }
  if (intent.defaultDeny) {
    for (const ns of namespaces) {
      config.networkPolicies.push(denyAll(ns));
    }
  }
  for (const allow of intent.allows) {
    config.networkPolicies.push(
      allow.from === allow.to
        ? {
            name: 'allow-clients',
            namespace: allow.to,
            podSelector: { ...BACKEND_LABELS },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: { ...CLIENT_LABELS } }] }],
          }
        : {
            name: `allow-from-${allow.from}`,
            namespace: allow.to,
            podSelector: { ...BACKEND_LABELS },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ namespaceSelector: { [NAMESPACE_LABEL]: allow.from } }] }],
          },
    );
  }
  return config;
}

function denyAll(namespace: string): NetworkPolicy {
  return {
    name: 'deny-all-ingress',
    namespace,
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [],
  };
}
