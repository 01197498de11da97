#!/usr/bin/env node
import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  listenForInterrupt,
  planCommand,
  writeInto
} from "./chunks/chunk-C5CXOMKD.js";
import "./chunks/chunk-WI6UNROS.js";
import {
  DIAGNOSTICS,
  StateStore,
  TEARDOWN_POLICIES,
  VERSION,
  apiUrlFromEnv,
  attach,
  checkGroupTitle,
  checkProfileName,
  closest,
  down,
  downCommandLine,
  elapsedLogger,
  external_exports,
  githubClient,
  janitorCommand,
  jekyllLiquid,
  lintDoc,
  listProfiles,
  loadProfile,
  loadSiteFile,
  newRunId,
  parseRaceRetries,
  probeErrorsText,
  readDoc,
  reexecAsRoot,
  require_dist,
  resultsExitCode,
  runAndReport,
  runResultsDir,
  runUrlFromEnv,
  shouldReexecAsRoot,
  sitesNeedRoot,
  statusOf,
  testAndReport,
  tokenLogin,
  up,
  withStateLock
} from "./chunks/chunk-LZG3BL2F.js";
import "./chunks/chunk-D66SPQEI.js";
import "./chunks/chunk-AERCAA66.js";
import "./chunks/chunk-2HS6D2WA.js";
import "./chunks/chunk-T5G7RGOZ.js";
import "./chunks/chunk-VE4IKPWZ.js";
import {
  ExitCode,
  InfraError,
  UserError,
  UserErrors,
  isUserError,
  secrets,
  streamLogger,
  userErrorsOf
} from "./chunks/chunk-IAZJZTPR.js";
import "./chunks/chunk-RQ7FSDD4.js";
import "./chunks/chunk-XCWAR6IE.js";
import {
  __toESM
} from "./chunks/chunk-5VPQFH3J.js";

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
      ...options.overrides ? { overrides: options.overrides } : {},
      ...options.doc ? { doc: options.doc } : {}
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

