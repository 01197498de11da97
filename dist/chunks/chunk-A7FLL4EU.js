import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  refuseUndersized
} from "./chunk-WI6UNROS.js";
import {
  InfraError,
  UserErrors,
  isUserError,
  userErrorsOf
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

// src/providers/cloud/hosts.ts
async function hostsReady(ssh, hosts, readKeys, how, ctx) {
  const { clock, waits } = how;
  await Promise.all(
    hosts.map(async (host, i) => {
      const deadline2 = clock.now() + waits.hostKeysMs;
      let keys = await readKeys(i);
      while (!keys.length && clock.now() < deadline2) {
        await clock.sleep(1e4, ctx.signal);
        keys = await readKeys(i);
      }
      if (keys.length) host.hostKeys = keys;
      else
        ctx.logger.warn(
          `${how.provider} ${host.name}: no host keys in the ${how.source} within ${Math.round(waits.hostKeysMs / 1e3)} s; its key will be pinned on first contact.`
        );
    })
  );
  if (!ssh) {
    throw new Error(
      `${how.owner}.provision needs options.ssh (the run RemotePool) to wait for SSH`
    );
  }
  const deadline = clock.now() + waits.sshMs;
  await Promise.all(
    hosts.map(async (h) => {
      await ssh.waitForSsh(
        {
          name: h.name,
          host: h.ssh.host,
          port: h.ssh.port,
          user: h.ssh.user,
          ...h.hostKeys ? { hostKeys: h.hostKeys } : {}
        },
        deadline
      );
      ctx.logger.info(`${how.provider} ${h.name}: SSH answers at ${h.ssh.user}@${h.ssh.host}`);
    })
  );
}

// src/providers/cloud/expiredRuns.ts
var ExpiredRuns = class {
  runs = /* @__PURE__ */ new Map();
  /** One resource of `runId` that expires at `expiry`; the run's expiry is its latest. */
  add(runId, expiry, resource) {
    const run = this.runs.get(runId) ?? {
      runId,
      expiresAt: expiry,
      resources: [],
      latest: expiry.getTime()
    };
    run.latest = Math.max(run.latest, expiry.getTime());
    run.expiresAt = new Date(run.latest);
    run.resources.push(resource);
    this.runs.set(runId, run);
  }
  /** The runs all of whose resources expired before `now`, in the order they were first seen. */
  before(now) {
    return [...this.runs.values()].filter((r) => r.latest < now.getTime()).map(({ runId, expiresAt, resources }) => ({ runId, expiresAt, resources }));
  }
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

// src/providers/cloud/siteCheck.ts
async function preflightEach(sites, check) {
  const errors = [];
  for (const site of sites) {
    try {
      await check(site);
    } catch (e) {
      if (isUserError(e)) errors.push(...userErrorsOf(e));
      else throw e;
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new UserErrors(errors);
}
var SiteChecks = class {
  done = /* @__PURE__ */ new Map();
  /** Sizes first (undersized roles refused), then the image; nothing is cached when either throws. */
  async check(site, sizes, image) {
    const hit = this.done.get(site.name);
    if (hit) return hit;
    const checked = await sizes();
    refuseUndersized(checked);
    const result = { sizes: checked, image: await image() };
    this.done.set(site.name, result);
    return result;
  }
};

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

// src/providers/cloud/call.ts
function retryBasics(runtime) {
  const { signal } = runtime;
  return {
    policy: runtime.policy,
    clock: runtime.clock,
    logger: runtime.logger,
    ...signal ? { signal } : {}
  };
}
function retriedCall(site, attempt, runtime, errors, options = {}) {
  return withRetry(site, attempt, {
    ...retryBasics(runtime),
    classify: (e) => errors.isTransient(e) || options.fresh && errors.isNotFound(e) || options.waitForDependents && errors.isInUse(e) ? "retry" : "fail",
    faultOf: errors.faultOf,
    fail: (e, info) => e instanceof InfraError || isUserError(e) ? e : errors.isCredentialsProblem(e) ? errors.credentialsError(site, e) : cloudCallError(site, errors.faultOf(e), info, e)
  });
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
  hostsReady,
  ExpiredRuns,
  DEFAULT_RETRY_POLICY,
  describeCall,
  withRetry,
  cloudCallError,
  preflightEach,
  SiteChecks,
  TAG_RUN_ID,
  TAG_EXPIRES_AT,
  TAG_SITE,
  TAG_REPO,
  TAG_HOST,
  TAG_NAME,
  resourceName,
  runTags,
  expiryOf,
  retryBasics,
  retriedCall,
  isCompleteKey,
  hostKeysFromConsole
};
