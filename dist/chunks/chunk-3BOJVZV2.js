import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  gcpCredentialSource,
  keyFromInput
} from "./chunk-4BLN34YV.js";
import {
  azureCredentialSource,
  keyFromInput as keyFromInput2
} from "./chunk-ISDY34NG.js";
import {
  DURATION_RULE,
  StateStore,
  VERSION,
  buildPlanFromConfig,
  formatElapsed,
  loadSiteFile,
  newRunId,
  notice,
  parseDuration,
  phase,
  providerRegistry,
  quoteArg,
  replan,
  require_dist,
  run,
  setOutput,
  summary,
  systemClock,
  unlessAborted
} from "./chunk-YQB52U6J.js";
import {
  sizeTable
} from "./chunk-GSI7JE3C.js";
import {
  awsCredentialSource
} from "./chunk-AERCAA66.js";
import {
  CancelledError,
  ExitCode,
  InfraError,
  UserError,
  UserErrors,
  isUserError,
  secrets
} from "./chunk-IAZJZTPR.js";
import {
  __toESM
} from "./chunk-5VPQFH3J.js";

// src/state/janitor.ts
var END_OF_TIME = /* @__PURE__ */ new Date(864e13);
function janitorProviders(options, env) {
  const sweeps = [{ provider: "local" }];
  const skipped = [];
  const vars = env.env ?? process.env;
  const credentials = awsCredentialSource(vars, env.home, env.credentials?.awsKeys);
  const siteRegions = (options.plan?.sites ?? []).filter((s) => s.provider === "aws" && s.region).map((s) => s.region);
  const envRegion = vars.AWS_REGION || vars.AWS_DEFAULT_REGION;
  const regions = [
    ...new Set(
      options.regions?.length ? options.regions : siteRegions.length ? siteRegions : envRegion ? [envRegion] : []
    )
  ];
  if (!credentials) {
    skipped.push({
      provider: "aws",
      reason: "no AWS credentials found (give the aws-access-key-id and aws-secret-access-key inputs, AWS_ACCESS_KEY_ID, a profile, or OIDC via aws-actions/configure-aws-credentials)"
    });
  } else if (regions.length === 0) {
    skipped.push({
      provider: "aws",
      reason: `AWS credentials found (${credentials}) but no region to search; pass --region, a site file with aws sites, or set AWS_REGION`
    });
  } else {
    sweeps.push({ provider: "aws", regions });
  }
  const gcp = gcpCredentialSource(vars, env.home, keyFromInput(env.credentials?.gcpCredentials));
  if (gcp) sweeps.push({ provider: "gcp" });
  else {
    skipped.push({
      provider: "gcp",
      reason: "no GCP credentials found (give the gcp-credentials input, GOOGLE_APPLICATION_CREDENTIALS, or OIDC via google-github-actions/auth)"
    });
  }
  const azure = azureCredentialSource(
    vars,
    env.home,
    keyFromInput2(env.credentials?.azureCredentials)
  );
  if (azure) sweeps.push({ provider: "azure" });
  else {
    skipped.push({
      provider: "azure",
      reason: "no Azure credentials found (give the azure-credentials input, AZURE_CLIENT_ID with a secret or a federated token, or OIDC via azure/login)"
    });
  }
  if (options.plan?.sites.some((s) => s.provider === "static")) sweeps.push({ provider: "static" });
  return { sweeps, skipped };
}
async function janitor(options, env) {
  const now = options.now ?? /* @__PURE__ */ new Date();
  const signal = env.signal ?? new AbortController().signal;
  const ctx = { logger: env.logger, signal };
  const providers = env.providers ?? providerRegistry({ ...env.credentials, ...options.plan ? { plan: options.plan } : {} });
  const { sweeps, skipped } = janitorProviders(options, env);
  const report = { dryRun: options.dryRun === true, runs: [], skipped, failed: [] };
  const olderThan = options.olderThanSeconds !== void 0 ? now.getTime() - options.olderThanSeconds * 1e3 : void 0;
  for (const sweep of sweeps) {
    let listed;
    try {
      const provider = await providers(sweep.provider);
      listed = await provider.listExpired(olderThan === void 0 ? now : END_OF_TIME, {
        ...ctx,
        ...sweep.regions ? { regions: sweep.regions } : {}
      });
    } catch (e) {
      report.failed.push({
        provider: sweep.provider,
        error: e instanceof Error ? e.message : String(e)
      });
      continue;
    }
    for (const run2 of listed) {
      const expired = run2.expiresAt.getTime() <= now.getTime();
      const older = olderThan !== void 0 && run2.createdAt !== void 0 && run2.createdAt.getTime() <= olderThan;
      if (!expired && !older) continue;
      const entry = {
        provider: sweep.provider,
        runId: run2.runId,
        expiresAt: run2.expiresAt,
        ...run2.createdAt ? { createdAt: run2.createdAt } : {},
        why: expired ? "expired" : "older",
        resources: run2.resources,
        deleted: [],
        remaining: []
      };
      report.runs.push(entry);
      if (options.dryRun) continue;
      signal.throwIfAborted();
      const provider = await providers(sweep.provider);
      const regions = [...new Set(run2.resources.map((r) => r.region).filter((r) => r))];
      const sites = regions.length ? regions.map((region) => ({ name: `janitor-${region}`, region })) : [];
      try {
        const r = await provider.destroy({ runId: run2.runId, sites }, ctx);
        entry.deleted = r.deleted;
        entry.remaining = r.remaining;
      } catch (e) {
        entry.remaining = run2.resources.map((resource) => ({
          resource,
          error: e instanceof Error ? e.message : String(e),
          howToDelete: `run "tungsten-e2e janitor" again, or delete it by hand`
        }));
      }
    }
  }
  return report;
}

// src/commands/janitor.ts
function olderThanSeconds(text2, label) {
  if (text2 === void 0 || text2 === "") return void 0;
  const seconds2 = parseDuration(text2);
  if (seconds2 === void 0 || seconds2 === 0) {
    throw new UserError(`${label} is "${text2}"; it must be ${DURATION_RULE}, more than zero.`);
  }
  return seconds2;
}
function counts(resources) {
  const byKind = /* @__PURE__ */ new Map();
  for (const r of resources) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
  return [...byKind].map(([k, n]) => `${n} ${k}`).join(", ") || "nothing found";
}
function janitorText(report) {
  const lines = [];
  for (const r of report.runs) {
    const why = r.why === "expired" ? `expired ${r.expiresAt.getTime() === 0 ? "(no expiry left: an orphan)" : r.expiresAt.toISOString()}` : `created ${r.createdAt.toISOString()}, expires ${r.expiresAt.toISOString()}`;
    const verb = report.dryRun ? "would delete" : r.remaining.length ? `deleted ${r.deleted.length}, left ${r.remaining.length}` : `deleted ${r.deleted.length}`;
    lines.push(`${r.provider} run ${r.runId}: ${why}: ${verb} (${counts(r.resources)})`);
    for (const left2 of r.remaining) {
      lines.push(
        `  left: ${left2.resource.kind} ${left2.resource.id}: ${left2.error}; delete with: ${left2.howToDelete}`
      );
    }
  }
  for (const s of report.skipped) lines.push(`${s.provider}: skipped: ${s.reason}`);
  for (const f of report.failed) lines.push(`${f.provider}: could not list runs: ${f.error}`);
  const left = report.runs.reduce((n, r) => n + r.remaining.length, 0);
  lines.push(
    report.runs.length === 0 ? "janitor: no run past its expiry" : report.dryRun ? `janitor: dry run: ${report.runs.length} runs would be deleted; nothing was deleted` : `janitor: ${report.runs.length} runs deleted${left ? `, ${left} resources left` : ""}`
  );
  return `${lines.join("\n")}
`;
}
async function janitorCommand(options, io, env = {}) {
  const seconds2 = olderThanSeconds(options.olderThan, options.olderThanLabel ?? "--older-than");
  const plan = options.sites ? buildPlanFromConfig(
    await loadSiteFile(options.sites, options.overrides ?? {}, options.sitesLabel)
  ) : void 0;
  const report = await janitor(
    {
      ...seconds2 !== void 0 ? { olderThanSeconds: seconds2 } : {},
      ...options.dryRun ? { dryRun: true } : {},
      ...options.regions?.length ? { regions: options.regions } : {},
      ...plan ? { plan } : {}
    },
    { ...env, logger: io.logger }
  );
  io.stdout(janitorText(report));
  return report;
}

// src/commands/interrupt.ts
import { setMaxListeners } from "node:events";
var INTERRUPT_SIGNALS = ["SIGINT", "SIGTERM"];
function listenForInterrupt(options) {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const exit = options.exit ?? ((code2) => process.exit(code2));
  const target = options.target ?? process;
  let received;
  let downCommand;
  let timer;
  const exitNow = (why) => {
    options.logger.error(
      downCommand ? `${why}: exiting now; what the run made is left standing: tear it down with "${downCommand}"` : `${why}: exiting now`
    );
    exit(ExitCode.interrupted);
  };
  const onSignal = (sig) => {
    if (received) {
      exitNow(`${sig} again`);
      return;
    }
    received = sig;
    options.logger.warn(options.firstMessage(sig));
    controller.abort(new CancelledError(sig));
    if (options.hardExitAfterMs !== void 0) {
      timer = setTimeout(
        () => exitNow(`still busy ${options.hardExitAfterMs} ms after ${sig}`),
        options.hardExitAfterMs
      );
      timer.unref();
    }
  };
  for (const s of INTERRUPT_SIGNALS) target.on(s, onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    setDownCommand: (command) => {
      downCommand = command;
    },
    dispose: () => {
      for (const s of INTERRUPT_SIGNALS) target.off(s, onSignal);
    }
  };
}

// src/commands/plan.ts
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

// src/plan/format.ts
function planToJson(plan) {
  return {
    profile: {
      name: plan.profile.name,
      kubernetes: plan.versions.kubernetes,
      tfRegistry: plan.versions.tfRegistry,
      tfTag: plan.versions.tfTag,
      os: `${plan.profile.os.distro} ${plan.profile.os.release} (kernel ${plan.profile.os.kernel})`
    },
    ttlSeconds: plan.ttlSeconds,
    sites: plan.sites.map((s) => ({
      name: s.name,
      provider: s.provider,
      ...s.region ? { region: s.region } : {},
      ...s.zone ? { zone: s.zone } : {},
      asn: s.asn,
      routerId: s.routerId,
      gateway: s.gateway,
      cidrs: { ...s.cidrs },
      given: { ...s.given },
      hosts: s.hosts.map((h) => ({
        name: h.name,
        role: h.role,
        privateAddress: h.privateAddress,
        ...h.instanceType ? { instanceType: h.instanceType } : {}
      })),
      ...s.image.ref ? { image: s.image.ref } : {},
      peers: s.peers.map((p) => ({ ...p })),
      kubeadm: { args: s.kubeadm.args }
    })),
    peerings: plan.peerings,
    warnings: plan.warnings
  };
}
function where(s) {
  return [s.provider, s.region, s.zone].filter(Boolean).join(" ");
}
function rangeLine(label, value, given) {
  return `  ${label.padEnd(10)} ${value.padEnd(18)} ${given ? "(given)" : "(chosen)"}`;
}
function planToText(plan) {
  const v = plan.versions;
  const os = plan.profile.os;
  const out = [
    `profile ${plan.profile.name}: Kubernetes ${v.kubernetes}, TF ${v.tfRegistry}:${v.tfTag}, ${os.distro} ${os.release} kernel ${os.kernel}`,
    ""
  ];
  for (const s of plan.sites) {
    out.push(`site ${s.name} (${where(s)})`);
    out.push(
      `  nodes      ${s.hosts.map(
        (h) => `${h.name.slice(s.name.length + 1)} ${h.privateAddress}${h.instanceType ? ` [${h.instanceType}]` : ""}`
      ).join(", ")}`
    );
    out.push(rangeLine("underlay", s.cidrs.underlay, s.given.underlay) + `  gateway ${s.gateway}`);
    out.push(rangeLine("pod", s.cidrs.pod, s.given.pod));
    out.push(rangeLine("service", s.cidrs.service, s.given.service));
    out.push(rangeLine("ip-fabric", s.cidrs.ipFabric, s.given.ipFabric));
    out.push(`  asn        ${s.asn}, router id ${s.routerId}`);
    out.push(
      `  peers      ${s.peers.map((p) => `${p.site} AS${p.asn} at ${p.address}`).join(", ") || "-"}`
    );
    if (s.image.ref) out.push(`  image      ${s.image.ref}`);
    if (s.faults.length) out.push(`  faults     ${s.faults.join(", ")}`);
    out.push("");
  }
  out.push(`BGP: full mesh of ${plan.peerings.length} eBGP session(s) between control nodes.`);
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  return out.join("\n");
}

// src/plan/render/manifest.ts
var import_yaml = __toESM(require_dist(), 1);
var PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
var ANY_PLACEHOLDER = /\{\{.*?\}\}/g;
function renderManifest(input) {
  const filled = input.text.replace(
    PLACEHOLDER,
    (whole, name) => Object.hasOwn(input.placeholders, name) ? input.placeholders[name] : whole
  );
  refuseLeftovers(filled, input);
  const docs = (0, import_yaml.parseAllDocuments)(filled);
  if (!Array.isArray(docs)) return filled;
  const broken = docs.flatMap((d) => d.errors);
  if (broken.length > 0) {
    const e = broken[0];
    const line = e.linePos?.[0]?.line;
    throw new UserError(
      `${input.source}${line ? `:${line}` : ""}: the rendered manifest is not valid YAML (${e.message.split("\n")[0]}); check the manifest at that line.`
    );
  }
  const pending = new Map(input.edits.map((e) => [`${e.namespace}/${e.name}`, e]));
  const changed = /* @__PURE__ */ new Set();
  docs.forEach((doc, i) => {
    const meta = configMapIdentity(doc);
    if (!meta) return;
    const edit = pending.get(`${meta.namespace}/${meta.name}`);
    if (!edit) return;
    for (const [key, value] of Object.entries(edit.data)) {
      const node = new import_yaml.Scalar(value);
      node.type = import_yaml.Scalar.QUOTE_DOUBLE;
      doc.setIn(["data", key], node);
    }
    pending.delete(`${meta.namespace}/${meta.name}`);
    changed.add(i);
  });
  if (pending.size > 0) {
    const missing = [...pending.values()].map((e) => `${e.namespace}/${e.name}`).join(", ");
    throw new UserError(
      `${input.source}: the manifest has no ConfigMap ${missing}, which profile ${input.profile} expects to edit; use the manifest the profile names or update the profile.`
    );
  }
  return reassemble(filled, docs, changed);
}
function refuseLeftovers(text2, input) {
  const errors = [];
  const lines = text2.split("\n");
  const seen = /* @__PURE__ */ new Set();
  lines.forEach((line, i) => {
    for (const m of line.matchAll(ANY_PLACEHOLDER)) {
      if (seen.has(m[0])) continue;
      seen.add(m[0]);
      const known = Object.keys(input.placeholders).join(", ");
      errors.push(
        new UserError(
          `${input.source}:${i + 1}: placeholder ${m[0]} is not filled by profile ${input.profile} (it fills ${known}); add it to the profile's tf.manifest.placeholders or remove it from the manifest.`
        )
      );
    }
  });
  if (errors.length > 0) throw new UserErrors(errors);
}
function configMapIdentity(doc) {
  const js = doc.toJS();
  if (!js || js.kind !== "ConfigMap" || typeof js.metadata?.name !== "string") return void 0;
  const namespace = typeof js.metadata.namespace === "string" ? js.metadata.namespace : "default";
  return { name: js.metadata.name, namespace };
}
function reassemble(text2, docs, changed) {
  const starts = docs.map((d, i) => i === 0 ? 0 : d.range[0]);
  return docs.map((doc, i) => {
    const original = text2.slice(starts[i], i + 1 < docs.length ? starts[i + 1] : text2.length);
    if (!changed.has(i)) return original;
    let out = doc.toString({ lineWidth: 0 });
    if (/^---/.test(original) && !/^---/.test(out)) out = `---
${out}`;
    return out;
  }).join("");
}

