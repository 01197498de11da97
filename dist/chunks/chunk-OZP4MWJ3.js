import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  InfraError
} from "./chunk-IAZJZTPR.js";

// src/providers/cloud/clock.ts
var systemClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  }),
  random: () => Math.random()
};

// src/providers/cloud/retry.ts
var DEFAULT_RETRY_POLICY = {
  baseMs: 1e3,
  capMs: 3e4,
  deadlineMs: 5 * 6e4
};
function describeCall(site) {
  return `${site.provider} ${site.call} for ${site.resource}${site.region ? ` in ${site.region}` : ""}`;
}
var CloudCallError = class extends InfraError {
  constructor(site, fault, attempts, gaveUp, message, cause) {
    super(message, { cause });
    this.site = site;
    this.fault = fault;
    this.attempts = attempts;
    this.gaveUp = gaveUp;
    this.name = "CloudCallError";
  }
  site;
  fault;
  attempts;
  gaveUp;
};
function backoffMs(policy, retry, random) {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(retry, 30));
  return Math.round(random() * ceiling);
}
async function withRetry(site, attempt, options) {
  const { clock, policy } = options;
  const started = clock.now();
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (e) {
      const elapsedMs = clock.now() - started;
      const retryable = options.classify(e) === "retry";
      const delay = retryable ? backoffMs(policy, attempts - 1, () => clock.random()) : 0;
      const outOfTime = elapsedMs + delay > policy.deadlineMs;
      if (!retryable || outOfTime) {
        const info = { attempts, elapsedMs, gaveUp: retryable };
        throw options.fail ? options.fail(e, info) : cloudCallError(site, options.faultOf(e), info, e);
      }
      const fault = options.faultOf(e);
      options.logger?.debug(
        `${describeCall(site)}: ${fault.code} (attempt ${attempts}); retrying in ${delay} ms`
      );
      await clock.sleep(delay, options.signal);
    }
  }
}
function cloudCallError(site, fault, info, cause, hint = "it is throttling or unavailable, so try again later") {
  const said = `${fault.code}: ${fault.message}`;
  const message = info.gaveUp ? `${describeCall(site)} gave up after ${info.attempts} attempts over ${seconds(info.elapsedMs)}, the last answer being ${said} (${hint}).` : `${describeCall(site)} failed: ${said}`;
  return new CloudCallError(site, fault, info.attempts, info.gaveUp, message, cause);
}
function seconds(ms) {
  return ms >= 1e4 ? `${Math.round(ms / 1e3)} s` : `${(ms / 1e3).toFixed(1)} s`;
}

// src/providers/cloud/tags.ts
var TAG_RUN_ID = "tungsten-e2e:run-id";
var TAG_EXPIRES_AT = "tungsten-e2e:expires-at";
var TAG_SITE = "tungsten-e2e:site";
var TAG_REPO = "tungsten-e2e:repo";
var TAG_HOST = "tungsten-e2e:host";
var TAG_NAME = "Name";
function resourceName(runId, site, what) {
  return `te-${runId}-${site}-${what}`;
}
function runTags(ctx, site, name, extra = {}) {
  return {
    [TAG_NAME]: name,
    [TAG_RUN_ID]: ctx.runId,
    [TAG_EXPIRES_AT]: ctx.expiresAt.toISOString(),
    [TAG_SITE]: site,
    ...ctx.repo ? { [TAG_REPO]: ctx.repo } : {},
    ...extra
  };
}
function expiryOf(tags) {
  const text = tags[TAG_EXPIRES_AT];
  if (!text) return void 0;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? void 0 : d;
}

// src/providers/aws/hostKeys.ts
var BEGIN = "-----BEGIN SSH HOST KEY KEYS-----";
var END = "-----END SSH HOST KEY KEYS-----";
var FIELDS = {
  "ssh-ed25519": 2,
  "ssh-rsa": 3,
  "ecdsa-sha2-nistp256": 3,
  "ecdsa-sha2-nistp384": 3,
  "ecdsa-sha2-nistp521": 3,
  "ssh-dss": 5
};
function isCompleteKey(type, b64) {
  const fields = FIELDS[type];
  if (!fields || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return false;
  const blob = Buffer.from(b64, "base64");
  let at = 0;
  for (let i = 0; i < fields; i++) {
    if (at + 4 > blob.length) return false;
    const len = blob.readUInt32BE(at);
    at += 4;
    if (at + len > blob.length) return false;
    if (i === 0 && blob.subarray(at, at + len).toString("latin1") !== type) return false;
    at += len;
  }
  return at === blob.length;
}
function hostKeysFromConsole(output) {
  const text = output.replace(/\r/g, "");
  const end = text.lastIndexOf(END);
  if (end < 0) return [];
  const begin = text.lastIndexOf(BEGIN, end);
  if (begin < 0) return [];
  const lines = text.slice(begin + BEGIN.length, end).split("\n").map((l) => l.trim()).filter(Boolean);
  const keys = [];
  for (let i = 0; i < lines.length; i++) {
    const [type, first] = lines[i].split(/\s+/);
    if (!type || !first || !(type in FIELDS)) continue;
    let b64 = first;
    for (let j = i + 1; !isCompleteKey(type, b64) && j < lines.length; j++) {
      const next = lines[j].split(/\s+/)[0];
      if (!/^[A-Za-z0-9+/]+=*$/.test(next)) break;
      b64 += next;
    }
    if (isCompleteKey(type, b64)) keys.push(`${type} ${b64}`);
  }
  return [...new Set(keys)];
}

export {
  systemClock,
  DEFAULT_RETRY_POLICY,
  describeCall,
  withRetry,
  cloudCallError,
  TAG_RUN_ID,
  TAG_EXPIRES_AT,
  TAG_SITE,
  TAG_REPO,
  TAG_HOST,
  TAG_NAME,
  resourceName,
  runTags,
  expiryOf,
  isCompleteKey,
  hostKeysFromConsole
};
