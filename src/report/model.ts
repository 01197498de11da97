/**
 * The results of a run: what results.json holds and every report is rendered
 * from. Shape fixed by the suites issue (more fields welcome, none removed).
 */
import type { IsolationMode, ProviderName, SuiteName } from '../config/types.js';
import type { DenyKind, ProbeResult } from '../fabric/fabric.js';

export type Verdict = 'allow' | 'deny';
/** error: the probe never gave an answer about the network (an infrastructure error) */
export type CheckStatus = 'pass' | 'fail' | 'flaky' | 'error';
export type PhaseName =
  'load' | 'plan' | 'provision' | 'install' | 'ready' | 'connect' | 'test' | 'report' | 'teardown';
export type PhaseStatus = 'ok' | 'failed' | 'skipped' | 'cancelled';

export interface PhaseRecord {
  name: PhaseName;
  startedAt: string;
  endedAt?: string;
  status: PhaseStatus;
  error?: string;
  /** the named steps a fabric took in this phase, per site, in the order they started */
  steps?: StepRecord[];
}

/** One named step of a phase on one site (a fabric's "kernel", "kubeadm init", …). */
export interface StepRecord {
  site: string;
  name: string;
  startedAt: string;
  endedAt?: string;
  status: 'ok' | 'failed' | 'cancelled';
  error?: string;
}

export interface RemediationRecord {
  site: string;
  /** e.g. "control: initializing (No BGP configuration for self)" */
  problem: string;
  /** e.g. "delete control pod", "provision bgp-router" */
  action: string;
  attempt: number;
  at: string;
  resolved: boolean;
  /** what happened when it did not resolve: the step's own error, or the state it left */
  detail?: string;
}

export interface CheckRecord {
  suite: SuiteName;
  /** isolation mode the check ran under; null for connectivity */
  mode: IsolationMode | null;
  /** "site/namespace/name" */
  from: string;
  /** "site/namespace/name" of a pod or a service */
  to: string;
  toKind: 'pod' | 'service';
  expected: Verdict;
  /** where expected is deny: the kind of deny the mode gives (TF drops: timeout) */
  expectedDeny?: DenyKind;
  actual: Verdict | 'error';
  /** what the last probe saw: connected, refused, timeout, unreachable or error */
  observed: ProbeResult;
  attempts: number;
  /** probe calls repeated because the probe itself failed (included in attempts) */
  reprobes?: number;
  status: CheckStatus;
  /** what the probe saw: the echo reply, the error, the timeout */
  detail?: string;
}

/** One site pair's tunnel, as the first site's edge saw it. */
export interface TunnelRecord {
  a: string;
  b: string;
  /** a handshake completed */
  handshake: boolean;
  rxBytes: number;
  txBytes: number;
}

export interface SiteRecord {
  name: string;
  provider: ProviderName;
  region?: string;
  asn: number;
  routerId: string;
  gateway: string;
  cidrs: { underlay: string; pod: string; service: string; ipFabric: string };
}

export interface RunResults {
  runId: string;
  passed: boolean;
  profile: string;
  versions: { kubernetes: string; tfRegistry: string; tfTag: string };
  startedAt: string;
  endedAt: string;
  sites: SiteRecord[];
  phases: PhaseRecord[];
  remediations: RemediationRecord[];
  /** each site pair's WireGuard tunnel, read at the end of the test phase */
  tunnels: TunnelRecord[];
  checks: CheckRecord[];
  /** error: checks whose probe never answered; reprobed: probe calls repeated for that reason */
  totals: { pass: number; fail: number; flaky: number; error: number; reprobed: number };
  /** the command that reproduces this run locally */
  reproduce: string;
  /** why the run stopped early, when it did */
  error?: string;
}
