/**
 * VM sizes as Azure's Resource SKUs API describes them: each size's
 * `MemoryGB` and `vCPUs` capabilities in the site's location, and whether the
 * subscription may use it there (`restrictions`).
 */
import { UserError } from '../../errors.js';
import type { HostRole, Plan, SitePlan } from '../../plan/types.js';
import { checkSiteSizes, typeField } from '../cloud/sizes.js';
import type { MachineType, SizeCheck } from '../cloud/sizes.js';
import type { AzureApi } from './api.js';

export const AZURE_CATALOGUE = { cloud: 'Azure', call: 'Resource SKUs' } as const;

export async function azureVmSizes(
  api: AzureApi,
  location: string,
  types: readonly string[],
  where: (type: string) => string,
): Promise<Map<string, MachineType>> {
  const wanted = new Set(types);
  const out = new Map<string, MachineType>();
  if (wanted.size === 0) return out;
  const skus = await api.list(
    'resourceSkus.list',
    `VM sizes in ${location}`,
    () => api.clients.compute.resourceSkus.list({ filter: `location eq '${location}'` }),
    { where: location },
  );
  const refused: string[] = [];
  for (const sku of skus) {
    if (sku.resourceType !== 'virtualMachines' || !sku.name || !wanted.has(sku.name)) continue;
    if (!(sku.locations ?? []).some((l) => l.toLowerCase() === location.toLowerCase())) continue;
    const cap = (name: string) => sku.capabilities?.find((c) => c.name === name)?.value;
    const restriction = (sku.restrictions ?? []).find(
      (r) =>
        r.type === 'Location' &&
        (r.values ?? []).some((v) => v.toLowerCase() === location.toLowerCase()),
    );
    if (restriction) {
      refused.push(
        `${where(sku.name)} ${sku.name}: Azure Resource SKUs says it is restricted in ${location} for this subscription (${restriction.reasonCode ?? 'no reason given'})`,
      );
      continue;
    }
    const memoryGB = Number(cap('MemoryGB'));
    if (!Number.isFinite(memoryGB)) continue;
    // MemoryGB is in GiB ("32" for Standard_D8s_v5), possibly fractional ("0.5")
    const entry: MachineType = { name: sku.name, memoryMiB: Math.round(memoryGB * 1024) };
    const vcpus = Number(cap('vCPUs'));
    if (Number.isFinite(vcpus)) entry.vcpus = vcpus;
    const tempMB = Number(cap('MaxResourceVolumeMB'));
    if (Number.isFinite(tempMB) && tempMB > 0) entry.localDiskGiB = Math.round(tempMB / 1024);
    out.set(sku.name, entry);
  }
  const missing = [...wanted].filter(
    (t) => !out.has(t) && !refused.some((r) => r.includes(` ${t}:`)),
  );
  const problems = [
    ...refused,
    ...missing.map(
      (t) => `${where(t)} ${t}: Azure Resource SKUs lists no such VM size in ${location}`,
    ),
  ];
  if (problems.length) {
    throw new UserError(
      `${problems.join('; ')}; use a size offered in ${location} (az vm list-skus --location ${location} --resource-type virtualMachines).`,
    );
  }
  return out;
}

export async function checkAzureSite(
  api: AzureApi,
  site: SitePlan,
  plan: Plan,
  location: string,
): Promise<SizeCheck[]> {
  const typed = site.hosts.filter((h) => h.instanceType);
  const catalogue = await azureVmSizes(
    api,
    location,
    typed.map((h) => h.instanceType!),
    (type) => typeField(site, plan, typed.find((h) => h.instanceType === type)!.role, type),
  );
  return checkSiteSizes(site, plan, catalogue, AZURE_CATALOGUE, (role) => osDiskGiB(plan, role));
}

/**
 * Azure refuses an OS disk smaller than its image, and the image API does not
 * say how large an image is; Marketplace Linux images are at most 30 GiB.
 */
export const AZURE_MIN_OS_DISK_GIB = 30;

/** The OS disk for a role: the profile's minimum, at least 30 GiB. */
export function osDiskGiB(plan: Plan, role: HostRole): number {
  return Math.max(plan.profile.minimums[role]['disk-gib'], AZURE_MIN_OS_DISK_GIB);
}
