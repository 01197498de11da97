/**
 * The Fabric seam: what runs on the machines. `tungsten` drives real TF with
 * kubeadm + kubectl over SSH; `emulated` plays TF's roles with real BIRD, netns
 * pods and nftables on the local provider. Health logic and the suites sit
 * above this interface and must not know which fabric they talk to.
 */
import type { DocStep } from '../docs/steps.js';
import type { Duplex } from 'node:stream';
import type { IsolationMode } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Plan, SitePlan } from '../plan/types.js';
import type { ProvisionedSite } from '../providers/provider.js';
import type { RemoteHost } from '../remote/target.js';

export interface FabricExecOptions {
  /** the remote process group is killed this long after the command starts */
  timeoutMs?: number;
  /** run as root through `sudo -n` (skipped when the login user is root) */
  sudo?: boolean;
  /** bytes for the command's stdin: the way secrets reach a host (never an argv) */
  stdin?: string | Buffer;
}

/** What a fabric needs of the SSH layer (the run's RemotePool, cancelled with the run). */
export interface RemoteRunner {
  exec(
    host: RemoteHost,
    command: string[] | { script: string },
    options?: FabricExecOptions,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** write a file atomically with exactly `mode` (default 0644) */
  upload(
    host: RemoteHost,
    remotePath: string,
    content: string | Buffer,
    mode?: number,
  ): Promise<void>;
  /** upload a local file, streamed (see upload) */
  uploadFile(host: RemoteHost, remotePath: string, localPath: string, mode?: number): Promise<void>;
  /** reboot the host and return once it is back with a new boot id (deadline: ms from now) */
  reboot(host: RemoteHost, deadlineMs: number): Promise<void>;
  /** a TCP connection from the host to address:port (default: its own loopback), over SSH */
  forward(host: RemoteHost, port: number, address?: string): Promise<Duplex>;
}

/** What the pipeline hands a fabric it makes: the run, its SSH layer, its secrets. */
export interface FabricRun {
  runId: string;
  remote: RemoteRunner;
  credentials: FabricCredentials;
  /** where a fabric keeps a transcript per host (each step's exit, time and output tail) */
  transcriptDir?: string;
  /** where the runner keeps the profile's pinned downloads between runs (the tungsten fabric) */
  artifactDir?: string;
  /** a doc's marked install steps (run --doc), run instead of the built-in TF manifest step */
  docSteps?: readonly DocStep[];
}

export interface FabricCredentials {
  /** the TF image registry's password (the registry-password input); its user is in the plan */
  registryPassword?: string;
}

/** A site as the fabric sees it: its plan and the machines the provider made. */
export interface FabricSite {
  plan: SitePlan;
  machines: ProvisionedSite;
}

export interface FabricContext {
  plan: Plan;
  logger: Logger;
  signal: AbortSignal;
  /**
   * Runs one named step of the site's work (see fabricStep): shown in the
   * progress, recorded in the run state under the current phase, in the
   * timeline and as a JUnit testcase. Absent outside a recorded phase.
   */
  step?: StepRunner;
}

export type StepRunner = <T>(site: string, name: string, fn: () => Promise<T>) => Promise<T>;

/** A fabric's named step: recorded when the context records steps, else just run. */
export function fabricStep<T>(
  ctx: FabricContext,
  site: string,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  return ctx.step ? ctx.step(site, name, fn) : fn();
}

export interface PodRef {
  site: string;
  namespace: string;
  name: string;
}

export interface PodInfo extends PodRef {
  role: 'backend' | 'client';
  ip: string;
  /** backends: the TCP port the echo server listens on (else the port of a service selecting it) */
  port?: number;
  labels: Record<string, string>;
}

export interface ServiceInfo {
  site: string;
  namespace: string;
  name: string;
  ip: string;
  port: number;
  /** label selector of the backends */
  selector: Record<string, string>;
}

export interface Workloads {
  pods: PodInfo[];
  services: ServiceInfo[];
}

/**
 * The workload configuration a mode applies, in Kubernetes terms (namespace
 * annotations, NetworkPolicies). Fabrics enforce this; they never see the
 * suites' expected answers.
 */
export interface IsolationConfig {
  mode: IsolationMode;
  /** labels let NetworkPolicy namespaceSelectors name a namespace (1.10 adds none itself) */
  namespaces: {
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[];
  networkPolicies: NetworkPolicy[];
}

/** The subset of networking.k8s.io/v1 NetworkPolicy the suites use. */
export interface NetworkPolicy {
  name: string;
  namespace: string;
  podSelector: Record<string, string>;
  policyTypes: ('Ingress' | 'Egress')[];
  ingress: {
    from: {
      namespaceSelector?: Record<string, string>;
      podSelector?: Record<string, string>;
    }[];
  }[];
}

export interface ProbeTarget {
  ip: string;
  port: number;
}

/**
 * What one probe saw:
 * - connected: a TCP connection was made (the detail is the echo reply);
 * - refused: a reset came back (nothing listens, or a filter that rejects);
 * - timeout: nothing came back in time (dropped: how TF's security groups
 *   and policies deny);
 * - unreachable: no route, or an ICMP error;
 * - error: the probe itself failed, which says nothing about the network.
 */
export type ProbeResult = 'connected' | 'refused' | 'timeout' | 'unreachable' | 'error';
export const PROBE_RESULTS: readonly ProbeResult[] = [
  'connected',
  'refused',
  'timeout',
  'unreachable',
  'error',
];
/** The ways the network can say no. */
export type DenyKind = Extract<ProbeResult, 'refused' | 'timeout' | 'unreachable'>;

export interface ProbeOutcome {
  result: ProbeResult;
  /** the echo server's reply (its pod name) when connected; the error otherwise */
  detail: string;
  durationMs: number;
}

export type RemediationAction = 'delete-control-pod' | 'provision-bgp-router';

/** One BGP session from a site's control node to another site's. */
export interface BgpSession {
  /** the other site */
  site: string;
  /** BGP's state (Established, Active, Connect, …) or why there is none ("not configured") */
  state: string;
  established: boolean;
}

/**
 * How long a fabric's clusters take, for the ready phase: the emulation
 * settles in about a second, real TF in minutes.
 */
export interface FabricTimings {
  /** how long every site may take to report healthy */
  readyDeadlineMs: number;
  /** how long a control node may sit in the race before its remedy */
  raceGraceMs: number;
  /** between contrail-status polls */
  pollIntervalMs: number;
  /** between progress lines while waiting */
  progressEveryMs: number;
}

export interface Fabric {
  readonly name: 'tungsten' | 'emulated';
  readonly timings: FabricTimings;
  /**
   * How long a connection may take on this fabric before the probe counts
   * it as dropped (a deny seen as a timeout). Default 2000 ms.
   */
  readonly probeTimeoutMs?: number;
  /** Install the cluster and TF (or its emulation) on a provisioned site. */
  install(site: FabricSite, ctx: FabricContext): Promise<void>;
  /** contrail-status text per host of the site (host name → text). */
  status(site: FabricSite, ctx: FabricContext): Promise<Record<string, string>>;
  /** One step of the control-node race remediation ladder. */
  remediate(site: FabricSite, action: RemediationAction, ctx: FabricContext): Promise<void>;
  /** Configure BGP from this site's control node to every peer the plan names. */
  peer(site: FabricSite, all: FabricSite[], ctx: FabricContext): Promise<void>;
  /**
   * The site's sessions to every peer the plan names: what the connect phase
   * waits for (real TF: the control node's introspect bgp_neighbor list). A
   * fabric without it is not waited for.
   */
  peerStatus?(site: FabricSite, ctx: FabricContext): Promise<BgpSession[]>;
  /**
   * Undo on a cluster that outlives the run (a static site's) what connect
   * and the tests made there: test namespaces, peers, route targets. Safe to
   * repeat; returns what it removed.
   */
  cleanup?(site: FabricSite, ctx: FabricContext): Promise<string[]>;
  /**
   * Each host's diagnostics after a failed phase (host name → text), written
   * to the results directory. Best effort: a host that does not answer is
   * left out.
   */
  collectLogs?(site: FabricSite, ctx: FabricContext): Promise<Record<string, string>>;
  /** Create the test namespaces, echo backends, their services and client pods. */
  deployWorkloads(site: FabricSite, namespaces: string[], ctx: FabricContext): Promise<Workloads>;
  /** Apply a mode's workload configuration on a site (replacing the previous mode's). */
  applyIsolation(
    site: FabricSite,
    config: IsolationConfig,
    world: Workloads,
    ctx: FabricContext,
  ): Promise<void>;
  /**
   * TCP probes from one pod to many addresses at once (one exec, one process
   * on the pod's side): connect within timeoutMs each, read the reply. One
   * outcome per target, in the targets' order.
   */
  probe(
    from: PodRef,
    targets: readonly ProbeTarget[],
    timeoutMs: number,
    ctx: FabricContext,
  ): Promise<ProbeOutcome[]>;
}

/** One probe through the batched method (tests and tools that ask about one address). */
export async function probeOne(
  fabric: Pick<Fabric, 'probe'>,
  from: PodRef,
  to: ProbeTarget,
  timeoutMs: number,
  ctx: FabricContext,
): Promise<ProbeOutcome> {
  const [outcome] = await fabric.probe(from, [to], timeoutMs, ctx);
  if (!outcome) throw new Error(`the fabric returned no outcome for ${to.ip}:${to.port}`);
  return outcome;
}
