/**
 * Teardown outside the run that made the resources: the action's post step
 * (after main finished, was cancelled or was killed), and the messages that
 * tell a user how to delete a run that was kept on purpose.
 *
 * The post step tears down from the saved state (`down`), then sweeps every
 * provider the site file names by the run id, which finds what a killed
 * main never got to record; without a state file (main stopped before it
 * wrote one) the sweep alone runs.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigOverrides } from '../config/load.js';
import { loadSiteFile } from '../config/load.js';
import type { ProviderName, TeardownPolicy } from '../config/types.js';
import { InfraError, isUserError } from '../errors.js';
import { down, keepsRun } from '../pipeline.js';
import type { PipelineEnv } from '../pipeline.js';
import { providerRegistry } from '../pipeline/registry.js';
import { buildPlanFromConfig } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import type { CreatedResource, DestroyReport } from '../providers/provider.js';
import { quoteArg } from '../remote/quote.js';
import type { RunState } from './runState.js';
import { RUN_ID, STATE_FILE, StateStore } from './runState.js';

/** Providers whose resources only root can delete (network namespaces on this host). */
const ROOT_PROVIDERS: readonly ProviderName[] = ['local'];

export function providersOf(state: Readonly<RunState>): ProviderName[] {
  return [
    ...new Set([...state.sites.map((s) => s.provider), ...state.resources.map((r) => r.provider)]),
  ];
}

/** The exact command that deletes the run of a state directory. */
export function downCommandLine(stateDir: string, providers: readonly ProviderName[]): string {
  const sudo = providers.some((p) => ROOT_PROVIDERS.includes(p)) ? 'sudo ' : '';
  return `${sudo}tungsten-e2e down --state ${quoteArg(stateDir)}`;
}

/** What is said when a run is kept on purpose: why, until when, and how to delete it now. */
export function keptMessage(o: {
  runId: string;
  policy: TeardownPolicy;
  expiresAt: string;
  command: string;
}): string {
  return `keeping run ${o.runId} (teardown: ${o.policy}); its resources still expire at ${o.expiresAt}, after which "tungsten-e2e janitor" deletes them. To delete them now: ${o.command}`;
}

/**
 * A copy of the run's state (state.json only: no key, no host keys) in
 * `dir`/state, for a run kept past the job: the runner empties RUNNER_TEMP
 * after the job, the results directory can be uploaded as an artifact.
 */
export async function exportState(stateDir: string, dir: string): Promise<string> {
  const to = join(dir, 'state');
  await mkdir(to, { recursive: true });
  await copyFile(join(stateDir, STATE_FILE), join(to, STATE_FILE));
  return to;
}

export function remainingText(runId: string, remaining: DestroyReport['remaining']): string {
  return `teardown of run ${runId} left ${remaining.length} resources:\n${remaining
    .map((r) => `  ${r.resource.kind} ${r.resource.id}: ${r.error}; delete with: ${r.howToDelete}`)
    .join('\n')}`;
}

/** What main saved for the post step (core.saveState). */
export interface SavedRun {
  stateDir?: string;
  runId?: string;
  /** main's teardown decision: it tore down (`done`), or kept the run on purpose (`kept`) */
  decision?: 'done' | 'kept';
  /** where main exported the state of a kept run */
  keptStateDir?: string;
}

export interface PostTeardownOptions {
  saved: SavedRun;
  /** the teardown input, for a main that stopped before deciding (cancelled, killed) */
  policy: TeardownPolicy;
  /** the sites input: which providers to sweep when the state file is missing */
  sites?: string;
  sitesLabel?: string;
  overrides?: ConfigOverrides;
}

export type PostTeardownResult =
  | { kind: 'nothing'; reason: string }
  | { kind: 'already-down'; runId: string; at: string }
  | { kind: 'kept'; runId: string; message: string; command: string }
  | { kind: 'torn-down'; runId: string; deleted: CreatedResource[]; swept: CreatedResource[] };

/**
 * The post step's teardown. Idempotent: after a main that tore down it does
 * nothing (and says so); run twice, the second finds nothing. Resources left
 * behind are an InfraError naming each and how to delete it.
 */
