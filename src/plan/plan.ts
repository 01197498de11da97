/**
 * plan: everything decidable without touching a machine. Pure and total:
 * a RunConfig and a profile in, a Plan or positioned UserErrors out.
 */
import { POD_MTU } from '../tunnel/wireguard.js';
import type { Profile, PlaceholderSource } from '../config/profile.js';
import { listProfiles, loadProfile, minorOf, unknownProfileMessage } from '../config/profile.js';
import type { RunConfig, SiteConfig } from '../config/types.js';
import { errorAt } from '../config/load.js';
import { UserErrors } from '../errors.js';
import type { UserError } from '../errors.js';
import { mustParseCidr, nthAddress } from '../net/cidr.js';
import { planAddresses } from './ipplan.js';
import type { IpPlanSite } from './ipplan.js';
import { kubeadmArgs, kubeadmConfig } from './render/kubeadm.js';
import type { HostPlan, ImagePlan, Plan, ResolvedVersions, SitePlan } from './types.js';

/** Underlay offsets: .1 gateway, .5 edge VM (clouds reserve .1-.3), nodes from .10. */
export const EDGE_OFFSET = 5;
export const MASTER_OFFSET = 10;

export function buildPlanFromConfig(config: RunConfig): Plan {
  if (!listProfiles().includes(config.profile)) {
    // a name from a flag or an input is checked where it is given; this one is the file's
    throw errorAt(config, ['profile'], unknownProfileMessage(config.profile, 'profile'));
  }
  return buildPlan(config, loadProfile(config.profile));
}

export function buildPlan(config: RunConfig, profile: Profile): Plan {
  const errors: UserError[] = [];
  const warnings: string[] = [];
  const versions = resolveVersions(config, profile, errors, warnings);
  let addresses: IpPlanSite[] = [];
  try {
    addresses = planAddresses(config);
  } catch (e) {
    if (e instanceof UserErrors) errors.push(...e.errors);
    else throw e;
  }
  if (errors.length > 0) throw new UserErrors(errors);

  const sites = config.sites.map((site, i) => planSite(site, i, addresses[i]!, profile, versions));
  for (const s of sites) {
    s.peers = sites
      .filter((o) => o.name !== s.name)
      .map((o) => ({ site: o.name, asn: o.asn, address: o.routerId }));
  }
  const peerings = sites.flatMap((a, i) =>
    sites.slice(i + 1).map((b) => ({ a: a.name, b: b.name })),
  );

  for (const s of sites) {
    if (s.image.note) warnings.push(`site "${s.name}": ${s.image.note}`);
  }
  const cloudNodes = sites
    .filter((s) => s.provider !== 'local')
    .reduce((n, s) => n + s.hosts.filter((h) => h.role !== 'edge').length, 0);
  // the runner pulls once and pushes, unless a mirror serves the nodes
  const images = config.registry.images ?? (config.registry.mirror ? 'nodes' : 'runner');
  if (
    cloudNodes > 0 &&
    images === 'nodes' &&
    !config.registry.mirror &&
    !config.registry.username
  ) {
    const pulls = cloudNodes * profile.tf['images-per-node'];
    warnings.push(
      `about ${pulls} image pulls from ${versions.tfRegistry} (${profile.tf['images-per-node']} per node × ${cloudNodes} nodes) exceed Docker Hub's anonymous limit (10 an hour per address); set registry.mirror or registry credentials, or leave registry.images at runner.`,
    );
  }
  return {
    profile,
    versions,
    ttlSeconds: config.ttlSeconds,
    tests: config.tests,
    health: config.health,
    sites,
    peerings,
    registry: {
      ...(config.registry.mirror ? { mirror: config.registry.mirror } : {}),
      ...(config.registry.username ? { username: config.registry.username } : {}),
      images,
    },
    warnings,
  };
}

function resolveVersions(
  config: RunConfig,
  profile: Profile,
  errors: UserError[],
  warnings: string[],
): ResolvedVersions {
  const kubernetes = config.versions.kubernetes ?? profile.kubernetes.version;
  const minor = minorOf(kubernetes);
  const at = config.versions.kubernetes ? ['versions', 'kubernetes'] : ['profile'];
  const bad = profile.kubernetes.unsupported.find((u) => u.minor === minor);
  const outside = !profile.kubernetes['supported-minors'].includes(minor);
  if (bad || outside) {
    const reason = bad
      ? bad.reason
      : `profile ${profile.name} is proven with Kubernetes ${profile.kubernetes['supported-minors'].join(', ')} only`;
    if (config.allowUnsupported) {
      warnings.push(
        `Kubernetes ${kubernetes} with profile ${profile.name} is unsupported (${reason}); running anyway because allow-unsupported is true.`,
      );
    } else {
      errors.push(
        errorAt(
          config,
          at,
          `Kubernetes ${kubernetes} with profile ${profile.name} is refused: ${reason}; use ${profile.kubernetes.version}, or set allow-unsupported: true to try it anyway.`,
        ),
      );
    }
  }
  const tfRegistry = config.registry.mirror
    ? throughMirror(config.registry.mirror, profile.tf.registry)
    : profile.tf.registry;
  return { kubernetes, tfRegistry, tfTag: config.versions.tfTag ?? profile.tf.tag };
}

/**
 * A pull-through cache serves a registry's repositories under its own host and
 * path (mirror.gcr.io/library/busybox, cache:5000/opensdn/...), so the source
 * registry's host is replaced by the mirror, never kept as a path segment.
 */
export function throughMirror(mirror: string, repository: string): string {
  const [first, ...rest] = repository.split('/');
  const hasHost = rest.length > 0 && (/[.:]/.test(first!) || first === 'localhost');
  return `${mirror.replace(/\/+$/, '')}/${hasHost ? rest.join('/') : repository}`;
}

