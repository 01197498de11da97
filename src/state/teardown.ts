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
import { chmod, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigOverrides } from '../config/load.js';
import { loadSiteFile } from '../config/load.js';
import type { ProviderName, TeardownPolicy } from '../config/types.js';
import { InfraError, isUserError } from '../errors.js';
import type { Logger } from '../log.js';
import { down, keepsRun } from '../pipeline.js';
import type { PipelineEnv } from '../pipeline.js';
import { providerRegistry } from '../pipeline/registry.js';
import { buildPlanFromConfig } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import type { CreatedResource, DestroyReport } from '../providers/provider.js';
import { destroyEach } from './destroyEach.js';
import { cliCommand, downCommandLine, needsRoot, remainingText } from './messages.js';
import { handToSudoUser, makeDirs } from './owner.js';
import type { RunState } from './runState.js';
import { RUN_ID, STATE_FILE, StateStore } from './runState.js';

export { downCommandLine, remainingLine, remainingText } from './messages.js';

export function providersOf(state: Readonly<RunState>): ProviderName[] {
  return [
    ...new Set([...state.sites.map((s) => s.provider), ...state.resources.map((r) => r.provider)]),
  ];
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
 * after the job, the results directory can be uploaded as an artifact. The
 * copy is its owner's alone (0700/0600: it holds no secret, but every host
 * and address of the run) and, under sudo, belongs to the user who ran sudo:
 * the uploader runs as that user.
 */
export async function exportState(stateDir: string, dir: string): Promise<string> {
  const to = join(dir, 'state');
  const made = await makeDirs(to);
  const file = join(to, STATE_FILE);
  await copyFile(join(stateDir, STATE_FILE), file);
  // the state names every host and address of the run: its owner's alone (the
  // user behind sudo gets it below)
  await chmod(to, 0o700);
  await chmod(file, 0o600);
  await handToSudoUser([...new Set([...made, to]), file]);
  return to;
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
  /**
   * The teardown input, for a main that stopped before deciding (cancelled,
   * killed): only `never` keeps such a run; a cancel is not a failure of
   * what was tested, so `on-success` tears it down.
   */
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
      saved.decision === 'kept' ||
      (saved.decision === undefined && keepsRun(o.policy, 'cancelled'));
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
  const swept = await sweepByRunId(runId, plan, store?.state, env, saved.stateDir);
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
 * A provider that fails does not stop the others: what it should have
 * deleted is reported as left.
 */
export async function sweepByRunId(
  runId: string,
  plan: Plan | undefined,
  state: Readonly<RunState> | undefined,
  env: PipelineEnv,
  /** the state directory, when there is one: the command that tries again names it */
  stateDir?: string,
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
  // a site whose provisioning was cut short has resources but no site record yet
  for (const r of state?.resources ?? []) {
    if (!sites.has(r.provider)) sites.set(r.provider, []);
    const known = sites.get(r.provider)!.some((s) => s.name === r.site);
    if (r.site && !known)
      add(r.provider, { name: r.site, ...(r.region ? { region: r.region } : {}) });
  }
  if (sites.size === 0) sites.set('local', []);
  const logger: Logger = env.logger;
  const { deleted, remaining } = await destroyEach(sites.keys(), {
    providers,
    target: (name) => ({ runId, sites: sites.get(name) ?? [] }),
    ctx: { logger, signal: env.signal ?? new AbortController().signal },
    recorded: state?.resources ?? [],
    howToDelete: (name) =>
      stateDir
        ? `${downCommandLine(stateDir, [name])} (again, once the cause is fixed)`
        : `${cliCommand(needsRoot([name]))} janitor, once the run expires`,
  });
  return { deleted, remaining };
}
