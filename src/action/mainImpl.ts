/**
 * The action's main step: inputs → the shared commands → outputs, the job
 * summary, the PR comment, annotations and the exit code. `run` goes through
 * the same runAndReport as the CLI; what the post step needs (the state
 * directory, the run id, the teardown decision) is saved with core.saveState
 * before the first resource exists.
 */
import { actionsCache, restoreArtifacts, saveArtifacts } from './artifactCache.js';
import * as core from '@actions/core';
import { join, resolve } from 'node:path';
import { janitorCommand } from '../commands/janitor.js';
import { listenForInterrupt } from '../commands/interrupt.js';
import { planCommand, writePlanJson } from '../commands/plan.js';
import { reexecAsRoot, shouldReexecAsRoot, sitesNeedRoot } from '../commands/root.js';
import type { ConfigOverrides } from '../config/load.js';
import { INLINE_SITES_LABEL, loadSiteFile, looksInline } from '../config/load.js';
import { ExitCode, InfraError, isUserError, userErrorsOf } from '../errors.js';
import type { ExitCodeValue } from '../errors.js';
import type { Logger } from '../log.js';
import { planToJson } from '../plan/format.js';
import type { PlanJson } from '../plan/format.js';
import { buildPlanFromConfig } from '../plan/plan.js';
import { runAndReport } from '../pipeline/testRun.js';
import { publishResults } from '../report/outputs.js';
import { newRunId, StateStore } from '../state/runState.js';
import { downCommandLine, exportState, keptMessage, providersOf } from '../state/teardown.js';
import { actionLogger } from './logger.js';
import {
  maskCredentialInputs,
  providerCredentials,
  readInputs,
  registryPasswordNote,
} from './inputs.js';
import type { ActionInputs } from './inputs.js';
import { SAVED } from './saved.js';

/** After a cancel, main is gone this long after the signal whatever it is doing (GitHub sends SIGTERM at 7.5 s). */
export const CANCEL_EXIT_MS = 5_000;

export async function runMain(): Promise<ExitCodeValue> {
  maskCredentialInputs();
  const logger = actionLogger();
  try {
    const inputs = readInputs();
    const localSites = inputs.command !== 'janitor' && (await sitesNeedRoot(inputs.sites));
    const unused = registryPasswordNote(inputs, localSites);
    if (unused) core.notice(unused, { title: 'tungsten-e2e: registry-password' });
    if (inputs.command === 'plan') return await planAction(inputs, logger);
    // local sites (and the janitor, which deletes them) need root: hand over to `sudo -n` when it works
    // a dry run only reads, as in the CLI
    const needsRoot = inputs.command === 'janitor' ? !inputs.dryRun : localSites;
    if (shouldReexecAsRoot(needsRoot)) return await reexecAsRoot([]);
    if (inputs.command === 'janitor') return await janitorAction(inputs, logger);
    return await runAction(inputs, logger);
  } catch (e) {
    return fail(e);
  }
}

function overridesOf(inputs: ActionInputs): ConfigOverrides {
  return {
    ...(inputs.profile ? { profile: inputs.profile } : {}),
    ...(inputs.ttl ? { ttl: inputs.ttl } : {}),
    ...(inputs.suites ? { suites: inputs.suites } : {}),
    ...(inputs.registryUsername ? { registryUsername: inputs.registryUsername } : {}),
  };
}

const RESULTS_DIR_INPUT = "action input 'results-dir'";

/** plan.json into the results directory and the plan-json output. */
async function publishPlan(inputs: ActionInputs, json: PlanJson): Promise<void> {
  core.setOutput('plan-json', await writePlanJson(inputs.resultsDir, RESULTS_DIR_INPUT, json));
}

/** The label errors name for inline YAML; a path names itself. */
function sitesLabel(sites: string): { sitesLabel?: string } {
  return looksInline(sites) ? { sitesLabel: INLINE_SITES_LABEL } : {};
}

