import type { ConfigOverrides } from '../config/load.js';
import { loadSiteFile } from '../config/load.js';
import { parseDuration } from '../config/duration.js';
import { DURATION_RULE } from '../config/schema.js';
import { UserError } from '../errors.js';
import { buildPlanFromConfig } from '../plan/plan.js';
import type { CreatedResource } from '../providers/provider.js';
import { janitor } from '../state/janitor.js';
import type { JanitorEnv, JanitorReport } from '../state/janitor.js';
import type { CommandIO } from './io.js';

export interface JanitorCommandOptions {
  /** e.g. "2d": also runs created longer ago than this */
  olderThan?: string;
  dryRun?: boolean;
  regions?: string[];
  /** a site file: its aws regions and static hosts are searched too */
  sites?: string;
  sitesLabel?: string;
  overrides?: ConfigOverrides;
  /** the flag or input named in errors */
  olderThanLabel?: string;
}

export function olderThanSeconds(text: string | undefined, label: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const seconds = parseDuration(text);
  if (seconds === undefined || seconds === 0) {
    throw new UserError(`${label} is "${text}"; it must be ${DURATION_RULE}, more than zero.`);
  }
  return seconds;
}

function counts(resources: readonly CreatedResource[]): string {
  const byKind = new Map<string, number>();
  for (const r of resources) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
  return [...byKind].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing found';
}

/** One line per run, then what was skipped, then the totals. */
export function janitorText(report: JanitorReport): string {
  const lines: string[] = [];
  for (const r of report.runs) {
    const why =
      r.why === 'orphaned'
        ? `orphaned (its "${r.orphanedBy?.command ?? 'up'}", pid ${r.orphanedBy?.pid ?? '?'}, was killed before it finished)`
        : r.why === 'expired'
          ? `expired ${r.expiresAt.getTime() === 0 ? '(no expiry left: an orphan)' : r.expiresAt.toISOString()}`
          : `created ${r.createdAt!.toISOString()}, expires ${r.expiresAt.toISOString()}`;
    const verb = report.dryRun
      ? 'would delete'
      : r.remaining.length
        ? `deleted ${r.deleted.length}, left ${r.remaining.length}`
        : `deleted ${r.deleted.length}`;
    lines.push(`${r.provider} run ${r.runId}: ${why}: ${verb} (${counts(r.resources)})`);
    for (const left of r.remaining) {
      lines.push(
        `  left: ${left.resource.kind} ${left.resource.id}: ${left.error}; delete with: ${left.howToDelete}`,
      );
    }
  }
  for (const s of report.skipped) lines.push(`${s.provider}: skipped: ${s.reason}`);
  for (const f of report.failed) lines.push(`${f.provider}: could not list runs: ${f.error}`);
  const left = report.runs.reduce((n, r) => n + r.remaining.length, 0);
  lines.push(
    report.runs.length === 0
      ? 'janitor: no run past its expiry'
      : report.dryRun
        ? `janitor: dry run: ${report.runs.length} runs would be deleted; nothing was deleted`
        : `janitor: ${report.runs.length} runs deleted${left ? `, ${left} resources left` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

export async function janitorCommand(
  options: JanitorCommandOptions,
  io: CommandIO,
  env: Omit<JanitorEnv, 'logger'> = {},
): Promise<JanitorReport> {
  const seconds = olderThanSeconds(options.olderThan, options.olderThanLabel ?? '--older-than');
  const plan = options.sites
    ? buildPlanFromConfig(
        await loadSiteFile(options.sites, options.overrides ?? {}, options.sitesLabel),
      )
    : undefined;
  const report = await janitor(
    {
      ...(seconds !== undefined ? { olderThanSeconds: seconds } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.regions?.length ? { regions: options.regions } : {}),
      ...(plan ? { plan } : {}),
    },
    { ...env, logger: io.logger },
  );
  io.stdout(janitorText(report));
  return report;
}
