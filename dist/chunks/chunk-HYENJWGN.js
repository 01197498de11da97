import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  DEFAULT_RESULTS_DIR,
  DURATION,
  DURATION_RULE,
  REGISTRY_USER,
  REGISTRY_USER_RULE,
  SUITES,
  TEARDOWN_POLICIES,
  checkProfileName,
  closest,
  olderThanSeconds,
  parseRaceRetries
} from "./chunk-LZG3BL2F.js";
import {
  keysFromInputs
} from "./chunk-AERCAA66.js";
import {
  UserError,
  secrets
} from "./chunk-IAZJZTPR.js";
import {
  debug,
  endGroup,
  error,
  getInput,
  info,
  setSecret,
  startGroup,
  warning
} from "./chunk-RQ7FSDD4.js";

// src/action/logger.ts
function actionLogger() {
  return {
    info: (m) => info(secrets.redact(m)),
    warn: (m) => warning(secrets.redact(m)),
    error: (m) => error(secrets.redact(m)),
    debug: (m) => debug(secrets.redact(m)),
    // each phase folds in the job's log; warnings and errors are annotations, seen outside the folds
    group: (t) => startGroup(secrets.redact(t)),
    groupEnd: () => endGroup(),
    errorAt: (m, where) => error(secrets.redact(m), { file: where.file, startLine: where.line })
  };
}

