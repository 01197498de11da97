/**
 * `plan --check-cloud`: each cloud's catalogue asked for the real memory of
 * every instance type the plan uses. Clouds without visible credentials are
 * not asked (so plan stays offline) and are listed as not checked.
 */
import { UserError, UserErrors } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { SIZE_CATALOGUES } from '../providers/catalogues.js';
import type { CatalogueLoader } from '../providers/catalogues.js';
import { sizeTable } from '../providers/cloud/sizes.js';
import type { SizeCheck } from '../providers/cloud/sizes.js';
import type { CommandIO } from './io.js';

const CLOUDS = ['aws', 'gcp', 'azure'] as const;

export interface CloudSizes {
  checked: { provider: string; credentials: string; rows: SizeCheck[] }[];
  notChecked: { provider: string; reason: string }[];
}

export function cloudsOf(plan: Plan): string[] {
  return CLOUDS.filter((c) => plan.sites.some((s) => s.provider === c));
}

export async function checkCloudSizes(
  plan: Plan,
  io: CommandIO,
  catalogues: Partial<Record<string, CatalogueLoader>> = SIZE_CATALOGUES,
): Promise<CloudSizes> {
  const out: CloudSizes = { checked: [], notChecked: [] };
  for (const cloud of cloudsOf(plan)) {
    const load = catalogues[cloud];
    if (!load) {
      out.notChecked.push({
        provider: cloud,
        reason: `this version cannot ask ${cloud}'s catalogue yet`,
      });
      continue;
    }
    const catalogue = await load();
    const credentials = catalogue.credentialSource();
    if (!credentials) {
      out.notChecked.push({
        provider: cloud,
        reason: `no ${cloud} credentials found (${catalogue.credentialsHint})`,
      });
      continue;
    }
    io.logger.info(`asking ${cloud}'s catalogue (credentials from ${credentials})`);
    const rows = await catalogue.check(plan.sites, plan, {
      logger: io.logger,
      signal: new AbortController().signal,
    });
    out.checked.push({ provider: cloud, credentials, rows });
  }
  return out;
}

export function cloudSizesText(result: CloudSizes): string {
  const lines: string[] = [];
  for (const c of result.checked) {
    lines.push(`instance sizes from ${c.provider}'s catalogue:`);
    lines.push(...sizeTable(c.rows));
  }
  for (const n of result.notChecked) {
    lines.push(`instance sizes on ${n.provider} were not checked: ${n.reason}.`);
  }
  return lines.join('\n');
}

/** One UserError per undersized role, after the table was shown. */
export function refuseUndersizedRows(result: CloudSizes): void {
  const problems = result.checked.flatMap((c) => c.rows.filter((r) => !r.ok));
  if (problems.length === 1) throw new UserError(problems[0]!.problem!);
  if (problems.length > 1) throw new UserErrors(problems.map((p) => new UserError(p.problem!)));
}

export const OFFLINE_NOTE =
  'instance sizes were not checked against the clouds\' catalogues (plan is offline); run "tungsten-e2e plan --check-cloud" with credentials to check them.';
