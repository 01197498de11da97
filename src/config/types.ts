import type {
  CIDR_KINDS,
  FAULTS,
  ISOLATION_MODES,
  PROVIDERS,
  SUITES,
  TEARDOWN_POLICIES,
  TOLERABLE_STATES,
} from './schema.js';

export type ProviderName = (typeof PROVIDERS)[number];
export type FaultName = (typeof FAULTS)[number];
export type SuiteName = (typeof SUITES)[number];
export type IsolationMode = (typeof ISOLATION_MODES)[number];
export type CidrKindKey = (typeof CIDR_KINDS)[number];
export type TeardownPolicy = (typeof TEARDOWN_POLICIES)[number];

/** Internal (camelCase) names of the four per-site ranges. */
export type CidrKind = 'underlay' | 'pod' | 'service' | 'ipFabric';
export const CIDR_KIND_KEYS: Record<CidrKind, CidrKindKey> = {
  underlay: 'underlay',
  pod: 'pod',
  service: 'service',
  ipFabric: 'ip-fabric',
};

export interface StaticHostConfig {
  address: string;
  privateAddress?: string;
  port: number;
  user: string;
  role: 'master' | 'worker' | 'edge';
  jump?: string;
  /** the host's public key ("type base64"), pinned before the first connection */
  hostKey?: string;
}

export interface SiteConfig {
  name: string;
  provider: ProviderName;
  region?: string;
  zone?: string;
  image?: string;
  spot: boolean;
  sshCidr?: string;
  nodes: { workers: number; masterType?: string; workerType?: string; edgeType?: string };
  cidrs: Partial<Record<CidrKind, string>>;
  asn?: number;
  hosts?: StaticHostConfig[];
  faults: FaultName[];
}

/** Line and column (1-based) of a node in the source file, keyed by dotted path. */
export interface NodePosition {
  line: number;
  col: number;
  keyLine?: number;
  keyCol?: number;
}

export interface RunConfig {
  /** the site file's path, or a label such as "action input 'sites'" */
  file: string;
  /** positions of every node, keyed like "sites.1.cidrs.pod" */
  positions: Record<string, NodePosition>;
  profile: string;
  ttl: string;
  ttlSeconds: number;
  allowUnsupported: boolean;
  versions: { kubernetes?: string; tfTag?: string };
  registry: { mirror?: string; username?: string; images?: 'runner' | 'nodes' };
  tests: { suites: SuiteName[]; isolationModes: IsolationMode[]; namespaces: string[] };
  /** readiness: service states the site file declares harmless (on top of the profile's) */
  health: { tolerate: ToleratedState[] };
  sites: SiteConfig[];
}

/** A contrail-status service state declared harmless; every given field must match. */
export interface ToleratedState {
  pod?: string;
  service?: string;
  state?: (typeof TOLERABLE_STATES)[number];
  /** text every comma-separated part of the service's detail must contain */
  detail?: string;
  reason: string;
}