// src/action/inputs.ts
var SECRET_INPUTS = [
  "github-token",
  "aws-access-key-id",
  "aws-secret-access-key",
  "aws-session-token",
  "gcp-credentials",
  "azure-credentials",
  "registry-password",
  "ssh-private-key"
];
function maskCredentialInputs(read = (n) => getInput(n)) {
  for (const name of SECRET_INPUTS) {
    const value = read(name);
    if (!value) continue;
    for (const part of secretParts(value)) {
      setSecret(part);
      secrets.add(part);
    }
  }
}
function secretParts(value) {
  const parts = /* @__PURE__ */ new Set([value, ...value.split(/\r?\n/).map((l) => l.trim())]);
  try {
    const walk = (v) => {
      if (typeof v === "string") {
        parts.add(v);
        for (const line of v.split(/\r?\n/)) parts.add(line.trim());
      } else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(JSON.parse(value));
  } catch {
  }
  return [...parts].filter(
    (p) => p.length >= 4 && !/^[{}[\],:"\s]*$/.test(p) && !PUBLIC_JSON_WORDS.has(p)
  );
}
var PUBLIC_JSON_WORDS = /* @__PURE__ */ new Set([
  "service_account",
  "https://oauth2.googleapis.com/token",
  "true",
  "false"
]);
function readCredentialInputs() {
  const credentials = {};
  for (const name of SECRET_INPUTS) {
    const v = getInput(name);
    if (v) credentials[name] = v;
  }
  return credentials;
}
function providerCredentials(credentials) {
  const awsKeys = keysFromInputs(credentials);
  const key = credentials["ssh-private-key"];
  const gcp = credentials["gcp-credentials"];
  const azure = credentials["azure-credentials"];
  const registry = credentials["registry-password"];
  return {
    ...key ? { sshPrivateKey: key } : {},
    ...registry ? { registryPassword: registry } : {},
    ...awsKeys ? { awsKeys } : {},
    ...gcp ? { gcpCredentials: gcp } : {},
    ...azure ? { azureCredentials: azure } : {}
  };
}
function input(name) {
  return getInput(name).trim();
}
function oneOf(name, value, allowed) {
  if (allowed.includes(value)) return value;
  const guess = closest(value, allowed);
  throw new UserError(
    `action input '${name}' is "${value}"; use one of ${allowed.join(", ")}${guess ? ` (did you mean "${guess}"?)` : ""}.`
  );
}
function readInputs() {
  const command = oneOf("command", input("command") || "run", ["run", "plan", "janitor"]);
  const sites = getInput("sites");
  if (command !== "janitor" && !sites.trim()) {
    throw new UserError(
      `action input 'sites' is empty; give the path of a site file (e.g. examples/local.yml) or the site file's YAML inline.`
    );
  }
  const ttl = input("ttl");
  if (ttl && !DURATION.test(ttl)) {
    throw new UserError(`action input 'ttl' is "${ttl}"; it must be ${DURATION_RULE}.`);
  }
  const suitesText = input("suites");
  const suites = suitesText ? suitesText.split(/[\s,]+/).filter(Boolean).map((s) => oneOf("suites", s, SUITES)) : void 0;
  const raceRetries = parseRaceRetries(input("race-retries"), "action input 'race-retries'");
  const comment = boolean("comment", true);
  const dryRun = boolean("dry-run", false);
  const olderThan = input("older-than");
  if (command !== "janitor") {
    for (const [name, given] of [
      ["older-than", olderThan !== ""],
      ["dry-run", dryRun]
    ]) {
      if (given) {
        throw new UserError(
          `action input '${name}' is only for command: janitor, and the command is ${command}; remove it or set command: janitor.`
        );
      }
    }
  }
  if (olderThan) olderThanSeconds(olderThan, "action input 'older-than'");
  const doc = input("doc");
  if (doc && command !== "run") {
    throw new UserError(
      `action input 'doc' is only for command: run, and the command is ${command}; remove it or set command: run.`
    );
  }
  const prText = input("pr-number");
  const prNumber = prText ? Number(prText) : void 0;
  if (prNumber !== void 0 && (!Number.isInteger(prNumber) || prNumber <= 0)) {
    throw new UserError(
      `action input 'pr-number' is "${prText}"; use a pull request number like 42.`
    );
  }
  const credentials = readCredentialInputs();
  const profile = input("profile");
  if (profile) checkProfileName(profile, "action input 'profile'");
  const registryUsername = input("registry-username");
  if (registryUsername && !REGISTRY_USER.test(registryUsername)) {
    throw new UserError(
      `action input 'registry-username' is "${registryUsername}"; it must be ${REGISTRY_USER_RULE}.`
    );
  }
  return {
    command,
    sites,
    ...profile ? { profile } : {},
    ...ttl ? { ttl } : {},
    ...suites ? { suites } : {},
    comment,
    teardown: oneOf("teardown", input("teardown") || "always", TEARDOWN_POLICIES),
    raceRetries,
    resultsDir: input("results-dir") || DEFAULT_RESULTS_DIR,
    ...prNumber ? { prNumber } : {},
    ...registryUsername ? { registryUsername } : {},
    ...olderThan ? { olderThan } : {},
    dryRun,
    ...doc ? { doc } : {},
    credentials
  };
}
function boolean(name, fallback) {
  const text = input(name).toLowerCase();
  if (text === "") return fallback;
  if (text === "true" || text === "false") return text === "true";
  throw new UserError(`action input '${name}' is "${input(name)}"; use true or false.`);
}
function registryPasswordNote(inputs, localSites) {
  if (!inputs.credentials["registry-password"] || !localSites) return void 0;
  return `action input 'registry-password' is not used in this run: its sites are local, and the emulated fabric of local sites pulls no images; the password is for the tungsten fabric's image pulls on cloud and static sites.`;
}

// src/action/saved.ts
var SAVED = {
  /** the run's state directory, saved before the first resource exists */
  stateDir: "state-dir",
  runId: "run-id",
  /** main's teardown decision: `done` (it tore down) or `kept` (the teardown policy keeps the run) */
  decision: "teardown",
  /** where main exported the state of a kept run (the results directory) */
  keptStateDir: "kept-state-dir"
};

export {
  actionLogger,
  maskCredentialInputs,
  readCredentialInputs,
  providerCredentials,
  readInputs,
  registryPasswordNote,
  SAVED
};