// src/plan/render/site.ts
function renderSiteManifest(text2, source, plan, site) {
  const m = plan.profile.tf.manifest;
  return renderManifest({
    text: text2,
    source,
    profile: plan.profile.name,
    placeholders: site.manifestValues,
    edits: [
      { name: m["env-configmap"], namespace: m.namespace, data: site.configMapValues.env },
      {
        name: m["kube-manager-configmap"],
        namespace: m.namespace,
        data: site.configMapValues.kubeManager
      }
    ]
  });
}

// src/providers/catalogues.ts
var SIZE_CATALOGUES = {
  aws: async () => (await import("./sizeCatalogue-F6FEWOU6.js")).awsSizeCatalogue(),
  gcp: async () => (await import("./sizeCatalogue-IBP764GX.js")).gcpSizeCatalogue(),
  azure: async () => (await import("./sizeCatalogue-FROC2FCA.js")).azureSizeCatalogue()
};

// src/commands/cloudSizes.ts
var CLOUDS = ["aws", "gcp", "azure"];
function cloudsOf(plan) {
  return CLOUDS.filter((c) => plan.sites.some((s) => s.provider === c));
}
async function checkCloudSizes(plan, io, catalogues = SIZE_CATALOGUES) {
  const out = { checked: [], notChecked: [] };
  for (const cloud of cloudsOf(plan)) {
    const load = catalogues[cloud];
    if (!load) {
      out.notChecked.push({
        provider: cloud,
        reason: `this version cannot ask ${cloud}'s catalogue yet`
      });
      continue;
    }
    const catalogue = await load();
    const credentials = catalogue.credentialSource();
    if (!credentials) {
      out.notChecked.push({
        provider: cloud,
        reason: `no ${cloud} credentials found (${catalogue.credentialsHint})`
      });
      continue;
    }
    io.logger.info(`asking ${cloud}'s catalogue (credentials from ${credentials})`);
    const rows = await catalogue.check(plan.sites, plan, {
      logger: io.logger,
      signal: new AbortController().signal
    });
    out.checked.push({ provider: cloud, credentials, rows });
  }
  return out;
}
function cloudSizesText(result) {
  const lines = [];
  for (const c of result.checked) {
    lines.push(`instance sizes from ${c.provider}'s catalogue:`);
    lines.push(...sizeTable(c.rows));
  }
  for (const n of result.notChecked) {
    lines.push(`instance sizes on ${n.provider} were not checked: ${n.reason}.`);
  }
  return lines.join("\n");
}
function refuseUndersizedRows(result) {
  const problems = result.checked.flatMap((c) => c.rows.filter((r) => !r.ok));
  if (problems.length === 1) throw new UserError(problems[0].problem);
  if (problems.length > 1) throw new UserErrors(problems.map((p) => new UserError(p.problem)));
}
var OFFLINE_NOTE = `instance sizes were not checked against the clouds' catalogues (plan is offline); run "tungsten-e2e plan --check-cloud" with credentials to check them.`;

// src/commands/plan.ts
async function planCommand(options, io) {
  const config = await loadSiteFile(options.sites, options.overrides, options.sitesLabel);
  const plan = buildPlanFromConfig(config);
  const json = planToJson(plan);
  if (options.checkCloud) json.cloudSizes = await checkCloudSizes(plan, io, options.catalogues);
  let manifestText;
  if (options.manifest) {
    try {
      manifestText = await readFile(options.manifest, "utf8");
    } catch {
      throw new UserError(
        `${options.manifest}: cannot read the manifest; pass the path of a TF manifest file.`
      );
    }
  }
  const rendered = plan.sites.map((site) => ({
    site,
    manifest: manifestText === void 0 ? void 0 : renderSiteManifest(manifestText, options.manifest, plan, site)
  }));
  if (options.out) {
    for (const { site, manifest } of rendered) {
      const dir = join(options.out, site.name);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "kubeadm.yaml"), site.kubeadm.config);
      if (manifest !== void 0) await writeFile(join(dir, "tf.yaml"), manifest);
    }
    await writeFile(join(options.out, "plan.json"), `${JSON.stringify(json, null, 2)}
`);
  }
  if (options.json) {
    io.stdout(`${JSON.stringify(json, null, 2)}
`);
    for (const w of plan.warnings) io.logger.warn(w);
  } else {
    io.stdout(`${planToText(plan)}
`);
    if (manifestText !== void 0) {
      io.stdout(
        `manifest ${options.manifest} renders for ${plan.sites.length} sites with no placeholder left.
`
      );
    }
    if (options.out)
      io.stdout(`wrote ${options.out}/plan.json and per-site files under ${options.out}/
`);
    if (json.cloudSizes) io.stdout(`${cloudSizesText(json.cloudSizes)}
`);
    else if (cloudsOf(plan).length) io.stdout(`${OFFLINE_NOTE}
`);
  }
  for (const note of plan.profile.unverified)
    io.logger.debug(`unverified in profile ${plan.profile.name}: ${note}`);
  if (json.cloudSizes) refuseUndersizedRows(json.cloudSizes);
  return json;
}

// src/report/outputs.ts
import { mkdir as mkdir2, writeFile as writeFile2 } from "node:fs/promises";
import { join as join2 } from "node:path";

// src/report/githubContext.ts
import { readFileSync } from "node:fs";
var DEFAULT_API_URL = "https://api.github.com";
function commentTargetFromEnv(env = process.env, prNumber) {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (!owner || !repo || rest.length) {
    return { skip: "GITHUB_REPOSITORY is not set, so there is no repository to comment on" };
  }
  if (prNumber !== void 0) return { target: { owner, repo, issueNumber: prNumber } };
  const event = env.GITHUB_EVENT_NAME ?? "";
  const number = prNumberFromEvent(event, env.GITHUB_EVENT_PATH);
  if (number === void 0) {
    return {
      skip: `the event is ${event ? `'${event}'` : "unknown"}, not a pull request, and no pr-number was given`
    };
  }
  return { target: { owner, repo, issueNumber: number } };
}
function prNumberFromEvent(event, path) {
  if (!path) return void 0;
  let payload;
  try {
    payload = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return void 0;
  }
  const p = payload;
  const candidates = [
    event.startsWith("pull_request") ? p.pull_request?.number : void 0,
    event === "issue_comment" && p.issue?.pull_request ? p.issue.number : void 0
  ];
  return candidates.find((n) => Number.isInteger(n) && n > 0);
}
function apiUrlFromEnv(env = process.env) {
  return (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, "");
}
function runUrlFromEnv(env = process.env) {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  if (!server || !repo || !id) return void 0;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT);
  return `${server.replace(/\/+$/, "")}/${repo}/actions/runs/${id}${attempt > 1 ? `/attempts/${attempt}` : ""}`;
}

// src/suites/truthTable.ts
function checkGroupTitle(c) {
  return c.mode ? `${c.suite} / ${c.mode}` : c.suite;
}
function groupChecks(checks) {
  const groups = /* @__PURE__ */ new Map();
  for (const c of checks) {
    const title = checkGroupTitle(c);
    const group = groups.get(title);
    if (group) group.push(c);
    else groups.set(title, [c]);
  }
  return groups;
}
function truthTables(checks) {
  return [...groupChecks(checks).entries()].map(([title, group]) => {
    const keyOf = (c) => `${c.to}\0${c.toKind}`;
    const index = new Map(group.map((c) => [`${c.from}\0${keyOf(c)}`, c]));
    const rows = [...new Set(group.map((c) => c.from))].sort();
    const colMap = new Map(
      group.map((c) => [keyOf(c), { key: keyOf(c), to: c.to, kind: c.toKind }])
    );
    const cols = [...colMap.values()].sort(
      (a, b) => a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind)
    );
    return { title, rows, cols, cell: (row2, col) => index.get(`${row2}\0${col}`) };
  });
}
var mark = (v) => v === "allow" ? "." : v === "deny" ? "X" : "?";
function expectedMark(c) {
  return c ? mark(c.expected) : " ";
}
function actualMark(c) {
  return c ? mark(c.actual) : " ";
}
function comparisonMark(c) {
  if (!c) return " ";
  return c.status === "pass" ? "." : c.status === "flaky" ? "~" : "X";
}
var VIEWS = [
  ["expected", expectedMark],
  ["actual", actualMark],
  ["comparison", comparisonMark]
];
function colLabel(i) {
  return String(i + 1);
}
function renderTruthTableText(t) {
  const width = Math.max(...t.rows.map((r) => r.length), 4);
  const cw = Math.max(...t.cols.map((_, i) => colLabel(i).length)) + 2;
  const out = [];
  for (const [name, view] of VIEWS) {
    out.push(`${t.title}: ${name}`);
    out.push(`${"".padEnd(width)} ${t.cols.map((_, i) => colLabel(i).padStart(cw)).join("")}`);
    for (const row2 of t.rows) {
      out.push(
        `${row2.padEnd(width)} ${t.cols.map((c) => view(t.cell(row2, c.key)).padStart(cw)).join("")}`
      );
    }
    out.push("");
  }
  out.push(
    `columns: ${t.cols.map((c, i) => `${colLabel(i)}=${c.to}${c.kind === "service" ? " (service)" : ""}`).join(", ")}`
  );
  out.push(
    "legend: . allowed, X blocked, ? probe error; comparison: . as expected, X wrong, ~ right only on retry (flaky)"
  );
  return out.join("\n");
}
function renderTruthTableMarkdown(t, options = {}) {
  const header = `| from \\ to | ${t.cols.map((c, i) => `${colLabel(i)}`).join(" | ")} |`;
  const rule = `| --- | ${t.cols.map(() => ":---:").join(" | ")} |`;
  const rows = t.rows.map((row2) => {
    const cells = t.cols.map((c) => {
      const check = t.cell(row2, c.key);
      if (!check) return " ";
      const m = comparisonMark(check);
      return m === "." ? `${expectedMark(check)}` : `**${m}** (want ${expectedMark(check)}, got ${actualMark(check)})`;
    });
    return `| \`${row2}\` | ${cells.join(" | ")} |`;
  });
  const legend = t.cols.map((c, i) => `${colLabel(i)} = \`${c.to}\`${c.kind === "service" ? " (service)" : ""}`).join(", ");
  const body = [header, rule, ...rows, "", `Columns: ${legend}.`];
  return (options.title === false ? body : [`**${t.title}**`, "", ...body]).join("\n");
}

// src/report/redact.ts
function redactResults(results, registry = secrets) {
  return redactDeep(results, registry);
}
function redactDeep(value, registry) {
  if (typeof value === "string") return registry.redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, registry));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, registry)]));
  }
  return value;
}

// src/report/time.ts
function elapsedMs(from, to) {
  if (!to) return void 0;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms) : void 0;
}
function formatDuration(ms) {
  if (ms === void 0) return "\u2014";
  if (ms < 1e4) return `${(Math.round(ms / 100) / 10).toFixed(1)}s`;
  const s = Math.round(ms / 1e3);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}
function clockUtc(iso) {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(11, 19) : iso;
}
function dateTimeUtc(iso) {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 19).replace("T", " ")} UTC` : iso;
}
function seconds(ms) {
  return ((ms ?? 0) / 1e3).toFixed(3);
}

// src/report/junit.ts
var PHASES_SUITE = "tungsten-e2e phases";
function renderJunit(results) {
  const r = redactResults(results);
  const testPhase = r.phases.find((p) => p.name === "test");
  const suites = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const [title, checks] of groupChecks(r.checks)) {
    const failed = checks.filter((c) => c.status === "fail").length;
    tests += checks.length;
    failures += failed;
    suites.push(
      element(
        "testsuite",
        {
          name: title,
          tests: checks.length,
          failures: failed,
          errors: 0,
          skipped: 0,
          timestamp: timestamp(testPhase?.startedAt ?? r.startedAt),
          time: seconds(testPhase ? elapsedMs(testPhase.startedAt, testPhase.endedAt) : 0)
        },
        checks.map((c) => checkCase(title, c))
      )
    );
  }
  const phaseCases = r.phases.map(phaseCase);
  const runError = r.error && !r.phases.some((p) => p.status === "failed" || p.status === "cancelled");
  if (runError) {
    phaseCases.push(
      element("testcase", { classname: "tungsten-e2e.phases", name: "run" }, [
        element("error", { message: firstLine(r.error), type: "run" }, r.error)
      ])
    );
  }
  const phaseErrors = r.phases.filter((p) => p.status === "failed" || p.status === "cancelled").length + (runError ? 1 : 0);
  const phaseSkipped = r.phases.filter((p) => p.status === "skipped").length;
  tests += phaseCases.length;
  errors += phaseErrors;
  suites.push(
    element(
      "testsuite",
      {
        name: PHASES_SUITE,
        tests: phaseCases.length,
        failures: 0,
        errors: phaseErrors,
        skipped: phaseSkipped,
        timestamp: timestamp(r.startedAt),
        time: seconds(elapsedMs(r.startedAt, r.endedAt))
      },
      phaseCases
    )
  );
  const root = element(
    "testsuites",
    {
      name: "tungsten-e2e",
      tests,
      failures,
      errors,
      time: seconds(elapsedMs(r.startedAt, r.endedAt))
    },
    suites
  );
  return secrets.redact(`<?xml version="1.0" encoding="UTF-8"?>
