/**
 * Expected verdicts: for a mode, may a client pod reach a pod or a service?
 * Derived from the modes' documented meaning, never from the workload
 * configuration a fabric enforces (isolationConfig.ts); no fabric may import
 * this module.
 *
 * TF's documentation of namespace isolation (Contrail "Kubernetes integration",
 * namespace isolation mode):
 * - pods of an isolated namespace reach each other;
 * - pods of other namespaces cannot reach pods of an isolated namespace;
 * - pods of an isolated namespace can reach pods of non-isolated namespaces
 *   and non-isolated services anywhere;
 * - with service isolation on (the default for an isolated namespace), pods of
 *   other namespaces cannot reach its services; with
 *   `opencontrail.org/isolation.service: "false"` they can, while its pods stay
 *   unreachable.
 * Container isolation is Kubernetes NetworkPolicy: a pod selected by an
 * ingress policy accepts only what some policy allows; a service's traffic is
 * judged at the backend it reaches.
 *
 * Across sites, namespaces with the same name are one isolation domain: a
 * client of `east/tenant-a` is "inside" `west/tenant-a`.
 */
import type { IsolationMode } from '../config/types.js';
import type { DenyKind } from '../fabric/fabric.js';
import type { Verdict } from '../report/model.js';
import { modeIntent, type ModeIntent } from './scenario.js';

export interface ClientEndpoint {
  site: string;
  namespace: string;
  name: string;
}

export interface TargetEndpoint {
  site: string;
  namespace: string;
  name: string;
  kind: 'pod' | 'service';
}

export function verdictFor(intent: ModeIntent, from: ClientEndpoint, to: TargetEndpoint): Verdict {
  const sameDomain = from.namespace === to.namespace;
  switch (intent.mode) {
    case 'default':
      return 'allow';
    case 'namespace':
    case 'service': {
      if (sameDomain || !intent.isolated.includes(to.namespace)) return 'allow';
      if (to.kind === 'pod') return 'deny';
      return intent.serviceIsolation ? 'deny' : 'allow';
    }
    case 'container': {
      if (!intent.defaultDeny) return 'allow';
      const allowed = intent.allows.some((a) => a.to === to.namespace && a.from === from.namespace);
      return allowed ? 'allow' : 'deny';
    }
  }
}

/** The expected verdict of one probe under a mode, with the run's test namespaces. */
export function expectedVerdict(
  mode: IsolationMode,
  namespaces: readonly string[],
  from: ClientEndpoint,
  to: TargetEndpoint,
): Verdict {
  return verdictFor(modeIntent(mode, namespaces), from, to);
}

export interface ExpectedCell {
  from: ClientEndpoint;
  to: TargetEndpoint;
  expected: Verdict;
  /** where expected is deny: how the client must see it */
  denyKind?: DenyKind;
}

/** Every (client, target) pair of a mode, with its expected verdict. */
export function expectedMatrix(
  mode: IsolationMode,
  namespaces: readonly string[],
  clients: readonly ClientEndpoint[],
  targets: readonly TargetEndpoint[],
): ExpectedCell[] {
  const intent = modeIntent(mode, namespaces);
  return clients.flatMap((from) =>
    targets.map((to): ExpectedCell => {
      const expected = verdictFor(intent, from, to);
      return expected === 'deny'
        ? { from, to, expected, denyKind: intent.denyKind }
        : { from, to, expected };
    }),
  );
}
