/**
 * The run's results as one document (RunResults): what results.json holds
 * and every other report is rendered from. The files are written by
 * writeResultsFiles (outputs.ts).
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { Plan } from '../plan/types.js';
import type {
  CheckRecord,
  PhaseRecord,
  RemediationRecord,
  RunResults,
  SiteRecord,
  TunnelRecord,
} from './model.js';

export interface ResultsInput {
  runId: string;
  plan: Plan;
  startedAt: string;
  endedAt: string;
  phases: readonly PhaseRecord[];
  remediations: readonly RemediationRecord[];
  /** each site pair's WireGuard tunnel at the end of the tests */
  tunnels?: readonly TunnelRecord[];
  checks: readonly CheckRecord[];
  /** the command that reproduces this run locally */
  reproduce: string;
  /** why the run stopped early, when it did (an InfraError's message, with the last status text) */
  error?: string;
}

export function siteRecords(plan: Plan): SiteRecord[] {
  return plan.sites.map((s) => ({
    name: s.name,
    provider: s.provider,
    ...(s.region !== undefined ? { region: s.region } : {}),
    asn: s.asn,
    routerId: s.routerId,
    gateway: s.gateway,
    cidrs: { ...s.cidrs },
  }));
}

/**
 * Passed = the run did not stop early, no phase failed, at least one check ran
 * and none failed or stayed unanswered (flaky checks count as passed, and are
 * shown as flaky).
 */
export function buildResults(input: ResultsInput): RunResults {
  const totals = {
    pass: input.checks.filter((c) => c.status === 'pass').length,
    fail: input.checks.filter((c) => c.status === 'fail').length,
    flaky: input.checks.filter((c) => c.status === 'flaky').length,
    error: input.checks.filter((c) => c.status === 'error').length,
    reprobed: input.checks.reduce((n, c) => n + (c.reprobes ?? 0), 0),
  };
  const passed =
    input.error === undefined &&
    !input.phases.some((p) => p.status === 'failed') &&
    input.checks.length > 0 &&
    totals.fail === 0 &&
    totals.error === 0;
  return {
    runId: input.runId,
    passed,
    profile: input.plan.profile.name,
    versions: { ...input.plan.versions },
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    sites: siteRecords(input.plan),
    phases: [...input.phases],
    remediations: [...input.remediations],
    tunnels: [...(input.tunnels ?? [])],
    checks: [...input.checks],
    totals,
    reproduce: input.reproduce,
    ...(input.error !== undefined ? { error: input.error } : {}),
  };
}

/**
 * 0 passed; 1 a check failed; 3 the run stopped early on infrastructure, or
 * (with no check failed) some probes never answered.
 */
export function resultsExitCode(results: RunResults): ExitCodeValue {
  if (results.error !== undefined) return ExitCode.infrastructure;
  if (results.passed) return ExitCode.ok;
  const { fail, error } = results.totals;
  return fail === 0 && error > 0 ? ExitCode.infrastructure : ExitCode.checksFailed;
}

/**
 * What the counts of passes, fails and flakes leave out, for the lines that
 * print them: checks whose probe never answered, and probe calls repeated
 * because the probe itself failed. Empty when there were none.
 */
export function probeErrorsText(totals: RunResults['totals']): string {
  const parts: string[] = [];
  if (totals.error > 0)
    parts.push(`${totals.error} unanswered (probe error, not a verdict on the network)`);
  if (totals.reprobed > 0)
    parts.push(
      `${totals.reprobed} probe${totals.reprobed === 1 ? '' : 's'} repeated because the probe itself failed`,
    );
  return parts.length ? `; ${parts.join(', ')}` : '';
}
