#!/usr/bin/env node
import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  listenForInterrupt,
  planCommand
} from "./chunks/chunk-3MSWZ3VT.js";
import {
  DIAGNOSTICS,
  StateStore,
  TEARDOWN_POLICIES,
  VERSION,
  attach,
  checkGroupTitle,
  checkProfileName,
  closest,
  down,
  downCommandLine,
  elapsedLogger,
  janitorCommand,
  listProfiles,
  newRunId,
  parseRaceRetries,
  probeErrorsText,
  reexecAsRoot,
  resultsExitCode,
  runAndReport,
  runResultsDir,
  shouldReexecAsRoot,
  sitesNeedRoot,
  testAndReport,
  up,
  withStateLock
} from "./chunks/chunk-OXW6IDTK.js";
import "./chunks/chunk-T5G7RGOZ.js";
import "./chunks/chunk-NUMCWI5H.js";
import "./chunks/chunk-VE4IKPWZ.js";
import "./chunks/chunk-WI6UNROS.js";
import "./chunks/chunk-AERCAA66.js";
import {
  ExitCode,
  InfraError,
  UserError,
  isUserError,
  secrets,
  streamLogger,
  userErrorsOf
} from "./chunks/chunk-IAZJZTPR.js";
import "./chunks/chunk-5VPQFH3J.js";

// src/cli/cliImpl.ts
import { parseArgs } from "node:util";

// src/commands/down.ts
async function downCommand(options, io, env = {}) {
  const result = await down({ stateDir: options.stateDir }, { ...env, logger: io.logger });
  io.stdout(
    result.deleted.length === 0 ? `run ${result.runId}: nothing left to delete
` : `run ${result.runId}: deleted ${result.deleted.length} resources (${summarize(result)})
`
  );
  return result;
}
function summarize(r) {
  const counts = /* @__PURE__ */ new Map();
  for (const d of r.deleted) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
}

// src/commands/results.ts
function resultsText(report) {
  const r = report.results;
  const lines = [];
  for (const t of report.tables) lines.push(t, "");
  const groups = /* @__PURE__ */ new Map();
  for (const c of r.checks) {
    const title = checkGroupTitle(c);
    const g = groups.get(title) ?? { pass: 0, fail: 0, flaky: 0, error: 0 };
    g[c.status]++;
    groups.set(title, g);
  }
  for (const [title, g] of groups) {
    lines.push(
      `${title}: ${g.pass + g.fail + g.flaky + g.error} checks, ${g.pass} pass, ${g.fail} fail, ${g.flaky} flaky${g.error ? `, ${g.error} probe error` : ""}`
    );
  }
  for (const m of r.remediations) {
    lines.push(
      `remediation: ${m.site}: ${m.action} (attempt ${m.attempt}) for "${m.problem}": ${m.resolved ? "resolved" : "not resolved"}`
    );
  }
  if (r.error) lines.push(`stopped: ${r.error}`);
  const { pass, fail, flaky, error } = r.totals;
  lines.push(
    `${r.passed ? "PASSED" : "FAILED"}: run ${r.runId}, ${pass + fail + flaky + error} checks: ${pass} pass, ${fail} fail, ${flaky} flaky${probeErrorsText(r.totals)}`,
    `results: ${report.files.json}, ${report.files.markdown}, ${report.files.junit}`
  );
  return `${lines.join("\n")}
`;
}

// src/commands/run.ts
async function runCommand(options, io, env = {}) {
  const runId = options.runId ?? newRunId();
  const report = await runAndReport(
    {
      sites: options.sites,
      resultsDir: options.resultsDir ?? runResultsDir(runId),
      runId,
      ...options.stateDir ? { stateDir: options.stateDir } : {},
      ...options.teardown ? { teardown: options.teardown } : {},
      ...options.overrides ? { overrides: options.overrides } : {}
    },
    { ...env, logger: io.logger }
  );
  io.stdout(resultsText(report));
  const down2 = downCommandLine(
    report.stateDir,
    report.results.sites.map((s) => s.provider)
  );
  io.stdout(
    `run ${report.runId}: ${!report.teardown ? `kept (${down2})` : report.teardown.complete ? "torn down" : `teardown incomplete (${down2})`}${report.cancelled ? " after a cancel" : ""}
`
  );
  return report;
}

