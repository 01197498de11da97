/**
 * The test and report phases over a live run, and the whole run with them
 * between up and down:
 *
 *   test    the suites the site file names (connectivity, isolation per mode)
 *   report  results.json, results.md and junit.xml in the results directory
 *
 * `runAndReport` writes the results files once more after teardown, so they
 * hold the teardown phase too (or why the run stopped, when it did), and
 * takes the exit code from them: 0 passed, 1 a check failed, 3 the run
 * stopped on infrastructure.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, isUserError } from '../errors.js';
import type { ExitCodeValue } from '../errors.js';
import type { LiveRun, PipelineEnv, RunOptions, RunOutcome } from '../pipeline.js';
import { replan, run, TRANSCRIPTS } from '../pipeline.js';
import type { Plan } from '../plan/types.js';
import { quoteArg } from '../remote/quote.js';
import type { CheckRecord, RunResults } from '../report/model.js';
import { writeResultsFiles } from '../report/outputs.js';
import type { ResultFiles } from '../report/outputs.js';
import { buildResults, resultsExitCode } from '../report/results.js';
import type { Reader } from '../state/messages.js';
import { cliCommand, needsRoot } from '../state/messages.js';
import type { RunState } from '../state/runState.js';
import { newRunId, StateStore } from '../state/runState.js';
import { runSuites } from '../suites/runner.js';
import type { SuiteOptions } from '../suites/runner.js';
import { phase } from './phase.js';
import { writeDiagnostics } from './diagnostics.js';

/** below the results directory: each host's state after a failed phase */
export const DIAGNOSTICS = 'diagnostics';

/** Where results go unless told otherwise: the action's default too. */
export const DEFAULT_RESULTS_DIR = 'tungsten-e2e-results';

/**
 * The hosts' install transcripts (tungsten fabric) beside the results, so the
 * artifact a failed nightly uploads holds them; none for local runs.
 */
export async function copyTranscripts(stateDir: string, resultsDir: string): Promise<void> {
  const from = join(stateDir, TRANSCRIPTS);
  const names = await readdir(from).catch(() => [] as string[]);
  if (names.length === 0) return;
  const to = join(resultsDir, TRANSCRIPTS);
  await mkdir(to, { recursive: true, mode: 0o700 });
  for (const n of names) await copyFile(join(from, n), join(to, n));
}

/**
 * The CLI's results directory unless --results names one: one per run below
 * DEFAULT_RESULTS_DIR, so two runs in one working directory never overwrite
 * each other's files. (The action keeps DEFAULT_RESULTS_DIR: a job runs once.)
 */
export function runResultsDir(runId: string): string {
  return join(DEFAULT_RESULTS_DIR, runId);
}

export interface TestOptions {
  /** results.json, results.md and junit.xml go here (created if missing) */
  resultsDir: string;
  /** probing knobs (concurrency, timeouts); the suites, modes and namespaces come from the plan */
  probing?: Pick<
    SuiteOptions,
    'concurrency' | 'probeTimeoutMs' | 'probeDeadlineMs' | 'batchProbes'
  >;
}