async function planAction(inputs: ActionInputs, logger: Logger): Promise<ExitCodeValue> {
  const json = await planCommand(
    { sites: inputs.sites, sitesLabel: INLINE_SITES_LABEL, overrides: overridesOf(inputs) },
    { logger, stdout: (t) => core.info(t.replace(/\n$/, '')) },
  );
  await publishPlan(inputs, json);
  core.setOutput('passed', 'true');
  return ExitCode.ok;
}

async function runAction(inputs: ActionInputs, logger: Logger): Promise<ExitCodeValue> {
  const interrupt = listenForInterrupt({
    logger,
    firstMessage: (sig) =>
      `${sig}: the job is being cancelled: stopping now and leaving the teardown to the post step`,
    hardExitAfterMs: CANCEL_EXIT_MS,
  });
  try {
    return await runAndPublish(inputs, logger, interrupt.signal);
  } catch (e) {
    if (!interrupt.received) throw e;
    logger.warn(
      `cancelled before the run had made anything (${e instanceof Error ? e.message : String(e)})`,
    );
    return ExitCode.interrupted;
  } finally {
    interrupt.dispose();
  }
}

async function runAndPublish(
  inputs: ActionInputs,
  logger: Logger,
  signal: AbortSignal,
): Promise<ExitCodeValue> {
  const credentials = providerCredentials(inputs.credentials);
  const runId = newRunId();
  // RUNNER_TEMP is private to the job; the run's key lives in the state directory
  const stateDir = resolve(process.env.RUNNER_TEMP || inputs.resultsDir, 'tungsten-e2e', runId);
  core.saveState(SAVED.runId, runId);
  core.setOutput('run-id', runId);
  core.saveState(SAVED.stateDir, stateDir);
  // the plan is pure: plan.json exists before the first resource, whatever happens later
  const overrides = overridesOf(inputs);
  const label = sitesLabel(inputs.sites);
  const plan = buildPlanFromConfig(await loadSiteFile(inputs.sites, overrides, label.sitesLabel));
  await publishPlan(inputs, planToJson(plan));
  // the runner's tool cache outlives the job on self-hosted runners; GitHub's cache refills it on hosted ones
  const artifactDir = process.env.RUNNER_TOOL_CACHE
    ? join(process.env.RUNNER_TOOL_CACHE, 'tungsten-e2e', 'artifacts')
    : undefined;
  const restored = artifactDir
    ? await restoreArtifacts(plan, artifactDir, actionsCache, logger)
    : undefined;
  const repo = process.env.GITHUB_REPOSITORY;
  const report = await runAndReport(
    {
      sites: inputs.sites,
      ...label,
      overrides,
      runId,
      stateDir,
      resultsDir: inputs.resultsDir,
      teardown: inputs.teardown,
      onCancel: 'leave',
      ...(repo ? { repo } : {}),
      ...(inputs.doc ? { doc: inputs.doc } : {}),
    },
    {
      logger,
      signal,
      credentials,
      raceRetries: inputs.raceRetries,
      ...(artifactDir ? { artifactCacheDir: artifactDir } : {}),
    },
  );
  if (!report.cancelled) await saveArtifacts(restored, actionsCache, logger);

  let kept: string | undefined;
  if (report.teardown) {
    core.saveState(SAVED.decision, 'done');
  } else if (!report.cancelled) {
    // kept on purpose: the runner empties RUNNER_TEMP after the job, the results directory can be kept
    const copy = await exportState(stateDir, inputs.resultsDir);
    core.saveState(SAVED.decision, 'kept');
    core.saveState(SAVED.keptStateDir, copy);
    const state = (await StateStore.open(stateDir)).state;
    kept = keptMessage({
      runId,
      policy: inputs.teardown,
      expiresAt: state.expiresAt,
      command: downCommandLine(copy, providersOf(state)),
    });
  }

  await publishResults(report.results, {
    resultsDir: inputs.resultsDir,
    logger,
    comment: {
      ...(inputs.credentials['github-token'] ? { token: inputs.credentials['github-token'] } : {}),
      enabled: inputs.comment,
      ...(inputs.prNumber ? { prNumber: inputs.prNumber } : {}),
      // after a cancel there are seconds left, not minutes
      ...(report.cancelled ? { timeoutMs: 2_000 } : {}),
    },
  });

  const r = report.results;
  if (kept) {
    logger.warn(kept);
    core.notice(kept, { title: 'tungsten-e2e: run kept' });
  }
  if (report.teardown && !report.teardown.complete) {
    core.error(
      `teardown of run ${runId} left ${report.teardown.remaining.length} resources (the post step tries again):\n${report.teardown.remaining.join('\n')}`,
      { title: 'tungsten-e2e: teardown incomplete' },
    );
  }
  if (report.cancelled) {
    logger.warn(
      `run ${runId} was cancelled (${r.error ?? 'cancelled'}); the post step tears it down.`,
    );
  } else if (!r.passed) {
    const { pass, fail, flaky, error } = r.totals;
    const total = pass + fail + flaky + error;
    core.setFailed(
      r.error
        ? `tungsten-e2e: run ${runId} stopped: ${r.error}`
        : fail > 0
          ? `tungsten-e2e: ${fail} of ${total} checks failed (see the job summary and ${inputs.resultsDir}/results.md)`
          : `tungsten-e2e: ${error} of ${total} checks got no answer from their probe (an infrastructure error, not a verdict on the network; see ${inputs.resultsDir}/results.md)`,
    );
  }
  return report.exitCode;
}