${root}
`);
}
function checkCaseName(c) {
  return `${c.from} \u2192 ${c.to}${c.toKind === "service" ? " (service)" : ""}`;
}
function checkCase(title, c) {
  const attrs = {
    classname: `tungsten-e2e.${title.replace(/ \/ /g, ".")}`,
    name: checkCaseName(c)
  };
  const facts = [
    `expected: ${c.expected}`,
    `actual:   ${c.actual}`,
    `attempts: ${c.attempts}`,
    ...c.detail ? [`detail:   ${c.detail}`] : []
  ].join("\n");
  if (c.status === "fail") {
    const message = `expected ${c.expected}, got ${c.actual} after ${c.attempts} attempt${c.attempts === 1 ? "" : "s"}`;
    const type = c.actual === "error" ? "probe-error" : "wrong-verdict";
    return element("testcase", attrs, [element("failure", { message, type }, facts)]);
  }
  if (c.status === "flaky") {
    return element("testcase", attrs, [
      element("system-out", {}, `flaky: right only on a retry
${facts}`)
    ]);
  }
  return element("testcase", attrs, []);
}
function phaseCase(p) {
  const attrs = {
    classname: "tungsten-e2e.phases",
    name: p.name,
    time: seconds(elapsedMs(p.startedAt, p.endedAt))
  };
  if (p.status === "failed" || p.status === "cancelled") {
    const message = p.error ? firstLine(p.error) : `phase ${p.name} ${p.status}`;
    return element("testcase", attrs, [
      element("error", { message, type: p.status }, p.error ?? message)
    ]);
  }
  if (p.status === "skipped") return element("testcase", attrs, [element("skipped", {}, [])]);
  return element("testcase", attrs, []);
}
function firstLine(s) {
  return s.split(/\r?\n/, 1)[0] ?? "";
}
function timestamp(iso) {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 19) : "";
}
function element(name, attrs, children) {
  const attrText = Object.entries(attrs).map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`).join("");
  if (typeof children === "string") return `<${name}${attrText}>${xmlText(children)}</${name}>`;
  if (!children.length) return `<${name}${attrText}/>`;
  return `<${name}${attrText}>
${children.map((c) => indent(c)).join("\n")}
</${name}>`;
}
function indent(block) {
  return block.split("\n").map((line) => /^\s*</.test(line) ? `  ${line}` : line).join("\n");
}
var INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
function xmlText(s) {
  return s.replace(INVALID_XML, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function xmlAttr(s) {
  return xmlText(s).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
}

// src/report/markdown.ts
var BRIEF_ROWS = 30;
var DETAIL_CHARS = 300;
function renderMarkdown(results, options = {}) {
  const r = redactResults(results);
  const variant = options.variant ?? "full";
  const sections = [
    verdictLine(r),
    factsLine(r),
    errorBlock(r),
    sitesSection(r),
    checksSection(r, variant, options.runUrl),
    remediationsSection(r),
    timelineSection(r),
    reproduceSection(r),
    footer(r, options.runUrl)
  ];
  return `${secrets.redact(sections.filter((s) => s).join("\n\n"))}
`;
}
var STATUS_ICON = { pass: "\u2705", fail: "\u274C", flaky: "\u26A0\uFE0F" };
function verdictLine(r) {
  const { pass, fail, flaky } = r.totals;
  const total = pass + fail + flaky;
  const counts2 = total ? `${pass} passed, ${fail} failed, ${flaky} flaky (${total} checks)` : "no checks ran";
  const stopped = r.phases.find((p) => p.status === "failed" || p.status === "cancelled");
  const where2 = r.error && stopped ? `; ${stopped.status === "cancelled" ? "cancelled" : "stopped"} in ${stopped.name}` : "";
  const sites = r.sites.length ? ` (${r.sites.map((s) => text(s.name)).join(", ")})` : "";
  return `## ${r.passed ? "\u2705" : "\u274C"} tungsten-e2e ${r.passed ? "passed" : "failed"}${sites}: ${counts2}${where2}`;
}
function factsLine(r) {
  const took = formatDuration(elapsedMs(r.startedAt, r.endedAt));
  return [
    `Sites ${r.sites.map((s) => `**${text(s.name)}** (${text(s.provider)})`).join(", ") || "none"}`,
    `profile ${code(r.profile)}`,
    `started ${dateTimeUtc(r.startedAt)}, took ${took}`,
    `run ${code(r.runId)}`
  ].join(" \xB7 ");
}
function errorBlock(r) {
  return r.error ? `**Stopped early:**

${fenced(r.error, "text")}` : "";
}
function sitesSection(r) {
  if (!r.sites.length) return "";
  const rows = r.sites.map(
    (s) => row([
      `**${text(s.name)}**`,
      text(s.provider),
      s.region ? text(s.region) : "\u2014",
      String(s.asn),
      cellCode(s.routerId),
      cellCode(s.gateway),
      cellCode(s.cidrs.underlay),
      cellCode(s.cidrs.pod),
      cellCode(s.cidrs.service),
      cellCode(s.cidrs.ipFabric)
    ])
  );
  return [
    "### Sites",
    "",
    `Every site runs Kubernetes ${code(r.versions.kubernetes)} and TF ${code(r.versions.tfTag)} from ${code(r.versions.tfRegistry)} (profile ${code(r.profile)}).`,
    "",
    row([
      "site",
      "provider",
      "region",
      "ASN",
      "router id",
      "gateway",
      "underlay",
      "pod",
      "service",
      "ip-fabric"
    ]),
    row(["---", "---", "---", "---:", "---", "---", "---", "---", "---", "---"]),
    ...rows
  ].join("\n");
}
function checksSection(r, variant, runUrl) {
  if (!r.checks.length) return "";
  const out = ["### Checks"];
  if (variant !== "full") {
    const where2 = runUrl ? `the [job summary](${runUrl})` : "the job summary";
    out.push(
      `Passing checks are counted here; every check with its details is in ${where2} and in results.md.`
    );
  }
  const tables = new Map(truthTables(r.checks).map((t) => [t.title, t]));
  let briefRows = BRIEF_ROWS;
  for (const [title, checks] of groupChecks(r.checks)) {
    const count = (s) => checks.filter((c) => c.status === s).length;
    const failed = count("fail");
    out.push(
      `#### ${failed ? "\u274C" : "\u2705"} ${text(title)}: ${count("pass")} passed, ${failed} failed, ${count("flaky")} flaky`
    );
    const table = tables.get(title);
    if (table && variant !== "brief") out.push(renderTruthTableMarkdown(table, { title: false }));
    const ordered = [...checks].sort((a, b) => SEVERITY[a.status] - SEVERITY[b.status]);
    if (variant === "full") {
      out.push(
        `<details${failed ? " open" : ""}><summary>${checks.length} checks</summary>

${checkTable(ordered)}

</details>`
      );
      continue;
    }
    let shown = ordered.filter((c) => c.status !== "pass");
    if (variant === "brief") {
      const cut = shown.length - briefRows;
      shown = shown.slice(0, Math.max(0, briefRows));
      briefRows -= shown.length;
      if (shown.length) out.push(checkTable(shown));
      if (cut > 0) out.push(`\u2026 and ${cut} more not shown here.`);
    } else if (shown.length) out.push(checkTable(shown));
  }
  return out.join("\n\n");
}
var SEVERITY = { fail: 0, flaky: 1, pass: 2 };
function checkTable(checks) {
  return [
    row(["result", "from", "to", "expected", "actual", "attempts", "detail"]),
    row(["---", "---", "---", "---", "---", "---:", "---"]),
    ...checks.map(
      (c) => row([
        `${STATUS_ICON[c.status]} ${c.status}`,
        cellCode(c.from),
        `${cellCode(c.to)}${c.toKind === "service" ? " (service)" : ""}`,
        c.expected,
        c.actual === c.expected ? c.actual : `**${c.actual}**`,
        String(c.attempts),
        c.detail ? cellCode(clip(c.detail, DETAIL_CHARS)) : ""
      ])
    )
  ].join("\n");
}
function remediationsSection(r) {
  if (!r.remediations.length) return "### Remediations\n\nNone were needed.";
  return [
    "### Remediations",
    "",
    row(["site", "problem", "action", "attempt", "at (UTC)", "resolved"]),
    row(["---", "---", "---", "---:", "---", "---"]),
    ...r.remediations.map(
      (m) => row([
        `**${text(m.site)}**`,
        text(m.problem),
        text(m.action),
        String(m.attempt),
        clockUtc(m.at),
        m.resolved ? "\u2705 yes" : "\u274C no"
      ])
    )
  ].join("\n");
}
var GANTT_TAG = {
  ok: "done",
  failed: "crit",
  cancelled: "active",
  skipped: ""
};
function renderTimeline(r) {
  const timed = r.phases.filter(
    (p) => p.status !== "skipped" && Number.isFinite(Date.parse(p.startedAt))
  );
  const lines = timed.map((p, i) => {
    const ms = phaseMs(p, r) ?? 0;
    const tag = GANTT_TAG[p.status];
    const label = `${p.name} ${formatDuration(ms)}`.replace(/[:#;]/g, " ");
    return `    ${label} :${tag ? `${tag}, ` : ""}p${i}, ${ganttTime(p.startedAt)}, ${ms}ms`;
  });
  const chart = timed.length ? [
    "```mermaid",
    "gantt",
    "    title Phases (UTC)",
    "    dateFormat YYYY-MM-DD HH:mm:ss.SSS",
    "    axisFormat %H:%M:%S",
    "    todayMarker off",
    "    section run",
    ...lines,
    "```"
  ].join("\n") : "";
  const table = [
    row(["phase", "status", "started (UTC)", "took", "error"]),
    row(["---", "---", "---", "---:", "---"]),
    ...r.phases.map(
      (p) => row([
        p.name,
        p.status === "ok" ? "ok" : `**${p.status}**`,
        clockUtc(p.startedAt),
        p.status === "skipped" ? "\u2014" : formatDuration(phaseMs(p, r)),
        p.error ? text(clip(p.error, DETAIL_CHARS)) : ""
      ])
    )
  ].join("\n");
  return [chart, table].filter((s) => s).join("\n\n");
}
function phaseMs(p, r) {
  return elapsedMs(p.startedAt, p.endedAt ?? r.endedAt);
}
function ganttTime(iso) {
  return new Date(Date.parse(iso)).toISOString().slice(0, 23).replace("T", " ");
}
function timelineSection(r) {
  return r.phases.length ? `### Timeline

${renderTimeline(r)}` : "";
}
function reproduceSection(r) {
  return r.reproduce.trim() ? `### Reproduce locally

${fenced(r.reproduce.trim(), "sh")}` : "";
}
function footer(r, runUrl) {
  return `<sub>tungsten-e2e ${VERSION} \xB7 run ${code(r.runId)}${runUrl ? ` \xB7 [workflow run](${runUrl})` : ""}</sub>`;
}
function row(cells) {
  return `| ${cells.join(" | ")} |`;
}
function text(s) {
  return s.replace(/[\\`*_{}[\]<>|#!~]/g, (ch) => `\\${ch}`).replace(/&/g, "&amp;").replace(/\r?\n/g, "<br>");
}
function code(s) {
  const flat = s.replace(/\r?\n/g, " \u23CE ");
  if (!flat) return "";
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(flat) ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}
function cellCode(s) {
  return code(s).replace(/\|/g, "\\|");
}
function fenced(s, lang = "") {
  const longest = Math.max(2, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}
${s.replace(/\n$/, "")}
${fence}`;
}
function clip(s, max) {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}\u2026` : s;
}

// node_modules/universal-user-agent/index.js
function getUserAgent() {
  if (typeof navigator === "object" && "userAgent" in navigator) {
    return navigator.userAgent;
  }
  if (typeof process === "object" && process.version !== void 0) {
    return `Node.js/${process.version.substr(1)} (${process.platform}; ${process.arch})`;
  }
  return "<environment undetectable>";
}

// node_modules/before-after-hook/lib/register.js
function register(state, name, method, options) {
  if (typeof method !== "function") {
    throw new Error("method for before hook must be a function");
  }
  if (!options) {
    options = {};
  }
  if (Array.isArray(name)) {
    return name.reverse().reduce((callback, name2) => {
      return register.bind(null, state, name2, callback, options);
    }, method)();
  }
  return Promise.resolve().then(() => {
    if (!state.registry[name]) {
      return method(options);
    }
    return state.registry[name].reduce((method2, registered) => {
      return registered.hook.bind(null, method2, options);
    }, method)();
  });
}

// node_modules/before-after-hook/lib/add.js
function addHook(state, kind, name, hook2) {
  const orig = hook2;
  if (!state.registry[name]) {
    state.registry[name] = [];
  }
  if (kind === "before") {
    hook2 = (method, options) => {
      return Promise.resolve().then(orig.bind(null, options)).then(method.bind(null, options));
    };
  }
  if (kind === "after") {
    hook2 = (method, options) => {
      let result;
      return Promise.resolve().then(method.bind(null, options)).then((result_) => {
        result = result_;
        return orig(result, options);
      }).then(() => {
        return result;
      });
    };
  }
  if (kind === "error") {
    hook2 = (method, options) => {
      return Promise.resolve().then(method.bind(null, options)).catch((error) => {
        return orig(error, options);
      });
    };
  }
  state.registry[name].push({
    hook: hook2,
    orig
  });
}

// node_modules/before-after-hook/lib/remove.js
function removeHook(state, name, method) {
  if (!state.registry[name]) {
    return;
  }
  const index = state.registry[name].map((registered) => {
    return registered.orig;
  }).indexOf(method);
  if (index === -1) {
    return;
  }
  state.registry[name].splice(index, 1);
}

// node_modules/before-after-hook/index.js
var bind = Function.bind;
var bindable = bind.bind(bind);
function bindApi(hook2, state, name) {
  const removeHookRef = bindable(removeHook, null).apply(
    null,
    name ? [state, name] : [state]
  );
  hook2.api = { remove: removeHookRef };
  hook2.remove = removeHookRef;
  ["before", "error", "after", "wrap"].forEach((kind) => {
    const args = name ? [state, kind, name] : [state, kind];
    hook2[kind] = hook2.api[kind] = bindable(addHook, null).apply(null, args);
  });
}
function Singular() {
  const singularHookName = /* @__PURE__ */ Symbol("Singular");
  const singularHookState = {
    registry: {}
  };
  const singularHook = register.bind(null, singularHookState, singularHookName);
  bindApi(singularHook, singularHookState, singularHookName);
  return singularHook;
}
function Collection() {
  const state = {
    registry: {}
  };
  const hook2 = register.bind(null, state);
  bindApi(hook2, state);
  return hook2;
}
var before_after_hook_default = { Singular, Collection };

// node_modules/@octokit/endpoint/dist-bundle/index.js
var VERSION2 = "0.0.0-development";
var userAgent = `octokit-endpoint.js/${VERSION2} ${getUserAgent()}`;
var DEFAULTS = {
  method: "GET",
  baseUrl: "https://api.github.com",
  headers: {
    accept: "application/vnd.github.v3+json",
    "user-agent": userAgent
  },
  mediaType: {
    format: ""
  }
};
function lowercaseKeys(object) {
  if (!object) {
    return {};
  }
  return Object.keys(object).reduce((newObj, key) => {
    newObj[key.toLowerCase()] = object[key];
    return newObj;
  }, {});
}
function isPlainObject(value) {
  if (typeof value !== "object" || value === null) return false;
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return true;
  const Ctor = Object.prototype.hasOwnProperty.call(proto, "constructor") && proto.constructor;
  return typeof Ctor === "function" && Ctor instanceof Ctor && Function.prototype.call(Ctor) === Function.prototype.call(value);
}
function mergeDeep(defaults, options) {
  const result = Object.assign({}, defaults);
  Object.keys(options).forEach((key) => {
    if (isPlainObject(options[key])) {
      if (!(key in defaults)) Object.assign(result, { [key]: options[key] });
      else result[key] = mergeDeep(defaults[key], options[key]);
    } else {
      Object.assign(result, { [key]: options[key] });
    }
  });
  return result;
}
function removeUndefinedProperties(obj) {
  for (const key in obj) {
    if (obj[key] === void 0) {
      delete obj[key];
    }
  }
  return obj;
}
function merge(defaults, route, options) {
  if (typeof route === "string") {
    let [method, url] = route.split(" ");
    options = Object.assign(url ? { method, url } : { url: method }, options);
  } else {
    options = Object.assign({}, route);
  }
  options.headers = lowercaseKeys(options.headers);
  removeUndefinedProperties(options);
  removeUndefinedProperties(options.headers);
  const mergedOptions = mergeDeep(defaults || {}, options);
  if (options.url === "/graphql") {
    if (defaults && defaults.mediaType.previews?.length) {
      mergedOptions.mediaType.previews = defaults.mediaType.previews.filter(
        (preview) => !mergedOptions.mediaType.previews.includes(preview)
      ).concat(mergedOptions.mediaType.previews);
    }
    mergedOptions.mediaType.previews = (mergedOptions.mediaType.previews || []).map((preview) => preview.replace(/-preview/, ""));
  }
  return mergedOptions;
}
function addQueryParameters(url, parameters) {
  const separator = /\?/.test(url) ? "&" : "?";
  const names = Object.keys(parameters);
  if (names.length === 0) {
    return url;
  }
  return url + separator + names.map((name) => {
    if (name === "q") {
      return "q=" + parameters.q.split("+").map(encodeURIComponent).join("+");
    }
    return `${name}=${encodeURIComponent(parameters[name])}`;
  }).join("&");
}
var urlVariableRegex = /\{[^{}}]+\}/g;
function removeNonChars(variableName) {
  return variableName.replace(/(?:^\W+)|(?:(?<!\W)\W+$)/g, "").split(/,/);
}
function extractUrlVariableNames(url) {
  const matches2 = url.match(urlVariableRegex);
  if (!matches2) {
    return [];
  }
  return matches2.map(removeNonChars).reduce((a, b) => a.concat(b), []);
}
function omit(object, keysToOmit) {
  const result = { __proto__: null };
  for (const key of Object.keys(object)) {
    if (keysToOmit.indexOf(key) === -1) {
      result[key] = object[key];
    }
  }
  return result;
}
function encodeReserved(str) {
  return str.split(/(%[0-9A-Fa-f]{2})/g).map(function(part) {
    if (!/%[0-9A-Fa-f]/.test(part)) {
      part = encodeURI(part).replace(/%5B/g, "[").replace(/%5D/g, "]");
    }
    return part;
  }).join("");
}
function encodeUnreserved(str) {
  return encodeURIComponent(str).replace(/[!'()*]/g, function(c) {
    return "%" + c.charCodeAt(0).toString(16).toUpperCase();
  });
}
function encodeValue(operator, value, key) {
  value = operator === "+" || operator === "#" ? encodeReserved(value) : encodeUnreserved(value);
  if (key) {
    return encodeUnreserved(key) + "=" + value;
  } else {
    return value;
  }
}
function isDefined(value) {
  return value !== void 0 && value !== null;
}
function isKeyOperator(operator) {
  return operator === ";" || operator === "&" || operator === "?";
}
function getValues(context, operator, key, modifier) {
  var value = context[key], result = [];
  if (isDefined(value) && value !== "") {
    if (typeof value === "string" || typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
      value = value.toString();
      if (modifier && modifier !== "*") {
        value = value.substring(0, parseInt(modifier, 10));
      }
      result.push(
        encodeValue(operator, value, isKeyOperator(operator) ? key : "")
      );
    } else {
      if (modifier === "*") {
        if (Array.isArray(value)) {
          value.filter(isDefined).forEach(function(value2) {
            result.push(
              encodeValue(operator, value2, isKeyOperator(operator) ? key : "")
            );
          });
        } else {
          Object.keys(value).forEach(function(k) {
            if (isDefined(value[k])) {
              result.push(encodeValue(operator, value[k], k));
            }
          });
        }
      } else {
        const tmp = [];
        if (Array.isArray(value)) {
          value.filter(isDefined).forEach(function(value2) {
            tmp.push(encodeValue(operator, value2));
          });
        } else {
          Object.keys(value).forEach(function(k) {
            if (isDefined(value[k])) {
              tmp.push(encodeUnreserved(k));
              tmp.push(encodeValue(operator, value[k].toString()));
            }
          });
        }
        if (isKeyOperator(operator)) {
          result.push(encodeUnreserved(key) + "=" + tmp.join(","));
        } else if (tmp.length !== 0) {
          result.push(tmp.join(","));
        }
      }
    }
  } else {
    if (operator === ";") {
      if (isDefined(value)) {
        result.push(encodeUnreserved(key));
      }
    } else if (value === "" && (operator === "&" || operator === "?")) {
      result.push(encodeUnreserved(key) + "=");
    } else if (value === "") {
      result.push("");
    }
  }
  return result;
}
function parseUrl(template) {
  return {
    expand: expand.bind(null, template)
  };
}
function expand(template, context) {
  var operators = ["+", "#", ".", "/", ";", "?", "&"];
  template = template.replace(
    /\{([^\{\}]+)\}|([^\{\}]+)/g,
    function(_, expression, literal) {
      if (expression) {
        let operator = "";
        const values = [];
        if (operators.indexOf(expression.charAt(0)) !== -1) {
          operator = expression.charAt(0);
          expression = expression.substr(1);
        }
        expression.split(/,/g).forEach(function(variable) {
          var tmp = /([^:\*]*)(?::(\d+)|(\*))?/.exec(variable);
          values.push(getValues(context, operator, tmp[1], tmp[2] || tmp[3]));
        });
        if (operator && operator !== "+") {
          var separator = ",";
          if (operator === "?") {
            separator = "&";
          } else if (operator !== "#") {
            separator = operator;
          }
          return (values.length !== 0 ? operator : "") + values.join(separator);
        } else {
          return values.join(",");
        }
      } else {
        return encodeReserved(literal);
      }
    }
  );
  if (template === "/") {
    return template;
  } else {
    return template.replace(/\/$/, "");
  }
}
function parse(options) {
  let method = options.method.toUpperCase();
  let url = (options.url || "/").replace(/:([a-z]\w+)/g, "{$1}");
  let headers = Object.assign({}, options.headers);
  let body;
  let parameters = omit(options, [
    "method",
    "baseUrl",
    "url",
    "headers",
    "request",
    "mediaType"
  ]);
  const urlVariableNames = extractUrlVariableNames(url);
  url = parseUrl(url).expand(parameters);
  if (!/^http/.test(url)) {
    url = options.baseUrl + url;
  }
  const omittedParameters = Object.keys(options).filter((option) => urlVariableNames.includes(option)).concat("baseUrl");
  const remainingParameters = omit(parameters, omittedParameters);
  const isBinaryRequest = /application\/octet-stream/i.test(headers.accept);
  if (!isBinaryRequest) {
    if (options.mediaType.format) {
      headers.accept = headers.accept.split(/,/).map(
        (format) => format.replace(
          /application\/vnd(\.\w+)(\.v3)?(\.\w+)?(\+json)?$/,
          `application/vnd$1$2.${options.mediaType.format}`
        )
      ).join(",");
    }
    if (url.endsWith("/graphql")) {
      if (options.mediaType.previews?.length) {
        const previewsFromAcceptHeader = headers.accept.match(/(?<![\w-])[\w-]+(?=-preview)/g) || [];
        headers.accept = previewsFromAcceptHeader.concat(options.mediaType.previews).map((preview) => {
          const format = options.mediaType.format ? `.${options.mediaType.format}` : "+json";
          return `application/vnd.github.${preview}-preview${format}`;
        }).join(",");
      }
    }
  }
  if (["GET", "HEAD"].includes(method)) {
    url = addQueryParameters(url, remainingParameters);
  } else {
    if ("data" in remainingParameters) {
      body = remainingParameters.data;
    } else {
      if (Object.keys(remainingParameters).length) {
        body = remainingParameters;
      }
    }
  }
  if (!headers["content-type"] && typeof body !== "undefined") {
    headers["content-type"] = "application/json; charset=utf-8";
  }
  if (["PATCH", "PUT"].includes(method) && typeof body === "undefined") {
    body = "";
  }
  return Object.assign(
    { method, url, headers },
    typeof body !== "undefined" ? { body } : null,
    options.request ? { request: options.request } : null
  );
}
function endpointWithDefaults(defaults, route, options) {
  return parse(merge(defaults, route, options));
}
function withDefaults(oldDefaults, newDefaults) {
  const DEFAULTS2 = merge(oldDefaults, newDefaults);
  const endpoint2 = endpointWithDefaults.bind(null, DEFAULTS2);
  return Object.assign(endpoint2, {
    DEFAULTS: DEFAULTS2,
    defaults: withDefaults.bind(null, DEFAULTS2),
    merge: merge.bind(null, DEFAULTS2),
    parse
  });
}
var endpoint = withDefaults(null, DEFAULTS);

// node_modules/content-type/dist/index.js
var SP = 32;
var HTAB = 9;
var SEMI = 59;
var EQ = 61;
var DQUOTE = 34;
var BSLASH = 92;
var COMMA = 44;
var LOWER_CASE = 1;
var OWS = 2;
var SEMI_FLAG = 4;
var COMMA_FLAG = 8;
var TOKEN_FLAG = 16;
var NON_ASCII = 65280;
var CASE_FLAGS = LOWER_CASE | NON_ASCII;
var CHAR_MAP = new Uint8Array(256);
CHAR_MAP[HTAB] |= OWS;
CHAR_MAP[SP] |= OWS;
CHAR_MAP[SEMI] |= SEMI_FLAG;
CHAR_MAP[COMMA] |= COMMA_FLAG;
for (let code2 = 128; code2 <= 255; code2++) {
  CHAR_MAP[code2] |= LOWER_CASE;
}
for (const char of "!#$%&'*+-.^_`|~") {
  CHAR_MAP[char.charCodeAt(0)] |= TOKEN_FLAG;
}
for (let code2 = 48; code2 <= 57; code2++) {
  CHAR_MAP[code2] |= TOKEN_FLAG;
}
for (let code2 = 65; code2 <= 90; code2++) {
  CHAR_MAP[code2] |= LOWER_CASE | TOKEN_FLAG;
}
for (let code2 = 97; code2 <= 122; code2++) {
  CHAR_MAP[code2] |= TOKEN_FLAG;
}
var NullObject = /* @__PURE__ */ (() => {
  const C = function() {
  };
  C.prototype = /* @__PURE__ */ Object.create(null);
  return C;
})();
function parse2(header, options) {
  const stopFlags = SEMI_FLAG | (options?.comma === true ? COMMA_FLAG : 0);
  const len = header.length;
  let valueStart = options?.start ?? 0;
  while ((CHAR_MAP[header.charCodeAt(valueStart)] & OWS) !== 0) {
    valueStart++;
  }
  let index = valueStart;
  let typeFlags = 0;
  let whitespace = -1;
  let stop = options?.parameters === false ? COMMA_FLAG : 0;
  while (index < len) {
    const code2 = header.charCodeAt(index);
    const flags = CHAR_MAP[code2];
    if ((flags & stopFlags) !== 0) {
      stop |= flags & COMMA_FLAG;
      break;
    }
    if ((flags & OWS) !== 0) {
      if (whitespace === -1)
        whitespace = index;
    } else {
      whitespace = -1;
    }
    typeFlags |= code2 & NON_ASCII | flags;
    index++;
  }
  const valueEnd = whitespace === -1 ? index : whitespace;
  const value = header.slice(valueStart, valueEnd);
  const type = (typeFlags & CASE_FLAGS) === 0 ? value : value.toLowerCase();
  if (index === len || stop !== 0) {
    return { type, index, parameters: new NullObject() };
  }
  return parseParameters(header, type, index, len, stopFlags);
}
function parseParameters(header, type, index, len, stopFlags) {
  const parameters = new NullObject();
  parameter: while (index < len) {
    index++;
    while ((CHAR_MAP[header.charCodeAt(index)] & OWS) !== 0) {
      index++;
    }
    const keyStart = index;
    let keyFlags = 0;
    let keyWhitespace = -1;
    while (index < len) {
      const code2 = header.charCodeAt(index);
      const flags = CHAR_MAP[code2];
      if ((flags & stopFlags) !== 0) {
        if ((flags & COMMA_FLAG) !== 0)
          break parameter;
        continue parameter;
      }
      if (code2 === EQ) {
        const keyEnd = keyWhitespace === -1 ? index : keyWhitespace;
        const value = header.slice(keyStart, keyEnd);
        const key = (keyFlags & CASE_FLAGS) === 0 ? value : value.toLowerCase();
        index++;
        while ((CHAR_MAP[header.charCodeAt(index)] & OWS) !== 0) {
          index++;
        }
        if (index < len && header.charCodeAt(index) === DQUOTE) {
          const quotedStart = ++index;
          let escaped = false;
          while (index < len) {
            const code3 = header.charCodeAt(index);
            if (code3 === DQUOTE) {
              if (parameters[key] === void 0) {
                parameters[key] = escaped ? unescapeQuotedPairs(header, quotedStart, index) : header.slice(quotedStart, index);
              }
              index++;
              let stop2 = 0;
              while (index < len) {
                const code4 = header.charCodeAt(index);
                const flags2 = CHAR_MAP[code4];
                if ((flags2 & stopFlags) !== 0) {
                  stop2 = flags2 & COMMA_FLAG;
                  break;
                }
                index++;
              }
              if (stop2 !== 0)
                break parameter;
              continue parameter;
            }
            if (code3 === BSLASH && index + 1 < len) {
              escaped = true;
              index += 2;
              continue;
            }
            index++;
          }
          continue parameter;
        }
        const valueStart = index;
        let stop = 0;
        let valueWhitespace = -1;
        while (index < len) {
          const code3 = header.charCodeAt(index);
          const flags2 = CHAR_MAP[code3];
          if ((flags2 & stopFlags) !== 0) {
            stop = flags2 & COMMA_FLAG;
            break;
          }
          if ((flags2 & OWS) !== 0) {
            if (valueWhitespace === -1)
              valueWhitespace = index;
          } else {
            valueWhitespace = -1;
          }
          index++;
        }
        if (parameters[key] === void 0) {
          const valueEnd = valueWhitespace === -1 ? index : valueWhitespace;
          parameters[key] = header.slice(valueStart, valueEnd);
        }
        if (stop !== 0)
          break parameter;
        continue parameter;
      }
      if ((flags & OWS) !== 0) {
        if (keyWhitespace === -1)
          keyWhitespace = index;
      } else {
        keyWhitespace = -1;
      }
      keyFlags |= code2 & NON_ASCII | flags;
      index++;
    }
  }
  return { type, index, parameters };
}
function unescapeQuotedPairs(str, start, end) {
  let result = "";
  for (let index = start; index < end; index++) {
    if (str.charCodeAt(index) === BSLASH) {
      result += str.slice(start, index);
      start = ++index;
    }
  }
  return result + str.slice(start, end);
}

// node_modules/json-with-bigint/json-with-bigint.js
var intRegex = /^-?\d+$/;
var noiseValue = /^-?\d+n+$/;
var originalStringify = JSON.stringify;
var originalParse = JSON.parse;
var customFormat = /^-?\d+n$/;
var bigIntsStringify = /([\[:])?"(-?\d+)n"($|\s*[,\}\]])/g;
var noiseStringify = /([\[:])?("-?\d+n+)n("$|"\s*[,\}\]])/g;
var isUnstringifiable = (val) => val === void 0 || typeof val === "function" || typeof val === "symbol";
var isRawJSON = (val) => val !== null && typeof val === "object" && val.constructor && val.constructor.name === "RawJSON";
var stringifyIteratively = (rootValue, replacer, spaceParam) => {
  let space = "";
  if (typeof spaceParam === "number") {
    space = " ".repeat(Math.min(10, Math.max(0, Math.floor(spaceParam))));
  } else if (typeof spaceParam === "string") {
    space = spaceParam.slice(0, 10);
  }
  const isFunctionReplacer = typeof replacer === "function";
  const propertyList = Array.isArray(replacer) ? new Set(replacer.map(String)) : null;
  const prepareVal = (parent, key, val) => {
    const isObject = val !== null && typeof val === "object";
    const hasToJSON = isObject && typeof val.toJSON === "function";
    if (hasToJSON) {
      val = val.toJSON(key);
    }
    const isNoise = typeof val === "string" && noiseValue.test(val);
    if (isNoise) return val + "n";
    const isBigInt = typeof val === "bigint";
    if (isBigInt) {
      const supportsRawJSON = "rawJSON" in JSON;
      if (supportsRawJSON) return JSON.rawJSON(val.toString());
      return val.toString() + "n";
    }
    if (isFunctionReplacer) {
      val = replacer.call(parent, key, val);
    }
    const isPostReplacerObject = val !== null && typeof val === "object";
    if (isPostReplacerObject) {
      const isPrimitiveWrapper = val instanceof Number || val instanceof String || val instanceof Boolean;
      if (isPrimitiveWrapper) {
        val = val.valueOf();
      }
    }
    return val;
  };
  const rootProcessed = prepareVal({ "": rootValue }, "", rootValue);
  if (isUnstringifiable(rootProcessed)) {
    return void 0;
  }
  const isRootPrimitive = rootProcessed === null || typeof rootProcessed !== "object";
  const isRootNativeRawJSON = isRawJSON(rootProcessed);
  if (isRootPrimitive || isRootNativeRawJSON) {
    return originalStringify(rootProcessed);
  }
  const chunks = [];
  let level = 0;
  const stack = [
    {
      parent: { "": rootProcessed },
      key: "",
      val: rootProcessed,
      isArray: Array.isArray(rootProcessed),
      keys: Array.isArray(rootProcessed) ? null : Object.keys(rootProcessed),
      index: 0,
      first: true
    }
  ];
  const visited = new WeakSet([rootProcessed]);
  while (stack.length > 0) {
    const node = stack[stack.length - 1];
    if (node.index === 0) {
      chunks.push(node.isArray ? "[" : "{");
      level++;
    }
    let isDone = false;
    if (node.isArray) {
      if (node.index < node.val.length) {
        if (!node.first) chunks.push(",");
        if (space) chunks.push("\n" + space.repeat(level));
        const childRaw = node.val[node.index];
        const childVal = prepareVal(node.val, String(node.index), childRaw);
        if (isUnstringifiable(childVal)) {
          chunks.push("null");
          node.first = false;
          node.index++;
        } else {
          const isComplexObject = childVal !== null && typeof childVal === "object";
          const isNativeRaw = isRawJSON(childVal);
          if (isComplexObject && !isNativeRaw) {
            if (visited.has(childVal)) {
              throw new TypeError("Converting circular structure to JSON");
            }
            visited.add(childVal);
            stack.push({
              parent: node.val,
              key: String(node.index),
              val: childVal,
              isArray: Array.isArray(childVal),
              keys: Array.isArray(childVal) ? null : Object.keys(childVal),
              index: 0,
              first: true
            });
            node.first = false;
            node.index++;
          } else {
            chunks.push(originalStringify(childVal));
            node.first = false;
            node.index++;
          }
        }
      } else {
        isDone = true;
      }
    } else {
      while (node.index < node.keys.length) {
        const k = node.keys[node.index++];
        const isFilteredOutByArray = propertyList && !propertyList.has(k);
        if (isFilteredOutByArray) continue;
        const childRaw = node.val[k];
        const childVal = prepareVal(node.val, k, childRaw);
        if (isUnstringifiable(childVal)) continue;
        if (!node.first) chunks.push(",");
        if (space) {
          chunks.push("\n" + space.repeat(level) + originalStringify(k) + ": ");
        } else {
          chunks.push(originalStringify(k) + ":");
        }
        const isComplexObject = childVal !== null && typeof childVal === "object";
        const isNativeRaw = isRawJSON(childVal);
        if (isComplexObject && !isNativeRaw) {
          if (visited.has(childVal)) {
            throw new TypeError("Converting circular structure to JSON");
          }
          visited.add(childVal);
          stack.push({
            parent: node.val,
            key: k,
            val: childVal,
            isArray: Array.isArray(childVal),
            keys: Array.isArray(childVal) ? null : Object.keys(childVal),
            index: 0,
            first: true
          });
          node.first = false;
          break;
        } else {
          chunks.push(originalStringify(childVal));
          node.first = false;
        }
      }
      const isNodeFullyProcessed = node.index >= node.keys.length && stack[stack.length - 1] === node;
      if (isNodeFullyProcessed) {
        isDone = true;
      }
    }
    if (isDone) {
      level--;
      if (!node.first && space) chunks.push("\n" + space.repeat(level));
      chunks.push(node.isArray ? "]" : "}");
      visited.delete(node.val);
      stack.pop();
    }
  }
  return chunks.join("");
};
var JSONStringify = (value, replacer, space) => {
  try {
    const supportsRawJSON = "rawJSON" in JSON;
    if (supportsRawJSON) {
      return originalStringify(
        value,
        (key, val) => {
          if (typeof val === "bigint") return JSON.rawJSON(val.toString());
          const hasFunctionReplacer = typeof replacer === "function";
          if (hasFunctionReplacer) return replacer(key, val);
          const isKeyInArrayReplacer = Array.isArray(replacer) && replacer.includes(key);
          if (isKeyInArrayReplacer) return val;
          return val;
        },
        space
      );
    }
    if (!value) return originalStringify(value, replacer, space);
    const convertedToCustomJSON = originalStringify(
      value,
      (key, val) => {
        const isNoise = typeof val === "string" && noiseValue.test(val);
        if (isNoise) return val.toString() + "n";
        if (typeof val === "bigint") return val.toString() + "n";
        const hasFunctionReplacer = typeof replacer === "function";
        if (hasFunctionReplacer) return replacer(key, val);
        const isKeyInArrayReplacer = Array.isArray(replacer) && replacer.includes(key);
        if (isKeyInArrayReplacer) return val;
        return val;
      },
      space
    );
    const processedJSON = convertedToCustomJSON.replace(
      bigIntsStringify,
      "$1$2$3"
    );
    const denoisedJSON = processedJSON.replace(noiseStringify, "$1$2$3");
    return denoisedJSON;
  } catch (error) {
    if (error instanceof RangeError) {
      const convertedJSON = stringifyIteratively(value, replacer, space);
      if (convertedJSON === void 0) return void 0;
      const supportsRawJSON = "rawJSON" in JSON;
      if (supportsRawJSON) return convertedJSON;
      const processedJSON = convertedJSON.replace(bigIntsStringify, "$1$2$3");
      return processedJSON.replace(noiseStringify, "$1$2$3");
    }
    throw error;
  }
};
var featureCache = /* @__PURE__ */ new Map();
var isContextSourceSupported = () => {
  const parseFingerprint = JSON.parse.toString();
  if (featureCache.has(parseFingerprint)) {
    return featureCache.get(parseFingerprint);
  }
  try {
    const result = JSON.parse(
      "1",
      (_, __, context) => !!context?.source && context.source === "1"
    );
    featureCache.set(parseFingerprint, result);
    return result;
  } catch {
    featureCache.set(parseFingerprint, false);
    return false;
  }
};
var convertMarkedBigIntsReviver = (key, value, context, userReviver) => {
  const isCustomFormatBigInt = typeof value === "string" && customFormat.test(value);
  if (isCustomFormatBigInt) return BigInt(value.slice(0, -1));
  const isNoiseValue = typeof value === "string" && noiseValue.test(value);
  if (isNoiseValue) return value.slice(0, -1);
  const hasUserReviver = typeof userReviver === "function";
  if (!hasUserReviver) return value;
  return userReviver(key, value, context);
};
var JSONParseV2 = (text2, reviver) => {
  return JSON.parse(text2, (key, value, context) => {
    const isNumber = typeof value === "number";
    const isOutOfBounds = value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER;
    const isBigNumber = isNumber && isOutOfBounds;
    const isInt = context && intRegex.test(context.source);
    const isBigInt = isBigNumber && isInt;
    if (isBigInt) return BigInt(context.source);
    const hasCustomReviver = typeof reviver === "function";
    if (!hasCustomReviver) return value;
    return reviver(key, value, context);
  });
};
var MAX_INT = Number.MAX_SAFE_INTEGER.toString();
var MAX_DIGITS = MAX_INT.length;
var stringsOrLargeNumbers = /"(?:[^"\\]|\\.)*"|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/g;
var noiseValueWithQuotes = /^"-?\d+n+"$/;
var applyReviverIteratively = (parsed, userReviver) => {
  const rootHolder = { "": parsed };
  const stack = [{ parent: rootHolder, key: "", visited: false }];
  while (stack.length > 0) {
    const node = stack[stack.length - 1];
    if (!node.visited) {
      node.visited = true;
      const value = node.parent[node.key];
      const isComplexObject = value !== null && typeof value === "object";
      if (isComplexObject) {
        const keys = Object.keys(value);
        for (let i = keys.length - 1; i >= 0; i--) {
          stack.push({ parent: value, key: keys[i], visited: false });
        }
      }
    } else {
      const { parent, key } = node;
      let value = parent[key];
      if (typeof value === "string") {
        const isCustomFormatBigInt = customFormat.test(value);
        if (isCustomFormatBigInt) {
          value = BigInt(value.slice(0, -1));
        } else {
          const isNoise = noiseValue.test(value);
          if (isNoise) value = value.slice(0, -1);
        }
      }
      const hasUserReviver = typeof userReviver === "function";
      if (hasUserReviver) {
        value = userReviver.call(parent, key, value);
      }
      const isDeleted = value === void 0;
      if (isDeleted) {
        delete parent[key];
      } else {
        parent[key] = value;
      }
      stack.pop();
    }
  }
  return rootHolder[""];
};
var serializeBigInts = (text2) => {
  return text2.replace(
    stringsOrLargeNumbers,
    (match, digits, fractional, exponential) => {
      const isString = match[0] === '"';
      const isNoise = isString && noiseValueWithQuotes.test(match);
      if (isNoise) return match.substring(0, match.length - 1) + 'n"';
      const hasFractionalOrExponential = fractional || exponential;
      const isLessThanMaxSafeInt = digits && (digits.length < MAX_DIGITS || digits.length === MAX_DIGITS && digits <= MAX_INT);
      const isStandardValue = isString || hasFractionalOrExponential || isLessThanMaxSafeInt;
      if (isStandardValue) return match;
      return '"' + match + 'n"';
    }
  );
};
var JSONParse = (text2, reviver) => {
  if (!text2) return originalParse(text2, reviver);
  try {
    if (isContextSourceSupported()) return JSONParseV2(text2, reviver);
    const serializedData = serializeBigInts(text2);
    return originalParse(
      serializedData,
      (key, value, context) => convertMarkedBigIntsReviver(key, value, context, reviver)
    );
  } catch (error) {
    if (error instanceof RangeError) {
      const serializedData = serializeBigInts(text2);
      const parsed = originalParse(serializedData);
      return applyReviverIteratively(parsed, reviver);
    }
    throw error;
  }
};

// node_modules/@octokit/request-error/dist-src/index.js
var RequestError = class extends Error {
  name;
  /**
   * http status code
   */
  status;
  /**
   * Request options that lead to the error.
   */
  request;
  /**
   * Response object if a response was received
   */
  response;
  constructor(message, statusCode, options) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = Number.parseInt(statusCode);
    if (Number.isNaN(this.status)) {
      this.status = 0;
    }
    if ("response" in options) {
      this.response = options.response;
    }
    const requestCopy = Object.assign({}, options.request);
    if (options.request.headers.authorization) {
      requestCopy.headers = Object.assign({}, options.request.headers, {
        authorization: options.request.headers.authorization.replace(
          /(?<! ) .*$/,
          " [REDACTED]"
        )
      });
    }
    requestCopy.url = requestCopy.url.replace(/\bclient_secret=\w+/g, "client_secret=[REDACTED]").replace(/\baccess_token=\w+/g, "access_token=[REDACTED]");
    this.request = requestCopy;
  }
};

// node_modules/@octokit/request/dist-bundle/index.js
var VERSION3 = "10.0.16";
var defaults_default = {
  headers: {
    "user-agent": `octokit-request.js/${VERSION3} ${getUserAgent()}`
  }
};
function isPlainObject2(value) {
  if (typeof value !== "object" || value === null) return false;
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return true;
  const Ctor = Object.prototype.hasOwnProperty.call(proto, "constructor") && proto.constructor;
  return typeof Ctor === "function" && Ctor instanceof Ctor && Function.prototype.call(Ctor) === Function.prototype.call(value);
}
var noop = () => "";
async function fetchWrapper(requestOptions) {
  const fetch2 = requestOptions.request?.fetch || globalThis.fetch;
  if (!fetch2) {
    throw new Error(
      "fetch is not set. Please pass a fetch implementation as new Octokit({ request: { fetch }}). Learn more at https://github.com/octokit/octokit.js/#fetch-missing"
    );
  }
  const log = requestOptions.request?.log || console;
  const parseSuccessResponseBody = requestOptions.request?.parseSuccessResponseBody !== false;
  const body = isPlainObject2(requestOptions.body) || Array.isArray(requestOptions.body) ? JSONStringify(requestOptions.body) : requestOptions.body;
  const requestHeaders = Object.fromEntries(
    Object.entries(requestOptions.headers).map(([name, value]) => [
      name,
      String(value)
    ])
  );
  let fetchResponse;
  try {
    fetchResponse = await fetch2(requestOptions.url, {
      method: requestOptions.method,
      body,
      redirect: requestOptions.request?.redirect,
      headers: requestHeaders,
      signal: requestOptions.request?.signal,
      // duplex must be set if request.body is ReadableStream or Async Iterables.
      // See https://fetch.spec.whatwg.org/#dom-requestinit-duplex.
      ...requestOptions.body && { duplex: "half" }
    });
  } catch (error) {
    let message = "Unknown Error";
    if (error instanceof Error) {
      if (error.name === "AbortError") {
        error.status = 500;
        throw error;
      }
      message = error.message;
      if (error.name === "TypeError" && "cause" in error) {
        if (error.cause instanceof Error) {
          message = error.cause.message;
        } else if (typeof error.cause === "string") {
          message = error.cause;
        }
      }
    }
    const requestError = new RequestError(message, 500, {
      request: requestOptions
    });
    requestError.cause = error;
    throw requestError;
  }
  const status = fetchResponse.status;
  const url = fetchResponse.url;
  const responseHeaders = {};
  for (const [key, value] of fetchResponse.headers) {
    responseHeaders[key] = value;
  }
  const octokitResponse = {
    url,
    status,
    headers: responseHeaders,
    data: ""
  };
  if ("deprecation" in responseHeaders) {
    const matches2 = responseHeaders.link && responseHeaders.link.match(/<([^<>]+)>; rel="deprecation"/);
    const deprecationLink = matches2 && matches2.pop();
    log.warn(
      `[@octokit/request] "${requestOptions.method} ${requestOptions.url}" is deprecated. It is scheduled to be removed on ${responseHeaders.sunset}${deprecationLink ? `. See ${deprecationLink}` : ""}`
    );
  }
  if (status === 204 || status === 205) {
    return octokitResponse;
  }
  if (requestOptions.method === "HEAD") {
    if (status < 400) {
      return octokitResponse;
    }
    throw new RequestError(fetchResponse.statusText, status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  if (status === 304) {
    octokitResponse.data = await getResponseData(fetchResponse);
    throw new RequestError("Not modified", status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  if (status >= 400) {
    octokitResponse.data = await getResponseData(fetchResponse);
    throw new RequestError(toErrorMessage(octokitResponse.data), status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  octokitResponse.data = parseSuccessResponseBody ? await getResponseData(fetchResponse) : fetchResponse.body;
  return octokitResponse;
}
async function getResponseData(response) {
  const contentType = response.headers.get("content-type");
  if (!contentType) {
    return response.text().catch(noop);
  }
  const mimetype = parse2(contentType);
  if (isJSONResponse(mimetype)) {
    let text2 = "";
    try {
      text2 = await response.text();
      return JSONParse(text2);
    } catch (err) {
      return text2;
    }
  } else if (mimetype.type.startsWith("text/") || // `application/octet-stream` is the canonical "arbitrary binary" type
  // (RFC 2046) and must never be decoded as text, even when the response
  // carries a (misleading) `charset=utf-8` parameter — see #751.
  mimetype.parameters.charset?.toLowerCase() === "utf-8" && mimetype.type !== "application/octet-stream") {
    return response.text().catch(noop);
  } else {
    return response.arrayBuffer().catch(
      /* v8 ignore next -- @preserve */
      () => new ArrayBuffer(0)
    );
  }
}
function isJSONResponse(mimetype) {
  return mimetype.type === "application/json" || mimetype.type === "application/scim+json";
}
function toErrorMessage(data) {
  if (typeof data === "string") {
    return data;
  }
  if (data instanceof ArrayBuffer) {
    return "Unknown error";
  }
  if (typeof data === "object" && data !== null && "message" in data) {
    const objectData = data;
    const suffix = "documentation_url" in objectData ? ` - ${objectData.documentation_url}` : "";
    return Array.isArray(objectData.errors) ? `${objectData.message}: ${objectData.errors.map((v) => JSON.stringify(v)).join(", ")}${suffix}` : `${objectData.message}${suffix}`;
  }
  return `Unknown error: ${JSON.stringify(data)}`;
}
function withDefaults2(oldEndpoint, newDefaults) {
  const endpoint2 = oldEndpoint.defaults(newDefaults);
  const newApi = function(route, parameters) {
    const endpointOptions = endpoint2.merge(route, parameters);
    if (!endpointOptions.request || !endpointOptions.request.hook) {
      return fetchWrapper(endpoint2.parse(endpointOptions));
    }
    const request2 = (route2, parameters2) => {
      return fetchWrapper(
        endpoint2.parse(endpoint2.merge(route2, parameters2))
      );
    };
    Object.assign(request2, {
      endpoint: endpoint2,
      defaults: withDefaults2.bind(null, endpoint2)
    });
    return endpointOptions.request.hook(request2, endpointOptions);
  };
  return Object.assign(newApi, {
    endpoint: endpoint2,
    defaults: withDefaults2.bind(null, endpoint2)
  });
}
var request = withDefaults2(endpoint, defaults_default);

// node_modules/@octokit/graphql/dist-bundle/index.js
var VERSION4 = "0.0.0-development";
function _buildMessageForResponseErrors(data) {
  return `Request failed due to following response errors:
` + data.errors.map((e) => ` - ${e.message}`).join("\n");
}
var GraphqlResponseError = class extends Error {
  constructor(request2, headers, response) {
    super(_buildMessageForResponseErrors(response));
    this.request = request2;
    this.headers = headers;
    this.response = response;
    this.errors = response.errors;
    this.data = response.data;
    if (Error.captureStackTrace) {
      Error.captureStackTrace(this, this.constructor);
    }
  }
  request;
  headers;
  response;
  name = "GraphqlResponseError";
  errors;
  data;
};
var NON_VARIABLE_OPTIONS = [
  "method",
  "baseUrl",
  "url",
  "headers",
  "request",
  "query",
  "mediaType",
  "operationName"
];
var FORBIDDEN_VARIABLE_OPTIONS = ["query", "method", "url"];
var GHES_V3_SUFFIX_REGEX = /\/api\/v3\/?$/;
function graphql(request2, query, options) {
  if (options) {
    if (typeof query === "string" && "query" in options) {
      return Promise.reject(
        new Error(`[@octokit/graphql] "query" cannot be used as variable name`)
      );
    }
    for (const key in options) {
      if (!FORBIDDEN_VARIABLE_OPTIONS.includes(key)) continue;
      return Promise.reject(
        new Error(
          `[@octokit/graphql] "${key}" cannot be used as variable name`
        )
      );
    }
  }
  const parsedOptions = typeof query === "string" ? Object.assign({ query }, options) : query;
  const requestOptions = Object.keys(
    parsedOptions
  ).reduce((result, key) => {
    if (NON_VARIABLE_OPTIONS.includes(key)) {
      result[key] = parsedOptions[key];
      return result;
    }
    if (!result.variables) {
      result.variables = {};
    }
    result.variables[key] = parsedOptions[key];
    return result;
  }, {});
  const baseUrl = parsedOptions.baseUrl || request2.endpoint.DEFAULTS.baseUrl;
  if (GHES_V3_SUFFIX_REGEX.test(baseUrl)) {
    requestOptions.url = baseUrl.replace(GHES_V3_SUFFIX_REGEX, "/api/graphql");
  }
  return request2(requestOptions).then((response) => {
    if (response.data.errors) {
      const headers = {};
      for (const key of Object.keys(response.headers)) {
        headers[key] = response.headers[key];
      }
      throw new GraphqlResponseError(
        requestOptions,
        headers,
        response.data
      );
    }
    return response.data.data;
  });
}
function withDefaults3(request2, newDefaults) {
  const newRequest = request2.defaults(newDefaults);
  const newApi = (query, options) => {
    return graphql(newRequest, query, options);
  };
  return Object.assign(newApi, {
    defaults: withDefaults3.bind(null, newRequest),
    endpoint: newRequest.endpoint
  });
}
var graphql2 = withDefaults3(request, {
  headers: {
    "user-agent": `octokit-graphql.js/${VERSION4} ${getUserAgent()}`
  },
  method: "POST",
  url: "/graphql"
});
function withCustomRequest(customRequest) {
  return withDefaults3(customRequest, {
    method: "POST",
    url: "/graphql"
  });
}

// node_modules/@octokit/auth-token/dist-bundle/index.js
var b64url = "(?:[a-zA-Z0-9_-]+)";
var sep = "\\.";
var jwtRE = new RegExp(`^${b64url}${sep}${b64url}${sep}${b64url}$`);
var isJWT = jwtRE.test.bind(jwtRE);
async function auth(token) {
  const isApp = isJWT(token);
  const isInstallation = token.startsWith("v1.") || token.startsWith("ghs_");
  const isUserToServer = token.startsWith("ghu_");
  const tokenType = isApp ? "app" : isInstallation ? "installation" : isUserToServer ? "user-to-server" : "oauth";
  return {
    type: "token",
    token,
    tokenType
  };
}
function withAuthorizationPrefix(token) {
  if (token.split(/\./).length === 3) {
    return `bearer ${token}`;
  }
  return `token ${token}`;
}
async function hook(token, request2, route, parameters) {
  const endpoint2 = request2.endpoint.merge(
    route,
    parameters
  );
  endpoint2.headers.authorization = withAuthorizationPrefix(token);
  return request2(endpoint2);
}
var createTokenAuth = function createTokenAuth2(token) {
  if (!token) {
    throw new Error("[@octokit/auth-token] No token passed to createTokenAuth");
  }
  if (typeof token !== "string") {
    throw new Error(
      "[@octokit/auth-token] Token passed to createTokenAuth is not a string"
    );
  }
  token = token.replace(/^(token|bearer) +/i, "");
  return Object.assign(auth.bind(null, token), {
    hook: hook.bind(null, token)
  });
};

// node_modules/@octokit/core/dist-src/version.js
var VERSION5 = "7.0.8";

// node_modules/@octokit/core/dist-src/index.js
var noop2 = () => {
};
var consoleWarn = console.warn.bind(console);
var consoleError = console.error.bind(console);
function createLogger(logger = {}) {
  if (typeof logger.debug !== "function") {
    logger.debug = noop2;
  }
  if (typeof logger.info !== "function") {
    logger.info = noop2;
  }
  if (typeof logger.warn !== "function") {
    logger.warn = consoleWarn;
  }
  if (typeof logger.error !== "function") {
    logger.error = consoleError;
  }
  return logger;
}
var userAgentTrail = `octokit-core.js/${VERSION5} ${getUserAgent()}`;
var Octokit = class {
  static VERSION = VERSION5;
  static defaults(defaults) {
    const OctokitWithDefaults = class extends this {
      constructor(...args) {
        const options = args[0] || {};
        if (typeof defaults === "function") {
          super(defaults(options));
          return;
        }
        super(
          Object.assign(
            {},
            defaults,
            options,
            options.userAgent && defaults.userAgent ? {
              userAgent: `${options.userAgent} ${defaults.userAgent}`
            } : null
          )
        );
      }
    };
    return OctokitWithDefaults;
  }
  static plugins = [];
  /**
   * Attach a plugin (or many) to your Octokit instance.
   *
   * @example
   * const API = Octokit.plugin(plugin1, plugin2, plugin3, ...)
   */
  static plugin(...newPlugins) {
    const currentPlugins = this.plugins;
    const NewOctokit = class extends this {
      static plugins = currentPlugins.concat(
        newPlugins.filter((plugin) => !currentPlugins.includes(plugin))
      );
    };
    return NewOctokit;
  }
  constructor(options = {}) {
    const hook2 = new before_after_hook_default.Collection();
    const requestDefaults = {
      baseUrl: request.endpoint.DEFAULTS.baseUrl,
      headers: {},
      request: Object.assign({}, options.request, {
        // @ts-ignore internal usage only, no need to type
        hook: hook2.bind(null, "request")
      }),
      mediaType: {
        previews: [],
        format: ""
      }
    };
    requestDefaults.headers["user-agent"] = options.userAgent ? `${options.userAgent} ${userAgentTrail}` : userAgentTrail;
    if (options.baseUrl) {
      requestDefaults.baseUrl = options.baseUrl;
    }
    if (options.previews) {
      requestDefaults.mediaType.previews = options.previews;
    }
    if (options.timeZone) {
      requestDefaults.headers["time-zone"] = options.timeZone;
    }
    this.request = request.defaults(requestDefaults);
    this.graphql = withCustomRequest(this.request).defaults(requestDefaults);
    this.log = createLogger(options.log);
    this.hook = hook2;
    if (!options.authStrategy) {
      if (!options.auth) {
        this.auth = async () => ({
          type: "unauthenticated"
        });
      } else {
        const auth2 = createTokenAuth(options.auth);
        hook2.wrap("request", auth2.hook);
        this.auth = auth2;
      }
    } else {
      const { authStrategy, ...otherOptions } = options;
      const auth2 = authStrategy(
        Object.assign(
          {
            request: this.request,
            log: this.log,
            // we pass the current octokit instance as well as its constructor options
            // to allow for authentication strategies that return a new octokit instance
            // that shares the same internal state as the current one. The original
            // requirement for this was the "event-octokit" authentication strategy
            // of https://github.com/probot/octokit-auth-probot.
            octokit: this,
            octokitOptions: otherOptions
          },
          options.auth
        )
      );
      hook2.wrap("request", auth2.hook);
      this.auth = auth2;
    }
    const classConstructor = this.constructor;
    for (let i = 0; i < classConstructor.plugins.length; ++i) {
      Object.assign(this, classConstructor.plugins[i](this, options));
    }
  }
  // assigned during constructor
  request;
  graphql;
  log;
  hook;
  // TODO: type `octokit.auth` based on passed options.authStrategy
  auth;
};

// node_modules/@octokit/plugin-paginate-rest/dist-bundle/index.js
var VERSION6 = "0.0.0-development";
function normalizePaginatedListResponse(response) {
  if (!response.data) {
    return {
      ...response,
      data: []
    };
  }
  const responseNeedsNormalization = ("total_count" in response.data || "total_commits" in response.data) && !("url" in response.data);
  if (!responseNeedsNormalization) return response;
  const incompleteResults = response.data.incomplete_results;
  const repositorySelection = response.data.repository_selection;
  const totalCount = response.data.total_count;
  const totalCommits = response.data.total_commits;
  delete response.data.incomplete_results;
  delete response.data.repository_selection;
  delete response.data.total_count;
  delete response.data.total_commits;
  const namespaceKey = Object.keys(response.data)[0];
  const data = response.data[namespaceKey];
  response.data = data;
  if (typeof incompleteResults !== "undefined") {
    response.data.incomplete_results = incompleteResults;
  }
  if (typeof repositorySelection !== "undefined") {
    response.data.repository_selection = repositorySelection;
  }
  response.data.total_count = totalCount;
  response.data.total_commits = totalCommits;
  return response;
}
function iterator(octokit, route, parameters) {
  const options = typeof route === "function" ? route.endpoint(parameters) : octokit.request.endpoint(route, parameters);
  const requestMethod = typeof route === "function" ? route : octokit.request;
  const method = options.method;
  const headers = options.headers;
  let url = options.url;
  return {
    [Symbol.asyncIterator]: () => ({
      async next() {
        if (!url) return { done: true };
        try {
          const response = await requestMethod({ method, url, headers });
          const normalizedResponse = normalizePaginatedListResponse(response);
          url = ((normalizedResponse.headers.link || "").match(
            /<([^<>]+)>;\s*rel="next"/
          ) || [])[1];
          if (!url && "total_commits" in normalizedResponse.data) {
            const parsedUrl = new URL(normalizedResponse.url);
            const params = parsedUrl.searchParams;
            const page = parseInt(params.get("page") || "1", 10);
            const per_page = parseInt(params.get("per_page") || "250", 10);
            if (page * per_page < normalizedResponse.data.total_commits) {
              params.set("page", String(page + 1));
              url = parsedUrl.toString();
            }
          }
          return { value: normalizedResponse };
        } catch (error) {
          if (error.status !== 409) throw error;
          url = "";
          return {
            value: {
              status: 200,
              headers: {},
              data: []
            }
          };
        }
      }
    })
  };
}
function paginate(octokit, route, parameters, mapFn) {
  if (typeof parameters === "function") {
    mapFn = parameters;
    parameters = void 0;
  }
  return gather(
    octokit,
    [],
    iterator(octokit, route, parameters)[Symbol.asyncIterator](),
    mapFn
  );
}
function gather(octokit, results, iterator2, mapFn) {
  return iterator2.next().then((result) => {
    if (result.done) {
      return results;
    }
    let earlyExit = false;
    function done() {
      earlyExit = true;
    }
    results = results.concat(
      mapFn ? mapFn(result.value, done) : result.value.data
    );
    if (earlyExit) {
      return results;
    }
    return gather(octokit, results, iterator2, mapFn);
  });
}
var composePaginateRest = Object.assign(paginate, {
  iterator
});
function paginateRest(octokit) {
  return {
    paginate: Object.assign(paginate.bind(null, octokit), {
      iterator: iterator.bind(null, octokit)
    })
  };
}
paginateRest.VERSION = VERSION6;

// src/report/prComment.ts
var GITHUB_ACTIONS_BOT = "github-actions[bot]";
var MAX_COMMENT_CHARS = 65536;
function commentMarker(sites) {
  const names = [...new Set(sites.map((s) => s.replace(/[^A-Za-z0-9._-]/g, "_")))].sort();
  return `<!-- tungsten-e2e:sites=${names.join(",")} -->`;
}
function renderCommentBody(results, options = {}) {
  const marker = commentMarker(options.sites ?? results.sites.map((s) => s.name));
  for (const variant of ["comment", "brief"]) {
    const body = `${marker}
${renderMarkdown(results, { variant, ...options.runUrl ? { runUrl: options.runUrl } : {} })}`;
    if (body.length <= MAX_COMMENT_CHARS) return body;
  }
  const note = "\n\n\u2026 cut here: the results are longer than a comment may be; see the job summary.\n";
  const brief = renderMarkdown(results, { variant: "brief" });
  return `${marker}
${brief.slice(0, MAX_COMMENT_CHARS - marker.length - 1 - note.length)}${note}`;
}
var GitHub = Octokit.plugin(paginateRest);
async function upsertPrComment(o) {
  const { owner, repo, issueNumber } = o.target;
  const where2 = `${owner}/${repo}#${issueNumber}`;
  const marker = commentMarker(o.sites);
  const body = o.body.includes(marker) ? o.body : `${marker}
${o.body}`;
  const octokit = client(o);
  try {
    const login = await tokenLogin(octokit, o);
    const existing = await findComment(octokit, o.target, marker, login);
    if (existing) {
      const { data: data2 } = await octokit.request(
        "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
        { owner, repo, comment_id: existing, body }
      );
      o.logger.info(`Updated the results comment on ${where2}: ${data2.html_url}`);
      return { status: "updated", url: data2.html_url, id: Number(data2.id) };
    }
    const { data } = await octokit.request(
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      { owner, repo, issue_number: issueNumber, body }
    );
    o.logger.info(`Posted the results comment on ${where2}: ${data.html_url}`);
    return { status: "created", url: data.html_url, id: Number(data.id) };
  } catch (e) {
    const reason = `could not post the results comment on ${where2}: ${describe(e)}`;
    o.logger.warn(reason);
    return { status: "failed", reason };
  }
}
function client(o) {
  const timeoutMs = o.timeoutMs ?? 3e4;
  return new GitHub({
    auth: o.token,
    baseUrl: (o.apiUrl ?? "https://api.github.com").replace(/\/+$/, ""),
    userAgent: `tungsten-e2e/${VERSION}`,
    log: {
      debug: (m) => o.logger.debug(m),
      info: (m) => o.logger.debug(m),
      warn: (m) => o.logger.warn(m),
      error: (m) => o.logger.error(m)
    },
    request: {
      fetch: (url, init) => fetch(url, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs)
      })
    }
  });
}
async function tokenLogin(octokit, o) {
  try {
    const { data } = await octokit.request("GET /user");
    return data.login;
  } catch (e) {
    if (statusOf(e) !== 403) throw e;
    const login = o.appLogin ?? GITHUB_ACTIONS_BOT;
    o.logger.debug(
      `The token cannot call GET /user (an app installation token such as GITHUB_TOKEN); taking comments by ${login} as ours.`
    );
    return login;
  }
}
async function findComment(octokit, t, marker, login) {
  const pages = octokit.paginate.iterator(
    "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
    { owner: t.owner, repo: t.repo, issue_number: t.issueNumber, per_page: 100 }
  );
  for await (const page of pages) {
    const mine = page.data.find(
      (c) => c.body?.includes(marker) && c.user?.login.toLowerCase() === login.toLowerCase()
    );
    if (mine) return Number(mine.id);
  }
  return void 0;
}
function statusOf(e) {
  const status = e?.status;
  return typeof status === "number" ? status : void 0;
}
function describe(e) {
  const status = statusOf(e);
  const message = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : "";
  if (status === void 0) return `${message}${cause}`;
  const hint = status === 403 || status === 401 ? "; the token needs 'pull-requests: write' in the workflow's permissions, and pull requests from forks only get a read-only GITHUB_TOKEN" : status === 404 ? "; check pr-number and that the token can see the repository" : "";
  return `HTTP ${status}: ${message}${hint}`;
}
async function postResultsComment(results, o) {
  const env = o.env ?? process.env;
  if (o.enabled === false) return { status: "skipped", reason: "comment is false" };
  if (!o.token) return { status: "skipped", reason: "no github-token was given" };
  const lookup = commentTargetFromEnv(env, o.prNumber);
  if ("skip" in lookup) return { status: "skipped", reason: lookup.skip };
  const sites = o.sites ?? results.sites.map((s) => s.name);
  const runUrl = runUrlFromEnv(env);
  return upsertPrComment({
    token: o.token,
    target: lookup.target,
    sites,
    body: renderCommentBody(results, { sites, ...runUrl ? { runUrl } : {} }),
    logger: o.logger,
    apiUrl: apiUrlFromEnv(env),
    ...o.appLogin ? { appLogin: o.appLogin } : {},
    ...o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}
  });
}

// src/report/summary.ts
var MAX_SUMMARY_BYTES = 1024 * 1024;
async function writeJobSummary(results, options) {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    options.logger.debug("GITHUB_STEP_SUMMARY is not set; no job summary written.");
    return void 0;
  }
  for (const variant of ["full", "comment", "brief"]) {
    const markdown = renderMarkdown(results, {
      variant,
      ...options.runUrl ? { runUrl: options.runUrl } : {}
    });
    if (Buffer.byteLength(markdown) > MAX_SUMMARY_BYTES) continue;
    try {
      await summary.addRaw(markdown, true).write();
      return variant;
    } catch (e) {
      summary.emptyBuffer();
      options.logger.warn(
        `could not write the job summary: ${e instanceof Error ? e.message : String(e)}`
      );
      return void 0;
    }
  }
  options.logger.warn("the results are too long for a job summary even in brief; see results.md.");
  return void 0;
}

// src/report/outputs.ts
var RESULT_FILES = {
  json: "results.json",
  markdown: "results.md",
  junit: "junit.xml"
};
function renderResultsJson(results) {
  return `${secrets.redact(JSON.stringify(redactResults(results), null, 2))}
`;
}
async function writeResultsFiles(dir, results, options = {}) {
  await mkdir2(dir, { recursive: true });
  const files = {
    json: join2(dir, RESULT_FILES.json),
    markdown: join2(dir, RESULT_FILES.markdown),
    junit: join2(dir, RESULT_FILES.junit)
  };
  await writeFile2(files.json, renderResultsJson(results));
  await writeFile2(
    files.markdown,
    renderMarkdown(results, {
      variant: "full",
      ...options.runUrl ? { runUrl: options.runUrl } : {}
    })
  );
  await writeFile2(files.junit, renderJunit(results));
  return files;
}
function setResultOutputs(o) {
  setOutput("passed", o.passed ? "true" : "false");
  if (o.files) {
    setOutput("results-json", secrets.redact(o.files.json));
    setOutput("results-markdown", secrets.redact(o.files.markdown));
  }
  if (o.commentUrl) setOutput("comment-url", secrets.redact(o.commentUrl));
}
async function publishResults(results, o) {
  const env = o.env ?? process.env;
  const runUrl = runUrlFromEnv(env);
  const files = await writeResultsFiles(o.resultsDir, results, runUrl ? { runUrl } : {});
  o.logger.info(`Results: ${files.json}, ${files.markdown}, ${files.junit}`);
  const summary3 = await writeJobSummary(results, {
    logger: o.logger,
    ...runUrl ? { runUrl } : {}
  });
  const comment = await postResultsComment(results, { ...o.comment, logger: o.logger, env });
  if (comment.status === "skipped") {
    if (o.comment.enabled === false) o.logger.info(`No PR comment: ${comment.reason}.`);
    else notice(`tungsten-e2e: no PR comment: ${comment.reason}.`);
  }
  setResultOutputs({
    passed: results.passed,
    files,
    ...comment.status === "created" || comment.status === "updated" ? { commentUrl: comment.url } : {}
  });
  return { files, ...summary3 ? { summary: summary3 } : {}, comment };
}

// src/report/results.ts
function siteRecords(plan) {
  return plan.sites.map((s) => ({
    name: s.name,
    provider: s.provider,
    ...s.region !== void 0 ? { region: s.region } : {},
    asn: s.asn,
    routerId: s.routerId,
    gateway: s.gateway,
    cidrs: { ...s.cidrs }
  }));
}
function buildResults(input) {
  const totals = {
    pass: input.checks.filter((c) => c.status === "pass").length,
    fail: input.checks.filter((c) => c.status === "fail").length,
    flaky: input.checks.filter((c) => c.status === "flaky").length
  };
  const passed = input.error === void 0 && !input.phases.some((p) => p.status === "failed") && input.checks.length > 0 && totals.fail === 0;
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
    checks: [...input.checks],
    totals,
    reproduce: input.reproduce,
    ...input.error !== void 0 ? { error: input.error } : {}
  };
}
function resultsExitCode(results) {
  if (results.error !== void 0) return ExitCode.infrastructure;
  return results.passed ? ExitCode.ok : ExitCode.checksFailed;
}

// src/pipeline/testRun.ts
import { join as join3 } from "node:path";

// src/suites/scenario.ts
function modeIntent(mode, namespaces) {
  const none = {
    mode,
    isolated: [],
    serviceIsolation: false,
    defaultDeny: false,
    allows: []
  };
  switch (mode) {
    case "default":
      return none;
    case "namespace":
      return { ...none, isolated: namespaces.slice(0, -1), serviceIsolation: true };
    case "service":
      return { ...none, isolated: namespaces.slice(0, -1), serviceIsolation: false };
    case "container": {
      const allows = namespaces.map((ns) => ({ to: ns, from: ns }));
      if (namespaces.length >= 2) allows.push({ to: namespaces[0], from: namespaces[1] });
      return { ...none, defaultDeny: true, allows };
    }
  }
}

// src/suites/expected.ts
function verdictFor(intent, from, to) {
  const sameDomain = from.namespace === to.namespace;
  switch (intent.mode) {
    case "default":
      return "allow";
    case "namespace":
    case "service": {
      if (sameDomain || !intent.isolated.includes(to.namespace)) return "allow";
      if (to.kind === "pod") return "deny";
      return intent.serviceIsolation ? "deny" : "allow";
    }
    case "container": {
      if (!intent.defaultDeny) return "allow";
      const allowed = intent.allows.some((a) => a.to === to.namespace && a.from === from.namespace);
      return allowed ? "allow" : "deny";
    }
  }
}
function expectedMatrix(mode, namespaces, clients, targets) {
  const intent = modeIntent(mode, namespaces);
  return clients.flatMap(
    (from) => targets.map((to) => ({ from, to, expected: verdictFor(intent, from, to) }))
  );
}

// src/suites/workloads.ts
var BACKEND_LABELS = { app: "echo" };
var CLIENT_LABELS = { app: "client" };
var NAMESPACE_LABEL = "tungsten-e2e.io/namespace";
function matchesLabels(labels, selector) {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

// src/suites/isolationConfig.ts
var ISOLATION_ANNOTATION = "opencontrail.org/isolation";
var SERVICE_ISOLATION_ANNOTATION = "opencontrail.org/isolation.service";
function isolationConfig(mode, namespaces) {
  const intent = modeIntent(mode, namespaces);
  const config = { mode, namespaces: [], networkPolicies: [] };
  for (const ns of namespaces) {
    const annotations = {};
    if (intent.isolated.includes(ns)) {
      annotations[ISOLATION_ANNOTATION] = "true";
      if (!intent.serviceIsolation) annotations[SERVICE_ISOLATION_ANNOTATION] = "false";
    }
    config.namespaces.push({ name: ns, labels: { [NAMESPACE_LABEL]: ns }, annotations });
  }
  if (intent.defaultDeny) {
    for (const ns of namespaces) {
      config.networkPolicies.push(denyAll(ns));
    }
  }
  for (const allow of intent.allows) {
    config.networkPolicies.push(
      allow.from === allow.to ? {
        name: "allow-clients",
        namespace: allow.to,
        podSelector: { ...BACKEND_LABELS },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: { ...CLIENT_LABELS } }] }]
      } : {
        name: `allow-from-${allow.from}`,
        namespace: allow.to,
        podSelector: { ...BACKEND_LABELS },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: { [NAMESPACE_LABEL]: allow.from } }] }]
      }
    );
  }
  return config;
}
function denyAll(namespace) {
  return {
    name: "deny-all-ingress",
    namespace,
    podSelector: {},
    policyTypes: ["Ingress"],
    ingress: []
  };
}

