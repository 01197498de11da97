/** Machine types as Compute Engine's catalogue (machineTypes.get) describes them. */
import { UserError } from '../../errors.js';
import type { HostRole, Plan, SitePlan } from '../../plan/types.js';
import { checkSiteSizes, typeField } from '../cloud/sizes.js';
import type { MachineType, SizeCheck } from '../cloud/sizes.js';
import { NO_RETRY } from './api.js';
import type { GcpApi } from './api.js';
import { isNotFound } from './errors.js';

export const GCP_CATALOGUE = { cloud: 'GCP', call: 'machineTypes.get' } as const;

/** The catalogue entries of `types` in `zone`; unknown types are a UserError naming `where`. */
export async function gcpMachineTypes(
  api: GcpApi,
  zone: string,
  types: readonly string[],
  where: (type: string) => string,
): Promise<Map<string, MachineType>> {
  const out = new Map<string, MachineType>();
  const unknown: string[] = [];
  for (const type of new Set(types)) {
    try {
      const t = await api.call(
        'machineTypes.get',
        `machine type ${type}`,
        async () =>
          (
            await api.clients.machineTypes.get(
              { project: api.project, zone, machineType: type },
              NO_RETRY,
            )
          )[0],
        { where: zone },
      );
      if (t.memoryMb === undefined || t.memoryMb === null) {
        throw new UserError(`GCP machineTypes.get for ${type} in ${zone} gave no memoryMb.`);
      }
      // Compute's "MB" here are MiB: n2-standard-8 has memoryMb 32768, 32 GiB
      const entry: MachineType = { name: type, memoryMiB: Number(t.memoryMb) };
      if (typeof t.guestCpus === 'number') entry.vcpus = t.guestCpus;
      out.set(type, entry);
    } catch (e) {
      if (isNotFound((e as { cause?: unknown }).cause ?? e)) unknown.push(type);
      else throw e;
    }
  }
  if (unknown.length) {
    throw new UserError(
      `${unknown.map((t) => `${where(t)} ${t}`).join(', ')}: GCP machineTypes.get in ${zone} does not know it; use a machine type offered in ${zone} (gcloud compute machine-types list --zones ${zone}).`,
    );
  }
  return out;
}

export async function checkGcpSite(
  api: GcpApi,
  site: SitePlan,
  plan: Plan,
  zone: string,
): Promise<SizeCheck[]> {
  const typed = site.hosts.filter((h) => h.instanceType);
  const catalogue = await gcpMachineTypes(
    api,
    zone,
    typed.map((h) => h.instanceType!),
    (type) => typeField(site, plan, typed.find((h) => h.instanceType === type)!.role, type),
  );
  return checkSiteSizes(site, plan, catalogue, GCP_CATALOGUE, (role) => bootDiskGiB(plan, role));
}

/** The boot disk for a role: the profile's minimum, or the image's own size if larger. */
export function bootDiskGiB(plan: Plan, role: HostRole, imageGiB = 0): number {
  return Math.max(plan.profile.minimums[role]['disk-gib'], imageGiB);
}
