/**
 * The Fabric seam: what runs on the machines. `tungsten` drives real TF with
 * kubeadm + kubectl over SSH; `emulated` plays TF's roles with real BIRD, netns
 * pods and nftables on the local provider. Health logic and the suites sit
 * above this interface and must not know which fabric they talk to.
 */
import type { IsolationMode } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Plan, SitePlan } from '../plan/types.js';
import type { ProvisionedSite } from '../providers/provider.js';

/** A site as the fabric sees it: its plan and the machines the provider made. */
export interface FabricSite {
  plan: SitePlan;
  machines: ProvisionedSite;
}

export interface FabricContext {
  plan: Plan;
  logger: Logger;
  signal: AbortSignal;
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

export interface ProbeOutcome {
  /** connected: a reply came back; refused/timeout: blocked or unreachable; error: the probe itself failed */
  result: 'connected' | 'refused' | 'timeout' | 'error';
  /** the echo server's reply (its pod name) when connected; the error otherwise */
  detail: string;
  durationMs: number;
}

export type RemediationAction = 'delete-control-pod' | 'provision-bgp-router';

export interface Fabric {
  readonly name: 'tungsten' | 'emulated';
  /** Install the cluster and TF (or its emulation) on a provisioned site. */
  install(site: FabricSite, ctx: FabricContext): Promise<void>;
  /** contrail-status text per host of the site (host name → text). */
  status(site: FabricSite, ctx: FabricContext): Promise<Record<string, string>>;
  /** One step of the control-node race remediation ladder. */
  remediate(site: FabricSite, action: RemediationAction, ctx: FabricContext): Promise<void>;
  /** Configure BGP from this site's control node to every peer the plan names. */
  peer(site: FabricSite, all: FabricSite[], ctx: FabricContext): Promise<void>;
  /** Create the test namespaces, echo backends, their services and client pods. */
  deployWorkloads(site: FabricSite, namespaces: string[], ctx: FabricContext): Promise<Workloads>;
  /** Apply a mode's workload configuration on a site (replacing the previous mode's). */
  applyIsolation(
    site: FabricSite,
    config: IsolationConfig,
    world: Workloads,
    ctx: FabricContext,
  ): Promise<void>;
  /** One TCP probe from a pod to an address: connect within timeoutMs, read the reply. */
  probe(
    from: PodRef,
    to: ProbeTarget,
    timeoutMs: number,
    ctx: FabricContext,
  ): Promise<ProbeOutcome>;
}