function planSite(
  site: SiteConfig,
  index: number,
  ip: IpPlanSite,
  profile: Profile,
  versions: ResolvedVersions,
): SitePlan {
  const underlay = mustParseCidr(ip.cidrs.underlay);
  const gateway = nthAddress(underlay, 1);
  const hosts = planHosts(site, profile, (n) => nthAddress(underlay, n), gateway);
  const master = hosts.find((h) => h.role === 'master')!;
  const nodes = hosts.filter((h) => h.role !== 'edge');
  const kube = {
    kubernetesVersion: versions.kubernetes,
    kubeadmApi: profile.kubernetes['kubeadm-api'],
    imageRepository: profile.kubernetes['image-repository'],
    masterAddress: master.privateAddress,
    certSans: [master.privateAddress, master.name],
    cidrs: ip.cidrs,
  };
  const values: Record<PlaceholderSource, string> = {
    'master-ip': master.privateAddress,
    gateway,
    registry: versions.tfRegistry,
    tag: versions.tfTag,
    'api-server': master.privateAddress,
    'api-port': '6443',
    'controller-nodes': master.privateAddress,
    'agent-nodes': nodes.map((h) => h.privateAddress).join(','),
    'kube-manager-nodes': master.privateAddress,
    'cluster-name': site.name,
    'pod-subnets': ip.cidrs.pod,
    'service-subnets': ip.cidrs.service,
    'ip-fabric-subnets': ip.cidrs.ipFabric,
    asn: String(ip.asn),
    'cloud-orchestrator': 'kubernetes',
    'log-level': 'SYS_NOTICE',
    'phys-int': '',
  };
  const manifestValues = Object.fromEntries(
    Object.entries(profile.tf.manifest.placeholders).map(([name, fill]) => [
      name,
      'from' in fill ? values[fill.from] : fill.value,
    ]),
  );
  const plan: SitePlan = {
    name: site.name,
    index,
    provider: site.provider,
    spot: site.spot,
    asn: ip.asn,
    routerId: master.privateAddress,
    gateway,
    cidrs: ip.cidrs,
    given: ip.given,
    hosts,
    peers: [],
    image: planImage(site, index, profile),
    faults: site.faults,
    kubeadm: { args: kubeadmArgs(kube), config: kubeadmConfig(kube) },
    manifestValues,
    configMapValues: {
      env: {
        VROUTER_GATEWAY: gateway,
        ...(profile.tf['pod-mtu-key'] ? { [profile.tf['pod-mtu-key']]: String(POD_MTU) } : {}),
      },
      kubeManager: {
        KUBERNETES_POD_SUBNETS: ip.cidrs.pod,
        KUBERNETES_SERVICE_SUBNETS: ip.cidrs.service,
        KUBERNETES_IP_FABRIC_SUBNETS: ip.cidrs.ipFabric,
      },
    },
  };
  if (site.region) plan.region = site.region;
  if (site.zone) plan.zone = site.zone;
  if (site.sshCidr) plan.sshCidr = site.sshCidr;
  return plan;
}

function planHosts(
  site: SiteConfig,
  profile: Profile,
  address: (n: number) => string,
  gateway: string,
): HostPlan[] {
  if (site.provider === 'static') {
    let worker = 0;
    return (site.hosts ?? []).map((h) => {
      const name =
        h.role === 'worker' ? `${site.name}-worker-${++worker}` : `${site.name}-${h.role}`;
      return {
        name,
        role: h.role,
        privateAddress: h.privateAddress ?? h.address,
        ssh: {
          address: h.address,
          port: h.port,
          user: h.user,
          ...(h.jump ? { jump: h.jump } : {}),
          ...(h.hostKey ? { hostKey: h.hostKey } : {}),
        },
      };
    });
  }
  const types = site.provider === 'local' ? undefined : profile['instance-types'][site.provider];
  const typed = (role: 'master' | 'worker' | 'edge', own: string | undefined) =>
    own ?? types?.[role];
  const hosts: HostPlan[] = [
    {
      name: `${site.name}-master`,
      role: 'master',
      privateAddress: address(MASTER_OFFSET),
    },
  ];
  for (let w = 1; w <= site.nodes.workers; w++) {
    hosts.push({
      name: `${site.name}-worker-${w}`,
      role: 'worker',
      privateAddress: address(MASTER_OFFSET + w),
    });
  }
  // A local site's edge is the underlay router itself; a cloud's edge VM sits beside the cloud router.
  hosts.push({
    name: `${site.name}-edge`,
    role: 'edge',
    privateAddress: site.provider === 'local' ? gateway : address(EDGE_OFFSET),
  });
  for (const h of hosts) {
    const t = typed(
      h.role,
      h.role === 'master'
        ? site.nodes.masterType
        : h.role === 'worker'
          ? site.nodes.workerType
          : site.nodes.edgeType,
    );
    if (t) h.instanceType = t;
  }
  return hosts;
}

function planImage(site: SiteConfig, index: number, profile: Profile): ImagePlan {
  if (site.provider === 'local' || site.provider === 'static') return {};
  if (site.image) return { ref: site.image };
  const ref = profile.images[site.provider];
  if ('none' in ref) {
    return {
      note: `${site.provider} offers no image for profile ${profile.name} (${ref.none}); set sites[${index}].image to an image you built or trust.`,
    };
  }
  const text =
    'owner' in ref
      ? `owner ${ref.owner}, name ${ref.name}`
      : 'family' in ref
        ? `${ref.project}/${ref.family}`
        : `${ref.publisher}:${ref.offer}:${ref.sku}:${ref.version}`;
  return ref.note ? { ref: text, note: ref.note } : { ref: text };
}
