import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  SAVED,
  actionLogger,
  maskCredentialInputs,
  providerCredentials,
  readInputs,
  registryPasswordNote
} from "./chunks/chunk-HYENJWGN.js";
import {
  listenForInterrupt,
  planCommand,
  planToJson,
  writePlanJson
} from "./chunks/chunk-C5CXOMKD.js";
import "./chunks/chunk-WI6UNROS.js";
import {
  INLINE_SITES_LABEL,
  StateStore,
  buildPlanFromConfig,
  cacheKey,
  downCommandLine,
  exportState,
  hasRunnerDownloads,
  janitorCommand,
  keptMessage,
  loadSiteFile,
  looksInline,
  newRunId,
  providersOf,
  publishResults,
  reexecAsRoot,
  runAndReport,
  shouldReexecAsRoot,
  sitesNeedRoot
} from "./chunks/chunk-LZG3BL2F.js";
import "./chunks/chunk-D66SPQEI.js";
import "./chunks/chunk-AERCAA66.js";
import "./chunks/chunk-2HS6D2WA.js";
import "./chunks/chunk-T5G7RGOZ.js";
import "./chunks/chunk-VE4IKPWZ.js";
import {
  ExitCode,
  InfraError,
  isUserError,
  userErrorsOf
} from "./chunks/chunk-IAZJZTPR.js";
import {
  error,
  info,
  notice,
  saveState,
  setFailed,
  setOutput
} from "./chunks/chunk-RQ7FSDD4.js";
import "./chunks/chunk-XCWAR6IE.js";
import "./chunks/chunk-5VPQFH3J.js";

// src/action/artifactCache.ts
import { readdir } from "node:fs/promises";
async function actionsCache() {
  const cache = await import("./chunks/cache-RTXIZVWZ.js");
  return {
    available: () => cache.isFeatureAvailable(),
    restore: (paths, key) => cache.restoreCache(paths, key),
    save: async (paths, key) => await cache.saveCache(paths, key) !== -1
  };
}
var why = (e) => e instanceof Error ? e.message : String(e);
async function restoreArtifacts(plan, dir, backend, logger) {
  if (plan.sites.every((s) => s.provider === "local")) return void 0;
  if (!hasRunnerDownloads(plan)) return void 0;
  const key = cacheKey(plan);
  let cache;
  try {
    cache = await backend();
    if (!cache.available()) {
      logger.info(`artifact cache: GitHub's cache is not available here; the run downloads ${key}`);
      return void 0;
    }
    const hit = await cache.restore([dir], key) === key;
    logger.info(
      `artifact cache: ${hit ? `restored ${key}` : `${key} not restored (no entry yet, or the cache failed: the library warns then); the run downloads`}`
    );
    return { key, dir, hit };
  } catch (e) {
    logger.warn(`artifact cache: ${key} could not be restored (${why(e)}); the run downloads`);
    return { key, dir, hit: false };
  }
}
async function saveArtifacts(restored, backend, logger) {
  if (!restored || restored.hit) return;
  const files = await readdir(restored.dir).catch(() => []);
  if (files.length === 0) return;
  try {
    if (await (await backend()).save([restored.dir], restored.key)) {
      logger.info(`artifact cache: saved ${restored.key} (${files.length} files)`);
    } else {
      logger.warn(`artifact cache: ${restored.key} was not saved (see the library's warning)`);
    }
  } catch (e) {
    logger.warn(`artifact cache: ${restored.key} could not be saved (${why(e)})`);
  }
}

