import type { FaultName, ProviderName, RunConfig } from '../config/types.js';
import type { Profile } from '../config/profile.js';
import type { SiteRanges } from './ipplan.js';

export type HostRole = 'master' | 'worker' | 'edge';

export interface HostPlan {
  /** unique within the run: "<site>-master", "<site>-worker-1", "<site>-edge" */
  name: string;
  role: HostRole;
  /** the host's address on its site's underlay */
  privateAddress: string;
  instanceType?: string;
  /** static hosts only: how the user said to reach it */
  ssh?: { address: string; port: number; user: string; jump?: string; hostKey?: string };
}

export interface PeerPlan {
  site: string;
  asn: number;
  /** the remote control node's BGP address (its router id) */
  address: string;
}

export interface ImagePlan {
  /** what the provider searches for; undefined when the cloud has no image for the profile */
  ref?: string;
  note?: string;
}

export interface SitePlan {
  name: string;
  index: number;
  provider: ProviderName;
  region?: string;
  zone?: string;
  spot: boolean;
  sshCidr?: string;
  asn: number;
  routerId: string;
  gateway: string;
  cidrs: SiteRanges;
  /** which ranges the user fixed (the rest were allocated by the documented scheme) */
  given: Record<keyof SiteRanges, boolean>;
  hosts: HostPlan[];
  peers: PeerPlan[];
  image: ImagePlan;
  faults: FaultName[];
  kubeadm: { args: string[]; config: string };
  /** placeholder name → value, for the TF manifest of the profile */
  manifestValues: Record<string, string>;
  /** values written into the manifest's ConfigMaps */
  configMapValues: {
    env: Record<string, string>;
    kubeManager: Record<string, string>;
  };
}

export interface ResolvedVersions {
  kubernetes: string;
  tfRegistry: string;
  tfTag: string;
}

/** Who pulls the images: see Plan.registry. */
export type ImagePulls = 'runner' | 'nodes';

export interface Plan {
  profile: Profile;
  versions: ResolvedVersions;
  ttlSeconds: number;
  tests: RunConfig['tests'];
  health: RunConfig['health'];
  sites: SitePlan[];
  /** each unordered pair of sites once: full-mesh eBGP between control nodes */
  peerings: { a: string; b: string }[];
  /**
   * The TF image registry's mirror and user (the password comes with the
   * run's credentials), and who pulls the images: the runner once, pushing
   * them to the nodes (default without a mirror), or each node itself.
   */
  registry: { mirror?: string; username?: string; images: ImagePulls };
  warnings: string[];
}
