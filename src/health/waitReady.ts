/**
 * Wait until every site is ready, remediating the control-node race on the way.
 *
 * Per site (all sites concurrently): poll `fabric.status`, judge it
 * (readiness.ts), show progress. When the race's signature has persisted for
 * `raceGraceMs`, take the next step of the ladder — by default (1) delete the
 * control pod, (2) provision the control node's own bgp-router, then again
 * from the top — at most `raceRetries` steps per site. After a step the grace
 * period starts again, so the step has time to work. A step is recorded
 * (RemediationRecord) when its outcome is known: resolved when the site got
 * ready, not resolved when the race came back, time ran out or the step failed.
 *
 * Failure is an InfraError (exit 3) carrying the last contrail-status text:
 * the race outlived every allowed step, or the site was not ready by the
 * deadline. The first failing site stops the others.
 */
import { InfraError, UserError } from '../errors.js';
import type { Fabric, FabricContext, FabricSite, RemediationAction } from '../fabric/fabric.js';
import type { RemediationRecord } from '../report/model.js';
import { formatElapsed, systemClock, type Clock } from './clock.js';
import {
  assessSite,
  defaultTolerations,
  describeProblems,
  type SiteHealth,
  type Toleration,
} from './readiness.js';

/** Remediation steps allowed per site unless told otherwise: the pipeline's, the CLI's and action.yml's default. */
export const DEFAULT_RACE_RETRIES = 3;
/** The most steps a flag or input may allow (each waits out the grace period: minutes on real TF). */
export const MAX_RACE_RETRIES = 10;

/** A race-retries value from a flag or an input (`where` names it); empty means the default. */
export function parseRaceRetries(text: string, where: string): number {
  if (text.trim() === '') return DEFAULT_RACE_RETRIES;
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || n > MAX_RACE_RETRIES) {
    throw new UserError(
      `${where} is "${text}"; use a whole number from 0 to ${MAX_RACE_RETRIES} (default ${DEFAULT_RACE_RETRIES}).`,
    );
  }
  return n;
}

export const DEFAULT_LADDER: readonly RemediationAction[] = [
  'delete-control-pod',
  'provision-bgp-router',
];

export const ACTION_LABELS: Record<RemediationAction, string> = {
  'delete-control-pod': 'delete control pod',
  'provision-bgp-router': 'provision bgp-router',
};

export interface WaitReadyOptions {
  /** per site, from the start of the wait */
  timeoutMs: number;
  /** steps of the ladder allowed per site (action input race-retries) */
  raceRetries: number;
  pollIntervalMs?: number;
  /** how long the race's signature must persist before a step is taken */
  raceGraceMs?: number;
  ladder?: readonly RemediationAction[];
  /** harmless states accepted as ready; default: what the run's version profile needs (defaultTolerations) */
  tolerations?: readonly Toleration[];
  /** how often a site that is still not ready is reported */
  progressEveryMs?: number;
  clock?: Clock;
  /** called as each step's outcome is known (persist it in the run state) */
  onRemediation?: (record: RemediationRecord) => void | Promise<void>;
}

export interface SiteReadiness {
  site: string;
  elapsedMs: number;
  polls: number;
  /** services accepted by a toleration on the final poll, e.g. "east-master nodemgr: initializing (…)" */
  tolerated: string[];
}

export interface WaitReadyResult {
  sites: SiteReadiness[];
  remediations: RemediationRecord[];
}

export type ReadinessFailureReason = 'race-exhausted' | 'timeout';

export interface SiteFailure {
  site: string;
  reason: ReadinessFailureReason;
  message: string;
  /** the last contrail-status output, host by host */
  statusText: string;
}

/** The wait failed on at least one site: exit 3, with the last status text. */
export class ReadinessError extends InfraError {
  constructor(
    readonly failures: SiteFailure[],
    readonly remediations: RemediationRecord[],
  ) {
    super(
      failures
        .map((f) => `${f.message}\nlast contrail-status of site ${f.site}:\n${f.statusText}`)
        .join('\n'),
    );
    this.name = 'ReadinessError';
  }

  /** the last status text of every failed site */
  get statusText(): string {
    return this.failures.map((f) => f.statusText).join('\n');
  }
}

class SiteFailed extends Error {
  constructor(readonly failure: SiteFailure) {
    super(failure.message);
  }
}

/** Host by host, the way an operator would paste it. */
export function formatStatusText(statusByHost: Record<string, string>): string {
  const hosts = Object.keys(statusByHost).sort();
  if (hosts.length === 0) return '(no status was read)';
  return hosts.map((h) => `--- ${h} ---\n${statusByHost[h]!.trimEnd()}`).join('\n');
}

export async function waitReady(
  fabric: Fabric,
  sites: readonly FabricSite[],
  ctx: FabricContext,
  options: WaitReadyOptions,
): Promise<WaitReadyResult> {
  const remediations: RemediationRecord[] = [];
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const siteCtx: FabricContext = { ...ctx, signal };
  const record = async (r: RemediationRecord) => {
    remediations.push(r);
    await options.onRemediation?.(r);
  };

  const settled = await Promise.allSettled(
    sites.map((site) =>
      waitSite(fabric, site, siteCtx, options, record).catch((e: unknown) => {
        if (e instanceof SiteFailed)
          stop.abort(new Error(`stopped: site ${e.failure.site} failed`));
        throw e;
      }),
    ),
  );
  const failures = settled.flatMap((s) =>
    s.status === 'rejected' && s.reason instanceof SiteFailed ? [s.reason.failure] : [],
  );
  if (failures.length > 0) throw new ReadinessError(failures, remediations);
  const other = settled.find((s) => s.status === 'rejected');
  if (other) throw (other as PromiseRejectedResult).reason;
  return {
    sites: settled.map((s) => (s as PromiseFulfilledResult<SiteReadiness>).value),
    remediations,
  };
}

