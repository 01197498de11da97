import type {
  IsolationConfig,
  NetworkPolicy,
  PodInfo,
  ServiceInfo,
} from '../../src/fabric/fabric.js';
import {
  ISOLATION_ANNOTATION,
  SERVICE_ISOLATION_ANNOTATION,
} from '../../src/suites/isolationConfig.js';
import { matchesLabels } from '../../src/fabric/workloads.js';

/**
 * A reference reading of an IsolationConfig, written for the tests the way a
 * fabric reads it (TF's annotations, Kubernetes NetworkPolicy), and knowing
 * nothing of expected.ts. Namespaces of the same name at different sites are
 * one domain, so a podSelector peer matches pods of that name at any site.
 * Returns whether a connection from a pod reaches a backend, directly or
 * through a service.
 */
export function reaches(
  config: IsolationConfig,
  from: PodInfo,
  backend: PodInfo,
  via?: ServiceInfo,
): boolean {
  const ns = (name: string) => config.namespaces.find((n) => n.name === name);
  const isolated = (name: string) => ns(name)?.annotations[ISOLATION_ANNOTATION] === 'true';
  const servicesIsolated = (name: string) =>
    isolated(name) && ns(name)?.annotations[SERVICE_ISOLATION_ANNOTATION] !== 'false';

  if (via) {
    if (from.namespace !== via.namespace && servicesIsolated(via.namespace)) return false;
  } else if (from.namespace !== backend.namespace && isolated(backend.namespace)) {
    return false;
  }

  const selecting = config.networkPolicies.filter(
    (p) =>
      p.namespace === backend.namespace &&
      p.policyTypes.includes('Ingress') &&
      matchesLabels(backend.labels, p.podSelector),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) => p.ingress.some((rule) => ruleAdmits(p, rule, from, config)));
}

function ruleAdmits(
  policy: NetworkPolicy,
  rule: NetworkPolicy['ingress'][number],
  from: PodInfo,
  config: IsolationConfig,
): boolean {
  if (rule.from.length === 0) return true;
  return rule.from.some((peer) => {
    if (peer.namespaceSelector) {
      const labels = config.namespaces.find((n) => n.name === from.namespace)?.labels ?? {};
      if (!matchesLabels(labels, peer.namespaceSelector)) return false;
      return peer.podSelector ? matchesLabels(from.labels, peer.podSelector) : true;
    }
    if (peer.podSelector) {
      return from.namespace === policy.namespace && matchesLabels(from.labels, peer.podSelector);
    }
    return false;
  });
}