// src/commands/lintDocs.ts
var import_yaml = __toESM(require_dist(), 1);
import { readFile } from "node:fs/promises";
import { join as join2 } from "node:path";
async function siteVariables(root) {
  if (!root) return {};
  const file = join2(root, "_config.yml");
  const text = await readFile(file, "utf8").catch(() => void 0);
  if (text === void 0) return {};
  try {
    const parsed2 = (0, import_yaml.parse)(text);
    return parsed2 && typeof parsed2 === "object" ? parsed2 : {};
  } catch {
    throw new UserError(
      `${file}: not valid YAML, so the site's variables cannot be read; fix it or leave out --site-root.`
    );
  }
}
var escapeData = (s) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
var escapeProperty = (s) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
function annotation(f) {
  return `::${f.severity} file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty("tungsten-e2e lint-docs")}::${escapeData(f.message)}`;
}
var LINT_DOCS_MARKER = "<!-- tungsten-e2e:lint-docs -->";
var cell = (s) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
function findingsMarkdown(findings, files) {
  const errors = findings.filter((f) => f.severity === "error").length;
  const of = `${files} file${files === 1 ? "" : "s"}`;
  const head = findings.length === 0 ? `### \u2705 tungsten-e2e lint-docs: no findings in ${of}` : `### ${errors ? "\u274C" : "\u26A0\uFE0F"} tungsten-e2e lint-docs: ${errors} error${errors === 1 ? "" : "s"}, ${findings.length - errors} warning${findings.length - errors === 1 ? "" : "s"} in ${of}`;
  const rows = findings.map(
    (f) => `| \`${cell(f.file)}:${f.line}:${f.column}\` | ${f.severity} | ${cell(f.message)} |`
  );
  return [
    LINT_DOCS_MARKER,
    head,
    ...rows.length ? ["", "| where | severity | finding |", "| --- | --- | --- |", ...rows] : [],
    ""
  ].join("\n");
}
async function lintDocsCommand(options, io) {
  const format = options.format ?? "text";
  if (format !== "text" && format !== "json" && format !== "markdown") {
    throw new UserError(`lint-docs: --format is "${format}"; it must be text, json or markdown.`);
  }
  if (options.files.length === 0) {
    throw new UserError(
      "lint-docs needs the Markdown files to check; usage: tungsten-e2e lint-docs [--site-root DIR] [--format text|json|markdown] FILE..."
    );
  }
  const errors = [];
  const texts = [];
  for (const file of options.files) {
    try {
      texts.push([file, await readDoc(file)]);
    } catch (e) {
      if (e instanceof UserError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length > 0) throw errors.length === 1 ? errors[0] : new UserErrors(errors);
  const site = await siteVariables(options.siteRoot);
  const engine = jekyllLiquid();
  const profiles = listProfiles().map((name) => loadProfile(name));
  const findings = texts.flatMap(
    ([file, text]) => lintDoc(text, site, engine, profiles).map((f) => ({ file, ...f }))
  );
  const env = options.env ?? process.env;
  if (format === "json") io.stdout(`${JSON.stringify(findings, null, 2)}
`);
  else if (format === "markdown") io.stdout(findingsMarkdown(findings, texts.length));
  else {
    for (const f of findings)
      io.stdout(`${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message}
`);
    io.stdout(
      `lint-docs: ${findings.length} finding${findings.length === 1 ? "" : "s"} in ${texts.length} file${texts.length === 1 ? "" : "s"}
`
    );
  }
  if (format === "text" && env.GITHUB_ACTIONS === "true") {
    for (const f of findings) io.stdout(`${annotation(f)}
`);
  }
  return findings.some((f) => f.severity === "error") ? ExitCode.checksFailed : ExitCode.ok;
}

// src/commands/aggregate.ts
import { appendFile } from "node:fs/promises";

// src/grid/grid.ts
var GRID_SCHEMA = "tungsten-e2e/grid@1";
var SEVERITY = ["fail", "flaky", "pass", "not-run", "not-configured"];
function legState(leg) {
  if (leg.status) return leg.status;
  const r = leg.results;
  if (!r.passed) return "fail";
  if (r.totals.flaky > 0 || r.remediations.length > 0) return "flaky";
  return "pass";
}
function failing(leg) {
  const r = leg.results;
  if (!r) return [];
  const suites = [
    ...new Set(
      r.checks.filter((c) => c.status === "fail" || c.status === "error").map((c) => c.mode ? `${c.suite} / ${c.mode}` : c.suite)
    )
  ];
  if (r.error) suites.push(`stopped: ${r.error.split("\n")[0].slice(0, 160)}`);
  return suites;
}
function row(profile, legs) {
  const ran = legs.find((l) => l.profile === profile && l.results)?.results;
  let os;
  let kubernetes = ran?.versions.kubernetes;
  let tfTag = ran?.versions.tfTag;
  if (listProfiles().includes(profile)) {
    const p = loadProfile(profile);
    os = `${p.os.distro} ${p.os.release}`;
    kubernetes ??= p.kubernetes.version;
    tfTag ??= p.tf.tag;
  }
  return {
    profile,
    ...kubernetes ? { kubernetes } : {},
    ...tfTag ? { tfTag } : {},
    ...os ? { os } : {}
  };
}
var ordered = (values, first) => [...new Set(values)].sort((a, b) => first(a) - first(b) || a.localeCompare(b));
function buildGrid(legs, now = /* @__PURE__ */ new Date()) {
  const columns = ordered(
    legs.map((l) => l.pair),
    (p) => p.startsWith("local") ? 0 : 1
  );
  const rows = ordered(
    legs.map((l) => l.profile),
    () => 0
  ).map((p) => row(p, legs));
  const cells = [];
  for (const r of rows) {
    for (const pair of columns) {
      const here = legs.filter((l) => l.profile === r.profile && l.pair === pair);
      const gridLegs = here.map((l) => ({
        state: legState(l),
        ...l.results ? { runId: l.results.runId } : {},
        ...l.url ? { url: l.url } : {},
        failing: failing(l),
        ...l.reason ? { reason: l.reason } : {}
      }));
      const state = SEVERITY.find((s) => gridLegs.some((g) => g.state === s)) ?? "not-run";
      cells.push({ profile: r.profile, pair, state, legs: gridLegs });
    }
  }
  return { schema: GRID_SCHEMA, generatedAt: now.toISOString(), rows, columns, cells };
}
var red = (s) => s === "fail";
var green = (s) => s === "pass" || s === "flaky";
function compareGrids(grid, previous) {
  if (!previous) return grid;
  const before = new Map(previous.cells.map((c) => [`${c.profile}\0${c.pair}`, c.state]));
  return {
    ...grid,
    cells: grid.cells.map((c) => {
      const was = before.get(`${c.profile}\0${c.pair}`);
      const { change: _old, ...rest } = c;
      if (red(c.state) && !red(was)) return { ...rest, change: "newly-red" };
      if (green(c.state) && red(was)) return { ...rest, change: "newly-green" };
      return rest;
    })
  };
}
function newlyRed(grid) {
  return grid.cells.filter((c) => c.change === "newly-red");
}

// src/grid/legs.ts
import { readFile as readFile2, stat } from "node:fs/promises";
import { join as join3 } from "node:path";
var RESULTS_FILE = "results.json";
var LEG_FILE = "leg.json";
var legFileSchema = external_exports.strictObject({
  profile: external_exports.string().min(1).optional(),
  pair: external_exports.string().min(1).optional(),
  url: external_exports.url().optional(),
  status: external_exports.enum(["not-configured", "not-run"]).optional(),
  reason: external_exports.string().optional()
});
var resultsSchema = external_exports.object({
  runId: external_exports.string(),
  passed: external_exports.boolean(),
  profile: external_exports.string(),
  versions: external_exports.object({ kubernetes: external_exports.string(), tfTag: external_exports.string() }).loose(),
  sites: external_exports.array(external_exports.object({ name: external_exports.string(), provider: external_exports.string() }).loose()).min(1),
  remediations: external_exports.array(external_exports.object({ resolved: external_exports.boolean() }).loose()),
  checks: external_exports.array(
    external_exports.object({ suite: external_exports.string(), mode: external_exports.string().nullable(), status: external_exports.string() }).loose()
  ),
  totals: external_exports.object({ pass: external_exports.number(), fail: external_exports.number(), flaky: external_exports.number() }).loose(),
  error: external_exports.string().optional()
});
function pairOf(sites) {
  if (sites.every((s) => s.provider === "local")) return `local \xD7${sites.length}`;
  return sites.map((s) => s.provider).join(" + ");
}
async function readJson(file, fix) {
  let text;
  try {
    text = await readFile2(file, "utf8");
  } catch (e) {
    if (e.code === "ENOENT") return void 0;
    throw new UserError(`${file}: cannot be read (${e.code}).`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new UserError(`${file}: not valid JSON (${why}); ${fix}.`);
  }
}
function parsed(schema, raw, file, fix) {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.join(".") : "(the whole file)";
  const message = issue.message.replace(/^Invalid (input|option): /, "");
  throw new UserError(`${file}: field ${field}: ${message}; ${fix}.`);
}
async function readLeg(dir) {
  const info = await stat(dir).catch(() => void 0);
  if (!info?.isDirectory()) {
    throw new UserError(`${dir}: not a directory; pass each leg's results directory.`);
  }
  const legPath = join3(dir, LEG_FILE);
  const resultsPath = join3(dir, RESULTS_FILE);
  const fix = "pass the leg's results directory";
  const [legRaw, resultsRaw] = await Promise.all([
    readJson(legPath, fix),
    readJson(resultsPath, fix)
  ]);
  if (legRaw === void 0 && resultsRaw === void 0) {
    throw new UserError(
      `${dir}: has neither ${RESULTS_FILE} nor ${LEG_FILE}; pass each leg's results directory.`
    );
  }
  const leg = legRaw === void 0 ? {} : parsed(
    legFileSchema,
    legRaw,
    legPath,
    'see README, "The compatibility grid", for its fields'
  );
  const results = resultsRaw === void 0 || leg.status !== void 0 ? void 0 : parsed(
    resultsSchema,
    resultsRaw,
    resultsPath,
    "pass the results directory a tungsten-e2e run wrote"
  );
  const profile = leg.profile ?? results?.profile;
  const pair = leg.pair ?? (results ? pairOf(results.sites) : void 0);
  if (!profile || !pair) {
    throw new UserError(
      `${legPath}: field ${profile ? "pair" : "profile"}: required for a leg without ${RESULTS_FILE}.`
    );
  }
  return {
    dir,
    profile,
    pair,
    ...leg.url ? { url: leg.url } : {},
    ...leg.status ? { status: leg.status } : results ? {} : { status: "not-run" },
    ...leg.reason ? { reason: leg.reason } : {},
    ...results ? { results } : {}
  };
}

// src/grid/render.ts
var STATE_TEXT = {
  pass: { symbol: "\u2705", text: "pass", colour: "#2da44e" },
  flaky: { symbol: "\u26A0\uFE0F", text: "flaky", colour: "#d4a72c" },
  fail: { symbol: "\u274C", text: "fail", colour: "#cf222e" },
  "not-run": { symbol: "\u2796", text: "not run", colour: "#8c959f" },
  "not-configured": { symbol: "\u26AA", text: "not configured", colour: "#d0d7de" }
};
var CHANGE_TEXT = { "newly-red": "newly red", "newly-green": "newly green" };
function rowLabel(r) {
  return [
    r.kubernetes ? `Kubernetes ${r.kubernetes}` : void 0,
    r.tfTag ? `TF ${r.tfTag}` : void 0,
    r.os
  ].filter(Boolean).join(" \xB7 ");
}
function cellWords(c) {
  const s = STATE_TEXT[c.state];
  const failing2 = [...new Set(c.legs.flatMap((l) => l.failing))];
  const reasons = [...new Set(c.legs.flatMap((l) => l.reason ? [l.reason] : []))];
  return [
    `${s.symbol} ${s.text}`,
    c.change ? `(${CHANGE_TEXT[c.change]})` : void 0,
    failing2.length ? `: ${failing2.join(", ")}` : void 0,
    reasons.length ? `: ${reasons.join(", ")}` : void 0
  ].filter(Boolean).join(" ").replace(" :", ":");
}
var mdEscape = (s) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
function cellMarkdown(c) {
  const links = c.legs.filter((l) => l.url).map((l, i, all) => `[${all.length > 1 ? `run ${i + 1}` : "run"}](${l.url})`);
  return mdEscape([cellWords(c), ...links].join(" "));
}
function gridMarkdown(grid) {
  const cell2 = (i, j) => grid.cells[i * grid.columns.length + j];
  const lines = [
    "## Compatibility grid",
    "",
    `| profile | ${grid.columns.map(mdEscape).join(" | ")} |`,
    `| --- | ${grid.columns.map(() => "---").join(" | ")} |`,
    ...grid.rows.map(
      (r, i) => `| **${mdEscape(r.profile)}**<br>${mdEscape(rowLabel(r))} | ${grid.columns.map((_, j) => cellMarkdown(cell2(i, j))).join(" | ")} |`
    ),
    "",
    `Legend: ${Object.values(STATE_TEXT).map((s) => `${s.symbol} ${s.text}`).join(" \xB7 ")}. Flaky: passed only after retries or a remediation.`,
    ""
  ];
  return lines.join("\n");
}
var html = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
function gridHtml(grid) {
  const cell2 = (i, j) => grid.cells[i * grid.columns.length + j];
  const td = (c) => {
    const s = STATE_TEXT[c.state];
    const links = c.legs.filter((l) => l.url).map((l) => ` <a href="${html(l.url)}">run</a>`).join("");
    return `<td class="cell ${c.state}${c.change ? ` ${c.change}` : ""}" style="background:${s.colour}" data-profile="${html(c.profile)}" data-pair="${html(c.pair)}">${html(cellWords(c))}${links}</td>`;
  };
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>tungsten-e2e compatibility grid</title>',
    "<style>",
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#1f2328}",
    "table{border-collapse:collapse}",
    "th,td{border:1px solid #8c959f;padding:.5em .75em;text-align:left;vertical-align:top;max-width:22em}",
    "th{background:#f6f8fa}",
    ".cell{color:#1f2328;font-weight:600}",
    ".cell a{color:inherit}",
    ".fail{color:#fff}",
    ".newly-red,.newly-green{outline:3px dashed #1f2328;outline-offset:-5px}",
    "small{font-weight:400;color:#57606a}",
    "</style></head><body>",
    "<h1>Compatibility grid</h1>",
    `<p><small>generated ${html(grid.generatedAt)}</small></p>`,
    "<table>",
    `<tr><th>profile</th>${grid.columns.map((c) => `<th>${html(c)}</th>`).join("")}</tr>`,
    ...grid.rows.map(
      (r, i) => `<tr><th>${html(r.profile)}<br><small>${html(rowLabel(r))}</small></th>${grid.columns.map((_, j) => td(cell2(i, j))).join("")}</tr>`
    ),
    "</table>",
    `<p>${Object.values(STATE_TEXT).map((s) => `${s.symbol} ${html(s.text)}`).join(
      " \xB7 "
    )}. Flaky: passed only after retries or a remediation. A dashed outline: changed since the previous grid.</p>`,
    "</body></html>",
    ""
  ].join("\n");
}

// src/grid/trackingIssue.ts
var TRACKING_MARKER = "<!-- tungsten-e2e:compatibility-grid -->";
var TRACKING_TITLE = "Compatibility grid: cells turned red";
function cellLine(c) {
  const links = c.legs.filter((l) => l.url).map((l) => ` ([run](${l.url}))`);
  return `- **${c.profile}** \xD7 **${c.pair}**: ${cellWords(c)}${links.join("")}`;
}
async function findOpen(octokit, owner, repo, login) {
  const pages = octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues", {
    owner,
    repo,
    state: "open",
    creator: login,
    per_page: 100
  });
  for await (const page of pages) {
    for (const issue of page.data) {
      if (issue.pull_request) continue;
      if (issue.body?.includes(TRACKING_MARKER)) return issue.number;
    }
  }
  return void 0;
}
async function upsertTrackingIssue(o) {
  const red2 = newlyRed(o.grid);
  if (red2.length === 0) return { status: "skipped", reason: "no cell turned red" };
  const [owner, repo] = o.repository.split("/");
  const octokit = githubClient(o);
  const body = `${TRACKING_MARKER}
${gridMarkdown(o.grid)}
This issue is updated by the nightly workflow whenever a cell turns red; close it once they are green again.
`;
  const tonight = [
    `Newly red in the grid of ${o.grid.generatedAt}${o.runUrl ? ` ([workflow run](${o.runUrl}))` : ""}:`,
    "",
    ...red2.map(cellLine),
    ""
  ].join("\n");
  try {
    const login = await tokenLogin(octokit, o);
    const existing = await findOpen(octokit, owner, repo, login);
    if (existing !== void 0) {
      const { data: data2 } = await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
        owner,
        repo,
        issue_number: existing,
        body
      });
      await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner,
        repo,
        issue_number: existing,
        body: tonight
      });
      o.logger.info(`Updated the tracking issue: ${data2.html_url}`);
      return { status: "updated", url: data2.html_url, number: data2.number };
    }
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues", {
      owner,
      repo,
      title: TRACKING_TITLE,
      body: `${body}
${tonight}`
    });
    o.logger.info(`Opened the tracking issue: ${data.html_url}`);
    return { status: "created", url: data.html_url, number: data.number };
  } catch (e) {
    const status = statusOf(e);
    const hint = status === 401 || status === 403 ? "; the workflow's token needs 'issues: write'" : "";
    throw new Error(
      `could not open or update the tracking issue in ${o.repository}: ${e instanceof Error ? e.message : String(e)}${hint}`,
      { cause: e }
    );
  }
}