async function waitSite(
  fabric: Fabric,
  site: FabricSite,
  ctx: FabricContext,
  options: WaitReadyOptions,
  record: (r: RemediationRecord) => Promise<void>,
): Promise<SiteReadiness> {
  const clock = options.clock ?? systemClock;
  const pollMs = options.pollIntervalMs ?? 5_000;
  const graceMs = options.raceGraceMs ?? 60_000;
  const progressMs = options.progressEveryMs ?? 30_000;
  const ladder = options.ladder ?? DEFAULT_LADDER;
  const tolerations = options.tolerations ?? [
    ...defaultTolerations(ctx.plan.profile.name),
    ...(ctx.plan.health?.tolerate ?? []),
  ];
  const name = site.plan.name;
  const log = ctx.logger;

  const start = clock.now();
  let polls = 0;
  let attempts = 0;
  let raceSince: number | undefined;
  let pending: RemediationRecord | undefined;
  let lastStatus: Record<string, string> = {};
  let lastProgressAt = -Infinity;
  let lastDescription = '';
  const reportedUnknown = new Set<string>();

  const settle = async (resolved: boolean, detail?: string) => {
    if (!pending) return;
    const r: RemediationRecord = { ...pending, resolved, ...(detail ? { detail } : {}) };
    pending = undefined;
    await record(r);
  };
  const fail = async (
    reason: ReadinessFailureReason,
    message: string,
    detail: string,
  ): Promise<never> => {
    await settle(false, detail);
    throw new SiteFailed({ site: name, reason, message, statusText: formatStatusText(lastStatus) });
  };

  for (;;) {
    ctx.signal.throwIfAborted();
    polls++;
    let health: SiteHealth;
    try {
      lastStatus = await fabric.status(site, ctx);
      health = assessSite(lastStatus, tolerations);
    } catch (e) {
      ctx.signal.throwIfAborted();
      const message = e instanceof Error ? e.message : String(e);
      lastStatus = { [`${name} (status failed)`]: message };
      health = {
        ready: false,
        problems: [
          {
            host: name,
            pod: '',
            service: '',
            state: 'no-output',
            text: `status failed: ${message}`,
          },
        ],
        tolerated: [],
        unknown: [],
        parsed: {},
      };
    }
    const now = clock.now();
    const elapsed = now - start;

    for (const u of health.unknown) {
      const key = `${u.host}\0${u.text}`;
      if (reportedUnknown.has(key)) continue;
      reportedUnknown.add(key);
      log.warn(`ready: ${u.host}: contrail-status line ${u.line} not understood: ${u.text}`);
    }

    if (health.ready) {
      await settle(true);
      const tolerated = health.tolerated.map((t) => `${t.host} ${t.text}`);
      log.info(
        `ready: ${name} ready after ${formatElapsed(elapsed)}` +
          (tolerated.length ? ` (tolerated: ${tolerated.join(', ')})` : ''),
      );
      return { site: name, elapsedMs: elapsed, polls, tolerated };
    }

    const race = health.race;
    if (race) raceSince ??= now;
    else raceSince = undefined;

    if (race && now - raceSince! >= graceMs) {
      const lasted = formatElapsed(now - raceSince!);
      await settle(false, `the race still showed ${lasted} later: ${race.problem}`);
      if (attempts >= options.raceRetries) {
        await fail(
          'race-exhausted',
          `site ${name}: the control-node race (${race.problem}) persisted after ${attempts} remediation step${attempts === 1 ? '' : 's'} (race-retries ${options.raceRetries})`,
          'race-retries exhausted',
        );
      }
      attempts++;
      const action = ladder[(attempts - 1) % ladder.length]!;
      log.warn(
        `ready: ${name}: control-node race for ${lasted} (${race.problem}); step ${attempts}/${options.raceRetries}: ${ACTION_LABELS[action]}`,
      );
      const at = new Date(clock.now()).toISOString();
      const base: RemediationRecord = {
        site: name,
        problem: race.problem,
        action: ACTION_LABELS[action],
        attempt: attempts,
        at,
        resolved: false,
      };
      try {
        await fabric.remediate(site, action, ctx);
        pending = base;
      } catch (e) {
        ctx.signal.throwIfAborted();
        const message = e instanceof Error ? e.message : String(e);
        log.warn(`ready: ${name}: ${ACTION_LABELS[action]} failed: ${message}`);
        await record({ ...base, detail: `the step failed: ${message}` });
      }
      raceSince = undefined;
    }

    if (clock.now() - start >= options.timeoutMs) {
      await fail(
        'timeout',
        `site ${name} not ready after ${formatElapsed(clock.now() - start)}: ${describeProblems(health.problems)}`,
        'the site was not ready by the deadline',
      );
    }

    const description = describeProblems(health.problems);
    if (description !== lastDescription || now - lastProgressAt >= progressMs) {
      log.info(`ready: ${name} not ready after ${formatElapsed(elapsed)}: ${description}`);
      lastDescription = description;
      lastProgressAt = now;
    }
    const remaining = options.timeoutMs - (clock.now() - start);
    await clock.sleep(Math.max(0, Math.min(pollMs, remaining)), ctx.signal);
  }
}
