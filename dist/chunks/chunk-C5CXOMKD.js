import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  sizeTable
} from "./chunk-WI6UNROS.js";
import {
  buildPlanFromConfig,
  docSteps,
  loadSiteFile,
  readDoc,
  renderSiteManifest,
  renderedCommands,
  runnableErrors
} from "./chunk-LZG3BL2F.js";
import {
  CancelledError,
  ExitCode,
  InfraError,
  UserError,
  UserErrors
} from "./chunk-IAZJZTPR.js";

// src/commands/interrupt.ts
import { setMaxListeners } from "node:events";
var INTERRUPT_SIGNALS = ["SIGINT", "SIGTERM"];
function listenForInterrupt(options) {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const exit = options.exit ?? ((code) => process.exit(code));
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
function imagesLine(plan) {
  const from = plan.registry.mirror ? `through the mirror ${plan.registry.mirror}` : `from ${plan.versions.tfRegistry.split("/")[0]}`;
  const user = plan.registry.username ? ` as ${plan.registry.username}` : "";
  return plan.registry.images === "runner" ? `Images: the runner pulls each once ${from}${user} and pushes it to every node (registry.images: runner).` : `Images: every node pulls them ${from}${user} (registry.images: nodes).`;
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
  if (plan.sites.some((s) => s.provider !== "local")) out.push(imagesLine(plan));
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  return out.join("\n");
}

// src/commands/plan.ts
import { readFile } from "node:fs/promises";

// src/providers/catalogues.ts
var SIZE_CATALOGUES = {
  aws: async () => (await import("./sizeCatalogue-SQSE5GPR.js")).awsSizeCatalogue(),
  gcp: async () => (await import("./sizeCatalogue-DCUDYS6A.js")).gcpSizeCatalogue(),
  azure: async () => (await import("./sizeCatalogue-AYKYIID7.js")).azureSizeCatalogue()
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

// src/commands/outputFiles.ts
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
var USER_CAUSES = {
  ENOTDIR: "a part of the path is a file, not a directory",
  EEXIST: "a file of that name is in the way",
  EISDIR: "a directory of that name is in the way",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENAMETOOLONG: "the name is too long",
  ENOENT: "a part of the path does not exist",
  ELOOP: "the path loops through symbolic links"
};
async function writeInto(dir, label, files) {
  const written = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    await attempt(() => mkdir(dirname(path), { recursive: true }), dir, label, dirname(path));
    await attempt(() => writeFile(path, text), dir, label, path);
    written.push(path);
  }
  return written;
}
async function attempt(op, dir, label, path) {
  try {
    await op();
  } catch (e) {
    const code = e.code ?? "";
    const cause = USER_CAUSES[code];
    if (cause) {
      throw new UserError(
        `${label} ${dir}: cannot write ${path} (${cause}); choose a directory you can write to.`
      );
    }
    throw new InfraError(
      `cannot write ${path} under ${label} ${dir}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e }
    );
  }
}

// src/commands/plan.ts
var PLAN_JSON = "plan.json";
function planJsonText(json) {
  return `${JSON.stringify(json, null, 2)}
`;
}
async function writePlanJson(dir, label, json) {
  const [path] = await writeInto(dir, label, { [PLAN_JSON]: planJsonText(json) });
  return path;
}
async function planCommand(options, io) {
  if (options.doc && !options.commands) {
    throw new UserError(
      "plan --doc shows a doc's steps in the install; it goes with --commands (plan --sites F --commands --doc FILE)."
    );
  }
  const config = await loadSiteFile(options.sites, options.overrides, options.sitesLabel);
  const unrunnable = runnableErrors(config);
  if (unrunnable.length > 0) throw new UserErrors(unrunnable);
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
    const files = {};
    for (const { site, manifest } of rendered) {
      files[`${site.name}/kubeadm.yaml`] = site.kubeadm.config;
      if (manifest !== void 0) files[`${site.name}/tf.yaml`] = manifest;
    }
    files[PLAN_JSON] = planJsonText(json);
    await writeInto(options.out, "--out", files);
  }
  if (options.commands) {
    const steps = options.doc ? docSteps(await readDoc(options.doc), options.doc) : [];
    const commands = renderedCommands(plan, { registryPassword: "***" }, steps);
    if (commands.length === 0) {
      throw new UserError(
        "plan --commands shows the install on cloud and static sites (the tungsten fabric); every site here is local, which runs the emulated fabric."
      );
    }
    if (options.json) io.stdout(`${JSON.stringify(commands, null, 2)}
`);
    else {
      for (const c of commands) {
        io.stdout(`### ${c.site} / ${c.host} / ${c.step}
${c.script}

`);
      }
    }
    for (const w of plan.warnings) io.logger.warn(w);
    return json;
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

export {
  listenForInterrupt,
  planToJson,
  writeInto,
  writePlanJson,
  planCommand
};