export async function postTeardown(
  o: PostTeardownOptions,
  env: PipelineEnv,
): Promise<PostTeardownResult> {
  const { saved } = o;
  const stateFile = saved.stateDir ? join(saved.stateDir, STATE_FILE) : undefined;
  const store = saved.stateDir
    ? await StateStore.open(saved.stateDir).catch(() => undefined)
    : undefined;
  const runId = store?.state.runId ?? saved.runId;
  if (!runId || !RUN_ID.test(runId)) {
    return { kind: 'nothing', reason: 'main saved no run, so it created nothing' };
  }
  // the state file is written before the first resource: without one, nothing was made
  if (!store && !(stateFile && existsSync(stateFile))) {
    return {
      kind: 'nothing',
      reason: `run ${runId} stopped before it made anything (no state file${saved.stateDir ? ` in ${saved.stateDir}` : ''})`,
    };
  }
  if (store?.state.teardown?.complete) {
    return { kind: 'already-down', runId, at: store.state.teardown.at };
  }
  if (store && saved.stateDir) {
    const kept =
      saved.decision === 'kept' || (saved.decision === undefined && keepsRun(o.policy, false));
    if (kept) {
      const command = downCommandLine(
        saved.keptStateDir ?? saved.stateDir,
        providersOf(store.state),
      );
      return {
        kind: 'kept',
        runId,
        command,
        message: keptMessage({
          runId,
          policy: o.policy,
          expiresAt: store.state.expiresAt,
          command,
        }),
      };
    }
  }

  let deleted: CreatedResource[] = [];
  let plan: Plan | undefined;
  let downFailure: unknown;
  if (store && saved.stateDir) {
    try {
      deleted = (await down({ stateDir: saved.stateDir }, env)).deleted;
    } catch (e) {
      // the sweep below still runs: it may get what down could not, and reports what stays
      downFailure = e;
      env.logger.warn(`teardown ${runId}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const { sites, overrides, label } = store.state.source;
    plan = await planOf(sites, overrides, label);
  } else {
    env.logger.warn(
      `teardown ${runId}: the state file ${stateFile} cannot be read; sweeping by the run id`,
    );
  }
  plan ??= o.sites ? await planOf(o.sites, o.overrides ?? {}, o.sitesLabel) : undefined;
  const swept = await sweepByRunId(runId, plan, store?.state, env);
  if (swept.remaining.length > 0) throw new InfraError(remainingText(runId, swept.remaining));
  if (downFailure !== undefined && saved.stateDir) {
    if (isUserError(downFailure)) throw downFailure;
    // down stopped, the sweep after it left nothing: the run is gone
    const after = await StateStore.open(saved.stateDir);
    await after.update((st) => {
      st.teardown = { at: new Date().toISOString(), complete: true, remaining: [] };
    });
  }
  if (swept.deleted.length > 0) {
    env.logger.warn(
      `teardown ${runId}: the sweep by run id found ${swept.deleted.length} resources the state did not list, and deleted them`,
    );
  }
  return { kind: 'torn-down', runId, deleted, swept: swept.deleted };
}

async function planOf(
  sites: string,
  overrides: ConfigOverrides,
  label?: string,
): Promise<Plan | undefined> {
  try {
    return buildPlanFromConfig(await loadSiteFile(sites, overrides, label));
  } catch {
    return undefined;
  }
}

/**
 * Every provider of the plan (and of the state) asked to delete whatever
 * carries the run id: idempotent, and independent of what the state recorded.
 */
export async function sweepByRunId(
  runId: string,
  plan: Plan | undefined,
  state: Readonly<RunState> | undefined,
  env: PipelineEnv,
): Promise<DestroyReport> {
  const providers =
    env.providers ?? providerRegistry({ ...env.credentials, ...(plan ? { plan } : {}) });
  const sites = new Map<ProviderName, { name: string; region?: string; zone?: string }[]>();
  const add = (provider: ProviderName, site: { name: string; region?: string; zone?: string }) =>
    sites.set(provider, [...(sites.get(provider) ?? []).filter((s) => s.name !== site.name), site]);
  for (const s of plan?.sites ?? []) {
    add(s.provider, {
      name: s.name,
      ...(s.region ? { region: s.region } : {}),
      ...(s.zone ? { zone: s.zone } : {}),
    });
  }
  for (const s of state?.sites ?? []) {
    add(s.provider, {
      name: s.name,
      ...(s.region ? { region: s.region } : {}),
      ...(s.zone ? { zone: s.zone } : {}),
    });
  }
  if (sites.size === 0) sites.set('local', []);
  const report: DestroyReport = { deleted: [], remaining: [] };
  for (const [name, list] of sites) {
    const r = await (
      await providers(name)
    ).destroy(
      { runId, sites: list },
      { logger: env.logger, signal: env.signal ?? new AbortController().signal },
    );
    report.deleted.push(...r.deleted);
    report.remaining.push(...r.remaining);
  }
  return report;
}