// src/commands/test.ts
function testCommand(options, io, env = {}) {
  return withStateLock(options.stateDir, "test", () => testLocked(options, io, env), {
    create: false
  });
}
async function testLocked(options, io, env) {
  const logger = elapsedLogger(io.logger, Date.now());
  const live = await attach(options.stateDir, { ...env, logger });
  try {
    const report = await testAndReport(live, {
      resultsDir: options.resultsDir ?? runResultsDir(live.runId),
      ...options.probing ? { probing: options.probing } : {}
    });
    io.stdout(resultsText(report));
    return report;
  } finally {
    await live.close();
  }
}

// src/commands/up.ts
import { join } from "node:path";
async function hasRun(stateDir) {
  const store = await StateStore.open(stateDir).catch(() => void 0);
  return store !== void 0 && !store.state.teardown?.complete;
}
function upSummary(live) {
  const lines = [`run ${live.runId} is up (state: ${live.stateDir})`];
  for (const s of live.sites) {
    lines.push(
      `site ${s.plan.name}: AS${s.plan.asn}, router id ${s.plan.routerId}, pods ${s.plan.cidrs.pod}, services ${s.plan.cidrs.service}`
    );
    for (const h of s.machines.hosts) {
      const via = h.ssh.jumpHost ? ` via ${h.ssh.jumpHost}` : "";
      lines.push(
        `  ${h.name.padEnd(20)} ${h.role.padEnd(7)} ${h.privateAddress.padEnd(15)} ssh ${h.ssh.user}@${h.ssh.host}:${h.ssh.port}${via}`
      );
    }
  }
  for (const p of live.connect.established) lines.push(`bgp ${p.a} <-> ${p.b}: established`);
  for (const p of live.connect.down)
    lines.push(`bgp ${p.a} <-> ${p.b}: not established (${p.state})`);
  lines.push(
    `tear down: ${downCommandLine(
      live.stateDir,
      live.sites.map((s) => s.plan.provider)
    )}`
  );
  return `${lines.join("\n")}
`;
}
function upCommand(options, io, env = {}) {
  return withStateLock(options.stateDir, "up", () => upLocked(options, io, env));
}
async function upLocked(options, io, env) {
  let live;
  try {
    live = await up(
      {
        sites: options.sites,
        stateDir: options.stateDir,
        // beside the state: the results directory belongs to `test`
        diagnosticsDir: join(options.stateDir, DIAGNOSTICS),
        ...options.overrides ? { overrides: options.overrides } : {}
      },
      { ...env, logger: io.logger }
    );
  } catch (e) {
    if (env.signal?.aborted && await hasRun(options.stateDir)) {
      io.logger.warn(`up was interrupted: tearing down what it made`);
      await downCommand({ stateDir: options.stateDir }, io);
    }
    throw e;
  }
  await live.close();
  io.stdout(upSummary(live));
  return live;
}

