/** The plan as users read it (a block per site) and as machines read it (JSON). */
import type { Plan, SitePlan } from './types.js';

export interface PlanJson {
  profile: { name: string; kubernetes: string; tfRegistry: string; tfTag: string; os: string };
  ttlSeconds: number;
  sites: {
    name: string;
    provider: string;
    region?: string;
    zone?: string;
    asn: number;
    routerId: string;
    gateway: string;
    cidrs: { underlay: string; pod: string; service: string; ipFabric: string };
    given: Record<string, boolean>;
    hosts: { name: string; role: string; privateAddress: string; instanceType?: string }[];
    image?: string;
    peers: { site: string; asn: number; address: string }[];
    kubeadm: { args: string[] };
  }[];
  peerings: { a: string; b: string }[];
  warnings: string[];
}

export function planToJson(plan: Plan): PlanJson {
  return {
    profile: {
      name: plan.profile.name,
      kubernetes: plan.versions.kubernetes,
      tfRegistry: plan.versions.tfRegistry,
      tfTag: plan.versions.tfTag,
      os: `${plan.profile.os.distro} ${plan.profile.os.release} (kernel ${plan.profile.os.kernel})`,
    },
    ttlSeconds: plan.ttlSeconds,
    sites: plan.sites.map((s) => ({
      name: s.name,
      provider: s.provider,
      ...(s.region ? { region: s.region } : {}),
      ...(s.zone ? { zone: s.zone } : {}),
      asn: s.asn,
      routerId: s.routerId,
      gateway: s.gateway,
      cidrs: { ...s.cidrs },
      given: { ...s.given },
      hosts: s.hosts.map((h) => ({
        name: h.name,
        role: h.role,
        privateAddress: h.privateAddress,
        ...(h.instanceType ? { instanceType: h.instanceType } : {}),
      })),
      ...(s.image.ref ? { image: s.image.ref } : {}),
      peers: s.peers.map((p) => ({ ...p })),
      kubeadm: { args: s.kubeadm.args },
    })),
    peerings: plan.peerings,
    warnings: plan.warnings,
  };
}

function where(s: SitePlan): string {
  return [s.provider, s.region, s.zone].filter(Boolean).join(' ');
}

function rangeLine(label: string, value: string, given: boolean): string {
  return `  ${label.padEnd(10)} ${value.padEnd(18)} ${given ? '(given)' : '(chosen)'}`;
}

/** Who pulls TF's images (registry.images), in words. */
function imagesLine(plan: Plan): string {
  const from = plan.registry.mirror
    ? `through the mirror ${plan.registry.mirror}`
    : `from ${plan.versions.tfRegistry.split('/')[0]}`;
  const user = plan.registry.username ? ` as ${plan.registry.username}` : '';
  return plan.registry.images === 'runner'
    ? `Images: the runner pulls each once ${from}${user} and pushes it to every node (registry.images: runner).`
    : `Images: every node pulls them ${from}${user} (registry.images: nodes).`;
}

export function planToText(plan: Plan): string {
  const v = plan.versions;
  const os = plan.profile.os;
  const out: string[] = [
    `profile ${plan.profile.name}: Kubernetes ${v.kubernetes}, TF ${v.tfRegistry}:${v.tfTag}, ${os.distro} ${os.release} kernel ${os.kernel}`,
    '',
  ];
  for (const s of plan.sites) {
    out.push(`site ${s.name} (${where(s)})`);
    out.push(
      `  nodes      ${s.hosts
        .map(
          (h) =>
            `${h.name.slice(s.name.length + 1)} ${h.privateAddress}${h.instanceType ? ` [${h.instanceType}]` : ''}`,
        )
        .join(', ')}`,
    );
    out.push(rangeLine('underlay', s.cidrs.underlay, s.given.underlay) + `  gateway ${s.gateway}`);
    out.push(rangeLine('pod', s.cidrs.pod, s.given.pod));
    out.push(rangeLine('service', s.cidrs.service, s.given.service));
    out.push(rangeLine('ip-fabric', s.cidrs.ipFabric, s.given.ipFabric));
    out.push(`  asn        ${s.asn}, router id ${s.routerId}`);
    out.push(
      `  peers      ${s.peers.map((p) => `${p.site} AS${p.asn} at ${p.address}`).join(', ') || '-'}`,
    );
    if (s.image.ref) out.push(`  image      ${s.image.ref}`);
    if (s.faults.length) out.push(`  faults     ${s.faults.join(', ')}`);
    out.push('');
  }
  out.push(`BGP: full mesh of ${plan.peerings.length} eBGP session(s) between control nodes.`);
  if (plan.sites.some((s) => s.provider !== 'local')) out.push(imagesLine(plan));
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}
