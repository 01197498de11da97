/**
 * The Provider seam: where machines come from. Keep it small; a method only one
 * implementation needs does not belong here.
 *
 * Every resource a provider creates carries the run id and an expiry (as tags,
 * labels or names), so `destroy` and the janitor find it without the state file.
 */
import type { ProviderName } from '../config/types.js';
import type { Logger } from '../log.js';
import type { HostRole, Plan, SitePlan } from '../plan/types.js';

export interface SshEndpoint {
  /** address the runner connects to */
  host: string;
  port: number;
  user: string;
  /** name of another Host of the same run to jump through (its site's master) */
  jumpHost?: string;
}

export interface Host {
  /** unique in the run, as planned: "<site>-master", "<site>-worker-1", "<site>-edge" */
  name: string;
  site: string;
  role: HostRole;
  privateAddress: string;
  publicAddress?: string;
  /** edges: where the other sites' edges reach its tunnel (UDP), when not its public address */
  tunnelAddress?: string;
  ssh: SshEndpoint;
  /** OpenSSH public host keys ("ssh-ed25519 AAAA…") when the provider knows them */
  hostKeys?: string[];
}

export interface ProvisionedSite {
  name: string;
  provider: ProviderName;
  hosts: Host[];
}

/** One thing a provider made; recorded the moment it exists. */
export interface CreatedResource {
  provider: ProviderName;
  site: string;
  /** e.g. "netns", "process", "vpc", "instance", "resource-group" */
  kind: string;
  id: string;
  region?: string;
}

export interface ProviderContext {
  /** short run id ([a-z0-9]{6}); every resource name or tag carries it */
  runId: string;
  expiresAt: Date;
  /** "owner/name" of the repository, when known */
  repo?: string;
  /** the run's public key, OpenSSH format, to authorize on every host */
  sshPublicKey: string;
  /** the run's state directory (provider files go below it) */
  stateDir: string;
  logger: Logger;
  signal: AbortSignal;
  /** persist a resource as soon as it exists, so teardown sees half-made runs */
  recordResource(resource: CreatedResource): Promise<void>;
}

export interface TeardownTarget {
  runId: string;
  /** the sites of the run this provider serves (regions to search, for clouds) */
  sites: { name: string; region?: string; zone?: string }[];
}

export interface DestroyReport {
  deleted: CreatedResource[];
  /** what could not be deleted, with the cloud's or the kernel's own message and how to delete it by hand */
  remaining: { resource: CreatedResource; error: string; howToDelete: string }[];
}

export interface ExpiredRun {
  runId: string;
  expiresAt: Date;
  /** when the run was created, where the provider records it (the janitor's --older-than) */
  createdAt?: Date;
  /** the state directory the run was started with, where the provider records it */
  stateDir?: string;
  /** the command that started it was killed before it finished (not a run kept on purpose) */
  orphaned?: { command: string; pid: number };
  resources: CreatedResource[];
}

/** Another site's edge VM, as the site-to-site tunnel sees it. */
export interface PeerEdge {
  site: string;
  publicAddress: string;
}

export interface ProviderOpContext {
  logger: Logger;
  signal: AbortSignal;
}

export interface Provider {
  readonly name: ProviderName;
  /**
   * The machines outlive the run (the user's own, static): teardown first
   * has the fabric undo on their cluster what the run made there.
   */
  readonly keepsMachines?: boolean;
  /**
   * Everything that can be checked before the first create: tools, privileges,
   * credentials, instance sizes against the profile's minimums. Throws UserError.
   */
  preflight(sites: SitePlan[], plan: Plan, ctx: ProviderOpContext): Promise<void>;
  /** Create the site's machines (nodes and edge) and return how to reach them. */
  provision(site: SitePlan, plan: Plan, ctx: ProviderContext): Promise<ProvisionedSite>;
  /**
   * Let the other sites' edge VMs reach this site's edge (WireGuard: its UDP
   * port from each peer's public address). Called once every site is
   * provisioned, when all edge addresses are known; idempotent. Providers whose
   * edges need no cloud firewall change (local, static) leave it out.
   */
  authorizeEdges?(site: SitePlan, peers: PeerEdge[], ctx: ProviderContext): Promise<void>;
  /** Delete everything carrying the run id; idempotent, safe on a half-made run. */
  destroy(target: TeardownTarget, ctx: ProviderOpContext): Promise<DestroyReport>;
  /** Runs whose expiry has passed, for the janitor. */
  listExpired(now: Date, ctx: ProviderOpContext & { regions?: string[] }): Promise<ExpiredRun[]>;
}