// src/commands/aggregate.ts
var DEFAULT_GRID_DIR = "tungsten-e2e-grid";
var USAGE = "aggregate [--out DIR] [--previous GRID.json] [--format markdown|json] [--tracking-issue] RESULTS-DIR...";
var previousSchema = external_exports.object({
  schema: external_exports.literal(GRID_SCHEMA),
  cells: external_exports.array(external_exports.object({ profile: external_exports.string(), pair: external_exports.string(), state: external_exports.string() }).loose())
}).loose();
async function readPrevious(file, io) {
  const fix = `pass a grid.json (schema ${GRID_SCHEMA}) that aggregate wrote`;
  const raw = await readJson(file, fix);
  if (raw === void 0) {
    io.logger.info(
      `aggregate: no previous grid at ${file} (the first night?): every red cell counts as newly red`
    );
    return { schema: GRID_SCHEMA, generatedAt: "", rows: [], columns: [], cells: [] };
  }
  return parsed(previousSchema, raw, file, fix);
}
async function aggregateCommand(options, io) {
  const env = options.env ?? process.env;
  const format = options.format ?? "markdown";
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (options.trackingIssue && (!token || !repository?.includes("/"))) {
    throw new UserError(
      "aggregate --tracking-issue needs GITHUB_TOKEN (with issues: write) and GITHUB_REPOSITORY (owner/name) in the environment."
    );
  }
  if (format !== "markdown" && format !== "json") {
    throw new UserError(`aggregate: --format is "${format}"; it must be markdown or json.`);
  }
  if (options.dirs.length === 0) {
    throw new UserError(
      `aggregate needs the legs' results directories; usage: tungsten-e2e ${USAGE}`
    );
  }
  const legs = [];
  for (const dir of options.dirs) legs.push(await readLeg(dir));
  const previous = options.previous ? await readPrevious(options.previous, io) : void 0;
  const grid = compareGrids(buildGrid(legs, options.now), previous);
  const markdown = gridMarkdown(grid);
  const json = `${JSON.stringify(grid, null, 2)}
`;
  const out = options.out ?? DEFAULT_GRID_DIR;
  const files = await writeInto(out, "--out", {
    "grid.md": markdown,
    "grid.json": json,
    "grid.html": gridHtml(grid)
  });
  const summary = env.GITHUB_STEP_SUMMARY;
  if (summary) await appendFile(summary, `${markdown}
`);
  io.stdout(format === "json" ? json : markdown);
  const red2 = newlyRed(grid);
  io.logger.info(
    `aggregate: ${legs.length} legs, ${grid.rows.length} profiles \xD7 ${grid.columns.length} site pairs; ${red2.length} newly red; ${files.join(", ")}`
  );
  if (options.trackingIssue) {
    const runUrl = runUrlFromEnv(env);
    const tracked = await upsertTrackingIssue({
      token,
      repository,
      grid,
      logger: io.logger,
      apiUrl: apiUrlFromEnv(env),
      proxyEnv: env,
      ...runUrl ? { runUrl } : {}
    }).catch((e) => {
      throw new InfraError(e instanceof Error ? e.message : String(e));
    });
    if (tracked.status === "skipped")
      io.logger.info(`aggregate: tracking issue: ${tracked.reason}`);
  }
  return { exitCode: ExitCode.ok, grid, files };
}

