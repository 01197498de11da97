/**
 * Instance sizes against the profile's minimums, from a cloud's own catalogue
 * (AWS DescribeInstanceTypes, GCP machineTypes.get, Azure Resource SKUs).
 * Used before the first create and by `plan --check-cloud`.
 */
import { UserError, UserErrors } from '../../errors.js';
import type { HostRole, Plan, SitePlan } from '../../plan/types.js';
import type { ProviderOpContext } from '../provider.js';

/** A cloud's instance catalogue, as `plan --check-cloud` asks it. */
export interface SizeCatalogue {
  /** "aws", "gcp", "azure" */
  provider: string;
  /**
   * Where credentials would come from, judged without a network call (so an
   * offline plan never waits); undefined when there are none.
   */
  credentialSource(): string | undefined;
  /** The sites' roles against the minimums; undersized ones come back with ok false, not thrown. */
  check(sites: SitePlan[], plan: Plan, ctx: ProviderOpContext): Promise<SizeCheck[]>;
  /** what to set up when credentialSource() finds none */
  credentialsHint: string;
}

/** A catalogue's calls give up retrying after a minute. */
export const CATALOGUE_RETRY = { deadlineMs: 60_000 };

/** A provider's own size check, as a catalogue asks it of each of its sites. */
export interface SiteSizer {
  sizes(site: SitePlan, plan: Plan, ctx: ProviderOpContext): Promise<SizeCheck[]>;
}

/** The catalogue of one cloud: `sizer` asked for each site of that cloud, in order. */
export function providerSizeCatalogue(
  provider: string,
  sizer: SiteSizer,
  credentials: Pick<SizeCatalogue, 'credentialSource' | 'credentialsHint'>,
): SizeCatalogue {
  return {
    provider,
    credentialSource: credentials.credentialSource,
    credentialsHint: credentials.credentialsHint,
    async check(sites, plan, ctx) {
      const rows = [];
      for (const site of sites.filter((s) => s.provider === provider)) {
        rows.push(...(await sizer.sizes(site, plan, ctx)));
      }
      return rows;
    },
  };
}

/** One machine type as the cloud's catalogue describes it. */
export interface MachineType {
  name: string;
  memoryMiB: number;
  vcpus?: number;
  /** disk that comes with the type (instance store, temporary disk), GiB */
  localDiskGiB?: number;
}

export interface SizeCheck {
  site: string;
  siteIndex: number;
  role: HostRole;
  hosts: string[];
  type: string;
  /** where the type was chosen: "sites[0].nodes.master-type" or the profile's default */
  field: string;
  memoryMiB: number;
  vcpus?: number;
  /** the boot disk the provider creates for this role, GiB */
  diskGiB: number;
  localDiskGiB?: number;
  minMemoryGiB: number;
  minDiskGiB: number;
  ok: boolean;
  /** why not ok: one sentence with the type's real figures */
  problem?: string;
}

export interface CatalogueSource {
  /** "AWS" */
  cloud: string;
  /** the catalogue call the figures came from: "DescribeInstanceTypes" */
  call: string;
}

const ROLES: HostRole[] = ['master', 'worker', 'edge'];

/** "8 GiB", "15.25 GiB": memory as people read it. */
export function formatGiB(mib: number): string {
  const gib = mib / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(2).replace(/0+$/, '')} GiB`;
}

/** Where a role's type was chosen, for messages that say what to change. */
export function typeField(site: SitePlan, plan: Plan, role: HostRole, type: string): string {
  const provider = site.provider;
  const defaults =
    provider === 'aws' || provider === 'gcp' || provider === 'azure'
      ? plan.profile['instance-types'][provider]
      : undefined;
  return defaults?.[role] === type
    ? `profile ${plan.profile.name}'s instance-types.${provider}.${role}`
    : `sites[${site.index}].nodes.${role}-type`;
}

/**
 * Check each role's type of a site. `catalogue` must hold every type the site
 * uses; `bootDiskGiB` is the disk the provider will create for a role.
 */
export function checkSiteSizes(
  site: SitePlan,
  plan: Plan,
  catalogue: ReadonlyMap<string, MachineType>,
  source: CatalogueSource,
  bootDiskGiB: (role: HostRole) => number,
): SizeCheck[] {
  const checks: SizeCheck[] = [];
  for (const role of ROLES) {
    const hosts = site.hosts.filter((h) => h.role === role);
    const type = hosts[0]?.instanceType;
    if (!type) continue;
    const info = catalogue.get(type);
    if (!info) throw new Error(`catalogue lookup for ${type} returned nothing`);
    const min = plan.profile.minimums[role];
    const field = typeField(site, plan, role, type);
    const diskGiB = bootDiskGiB(role);
    const check: SizeCheck = {
      site: site.name,
      siteIndex: site.index,
      role,
      hosts: hosts.map((h) => h.name),
      type,
      field,
      memoryMiB: info.memoryMiB,
      diskGiB,
      minMemoryGiB: min['memory-gib'],
      minDiskGiB: min['disk-gib'],
      ok: true,
    };
    if (info.vcpus !== undefined) check.vcpus = info.vcpus;
    if (info.localDiskGiB !== undefined) check.localDiskGiB = info.localDiskGiB;
    const problems: string[] = [];
    if (info.memoryMiB < min['memory-gib'] * 1024) {
      problems.push(
        `${field} ${type} has ${formatGiB(info.memoryMiB)} of memory (${source.cloud} ${source.call}: ${info.memoryMiB} MiB), below profile ${plan.profile.name}'s minimum of ${min['memory-gib']} GiB for a ${role}`,
      );
    }
    if (diskGiB < min['disk-gib']) {
      problems.push(
        `the ${role} boot disk of site "${site.name}" would be ${diskGiB} GiB, below the minimum of ${min['disk-gib']} GiB`,
      );
    }
    if (problems.length) {
      check.ok = false;
      const fix =
        plan.profile['instance-types'][site.provider as 'aws' | 'gcp' | 'azure']?.[role] ?? '';
      check.problem = `site "${site.name}": ${problems.join('; ')}; choose a type with at least ${min['memory-gib']} GiB${fix && fix !== type ? ` (the profile's default is ${fix})` : ''}.`;
    }
    checks.push(check);
  }
  return checks;
}

/** Throw one UserError per undersized role (all of them at once). */
export function refuseUndersized(checks: readonly SizeCheck[]): void {
  const bad = checks.filter((c) => !c.ok);
  if (bad.length === 1) throw new UserError(bad[0]!.problem!);
  if (bad.length > 1) throw new UserErrors(bad.map((c) => new UserError(c.problem!)));
}

/** The table `plan --check-cloud` prints: one line per site and role. */
export function sizeTable(checks: readonly SizeCheck[]): string[] {
  return checks.map((c) => {
    const disk = `${c.diskGiB} GiB boot disk${c.localDiskGiB ? ` + ${c.localDiskGiB} GiB local` : ''}`;
    const cpus = c.vcpus !== undefined ? `${c.vcpus} vCPU, ` : '';
    const verdict = c.ok
      ? `ok (minimum ${c.minMemoryGiB} GiB / ${c.minDiskGiB} GiB)`
      : `REFUSED: below the minimum ${c.minMemoryGiB} GiB / ${c.minDiskGiB} GiB`;
    return `  ${c.site.padEnd(16)} ${c.role.padEnd(6)} ${c.type.padEnd(18)} ${cpus}${formatGiB(c.memoryMiB)} memory, ${disk}: ${verdict}`;
  });
}