// src/action/mainImpl.ts
import { join, resolve } from "node:path";
var CANCEL_EXIT_MS = 5e3;
async function runMain() {
  maskCredentialInputs();
  const logger = actionLogger();
  try {
    const inputs = readInputs();
    const localSites = inputs.command !== "janitor" && await sitesNeedRoot(inputs.sites);
    const unused = registryPasswordNote(inputs, localSites);
    if (unused) notice(unused, { title: "tungsten-e2e: registry-password" });
    if (inputs.command === "plan") return await planAction(inputs, logger);
    const needsRoot = inputs.command === "janitor" ? !inputs.dryRun : localSites;
    if (shouldReexecAsRoot(needsRoot)) return await reexecAsRoot([]);
    if (inputs.command === "janitor") return await janitorAction(inputs, logger);
    return await runAction(inputs, logger);
  } catch (e) {
    return fail(e);
  }
}
function overridesOf(inputs) {
  return {
    ...inputs.profile ? { profile: inputs.profile } : {},
    ...inputs.ttl ? { ttl: inputs.ttl } : {},
    ...inputs.suites ? { suites: inputs.suites } : {},
    ...inputs.registryUsername ? { registryUsername: inputs.registryUsername } : {}
  };
}
var RESULTS_DIR_INPUT = "action input 'results-dir'";
async function publishPlan(inputs, json) {
  setOutput("plan-json", await writePlanJson(inputs.resultsDir, RESULTS_DIR_INPUT, json));
}
function sitesLabel(sites) {
  return looksInline(sites) ? { sitesLabel: INLINE_SITES_LABEL } : {};
}
async function planAction(inputs, logger) {
  const json = await planCommand(
    { sites: inputs.sites, sitesLabel: INLINE_SITES_LABEL, overrides: overridesOf(inputs) },
    { logger, stdout: (t) => info(t.replace(/\n$/, "")) }
  );
  await publishPlan(inputs, json);
  setOutput("passed", "true");
  return ExitCode.ok;
}
async function runAction(inputs, logger) {
  const interrupt = listenForInterrupt({
    logger,
    firstMessage: (sig) => `${sig}: the job is being cancelled: stopping now and leaving the teardown to the post step`,
    hardExitAfterMs: CANCEL_EXIT_MS
  });
  try {
    return await runAndPublish(inputs, logger, interrupt.signal);
  } catch (e) {
    if (!interrupt.received) throw e;
    logger.warn(
      `cancelled before the run had made anything (${e instanceof Error ? e.message : String(e)})`
    );
    return ExitCode.interrupted;
  } finally {
    interrupt.dispose();
  }
}
async function runAndPublish(inputs, logger, signal) {
  const credentials = providerCredentials(inputs.credentials);
  const runId = newRunId();
  const stateDir = resolve(process.env.RUNNER_TEMP || inputs.resultsDir, "tungsten-e2e", runId);
  saveState(SAVED.runId, runId);
  setOutput("run-id", runId);
  saveState(SAVED.stateDir, stateDir);
  const overrides = overridesOf(inputs);
  const label = sitesLabel(inputs.sites);
  const plan = buildPlanFromConfig(await loadSiteFile(inputs.sites, overrides, label.sitesLabel));
  await publishPlan(inputs, planToJson(plan));
  const artifactDir = process.env.RUNNER_TOOL_CACHE ? join(process.env.RUNNER_TOOL_CACHE, "tungsten-e2e", "artifacts") : void 0;
  const restored = artifactDir ? await restoreArtifacts(plan, artifactDir, actionsCache, logger) : void 0;
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
      onCancel: "leave",
      ...repo ? { repo } : {},
      ...inputs.doc ? { doc: inputs.doc } : {}
    },
    {
      logger,
      signal,
      credentials,
      raceRetries: inputs.raceRetries,
      ...artifactDir ? { artifactCacheDir: artifactDir } : {}
    }
  );
  if (!report.cancelled) await saveArtifacts(restored, actionsCache, logger);
  let kept;
  if (report.teardown) {
    saveState(SAVED.decision, "done");
  } else if (!report.cancelled) {
    const copy = await exportState(stateDir, inputs.resultsDir);
    saveState(SAVED.decision, "kept");
    saveState(SAVED.keptStateDir, copy);
    const state = (await StateStore.open(stateDir)).state;
    kept = keptMessage({
      runId,
      policy: inputs.teardown,
      expiresAt: state.expiresAt,
      command: downCommandLine(copy, providersOf(state))
    });
  }
  await publishResults(report.results, {
    resultsDir: inputs.resultsDir,
    logger,
    comment: {
      ...inputs.credentials["github-token"] ? { token: inputs.credentials["github-token"] } : {},
      enabled: inputs.comment,
      ...inputs.prNumber ? { prNumber: inputs.prNumber } : {},
      // after a cancel there are seconds left, not minutes
      ...report.cancelled ? { timeoutMs: 2e3 } : {}
    }
  });
  const r = report.results;
  if (kept) {
    logger.warn(kept);
    notice(kept, { title: "tungsten-e2e: run kept" });
  }
  if (report.teardown && !report.teardown.complete) {
    error(
      `teardown of run ${runId} left ${report.teardown.remaining.length} resources (the post step tries again):
${report.teardown.remaining.join("\n")}`,
      { title: "tungsten-e2e: teardown incomplete" }
    );
  }
  if (report.cancelled) {
    logger.warn(
      `run ${runId} was cancelled (${r.error ?? "cancelled"}); the post step tears it down.`
    );
  } else if (!r.passed) {
    const { pass, fail: fail2, flaky, error: error2 } = r.totals;
    const total = pass + fail2 + flaky + error2;
    setFailed(
      r.error ? `tungsten-e2e: run ${runId} stopped: ${r.error}` : fail2 > 0 ? `tungsten-e2e: ${fail2} of ${total} checks failed (see the job summary and ${inputs.resultsDir}/results.md)` : `tungsten-e2e: ${error2} of ${total} checks got no answer from their probe (an infrastructure error, not a verdict on the network; see ${inputs.resultsDir}/results.md)`
    );
  }
  return report.exitCode;
}
async function janitorAction(inputs, logger) {
  const report = await janitorCommand(
    {
      ...inputs.sites.trim() ? { sites: inputs.sites, ...sitesLabel(inputs.sites) } : {},
      overrides: overridesOf(inputs),
      ...inputs.olderThan ? { olderThan: inputs.olderThan, olderThanLabel: "action input 'older-than'" } : {},
      ...inputs.dryRun ? { dryRun: true } : {}
    },
    { logger, stdout: (t) => info(t.replace(/\n$/, "")) },
    { credentials: providerCredentials(inputs.credentials) }
  );
  for (const s of report.skipped) {
    notice(`${s.provider} was not searched: ${s.reason}.`, {
      title: "tungsten-e2e janitor"
    });
  }
  const left = report.runs.flatMap(
    (r) => r.remaining.map(
      (x) => `${x.resource.kind} ${x.resource.id}: ${x.error}; delete with: ${x.howToDelete}`
    )
  );
  const failed = report.failed.map((f) => `${f.provider}: could not list runs: ${f.error}`);
  setOutput("passed", left.length || failed.length ? "false" : "true");
  if (left.length || failed.length) {
    setFailed(`tungsten-e2e janitor: ${[...left, ...failed].join("\n")}`);
    return ExitCode.infrastructure;
  }
  return ExitCode.ok;
}
function annotationAt(p) {
  return p && p.file !== INLINE_SITES_LABEL ? { file: p.file, startLine: p.line, startColumn: p.col } : {};
}
function fail(e) {
  setOutput("passed", "false");
  if (isUserError(e)) {
    const errors = userErrorsOf(e);
    for (const err of errors) {
      error(err.message, {
        ...annotationAt(err.position),
        title: "tungsten-e2e: bad input"
      });
    }
    setFailed(
      errors.length === 1 ? errors[0].message : `${errors.length} problems in the input (see the errors above).`
    );
    return ExitCode.badInput;
  }
  const message = e instanceof InfraError ? e.message : `unexpected failure: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
  setFailed(message);
  return ExitCode.infrastructure;
}

// src/main.ts
process.exitCode = await runMain();