// src/grid/matrix.ts
var import_yaml2 = __toESM(require_dist(), 1);
import { readFile as readFile3 } from "node:fs/promises";
var CLOUDS = ["aws", "gcp", "azure"];
var CONFIGURED_ENV = {
  aws: "HAS_AWS",
  gcp: "HAS_GCP",
  azure: "HAS_AZURE"
};
var dataSchema = external_exports.strictObject({
  local: external_exports.array(external_exports.string().min(1)).default([]),
  clouds: external_exports.array(external_exports.strictObject({ sites: external_exports.string().min(1), needs: external_exports.array(external_exports.enum(CLOUDS)).min(1) })).default([])
});
async function readData(file) {
  let text;
  try {
    text = await readFile3(file, "utf8");
  } catch (e) {
    throw new UserError(`--legs ${file}: cannot be read (${e.code}).`);
  }
  const doc = (0, import_yaml2.parseDocument)(text, { prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new UserError(
      `${file}:${e.linePos?.[0]?.line ?? 1}: not valid YAML (${e.message.split("\n")[0]}).`
    );
  }
  const parsed2 = dataSchema.safeParse(doc.toJS());
  if (!parsed2.success) {
    const issue = parsed2.error.issues[0];
    const node = doc.getIn(issue.path, true);
    const line = node?.range ? text.slice(0, node.range[0]).split("\n").length : 1;
    throw new UserError(
      `${file}:${line}: field ${issue.path.join(".") || "(the whole file)"}: ${issue.message.replace(/^Invalid (input|option): /, "")}; it lists local site files and clouds: [{ sites, needs: [aws|gcp|azure] }].`
    );
  }
  return parsed2.data;
}
var idPart = (s) => s.replace(/×/g, "x").replace(/[^A-Za-z0-9.]+/g, "-");
async function nightlyMatrix(file, env = process.env, profiles = listProfiles()) {
  const data = await readData(file);
  const sitesOf = async (path) => {
    const config = await loadSiteFile(path);
    return config.sites.map((s) => ({ provider: s.provider }));
  };
  const legs = [];
  for (const profile of profiles) {
    for (const sites of data.local) {
      const pair = pairOf(await sitesOf(sites));
      legs.push({
        id: `${profile}-${idPart(pair)}`,
        profile,
        sites,
        pair,
        local: true,
        configured: true
      });
    }
    for (const cloud of data.clouds) {
      const pair = pairOf(await sitesOf(cloud.sites));
      const missing = cloud.needs.filter((c) => env[CONFIGURED_ENV[c]] !== "true");
      legs.push({
        id: `${profile}-${idPart(pair)}`,
        profile,
        sites: cloud.sites,
        pair,
        local: false,
        configured: missing.length === 0,
        ...missing.length ? { reason: `no credentials for ${missing.join(", ")}` } : {}
      });
    }
  }
  const seen = /* @__PURE__ */ new Set();
  for (const l of legs) {
    if (seen.has(l.id)) {
      throw new UserError(
        `${file}: two legs of profile ${l.profile} are both "${l.pair}"; list each site pair once.`
      );
    }
    seen.add(l.id);
  }
  return legs;
}

// src/commands/matrix.ts
async function matrixCommand(options, io) {
  const legs = await nightlyMatrix(options.legs, options.env ?? process.env);
  for (const l of legs.filter((x) => !x.configured)) {
    io.logger.info(`matrix: ${l.id} is not configured (${l.reason})`);
  }
  io.stdout(`${JSON.stringify({ include: legs })}
`);
  return ExitCode.ok;
}

// src/cli/cliImpl.ts
import { join as join4 } from "node:path";
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
    usage: "plan --sites FILE [--json] [--profile NAME] [--manifest FILE] [--out DIR] [--check-cloud] [--commands [--doc FILE]]",
    options: {
      sites: { type: "string" },
      json: { type: "boolean" },
      "check-cloud": { type: "boolean" },
      commands: { type: "boolean" },
      doc: { type: "string" },
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
          ...typeof v.doc === "string" ? { doc: v.doc } : {},
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
    usage: "run --sites FILE [--state DIR] [--results DIR] [--teardown always|on-success|never] [--profile NAME] [--race-retries N] [--doc FILE]",
    options: {
      sites: { type: "string" },
      state: { type: "string" },
      results: { type: "string" },
      teardown: { type: "string" },
      profile: { type: "string" },
      "race-retries": { type: "string" },
      doc: { type: "string" }
    },
    run: async (v, io, args, listen) => {
      const sites = required(v, "sites", "run");
      const teardown = teardownPolicy(v.teardown);
      const overrides = profileOverride(v);
      const raceRetries = parseRaceRetries(flag(v, "race-retries"), "--race-retries");
      const root = await sitesNeedRoot(sites);
      if (shouldReexecAsRoot(root)) return reexecAsRoot(args);
      const runId = newRunId();
      const stateDir = typeof v.state === "string" ? v.state : join4(".tungsten-e2e", runId);
      const interrupt = listen(`stopping; tearing down what the run made (${AGAIN})`);
      interrupt.setDownCommand(downCommandLine(stateDir, root ? ["local"] : []));
      const report = await runCommand(
        {
          sites,
          runId,
          stateDir,
          ...typeof v.results === "string" ? { resultsDir: v.results } : {},
          ...teardown ? { teardown } : {},
          ...typeof v.doc === "string" ? { doc: v.doc } : {},
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
  "lint-docs": {
    summary: "find Liquid that a Jekyll site (the TF website) would eat inside the code of Markdown docs",
    usage: "lint-docs [--site-root DIR] [--format text|json|markdown] FILE...",
    options: {
      "site-root": { type: "string" },
      format: { type: "string" }
    },
    positionals: true,
    run: async (v, io, _args, _listen, files) => lintDocsCommand(
      {
        files,
        ...typeof v["site-root"] === "string" ? { siteRoot: v["site-root"] } : {},
        ...typeof v.format === "string" ? { format: v.format } : {}
      },
      io
    )
  },
  aggregate: {
    summary: "the legs of a matrix (each run's results directory) as one compatibility grid: markdown, JSON and HTML",
    usage: USAGE,
    options: {
      out: { type: "string" },
      previous: { type: "string" },
      format: { type: "string" },
      "tracking-issue": { type: "boolean" }
    },
    positionals: true,
    run: async (v, io, _args, _listen, dirs) => (await aggregateCommand(
      {
        dirs,
        ...typeof v.out === "string" ? { out: v.out } : {},
        ...typeof v.previous === "string" ? { previous: v.previous } : {},
        ...typeof v.format === "string" ? { format: v.format } : {},
        ...v["tracking-issue"] === true ? { trackingIssue: true } : {}
      },
      io
    )).exitCode
  },
  matrix: {
    summary: "the nightly's legs (every profile \xD7 the data file's site files) as a GitHub Actions matrix",
    usage: "matrix --legs FILE",
    options: { legs: { type: "string" } },
    run: async (v, io) => matrixCommand({ legs: required(v, "legs", "matrix") }, io)
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
    const { values, positionals } = parseFlags(name, spec, rest);
    if (values.help) {
      streams.stdout(`usage: tungsten-e2e ${spec.usage}
${spec.summary}
`);
      return ExitCode.ok;
    }
    const code = await spec.run(
      values,
      io,
      rest.length ? [name, ...rest] : [name],
      listen,
      positionals
    );
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
    const { values, positionals } = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: spec.positionals === true
    });
    return { values, positionals };
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