export interface TestReport {
  results: RunResults;
  files: ResultFiles;
  /** the truth tables, one per suite and mode, as text (the caller prints them) */
  tables: string[];
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The command that runs the same sites again on this machine. */
export function reproduceCommand(source: RunState['source'], plan: Plan, reader?: Reader): string {
  const cli = cliCommand(needsRoot(plan.sites.map((s) => s.provider)), reader);
  const file = source.label ? 'sites.yml' : resolve(source.sites);
  const flags = source.overrides.profile ? ` --profile ${quoteArg(source.overrides.profile)}` : '';
  const lines = [`${cli} run --sites ${quoteArg(file)}${flags}`];
  if (source.label) lines.unshift(`# sites.yml: the site file from ${source.label}`);
  if (source.overrides.suites) {
    lines.unshift(`# with tests.suites: [${source.overrides.suites.join(', ')}] in the site file`);
  }
  return lines.join('\n');
}

/** The phases `up` records, once per run. */
const UP_PHASE_NAMES: ReadonlySet<string> = new Set([
  'load',
  'plan',
  'provision',
  'install',
  'ready',
  'connect',
]);

/**
 * The phases one invocation is judged by: the run's up phases, and those this
 * invocation recorded (from index `since` on). An earlier `test` on the same
 * run has its own results files; its phases do not decide this verdict.
 */
export function phasesOf(state: Readonly<RunState>, since = 0): RunState['phases'] {
  return state.phases.filter((p, i) => i >= since || UP_PHASE_NAMES.has(p.name));
}

/**
 * The run's results from its state: phases (of this invocation, see
 * phasesOf) and remediations as recorded, the checks given. A report phase
 * still open is the one writing these results: it ends now.
 */
export function resultsOf(
  state: Readonly<RunState>,
  plan: Plan,
  checks: readonly CheckRecord[],
  error?: string,
  since = 0,
): RunResults {
  const endedAt = new Date().toISOString();
  return buildResults({
    runId: state.runId,
    plan,
    startedAt: state.createdAt,
    endedAt,
    phases: phasesOf(state, since).map((p) =>
      p.name === 'report' && !p.endedAt ? { ...p, endedAt } : { ...p },
    ),
    remediations: state.remediations,
    tunnels: state.tunnelLinks ?? [],
    checks,
    reproduce: reproduceCommand(state.source, plan),
    ...(error !== undefined ? { error } : {}),
  });
}

/** test, then report: the suites against a live run, and the results files. */
export async function testAndReport(live: LiveRun, options: TestOptions): Promise<TestReport> {
  const { plan, store, ctx } = live;
  let checks: CheckRecord[] = [];
  // the suites (and modes) that completed, kept when a later one is cancelled or fails
  const finished: CheckRecord[] = [];
  let tables: string[] = [];
  let error: string | undefined;
  // this invocation's phases start here (a run may be tested more than once)
  const since = store.state.phases.length;
  try {
    const suites = await phase(store, 'test', ctx.logger, ctx.signal, (step) =>
      runSuites(
        live.fabric,
        live.sites,
        { ...ctx, step },
        {
          suites: plan.tests.suites,
          modes: plan.tests.isolationModes,
          namespaces: plan.tests.namespaces,
          logTables: false,
          onChecks: (done) => finished.push(...done),
          ...options.probing,
        },
      ),
    );
    checks = suites.checks;
    tables = suites.tables;
  } catch (e) {
    if (isUserError(e)) throw e;
    // the report still says what ran and why it stopped
    error = `test: ${messageOf(e)}`;
    checks = finished;
    if (!ctx.signal.aborted) {
      await writeDiagnostics(live.fabric, live.sites, ctx, join(options.resultsDir, DIAGNOSTICS));
    }
  }
  // what crossed each tunnel during the tests (the counters are the proof the traffic went through it)
  if (!ctx.signal.aborted) {
    const links = await live.tunnels().catch((e: unknown) => {
      ctx.logger.warn(`report: the tunnels' counters could not be read: ${messageOf(e)}`);
      return undefined;
    });
    if (links) await store.update((st) => void (st.tunnelLinks = links));
  }
  // the report is written also after a cancel: it says what ran and where the run stopped
  const written = await phase(
    store,
    'report',
    ctx.logger,
    new AbortController().signal,
    async () => {
      const results = resultsOf(store.state, plan, checks, error, since);
      const files = await writeResultsFiles(options.resultsDir, results);
      ctx.logger.info(`report: ${files.json}, ${files.markdown}, ${files.junit}`);
      return { results, files };
    },
  );
  return { ...written, tables };
}

export interface RunReport {
  runId: string;
  stateDir: string;
  /** up, test, report, down as they went; undefined when the run stopped early */
  outcome?: RunOutcome;
  /** the final results (after teardown) and their files */
  results: RunResults;
  files: ResultFiles;
  tables: string[];
  /** the teardown as recorded; undefined when the run was kept or left (see outcome) */
  teardown?: RunState['teardown'];
  /** the signal aborted (Ctrl-C, a cancelled job) */
  cancelled: boolean;
  exitCode: ExitCodeValue;
}

/**
 * up → test → report → down (per the teardown policy), then the results
 * files once more with the teardown phase, or with why the run stopped.
 * Bad input (exit 2) is thrown as before; anything else ends in results.
 */
export async function runAndReport(
  options: Omit<RunOptions, 'between'> & TestOptions,
  env: PipelineEnv,
): Promise<RunReport> {
  const runId = options.runId ?? newRunId();
  const stateDir = options.stateDir ?? join('.tungsten-e2e', runId);
  let tested: TestReport | undefined;
  let outcome: RunOutcome | undefined;
  let failure: unknown;
  try {
    outcome = await run(
      {
        diagnosticsDir: join(options.resultsDir, DIAGNOSTICS),
        ...options,
        runId,
        stateDir,
        between: async (live) => {
          tested = await testAndReport(live, options);
          return tested.results.passed;
        },
      },
      env,
    );
  } catch (e) {
    failure = e;
  }
  if (isUserError(failure)) throw failure;
  const store = await StateStore.open(stateDir).catch(() => undefined);
  if (!store || store.state.runId !== runId) {
    // nothing was made, so there is nothing to report on
    throw failure;
  }
  const plan = await replan(store.state);
  const error = failure !== undefined ? messageOf(failure) : tested?.results.error;
  const results = resultsOf(store.state, plan, tested?.results.checks ?? [], error);
  const files = await writeResultsFiles(options.resultsDir, results);
  await copyTranscripts(stateDir, options.resultsDir);
  return {
    runId,
    stateDir,
    ...(outcome ? { outcome } : {}),
    results,
    files,
    tables: tested?.tables ?? [],
    ...(store.state.teardown ? { teardown: store.state.teardown } : {}),
    cancelled: env.signal?.aborted === true,
    exitCode: env.signal?.aborted ? ExitCode.interrupted : resultsExitCode(results),
  };
}
