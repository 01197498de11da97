/** Instance types as EC2's catalogue (DescribeInstanceTypes) describes them. */
import { DescribeInstanceTypesCommand } from '@aws-sdk/client-ec2';
import type { _InstanceType } from '@aws-sdk/client-ec2';
import { UserError } from '../../errors.js';
import type { Plan, SitePlan } from '../../plan/types.js';
import { checkSiteSizes, typeField } from '../cloud/sizes.js';
import type { MachineType, SizeCheck } from '../cloud/sizes.js';
import type { Ec2Api } from './api.js';
import { awsFaultOf } from './errors.js';

export const AWS_CATALOGUE = { cloud: 'AWS', call: 'DescribeInstanceTypes' } as const;

/** The catalogue entries of `types` in the api's region; unknown types are a UserError naming `where`. */
export async function describeMachineTypes(
  api: Ec2Api,
  types: readonly string[],
  where: (type: string) => string,
): Promise<Map<string, MachineType>> {
  const wanted = [...new Set(types)];
  const out = new Map<string, MachineType>();
  if (wanted.length === 0) return out;
  let pages;
  try {
    pages = await api.all(
      (NextToken) =>
        new DescribeInstanceTypesCommand({
          InstanceTypes: wanted as _InstanceType[],
          ...(NextToken ? { NextToken } : {}),
        }),
      `instance types ${wanted.join(', ')}`,
    );
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const fault = awsFaultOf(cause ?? e);
    if (fault.code.startsWith('InvalidInstanceType')) {
      // EC2 names the unknown types in brackets: "… do not exist: [m5.nope]"
      const named = /\[([^\]]+)\]/.exec(fault.message)?.[1]?.split(/,\s*/) ?? [];
      const bad = wanted.filter((t) => named.includes(t));
      throw new UserError(
        `${(bad.length ? bad : wanted).map((t) => `${where(t)} ${t}`).join(', ')}: AWS DescribeInstanceTypes in ${api.region} says "${fault.message}"; use an instance type offered in ${api.region}.`,
      );
    }
    throw e;
  }
  for (const page of pages) {
    for (const t of page.InstanceTypes ?? []) {
      if (!t.InstanceType || t.MemoryInfo?.SizeInMiB === undefined) continue;
      const entry: MachineType = { name: t.InstanceType, memoryMiB: t.MemoryInfo.SizeInMiB };
      if (t.VCpuInfo?.DefaultVCpus !== undefined) entry.vcpus = t.VCpuInfo.DefaultVCpus;
      if (t.InstanceStorageInfo?.TotalSizeInGB !== undefined) {
        entry.localDiskGiB = t.InstanceStorageInfo.TotalSizeInGB;
      }
      out.set(entry.name, entry);
    }
  }
  const missing = wanted.filter((t) => !out.has(t));
  if (missing.length) {
    throw new UserError(
      `${missing.map((t) => `${where(t)} ${t}`).join(', ')}: AWS DescribeInstanceTypes in ${api.region} does not list it; use an instance type offered in ${api.region}.`,
    );
  }
  return out;
}

/** Each role's type of an AWS site against the profile's minimums; the boot disk is the profile minimum. */
export async function checkAwsSite(api: Ec2Api, site: SitePlan, plan: Plan): Promise<SizeCheck[]> {
  const typed = site.hosts.filter((h) => h.instanceType);
  const catalogue = await describeMachineTypes(
    api,
    typed.map((h) => h.instanceType!),
    (type) => {
      const host = typed.find((h) => h.instanceType === type)!;
      return typeField(site, plan, host.role, type);
    },
  );
  return checkSiteSizes(site, plan, catalogue, AWS_CATALOGUE, (role) => bootDiskGiB(plan, role));
}

/** The root volume size for a role: the profile's minimum disk. */
export function bootDiskGiB(plan: Plan, role: 'master' | 'worker' | 'edge', imageGiB = 0): number {
  return Math.max(plan.profile.minimums[role]['disk-gib'], imageGiB);
}