async function janitorAction(inputs: ActionInputs, logger: Logger): Promise<ExitCodeValue> {
  const report = await janitorCommand(
    {
      ...(inputs.sites.trim() ? { sites: inputs.sites, ...sitesLabel(inputs.sites) } : {}),
      overrides: overridesOf(inputs),
      ...(inputs.olderThan
        ? { olderThan: inputs.olderThan, olderThanLabel: "action input 'older-than'" }
        : {}),
      ...(inputs.dryRun ? { dryRun: true } : {}),
    },
    { logger, stdout: (t) => core.info(t.replace(/\n$/, '')) },
    { credentials: providerCredentials(inputs.credentials) },
  );
  for (const s of report.skipped) {
    core.notice(`${s.provider} was not searched: ${s.reason}.`, {
      title: 'tungsten-e2e janitor',
    });
  }
  const left = report.runs.flatMap((r) =>
    r.remaining.map(
      (x) => `${x.resource.kind} ${x.resource.id}: ${x.error}; delete with: ${x.howToDelete}`,
    ),
  );
  const failed = report.failed.map((f) => `${f.provider}: could not list runs: ${f.error}`);
  core.setOutput('passed', left.length || failed.length ? 'false' : 'true');
  if (left.length || failed.length) {
    core.setFailed(`tungsten-e2e janitor: ${[...left, ...failed].join('\n')}`);
    return ExitCode.infrastructure;
  }
  return ExitCode.ok;
}

/** Where the runner should pin an annotation: inline YAML (a label, not a file) gets none. */
function annotationAt(p: { file: string; line: number; col: number } | undefined) {
  return p && p.file !== INLINE_SITES_LABEL
    ? { file: p.file, startLine: p.line, startColumn: p.col }
    : {};
}

function fail(e: unknown): ExitCodeValue {
  core.setOutput('passed', 'false');
  if (isUserError(e)) {
    const errors = userErrorsOf(e);
    for (const err of errors) {
      core.error(err.message, {
        ...annotationAt(err.position),
        title: 'tungsten-e2e: bad input',
      });
    }
    core.setFailed(
      errors.length === 1
        ? errors[0]!.message
        : `${errors.length} problems in the input (see the errors above).`,
    );
    return ExitCode.badInput;
  }
  const message =
    e instanceof InfraError
      ? e.message
      : `unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  core.setFailed(message);
  return ExitCode.infrastructure;
}
