/**
 * What each isolation mode sets up, as intent in plain terms (the suites'
 * design, in the manner of cilium-cli's scenarios as data). Two modules read
 * it independently: expected.ts turns it into verdicts from TF's documented
 * meaning; isolationConfig.ts turns it into Kubernetes objects for fabrics to
 * enforce. Neither reads the other.
 *
 * - default: nothing isolated, no policy.
 * - namespace: every test namespace but the last is isolated (pod and service
 *   isolation); the last stays open, so the table also shows that isolated
 *   pods still reach open namespaces and that open ones are not isolated.
 * - service: the same namespaces isolated, with service isolation off.
 * - container: every test namespace denies ingress by default; its backends
 *   accept its own clients; the first namespace's backends also accept the
 *   second namespace's pods (one cross-namespace allow, one direction only).
 *
 * Namespaces with the same name at different sites are one isolation domain
 * (their virtual networks share a route target in real TF).
 *
 * How a denied connection looks is part of the intent, as cilium-cli declares
 * per scenario which drop it expects: TF enforces namespace and service
 * isolation with security groups and NetworkPolicy with its firewall
 * policies, and both drop in the vrouter, so the client sees a timeout. A
 * reset or an ICMP error where a drop is expected is something else denying
 * (a dead backend, a host firewall) and fails the check.
 */
import type { IsolationMode } from '../config/types.js';
import type { DenyKind } from '../fabric/fabric.js';

export interface ModeIntent {
  mode: IsolationMode;
  /** namespaces whose pods only their own domain may reach */
  isolated: string[];
  /** whether the isolated namespaces' services are isolated too */
  serviceIsolation: boolean;
  /** container mode: every test namespace denies ingress unless allowed below */
  defaultDeny: boolean;
  /** container mode: backends of namespace `to` accept pods of namespace `from` */
  allows: { to: string; from: string }[];
  /** what a client sees where this mode denies */
  denyKind: DenyKind;
}

export function modeIntent(mode: IsolationMode, namespaces: readonly string[]): ModeIntent {
  const none: ModeIntent = {
    mode,
    isolated: [],
    serviceIsolation: false,
    defaultDeny: false,
    allows: [],
    denyKind: 'timeout',
  };
  switch (mode) {
    case 'default':
      return none;
    case 'namespace':
      return { ...none, isolated: namespaces.slice(0, -1), serviceIsolation: true };
    case 'service':
      return { ...none, isolated: namespaces.slice(0, -1), serviceIsolation: false };
    case 'container': {
      const allows = namespaces.map((ns) => ({ to: ns, from: ns }));
      if (namespaces.length >= 2) allows.push({ to: namespaces[0]!, from: namespaces[1]! });
      return { ...none, defaultDeny: true, allows };
    }
  }
}