// src/cli/cliImpl.ts
import { join as join2 } from "node:path";
var AGAIN = "press Ctrl-C again to exit at once";
async function stateNeedsRoot(stateDir) {
  try {
    const s = (await StateStore.open(stateDir)).state;
    const providers = [...s.sites.map((x) => x.provider), ...s.resources.map((r) => r.provider)];
    return providers.length === 0 || providers.includes("local");
  } catch {
    return false;
  }
}
function teardownPolicy(v) {
  if (v === void 0) return void 0;
  if (typeof v === "string" && TEARDOWN_POLICIES.includes(v)) {
    return v;
  }
  throw new UserError(
    `tungsten-e2e run: --teardown must be one of ${TEARDOWN_POLICIES.join(", ")}, not "${String(v)}".`
  );
}
function flag(values, name) {
  const v = values[name];
  return typeof v === "string" ? v : "";
}
function profileOverride(values) {
  const profile = flag(values, "profile");
  if (profile === "") return {};
  checkProfileName(profile, "--profile");
  return { overrides: { profile } };
}
var common = {
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" }
};
var COMMANDS = {
  plan: {
    summary: "validate a site file and print the plan (ranges, gateways, ASNs, peerings)",
    usage: "plan --sites FILE [--json] [--profile NAME] [--manifest FILE] [--out DIR] [--check-cloud] [--commands]",
    options: {
      sites: { type: "string" },
      json: { type: "boolean" },
      "check-cloud": { type: "boolean" },
      commands: { type: "boolean" },
      profile: { type: "string" },
      manifest: { type: "string" },
      out: { type: "string" }
    },
    run: async (v, io) => {
      await planCommand(
        {
          sites: required(v, "sites", "plan"),
          json: Boolean(v.json),
          checkCloud: Boolean(v["check-cloud"]),
          commands: Boolean(v.commands),
          ...profileOverride(v),
          ...typeof v.manifest === "string" ? { manifest: v.manifest } : {},
          ...typeof v.out === "string" ? { out: v.out } : {}
        },
        io
      );
      return ExitCode.ok;
    }
  },
  up: {
    summary: "provision and install every site, join them, leave them running",
    usage: "up --sites FILE --state DIR [--profile NAME] [--race-retries N]",
    options: {
      sites: { type: "string" },
      state: { type: "string" },
      profile: { type: "string" },
      "race-retries": { type: "string" }
    },
    run: async (v, io, args, listen) => {
      const sites = required(v, "sites", "up");
      const stateDir = required(v, "state", "up");
      const overrides = profileOverride(v);
      const raceRetries = parseRaceRetries(flag(v, "race-retries"), "--race-retries");
      const root = await sitesNeedRoot(sites);
      if (shouldReexecAsRoot(root)) return reexecAsRoot(args);
      const interrupt = listen(`stopping; tearing down what up made so far (${AGAIN})`);
      interrupt.setDownCommand(downCommandLine(stateDir, root ? ["local"] : []));
      await upCommand({ sites, stateDir, ...overrides }, io, {
        signal: interrupt.signal,
        raceRetries
      });
      return ExitCode.ok;
    }
  },
  down: {
    summary: "tear down everything a run made (idempotent)",
    usage: "down --state DIR",
    options: { state: { type: "string" } },
    run: async (v, io, args, listen) => {
      const stateDir = required(v, "state", "down");
      const root = await stateNeedsRoot(stateDir);
      if (shouldReexecAsRoot(root)) return reexecAsRoot(args);
      listen(`finishing the teardown (${AGAIN})`).setDownCommand(
        downCommandLine(stateDir, root ? ["local"] : [])
      );
      await downCommand({ stateDir }, io);
      return ExitCode.ok;
    }
  },
  test: {
    summary: "run the connectivity and isolation suites against sites that are up",
    usage: "test --state DIR [--results DIR]",
    options: { state: { type: "string" }, results: { type: "string" } },
    run: async (v, io, args, listen) => {
      const stateDir = required(v, "state", "test");
      const root = await stateNeedsRoot(stateDir);
      if (shouldReexecAsRoot(root)) return reexecAsRoot(args);
      const interrupt = listen(`stopping the suites; the run stays up (${AGAIN})`);
      interrupt.setDownCommand(downCommandLine(stateDir, root ? ["local"] : []));
      const report = await testCommand(
        { stateDir, ...typeof v.results === "string" ? { resultsDir: v.results } : {} },
        io,
        { signal: interrupt.signal }
      );
      return resultsExitCode(report.results);
    }
  },
  run: {
    summary: "up, test, report, down",
    usage: "run --sites FILE [--state DIR] [--results DIR] [--teardown always|on-success|never] [--profile NAME] [--race-retries N]",
    options: {
      sites: { type: "string" },
      state: { type: "string" },
      results: { type: "string" },
      teardown: { type: "string" },
      profile: { type: "string" },
      "race-retries": { type: "string" }
    },
    run: async (v, io, args, listen) => {
      const sites = required(v, "sites", "run");
      const teardown = teardownPolicy(v.teardown);
      const overrides = profileOverride(v);
      const raceRetries = parseRaceRetries(flag(v, "race-retries"), "--race-retries");
      const root = await sitesNeedRoot(sites);
      if (shouldReexecAsRoot(root)) return reexecAsRoot(args);
      const runId = newRunId();
      const stateDir = typeof v.state === "string" ? v.state : join2(".tungsten-e2e", runId);
      const interrupt = listen(`stopping; tearing down what the run made (${AGAIN})`);
      interrupt.setDownCommand(downCommandLine(stateDir, root ? ["local"] : []));
      const report = await runCommand(
        {
          sites,
          runId,
          stateDir,
          ...typeof v.results === "string" ? { resultsDir: v.results } : {},
          ...teardown ? { teardown } : {},
          ...overrides
        },
        io,
        { signal: interrupt.signal, raceRetries }
      );
      return report.exitCode;
    }
  },
  janitor: {
    summary: "delete resources of any run past their expiry",
    usage: "janitor [--older-than DURATION] [--dry-run] [--region REGION]... [--sites FILE]",
    options: {
      "older-than": { type: "string" },
      "dry-run": { type: "boolean" },
      region: { type: "string", multiple: true },
      sites: { type: "string" }
    },
    run: async (v, io, args, listen) => {
      if (!v["dry-run"] && shouldReexecAsRoot(true)) return reexecAsRoot(args);
      const interrupt = listen(`stopping after the run being deleted (${AGAIN})`);
      const regions = v.region ?? [];
      const report = await janitorCommand(
        {
          ...typeof v["older-than"] === "string" ? { olderThan: v["older-than"] } : {},
          ...v["dry-run"] ? { dryRun: true } : {},
          ...regions.length ? { regions } : {},
          ...typeof v.sites === "string" ? { sites: v.sites } : {}
        },
        io,
        { signal: interrupt.signal }
      );
      const left = report.runs.some((r) => r.remaining.length > 0) || report.failed.length > 0;
      return left ? ExitCode.infrastructure : ExitCode.ok;
    }
  },
  profiles: {
    summary: "list the version profiles",
    usage: "profiles",
    options: {},
    run: async (_v, io) => {
      io.stdout(`${listProfiles().join("\n")}
`);
      return ExitCode.ok;
    }
  }
};
function required(values, name, command) {
  const v = values[name];
  if (typeof v !== "string" || v === "") {
    throw new UserError(
      `tungsten-e2e ${command} needs --${name}; usage: tungsten-e2e ${COMMANDS[command].usage}`
    );
  }
  return v;
}
function helpText() {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return [
    `tungsten-e2e ${VERSION}: Kubernetes + Tungsten Fabric across sites, end to end.`,
    "",
    "usage: tungsten-e2e <command> [options]",
    "",
    ...rows,
    "",
    "exit codes: 0 success, 1 checks failed, 2 bad input, 3 infrastructure failure, 130 interrupted",
    `run "tungsten-e2e <command> --help" for a command's options.`
  ].join("\n");
}
var processStreams = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t)
};
async function runCli(argv, streams = processStreams) {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    streams.stdout(`${helpText()}
`);
    return name ? ExitCode.ok : ExitCode.badInput;
  }
  if (name === "--version") {
    streams.stdout(`${VERSION}
`);
    return ExitCode.ok;
  }
  const logger = streamLogger((line) => streams.stderr(`${line}
`), {
    verbose: rest.includes("--verbose") || rest.includes("-v")
  });
  const io = { logger, stdout: (t) => streams.stdout(secrets.redact(t)) };
  const spec = COMMANDS[name];
  let interrupt;
  const listen = (first) => {
    interrupt ??= listenForInterrupt({ logger, firstMessage: (sig) => `${sig}: ${first}` });
    return interrupt;
  };
  try {
    if (!spec) {
      const guess = closest(name, Object.keys(COMMANDS));
      throw new UserError(
        `unknown command "${name}"${guess ? `; did you mean "${guess}"?` : ""} Commands: ${Object.keys(COMMANDS).join(", ")}.`
      );
    }
    const values = parseFlags(name, spec, rest);
    if (values.help) {
      streams.stdout(`usage: tungsten-e2e ${spec.usage}
${spec.summary}
`);
      return ExitCode.ok;
    }
    const code = await spec.run(values, io, rest.length ? [name, ...rest] : [name], listen);
    return interrupt?.received ? ExitCode.interrupted : code;
  } catch (e) {
    const code = reportError(e, logger);
    return interrupt?.received ? ExitCode.interrupted : code;
  } finally {
    interrupt?.dispose();
  }
}
function parseFlags(name, spec, args) {
  const options = { ...common, ...spec.options };
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return values;
  } catch (e) {
    const msg = e.message;
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(msg);
    if (unknown) {
      const guess = closest(unknown[2], Object.keys(options));
      throw new UserError(
        `tungsten-e2e ${name}: unknown option ${unknown[1]}${unknown[2]}${guess ? `; did you mean --${guess}?` : "."} Usage: tungsten-e2e ${spec.usage}`
      );
    }
    throw new UserError(
      `tungsten-e2e ${name}: ${msg.replace(/\.$/, "")}. Usage: tungsten-e2e ${spec.usage}`
    );
  }
}
function reportError(e, logger) {
  if (isUserError(e)) {
    for (const err of userErrorsOf(e)) logger.error(err.message);
    return ExitCode.badInput;
  }
  if (e instanceof InfraError) {
    logger.error(e.message);
    return ExitCode.infrastructure;
  }
  logger.error(`unexpected failure: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  return ExitCode.infrastructure;
}

// src/cli.ts
process.exitCode = await runCli(process.argv.slice(2));