// src/suites/runner.ts
var pathOf = (x) => `${x.site}/${x.namespace}/${x.name}`;
async function deployAll(fabric, sites, namespaces, ctx) {
  const parts = await Promise.all(
    sites.map((s) => fabric.deployWorkloads(s, [...namespaces], ctx))
  );
  return {
    pods: parts.flatMap((p) => p.pods),
    services: parts.flatMap((p) => p.services)
  };
}
function backendsOf(service, world) {
  return world.pods.filter(
    (p) => p.role === "backend" && p.site === service.site && p.namespace === service.namespace && matchesLabels(p.labels, service.selector)
  );
}
function targetsOf(world) {
  const services = world.services.map((s) => ({
    site: s.site,
    namespace: s.namespace,
    name: s.name,
    kind: "service",
    ip: s.ip,
    port: s.port,
    backends: backendsOf(s, world).map((p) => p.name)
  }));
  const pods = world.pods.filter((p) => p.role === "backend").map((p) => {
    const port = p.port ?? // the service's port is the pod's only where the fabric maps port to the same port
    world.services.find((s) => backendsOf(s, world).includes(p))?.port;
    if (port === void 0) {
      throw new InfraError(
        `the fabric reported backend pod ${pathOf(p)} with no port, and no service selects it`
      );
    }
    return {
      site: p.site,
      namespace: p.namespace,
      name: p.name,
      kind: "pod",
      ip: p.ip,
      port,
      backends: [p.name]
    };
  });
  return [...pods, ...services];
}
var escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function replyNames(reply, backends) {
  return backends.find(
    (b) => new RegExp(`(^|[^A-Za-z0-9_.-])${escapeRe(b)}($|[^A-Za-z0-9_.-])`).test(reply)
  );
}
function observe(outcome, target) {
  const detail = outcome.detail.trim().replace(/\s+/g, " ").slice(0, 200);
  switch (outcome.result) {
    case "connected": {
      const named = replyNames(outcome.detail, target.backends);
      return named ? { verdict: "allow", wrongBackend: false, text: `reply from ${named}` } : {
        verdict: "allow",
        wrongBackend: true,
        text: `connected, but the reply did not name ${target.backends.join(" or ") || "any backend"}: "${detail}"`
      };
    }
    case "refused":
    case "timeout":
      return {
        verdict: "deny",
        wrongBackend: false,
        text: `${outcome.result}${detail ? `: ${detail}` : ""} (${outcome.durationMs} ms)`
      };
    case "error":
      return { verdict: "error", wrongBackend: false, text: `probe error: ${detail}` };
  }
}
var matches = (o, expected) => expected === "allow" ? o.verdict === "allow" && !o.wrongBackend : o.verdict === "deny";
async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
var Prober = class {
  constructor(fabric, ctx, timeoutMs, deadlineMs) {
    this.fabric = fabric;
    this.ctx = ctx;
    this.timeoutMs = timeoutMs;
    this.deadlineMs = deadlineMs;
  }
  fabric;
  ctx;
  timeoutMs;
  deadlineMs;
  async probeOnce(spec) {
    const deadline = AbortSignal.timeout(this.deadlineMs);
    const signal = AbortSignal.any([this.ctx.signal, deadline]);
    let timer;
    const late = new Promise((resolve) => {
      timer = setTimeout(
        () => resolve({
          result: "error",
          detail: `no answer from the probe within ${this.deadlineMs} ms`,
          durationMs: this.deadlineMs
        }),
        this.deadlineMs
      );
    });
    try {
      const outcome = await unlessAborted(
        Promise.race([
          this.fabric.probe(
            { site: spec.from.site, namespace: spec.from.namespace, name: spec.from.name },
            { ip: spec.to.ip, port: spec.to.port },
            this.timeoutMs,
            { ...this.ctx, signal }
          ),
          late
        ]),
        this.ctx.signal
      );
      this.ctx.signal.throwIfAborted();
      return observe(outcome, spec.to);
    } catch (e) {
      this.ctx.signal.throwIfAborted();
      return {
        verdict: "error",
        wrongBackend: false,
        text: `probe error: ${e instanceof Error ? e.message : String(e)}`
      };
    } finally {
      clearTimeout(timer);
    }
  }
  async check(spec) {
    const first = await this.probeOnce(spec);
    const base = {
      suite: spec.suite,
      mode: spec.mode,
      from: pathOf(spec.from),
      to: pathOf(spec.to),
      toKind: spec.to.kind,
      expected: spec.expected
    };
    if (matches(first, spec.expected)) {
      return { ...base, actual: first.verdict, attempts: 1, status: "pass", detail: first.text };
    }
    const second = await this.probeOnce(spec);
    const detail = `attempt 1: ${first.text}; attempt 2: ${second.text}`;
    if (spec.expected === "deny") {
      if (first.verdict === "allow") {
        return { ...base, actual: "allow", attempts: 2, status: "fail", detail };
      }
      const status2 = matches(second, "deny") ? "flaky" : "fail";
      return { ...base, actual: second.verdict, attempts: 2, status: status2, detail };
    }
    const status = matches(second, "allow") ? "flaky" : "fail";
    return { ...base, actual: second.verdict, attempts: 2, status, detail };
  }
};
var byPath = (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.toKind.localeCompare(b.toKind);
function summary2(title, checks, ms) {
  const count = (s) => checks.filter((c) => c.status === s).length;
  return `${title}: ${checks.length} checks in ${formatElapsed(ms)}: ${count("pass")} pass, ${count("fail")} fail, ${count("flaky")} flaky`;
}
async function applyEverywhere(fabric, sites, mode, namespaces, world, ctx) {
  const config = isolationConfig(mode, namespaces);
  await Promise.all(sites.map((s) => fabric.applyIsolation(s, config, world, ctx)));
}
function prober(fabric, ctx, options) {
  const timeoutMs = options.probeTimeoutMs ?? 2e3;
  return new Prober(fabric, ctx, timeoutMs, options.probeDeadlineMs ?? timeoutMs + 15e3);
}
async function runConnectivity(fabric, sites, world, ctx, options) {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  await applyEverywhere(fabric, sites, "default", options.namespaces, world, ctx);
  const clients = world.pods.filter((p2) => p2.role === "client");
  const targets = targetsOf(world);
  const specs = clients.flatMap(
    (from) => targets.filter((to) => to.site !== from.site).map((to) => ({ suite: "connectivity", mode: null, from, to, expected: "allow" }))
  );
  ctx.logger.info(`test: connectivity: ${specs.length} probes across ${sites.length} sites`);
  const p = prober(fabric, ctx, options);
  const checks = (await mapLimit(specs, options.concurrency ?? 8, (s) => p.check(s))).sort(byPath);
  ctx.logger.info(summary2("test: connectivity", checks, clock.now() - started));
  return checks;
}
async function runIsolation(fabric, sites, world, ctx, options) {
  const clock = options.clock ?? systemClock;
  const clients = world.pods.filter((p2) => p2.role === "client");
  const targets = targetsOf(world);
  const targetByPath = new Map(targets.map((t) => [`${t.kind}:${pathOf(t)}`, t]));
  const clientByPath = new Map(clients.map((c) => [pathOf(c), c]));
  const p = prober(fabric, ctx, options);
  const all = [];
  for (const mode of options.modes) {
    const started = clock.now();
    ctx.logger.info(`test: isolation / ${mode}: applying on ${sites.length} sites`);
    await applyEverywhere(fabric, sites, mode, options.namespaces, world, ctx);
    const specs = expectedMatrix(mode, options.namespaces, clients, targets).map(
      (cell) => ({
        suite: "isolation",
        mode,
        from: clientByPath.get(pathOf(cell.from)),
        to: targetByPath.get(`${cell.to.kind}:${pathOf(cell.to)}`),
        expected: cell.expected
      })
    );
    ctx.logger.info(`test: isolation / ${mode}: ${specs.length} probes`);
    const checks = (await mapLimit(specs, options.concurrency ?? 8, (s) => p.check(s))).sort(
      byPath
    );
    ctx.logger.info(summary2(`test: isolation / ${mode}`, checks, clock.now() - started));
    all.push(...checks);
  }
  return all;
}
async function runSuites(fabric, sites, ctx, options) {
  const world = await deployAll(fabric, sites, options.namespaces, ctx);
  const names = world.pods.filter((p) => p.role === "backend").map((p) => p.name);
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (repeated.length > 0) {
    ctx.logger.warn(
      `test: backend pod names repeat across sites (${repeated.join(", ")}); an echo reply naming one cannot prove which site answered`
    );
  }
  const checks = [];
  if (options.suites.includes("connectivity")) {
    checks.push(...await runConnectivity(fabric, sites, world, ctx, options));
  }
  if (options.suites.includes("isolation")) {
    checks.push(...await runIsolation(fabric, sites, world, ctx, options));
  }
  const tables = truthTables(checks).map(renderTruthTableText);
  if (options.logTables !== false) for (const t of tables) ctx.logger.info(t);
  return { world, checks, tables };
}

// src/pipeline/testRun.ts
var DEFAULT_RESULTS_DIR = "tungsten-e2e-results";
var messageOf = (e) => e instanceof Error ? e.message : String(e);
function reproduceCommand(source, plan) {
  const root = plan.sites.some((s) => s.provider === "local") ? "sudo " : "";
  const file = source.label ? "sites.yml" : source.sites;
  const flags = source.overrides.profile ? ` --profile ${quoteArg(source.overrides.profile)}` : "";
  const lines = [`${root}tungsten-e2e run --sites ${quoteArg(file)}${flags}`];
  if (source.label) lines.unshift(`# sites.yml: the site file from ${source.label}`);
  if (source.overrides.suites) {
    lines.unshift(`# with tests.suites: [${source.overrides.suites.join(", ")}] in the site file`);
  }
  return lines.join("\n");
}
function resultsOf(state, plan, checks, error) {
  const endedAt = (/* @__PURE__ */ new Date()).toISOString();
  return buildResults({
    runId: state.runId,
    plan,
    startedAt: state.createdAt,
    endedAt,
    phases: state.phases.map(
      (p) => p.name === "report" && !p.endedAt ? { ...p, endedAt } : { ...p }
    ),
    remediations: state.remediations,
    checks,
    reproduce: reproduceCommand(state.source, plan),
    ...error !== void 0 ? { error } : {}
  });
}
async function testAndReport(live, options) {
  const { plan, store, ctx } = live;
  let checks = [];
  let tables = [];
  let error;
  try {
    const suites = await phase(
      store,
      "test",
      ctx.logger,
      ctx.signal,
      () => runSuites(live.fabric, live.sites, ctx, {
        suites: plan.tests.suites,
        modes: plan.tests.isolationModes,
        namespaces: plan.tests.namespaces,
        logTables: false,
        ...options.probing
      })
    );
    checks = suites.checks;
    tables = suites.tables;
  } catch (e) {
    if (isUserError(e)) throw e;
    error = `test: ${messageOf(e)}`;
  }
  const written = await phase(
    store,
    "report",
    ctx.logger,
    new AbortController().signal,
    async () => {
      const results = resultsOf(store.state, plan, checks, error);
      const files = await writeResultsFiles(options.resultsDir, results);
      ctx.logger.info(`report: ${files.json}, ${files.markdown}, ${files.junit}`);
      return { results, files };
    }
  );
  return { ...written, tables };
}
async function runAndReport(options, env) {
  const runId = options.runId ?? newRunId();
  const stateDir = options.stateDir ?? join3(".tungsten-e2e", runId);
  let tested;
  let outcome;
  let failure;
  try {
    outcome = await run(
      {
        ...options,
        runId,
        stateDir,
        between: async (live) => {
          tested = await testAndReport(live, options);
          return tested.results.passed;
        }
      },
      env
    );
  } catch (e) {
    failure = e;
  }
  if (isUserError(failure)) throw failure;
  const store = await StateStore.open(stateDir).catch(() => void 0);
  if (!store || store.state.runId !== runId) {
    throw failure;
  }
  const plan = await replan(store.state);
  const error = failure !== void 0 ? messageOf(failure) : tested?.results.error;
  const results = resultsOf(store.state, plan, tested?.results.checks ?? [], error);
  const files = await writeResultsFiles(options.resultsDir, results);
  return {
    runId,
    stateDir,
    ...outcome ? { outcome } : {},
    results,
    files,
    tables: tested?.tables ?? [],
    ...store.state.teardown ? { teardown: store.state.teardown } : {},
    cancelled: env.signal?.aborted === true,
    exitCode: env.signal?.aborted ? ExitCode.interrupted : resultsExitCode(results)
  };
}

export {
  janitorCommand,
  listenForInterrupt,
  planCommand,
  checkGroupTitle,
  publishResults,
  resultsExitCode,
  DEFAULT_RESULTS_DIR,
  testAndReport,
  runAndReport
};
