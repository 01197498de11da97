import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  DEFAULT_RETRY_POLICY,
  ExpiredRuns,
  SiteChecks,
  TAG_EXPIRES_AT,
  TAG_HOST,
  TAG_NAME,
  TAG_REPO,
  TAG_RUN_ID,
  TAG_SITE,
  cloudCallError,
  describeCall,
  expiryOf,
  hostsReady,
  isCompleteKey,
  preflightEach,
  resourceName,
  retriedCall,
  retryBasics,
  runTags,
  systemClock,
  withRetry
} from "./chunk-A7FLL4EU.js";
import {
  checkSiteSizes,
  typeField
} from "./chunk-WI6UNROS.js";
import {
  UNDERLAY_MTU,
  WIREGUARD_PORT
} from "./chunk-2HS6D2WA.js";
import {
  gcpClientFactory
} from "./chunk-T5G7RGOZ.js";
import {
  InfraError,
  UserError
} from "./chunk-IAZJZTPR.js";

// src/providers/gcp/api.ts
import { randomUUID } from "node:crypto";

// src/providers/gcp/errors.ts
var GRPC = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED"
];
var HTTP_STATUS = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  412: "FAILED_PRECONDITION",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED"
};
var NETWORK_CODES = /* @__PURE__ */ new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);
var RATE_REASONS = /^(rateLimitExceeded|userRateLimitExceeded|RATE_LIMIT_EXCEEDED)$/;
var TRANSIENT_OPERATION = /* @__PURE__ */ new Set([
  "INTERNAL_ERROR",
  "SERVICE_UNAVAILABLE",
  "RATE_LIMIT_EXCEEDED"
]);
var GcpOperationError = class extends Error {
  constructor(code, message, httpStatus) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
    this.name = "GcpOperationError";
  }
  code;
  httpStatus;
};
function parseBody(text) {
  if (text && typeof text === "object") return text;
  if (typeof text !== "string" || !text.trimStart().startsWith("{")) return void 0;
  try {
    return JSON.parse(text);
  } catch {
    return void 0;
  }
}
function failureOf(error) {
  if (error instanceof GcpOperationError) {
    return {
      status: error.code,
      message: error.message,
      ...error.httpStatus ? { http: error.httpStatus } : {}
    };
  }
  if (!error || typeof error !== "object") return { status: "UNKNOWN", message: String(error) };
  const e = error;
  const message = e.message ?? String(error);
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) {
    return { status: "UNAVAILABLE", message, network: e.code };
  }
  const http = e.response?.status ?? (typeof e.status === "number" ? e.status : void 0) ?? (typeof e.code === "number" && e.code >= 100 ? e.code : void 0);
  if (http !== void 0) {
    const body = parseBody(message) ?? parseBody(e.response?.data);
    const api = body?.error;
    const reason = api?.errors?.find((x) => x.reason)?.reason ?? api?.details?.find((d) => d["@type"]?.endsWith("google.rpc.ErrorInfo"))?.reason;
    return {
      status: api?.status ?? HTTP_STATUS[http] ?? `HTTP ${http}`,
      http,
      ...reason ? { reason } : {},
      message: api?.message ?? message.split("\n")[0]
    };
  }
  if (typeof e.code === "number") {
    return {
      status: GRPC[e.code] ?? "UNKNOWN",
      ...e.reason ? { reason: e.reason } : {},
      message: message.split("\n")[0]
    };
  }
  return { status: "UNKNOWN", message: message.split("\n")[0] };
}
function gcpFaultOf(error) {
  const f = failureOf(error);
  return {
    code: f.network ?? (f.reason && f.reason !== f.status ? `${f.status} (${f.reason})` : f.status),
    message: f.message,
    ...f.http ? { status: f.http } : {}
  };
}
function isRateLimited(error) {
  const f = failureOf(error);
  if (f.reason && RATE_REASONS.test(f.reason)) return true;
  return f.status === "RESOURCE_EXHAUSTED" && !/QUOTA_EXCEEDED|quotaExceeded/.test(f.reason ?? "");
}
function isTransient(error) {
  if (error instanceof GcpOperationError) return TRANSIENT_OPERATION.has(error.code);
  const f = failureOf(error);
  if (f.network || isRateLimited(error)) return true;
  if (f.http !== void 0 && f.http >= 500) return true;
  return f.status === "UNAVAILABLE" || f.status === "INTERNAL" || f.status === "DEADLINE_EXCEEDED";
}
function isNotFound(error) {
  const f = failureOf(error);
  return f.status === "NOT_FOUND" || f.status === "RESOURCE_NOT_FOUND";
}
function isAlreadyExists(error) {
  const f = failureOf(error);
  return f.status === "ALREADY_EXISTS" || f.status === "RESOURCE_ALREADY_EXISTS";
}
function isInUse(error) {
  const f = failureOf(error);
  return f.status === "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE" || f.reason === "resourceInUseByAnotherResource" || /is already being used by/.test(f.message);
}
function isCredentialsProblem(error) {
  if (error instanceof GcpOperationError) return false;
  const f = failureOf(error);
  if (f.status === "UNAUTHENTICATED") return true;
  if (f.status === "PERMISSION_DENIED") {
    return !isRateLimited(error) && !/quota/i.test(`${f.reason ?? ""} ${f.message}`);
  }
  return /Could not load the default credentials|Unable to detect a Project Id/i.test(f.message);
}

// src/providers/gcp/api.ts
var COMPUTE_ERRORS = {
  faultOf: gcpFaultOf,
  isTransient,
  isNotFound,
  isInUse,
  isCredentialsProblem,
  credentialsError
};
var NO_RETRY = { retry: null };
var GcpApi = class {
  constructor(clients, runtime) {
    this.clients = clients;
    this.runtime = runtime;
  }
  clients;
  runtime;
  get project() {
    return this.clients.project;
  }
  site(call, resource, where) {
    return { provider: "gcp", call, resource, ...where ? { region: where } : {} };
  }
  /** One API call (retried); `call` is the REST method, e.g. "instances.insert". */
  call(call, resource, attempt, options = {}) {
    const site = this.site(call, resource, options.where);
    return retriedCall(site, attempt, this.runtime, COMPUTE_ERRORS, options);
  }
  /**
   * A call that starts a long-running operation, then the wait for it. The
   * start call's HTTP retries reuse one `requestId`, so a retried insert
   * returns the operation the first attempt began instead of a second
   * resource; an operation that fails transiently is started again with a new
   * one.
   */
  operate(call, resource, scope, start, options = {}) {
    const where = whereOf(scope);
    const site = this.site(call, resource, where);
    return withRetry(
      site,
      async () => {
        const requestId = randomUUID();
        const [lro] = await this.call(call, resource, () => start(requestId), {
          ...options,
          ...where ? { where } : {}
        });
        return this.wait(lro.latestResponse ?? {}, scope, site);
      },
      {
        ...retryBasics(this.runtime),
        classify: (e) => e instanceof GcpOperationError && (isTransient(e) || options.waitForDependents && isInUse(e)) ? "retry" : "fail",
        faultOf: gcpFaultOf,
        fail: (e, info) => e instanceof GcpOperationError ? cloudCallError(site, gcpFaultOf(e), info, e) : e
      }
    );
  }
  /** Poll an operation until DONE; an operation error is thrown as GcpOperationError. */
  async wait(op, scope, site) {
    const { clock, signal } = this.runtime;
    const deadline = clock.now() + this.runtime.operationMs;
    let current = op;
    for (let poll = 0; current.status !== "DONE"; poll++) {
      if (!current.name) throw new InfraError(`${describeCall(site)} returned no operation name.`);
      if (clock.now() >= deadline) {
        throw new InfraError(
          `${describeCall(site)}: operation ${current.name} was still ${current.status ?? "pending"} after ${Math.round(this.runtime.operationMs / 1e3)} s; look it up with gcloud compute operations describe ${current.name}.`
        );
      }
      await clock.sleep(Math.min(1e4, 500 * 2 ** poll), signal);
      const name = current.name;
      current = await this.call(
        "zone" in scope ? "zoneOperations.get" : "region" in scope ? "regionOperations.get" : "globalOperations.get",
        `operation ${name} (${site.call} for ${site.resource})`,
        async () => {
          const req = { project: this.project, operation: name };
          const [got] = "zone" in scope ? await this.clients.zoneOperations.get({ ...req, zone: scope.zone }, NO_RETRY) : "region" in scope ? await this.clients.regionOperations.get(
            { ...req, region: scope.region },
            NO_RETRY
          ) : await this.clients.globalOperations.get(req, NO_RETRY);
          return got;
        },
        { where: whereOf(scope) }
      );
    }
    const first = current.error?.errors?.[0];
    if (first) {
      throw new GcpOperationError(
        first.code ?? "OPERATION_FAILED",
        first.message ?? `operation ${current.name} failed`,
        current.httpErrorStatusCode ?? void 0
      );
    }
    return current;
  }
};
function whereOf(scope) {
  return "zone" in scope ? scope.zone : "region" in scope ? scope.region : void 0;
}
function credentialsError(site, e) {
  const fault = gcpFaultOf(e);
  if (/Could not load the default credentials/i.test(fault.message)) {
    return new UserError(
      `no GCP credentials for ${describeCall(site)}: ${fault.message}; set the gcp-credentials input, or log in with google-github-actions/auth (OIDC) before this step (docs/gcp.md).`
    );
  }
  return new UserError(
    `GCP refused ${describeCall(site)}: ${fault.code}: ${fault.message}; check the credentials and that their role allows compute.${site.call} (docs/gcp.md lists the roles).`
  );
}

// src/providers/gcp/catalogue.ts
var GCP_CATALOGUE = { cloud: "GCP", call: "machineTypes.get" };
async function gcpMachineTypes(api, zone, types, where) {
  const out = /* @__PURE__ */ new Map();
  const unknown = [];
  for (const type of new Set(types)) {
    try {
      const t = await api.call(
        "machineTypes.get",
        `machine type ${type}`,
        async () => (await api.clients.machineTypes.get(
          { project: api.project, zone, machineType: type },
          NO_RETRY
        ))[0],
        { where: zone }
      );
      if (t.memoryMb === void 0 || t.memoryMb === null) {
        throw new UserError(`GCP machineTypes.get for ${type} in ${zone} gave no memoryMb.`);
      }
      const entry = { name: type, memoryMiB: Number(t.memoryMb) };
      if (typeof t.guestCpus === "number") entry.vcpus = t.guestCpus;
      out.set(type, entry);
    } catch (e) {
      if (isNotFound(e.cause ?? e)) unknown.push(type);
      else throw e;
    }
  }
  if (unknown.length) {
    throw new UserError(
      `${unknown.map((t) => `${where(t)} ${t}`).join(", ")}: GCP machineTypes.get in ${zone} does not know it; use a machine type offered in ${zone} (gcloud compute machine-types list --zones ${zone}).`
    );
  }
  return out;
}
async function checkGcpSite(api, site, plan, zone) {
  const typed = site.hosts.filter((h) => h.instanceType);
  const catalogue = await gcpMachineTypes(
    api,
    zone,
    typed.map((h) => h.instanceType),
    (type) => typeField(site, plan, typed.find((h) => h.instanceType === type).role, type)
  );
  return checkSiteSizes(site, plan, catalogue, GCP_CATALOGUE, (role) => bootDiskGiB(plan, role));
}
function bootDiskGiB(plan, role, imageGiB = 0) {
  return Math.max(plan.profile.minimums[role]["disk-gib"], imageGiB);
}

// src/providers/gcp/image.ts
var IMAGE_PATH = /^projects\/([a-z][-a-z0-9.:]*)\/global\/images\/([a-z]([-a-z0-9]*[a-z0-9])?)$/;
var FAMILY = /^([a-z][-a-z0-9.:]*)\/([a-z]([-a-z0-9]*[a-z0-9])?)$/;
function imageQueryFor(site, profile) {
  const ref = profile.images.gcp;
  const profileText = "family" in ref ? `${ref.project}/${ref.family}` : void 0;
  const given = site.image.ref;
  if (given && given !== profileText) {
    const path = IMAGE_PATH.exec(given);
    if (path) return { project: path[1], image: path[2] };
    const fam = FAMILY.exec(given);
    if (fam) return { project: fam[1], family: fam[2] };
    throw new UserError(
      `sites[${site.index}].image "${given}" is neither PROJECT/FAMILY (e.g. rocky-linux-cloud/rocky-linux-9) nor projects/PROJECT/global/images/NAME; set one of those for site "${site.name}".`
    );
  }
  if ("family" in ref) return { project: ref.project, family: ref.family };
  throw new UserError(
    `profile ${profile.name} names no GCP image${"none" in ref ? ` (${ref.none})` : ""}; set sites[${site.index}].image to PROJECT/FAMILY for site "${site.name}".`
  );
}
async function resolveImage(api, site, profile) {
  const q = imageQueryFor(site, profile);
  const what = "family" in q ? `image family ${q.project}/${q.family}` : `image ${q.project}/${q.image}`;
  let image;
  try {
    image = await api.call(
      "family" in q ? "images.getFromFamily" : "images.get",
      what,
      async () => "family" in q ? (await api.clients.images.getFromFamily(
        { project: q.project, family: q.family },
        NO_RETRY
      ))[0] : (await api.clients.images.get({ project: q.project, image: q.image }, NO_RETRY))[0]
    );
  } catch (e) {
    const cause = e.cause ?? e;
    if (!isNotFound(cause)) throw e;
    throw new UserError(
      `GCP found no ${what} for site "${site.name}" (${gcpFaultOf(cause).message}); set sites[${site.index}].image to PROJECT/FAMILY of an image you can use.`
    );
  }
  if (!image.selfLink || !image.name) {
    throw new UserError(`GCP returned ${what} without a selfLink or name for site "${site.name}".`);
  }
  return {
    selfLink: image.selfLink,
    name: image.name,
    diskSizeGb: Number(image.diskSizeGb ?? 0),
    deprecated: Boolean(image.deprecated?.state && image.deprecated.state !== "ACTIVE")
  };
}

// src/providers/gcp/labels.ts
var LABEL_MAX = 63;
var ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
var LABEL_TIME = /^(\d{4})-(\d{2})-(\d{2})t(\d{2})-(\d{2})-(\d{2})-(\d{3})z$/;
function labelKey(tag) {
  return tag.toLowerCase().replace(/:/g, "_");
}
function tagKey(label, known) {
  return known.find((k) => labelKey(k) === label) ?? label;
}
function escapeValue(value) {
  return [...value].map(
    (c) => /[a-z0-9-]/.test(c) ? c : [...Buffer.from(c, "utf8")].map((b) => `_${b.toString(16).padStart(2, "0")}`).join("")
  ).join("");
}
function unescapeValue(value) {
  const bytes = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "_" && /^[0-9a-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}
function labelValue(key, value) {
  if (key === TAG_EXPIRES_AT) {
    const m = ISO.exec(value);
    if (m) return `${m[1]}-${m[2]}-${m[3]}t${m[4]}-${m[5]}-${m[6]}-${m[7]}z`;
  }
  return escapeValue(value).slice(0, LABEL_MAX).replace(/_[0-9a-f]?$/, "");
}
function tagValue(key, label) {
  if (key === TAG_EXPIRES_AT) {
    const m = LABEL_TIME.exec(label);
    if (m) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
  }
  return unescapeValue(label);
}
function toLabels(tags) {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [labelKey(k), labelValue(k, v)]));
}
function fromLabels(labels, known) {
  return Object.fromEntries(
    Object.entries(labels ?? {}).map(([k, v]) => {
      const key = tagKey(k, known);
      return [key, tagValue(key, v)];
    })
  );
}
var DESCRIPTION_PREFIX = "tungsten-e2e ";
function describeTags(tags) {
  return `${DESCRIPTION_PREFIX}${JSON.stringify(tags)}`;
}
function tagsFromDescription(description) {
  if (!description?.startsWith(DESCRIPTION_PREFIX)) return {};
  try {
    const parsed = JSON.parse(description.slice(DESCRIPTION_PREFIX.length));
    if (!parsed || typeof parsed !== "object") return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e) => typeof e[1] === "string")
    );
  } catch {
    return {};
  }
}

// src/providers/gcp/network.ts
var DEFAULT_SSH_CIDR = "0.0.0.0/0";
var edgeTag = (runId) => `te-${runId}-edge`;
var networkUrl = (project, name) => `projects/${project}/global/networks/${name}`;
function nodeFirewalls(site, plan, ctx, network) {
  const name = (what) => resourceName(ctx.runId, site.name, what);
  const rule = (what, allowed, sourceRanges) => ({
    name: name(what),
    description: describeTags(runTags(ctx, site.name, name(what))),
    network,
    direction: "INGRESS",
    priority: 1e3,
    allowed,
    sourceRanges
  });
  const rules = [
    rule("ssh", [{ IPProtocol: "tcp", ports: ["22"] }], [site.sshCidr ?? DEFAULT_SSH_CIDR]),
    rule("intra", [{ IPProtocol: "all" }], [site.cidrs.underlay])
  ];
  const others = plan.sites.filter((s) => s.name !== site.name).map((s) => s.cidrs.underlay);
  if (others.length) {
    rules.push(
      rule(
        "peers",
        [
          { IPProtocol: "tcp", ports: ["179"] },
          { IPProtocol: "udp", ports: ["6635", "4789"] },
          { IPProtocol: "47" }
        ],
        others
      )
    );
  }
  return rules;
}
function edgeFirewall(site, peer, ctx, network) {
  const name = resourceName(ctx.runId, site, `wg-${peer.site}`);
  return {
    name,
    description: describeTags(runTags(ctx, site, name)),
    network,
    direction: "INGRESS",
    priority: 1e3,
    allowed: [{ IPProtocol: "udp", ports: [String(WIREGUARD_PORT)] }],
    sourceRanges: [`${peer.publicAddress}/32`],
    targetTags: [edgeTag(ctx.runId)]
  };
}
async function insertFirewall(api, firewall) {
  try {
    await api.operate(
      "firewalls.insert",
      `firewall ${firewall.name}`,
      { global: true },
      (requestId) => api.clients.firewalls.insert({
        project: api.project,
        firewallResource: firewall,
        requestId
      }),
      { fresh: true }
    );
  } catch (e) {
    if (!isAlreadyExists(e.cause ?? e)) throw e;
  }
}
async function createSiteNetwork(api, site, plan, region, ctx) {
  const name = (what) => resourceName(ctx.runId, site.name, what);
  const record = (kind, id, where) => ctx.recordResource({
    provider: "gcp",
    site: site.name,
    kind,
    id,
    ...where ? { region: where } : {}
  });
  const network = name("vpc");
  await api.operate(
    "networks.insert",
    `network ${network}`,
    { global: true },
    (requestId) => api.clients.networks.insert({
      project: api.project,
      requestId,
      networkResource: {
        name: network,
        description: describeTags(runTags(ctx, site.name, network)),
        autoCreateSubnetworks: false,
        routingConfig: { routingMode: "REGIONAL" },
        // GCP's default is 1460; the tunnel and the pods' MTU are planned on UNDERLAY_MTU
        mtu: UNDERLAY_MTU
      }
    })
  );
  await record("network", network);
  const netUrl = networkUrl(api.project, network);
  const subnetwork = name("underlay");
  await api.operate(
    "subnetworks.insert",
    `subnetwork ${subnetwork} (${site.cidrs.underlay})`,
    { region },
    (requestId) => api.clients.subnetworks.insert({
      project: api.project,
      region,
      requestId,
      subnetworkResource: {
        name: subnetwork,
        description: describeTags(runTags(ctx, site.name, subnetwork)),
        network: netUrl,
        ipCidrRange: site.cidrs.underlay,
        region
      }
    }),
    { fresh: true }
  );
  await record("subnetwork", subnetwork, region);
  for (const fw of nodeFirewalls(site, plan, ctx, netUrl)) {
    await insertFirewall(api, fw);
    await record("firewall", fw.name);
  }
  return {
    network,
    networkUrl: netUrl,
    subnetwork,
    subnetworkUrl: `projects/${api.project}/regions/${region}/subnetworks/${subnetwork}`,
    region
  };
}

// src/providers/gcp/instances.ts
var SSH_USER = "tungsten";
function instanceName(runId, site, host) {
  return resourceName(runId, site, host.slice(site.length + 1));
}
function instanceResource(ctx, net, spec) {
  const { host } = spec;
  const name = instanceName(ctx.runId, spec.site, host.name);
  const tags = runTags(ctx, spec.site, name, { [TAG_HOST]: host.name });
  const key = spec.sshPublicKey.trim();
  if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( [^\n]*)?$/.test(key)) {
    throw new Error("the run public key is not a one-line OpenSSH public key");
  }
  const edge = host.role === "edge";
  return {
    name,
    description: describeTags(tags),
    machineType: `zones/${spec.zone}/machineTypes/${host.instanceType}`,
    labels: toLabels(tags),
    tags: { items: edge ? [edgeTag(ctx.runId)] : [] },
    canIpForward: edge,
    networkInterfaces: [
      {
        subnetwork: net.subnetworkUrl,
        networkIP: host.privateAddress,
        accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT" }]
      }
    ],
    disks: [
      {
        boot: true,
        autoDelete: true,
        type: "PERSISTENT",
        initializeParams: {
          sourceImage: spec.imageUrl,
          diskSizeGb: spec.bootGiB,
          diskType: `zones/${spec.zone}/diskTypes/pd-balanced`,
          labels: toLabels(tags)
        }
      }
    ],
    metadata: {
      items: [
        { key: "ssh-keys", value: `${SSH_USER}:${key}` },
        { key: "block-project-ssh-keys", value: "TRUE" },
        { key: "enable-oslogin", value: "FALSE" },
        // the guest agent publishes the host keys as guest attributes
        { key: "enable-guest-attributes", value: "TRUE" }
      ]
    },
    scheduling: spec.spot ? {
      provisioningModel: "SPOT",
      instanceTerminationAction: "DELETE",
      automaticRestart: false,
      onHostMaintenance: "TERMINATE"
    } : { provisioningModel: "STANDARD" }
  };
}
async function launch(api, net, ctx, spec) {
  const resource = instanceResource(ctx, net, spec);
  await api.operate(
    "instances.insert",
    `instance ${spec.host.name} (${spec.host.instanceType}, ${spec.host.privateAddress})`,
    { zone: spec.zone },
    (requestId) => api.clients.instances.insert({
      project: api.project,
      zone: spec.zone,
      requestId,
      instanceResource: resource
    }),
    { fresh: true }
  );
  return { host: spec.host, name: resource.name, zone: spec.zone };
}
async function waitRunning(api, launched, clock, deadline, signal) {
  for (let poll = 0; ; poll++) {
    const found = /* @__PURE__ */ new Map();
    for (const l of launched) {
      const [i] = await api.call(
        "instances.get",
        `instance ${l.host.name} (${l.name})`,
        () => api.clients.instances.get(
          { project: api.project, zone: l.zone, instance: l.name },
          NO_RETRY
        ),
        { fresh: true, where: l.zone }
      );
      found.set(l.name, i);
      if (["STOPPING", "STOPPED", "TERMINATED", "SUSPENDED"].includes(i.status ?? "")) {
        throw new InfraError(
          `gcp instance ${l.host.name} (${l.name}) in ${l.zone} went to ${i.status} instead of RUNNING: ${i.statusMessage || "Compute Engine gave no reason"}.`
        );
      }
    }
    if (launched.every((l) => found.get(l.name)?.status === "RUNNING")) return found;
    if (clock.now() >= deadline) {
      const late = launched.filter((l) => found.get(l.name)?.status !== "RUNNING").map((l) => `${l.host.name} (${found.get(l.name)?.status ?? "unknown"})`);
      throw new InfraError(
        `gcp instances ${late.join(", ")} were not RUNNING by the deadline; check them in the console.`
      );
    }
    await clock.sleep(Math.min(15e3, 2e3 * (poll + 1)), signal);
  }
}
async function guestHostKeys(api, l) {
  let attrs;
  try {
    [attrs] = await api.call(
      "instances.getGuestAttributes",
      `host keys of ${l.host.name} (${l.name})`,
      () => api.clients.instances.getGuestAttributes(
        { project: api.project, zone: l.zone, instance: l.name, queryPath: "hostkeys/" },
        NO_RETRY
      ),
      { where: l.zone }
    );
  } catch (e) {
    if (isNotFound(e.cause ?? e)) return [];
    throw e;
  }
  const keys = (attrs.queryValue?.items ?? []).filter((a) => a.namespace === "hostkeys" && a.key && a.value).map((a) => [a.key, a.value.trim()]).filter(([type, b64]) => isCompleteKey(type, b64)).map(([type, b64]) => `${type} ${b64}`);
  return [...new Set(keys)];
}
async function edgeRoutes(api, ctx, site, net, edge, others, record) {
  for (const other of others) {
    const name = resourceName(ctx.runId, site, `to-${other.site}`);
    try {
      await api.operate(
        "routes.insert",
        `route ${name} (${other.cidr} via edge ${edge.name})`,
        { global: true },
        (requestId) => api.clients.routes.insert({
          project: api.project,
          requestId,
          routeResource: {
            name,
            description: describeTags(runTags(ctx, site, name)),
            network: net.networkUrl,
            destRange: other.cidr,
            priority: 1e3,
            nextHopInstance: `projects/${api.project}/zones/${edge.zone}/instances/${edge.name}`
          }
        }),
        { fresh: true }
      );
    } catch (e) {
      if (!isAlreadyExists(e.cause ?? e)) throw e;
    }
    await record(name);
  }
}

// src/providers/gcp/teardown.ts
var KNOWN_TAGS = [TAG_RUN_ID, TAG_EXPIRES_AT, TAG_SITE, TAG_REPO, TAG_HOST, TAG_NAME];
function nameFilter(runId) {
  return `name eq te-${runId ?? "[a-z][a-z0-9]{5}"}-.*`;
}
var last = (url) => (url ?? "").split("/").pop() ?? "";
async function aggregated(iterable) {
  const out = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}
var routes = {
  kind: "route",
  async find(api, filter) {
    const [items] = await api.call(
      "routes.list",
      "routes of the run",
      () => api.clients.routes.list({ project: api.project, filter }, NO_RETRY)
    );
    return items.map((r) => ({
      kind: "route",
      id: r.name,
      tags: tagsFromDescription(r.description),
      scope: { global: true }
    }));
  },
  remove: (api, item) => api.operate(
    "routes.delete",
    `route ${item.id}`,
    item.scope,
    (requestId) => api.clients.routes.delete({ project: api.project, route: item.id, requestId })
  ),
  howToDelete: (p, i) => `gcloud compute routes delete ${i.id} --project ${p} --quiet`
};
var firewalls = {
  kind: "firewall",
  async find(api, filter) {
    const [items] = await api.call(
      "firewalls.list",
      "firewall rules of the run",
      () => api.clients.firewalls.list({ project: api.project, filter }, NO_RETRY)
    );
    return items.map((f) => ({
      kind: "firewall",
      id: f.name,
      tags: tagsFromDescription(f.description),
      scope: { global: true }
    }));
  },
  remove: (api, item) => api.operate(
    "firewalls.delete",
    `firewall ${item.id}`,
    item.scope,
    (requestId) => api.clients.firewalls.delete({
      project: api.project,
      firewall: item.id,
      requestId
    })
  ),
  howToDelete: (p, i) => `gcloud compute firewall-rules delete ${i.id} --project ${p} --quiet`
};
var instances = {
  kind: "instance",
  async find(api, filter) {
    const lists = await api.call(
      "instances.aggregatedList",
      "instances of the run",
      () => aggregated(
        api.clients.instances.aggregatedListAsync(
          { project: api.project, filter, returnPartialSuccess: true },
          { ...NO_RETRY, autoPaginate: false }
        )
      )
    );
    return lists.flatMap(
      ([, l]) => (l.instances ?? []).map((i) => ({
        kind: "instance",
        id: i.name,
        tags: fromLabels(i.labels, KNOWN_TAGS),
        scope: { zone: last(i.zone) }
      }))
    );
  },
  remove: (api, item) => api.operate(
    "instances.delete",
    `instance ${item.id}`,
    item.scope,
    (requestId) => api.clients.instances.delete({
      project: api.project,
      zone: item.scope.zone,
      instance: item.id,
      requestId
    })
  ),
  howToDelete: (p, i) => `gcloud compute instances delete ${i.id} --zone ${i.scope.zone} --project ${p} --quiet`
};
var disks = {
  kind: "disk",
  async find(api, filter) {
    const lists = await api.call(
      "disks.aggregatedList",
      "disks of the run",
      () => aggregated(
        api.clients.disks.aggregatedListAsync(
          { project: api.project, filter, returnPartialSuccess: true },
          { ...NO_RETRY, autoPaginate: false }
        )
      )
    );
    return lists.flatMap(
      ([, l]) => (l.disks ?? []).map((d) => ({
        kind: "disk",
        id: d.name,
        tags: fromLabels(d.labels, KNOWN_TAGS),
        scope: { zone: last(d.zone) }
      }))
    );
  },
  remove: (api, item) => api.operate(
    "disks.delete",
    `disk ${item.id}`,
    item.scope,
    (requestId) => api.clients.disks.delete({
      project: api.project,
      zone: item.scope.zone,
      disk: item.id,
      requestId
    }),
    { waitForDependents: true }
  ),
  howToDelete: (p, i) => `gcloud compute disks delete ${i.id} --zone ${i.scope.zone} --project ${p} --quiet`
};
var subnetworks = {
  kind: "subnetwork",
  async find(api, filter) {
    const lists = await api.call(
      "subnetworks.aggregatedList",
      "subnetworks of the run",
      () => aggregated(
        api.clients.subnetworks.aggregatedListAsync(
          { project: api.project, filter, returnPartialSuccess: true },
          { ...NO_RETRY, autoPaginate: false }
        )
      )
    );
    return lists.flatMap(
      ([, l]) => (l.subnetworks ?? []).map((s) => ({
        kind: "subnetwork",
        id: s.name,
        tags: tagsFromDescription(s.description),
        scope: { region: last(s.region) }
      }))
    );
  },
  remove: (api, item) => api.operate(
    "subnetworks.delete",
    `subnetwork ${item.id}`,
    item.scope,
    (requestId) => api.clients.subnetworks.delete({
      project: api.project,
      region: item.scope.region,
      subnetwork: item.id,
      requestId
    }),
    { waitForDependents: true }
  ),
  howToDelete: (p, i) => `gcloud compute networks subnets delete ${i.id} --region ${i.scope.region} --project ${p} --quiet`
};
var networks = {
  kind: "network",
  async find(api, filter) {
    const [items] = await api.call(
      "networks.list",
      "networks of the run",
      () => api.clients.networks.list({ project: api.project, filter }, NO_RETRY)
    );
    return items.map((n) => ({
      kind: "network",
      id: n.name,
      tags: tagsFromDescription(n.description),
      scope: { global: true }
    }));
  },
  remove: (api, item) => api.operate(
    "networks.delete",
    `network ${item.id}`,
    item.scope,
    (requestId) => api.clients.networks.delete({ project: api.project, network: item.id, requestId }),
    { waitForDependents: true }
  ),
  howToDelete: (p, i) => `gcloud compute networks delete ${i.id} --project ${p} --quiet`
};
var KINDS = [routes, firewalls, instances, disks, subnetworks, networks];
async function findTagged(api, filter, runId) {
  const out = [];
  for (const k of KINDS) out.push(...(await k.find(api, filter)).filter((f) => ours(f, runId)));
  return out;
}
function ours(f, runId) {
  const id = f.tags[TAG_RUN_ID];
  return runId ? id === runId : Boolean(id && f.tags[TAG_EXPIRES_AT]);
}
async function removeAll(api, runId, onFound = () => {
}) {
  const result = { deleted: [], failed: [] };
  for (const k of KINDS) {
    const items = (await k.find(api, nameFilter(runId))).filter((f) => ours(f, runId));
    if (items.length === 0) continue;
    onFound(items);
    await Promise.all(
      items.map(async (item) => {
        try {
          await k.remove(api, item);
          result.deleted.push(item);
        } catch (e) {
          if (isNotFound(e.cause ?? e)) {
            result.deleted.push(item);
            return;
          }
          result.failed.push({
            item,
            error: e instanceof Error ? e.message : String(e),
            howToDelete: k.howToDelete(api.project, item)
          });
        }
      })
    );
  }
  return result;
}

// src/providers/gcp/provider.ts
var DEFAULT_GCP_WAITS = {
  operationMs: 10 * 6e4,
  runningMs: 10 * 6e4,
  hostKeysMs: 3 * 6e4,
  sshMs: 10 * 6e4
};
var GcpProvider = class {
  constructor(options = {}) {
    this.options = options;
    this.clients = options.clients ?? gcpClientFactory(options);
    this.clock = options.clock ?? systemClock;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.waits = { ...DEFAULT_GCP_WAITS, ...options.waits };
  }
  options;
  name = "gcp";
  clients;
  clock;
  policy;
  waits;
  checked = new SiteChecks();
  async api(ctx) {
    return new GcpApi(await this.clients(), {
      clock: this.clock,
      policy: this.policy,
      logger: ctx.logger,
      signal: ctx.signal,
      operationMs: this.waits.operationMs
    });
  }
  async preflight(sites, plan, ctx) {
    const mine = sites.filter((s) => s.provider === "gcp");
    for (const s of mine) placeOf(s);
    await preflightEach(mine, (site) => this.check(site, plan, ctx));
  }
  /** Each role's machine type against the minimums, from machineTypes.get; never throws for size. */
  async sizes(site, plan, ctx) {
    return checkGcpSite(await this.api(ctx), site, plan, placeOf(site).zone);
  }
  check(site, plan, ctx) {
    return this.checked.check(
      site,
      () => this.sizes(site, plan, ctx),
      async () => {
        const image = await resolveImage(await this.api(ctx), site, plan.profile);
        if (image.deprecated) {
          ctx.logger.warn(
            `gcp site "${site.name}": image ${image.name} is deprecated; consider setting sites[${site.index}].image to an image family you maintain.`
          );
        }
        return image;
      }
    );
  }
  async provision(site, plan, ctx) {
    const { region, zone } = placeOf(site);
    const { image } = await this.check(site, plan, ctx);
    const api = await this.api(ctx);
    ctx.logger.info(
      `gcp site "${site.name}" in ${zone} (project ${api.project}): image ${image.name}, ${site.hosts.length} instances`
    );
    const net = await createSiteNetwork(api, site, plan, region, ctx);
    const launched = [];
    for (const host of site.hosts) {
      const l = await launch(api, net, ctx, {
        host,
        site: site.name,
        zone,
        imageUrl: image.selfLink,
        bootGiB: bootDiskGiB(plan, host.role, image.diskSizeGb),
        spot: site.spot,
        sshPublicKey: ctx.sshPublicKey
      });
      await ctx.recordResource({
        provider: "gcp",
        site: site.name,
        kind: "instance",
        id: l.name,
        region: zone
      });
      ctx.logger.info(`gcp site "${site.name}": created ${host.name} as ${l.name}`);
      launched.push(l);
    }
    const edge = launched.find((l) => l.host.role === "edge");
    if (edge) {
      const others = plan.sites.filter((s) => s.name !== site.name).map((s) => ({ site: s.name, cidr: s.cidrs.underlay }));
      await edgeRoutes(
        api,
        ctx,
        site.name,
        net,
        edge,
        others,
        (name) => ctx.recordResource({ provider: "gcp", site: site.name, kind: "route", id: name })
      );
    }
    const running = await waitRunning(
      api,
      launched,
      this.clock,
      this.clock.now() + this.waits.runningMs,
      ctx.signal
    );
    const hosts = launched.map((l) => {
      const nic = running.get(l.name)?.networkInterfaces?.[0];
      const publicAddress = nic?.accessConfigs?.[0]?.natIP ?? void 0;
      if (nic?.networkIP !== l.host.privateAddress) {
        throw new InfraError(
          `gcp instance ${l.host.name} (${l.name}) got private address ${nic?.networkIP}, not the planned ${l.host.privateAddress}.`
        );
      }
      if (!publicAddress) {
        throw new InfraError(
          `gcp instance ${l.host.name} (${l.name}) in ${zone} has no external address although one was requested.`
        );
      }
      return {
        name: l.host.name,
        site: site.name,
        role: l.host.role,
        privateAddress: nic.networkIP,
        publicAddress,
        ssh: { host: publicAddress, port: 22, user: SSH_USER }
      };
    });
    await hostsReady(
      this.options.ssh,
      hosts,
      (i) => guestHostKeys(api, launched[i]),
      {
        provider: "gcp",
        owner: "GcpProvider",
        source: "guest attributes",
        clock: this.clock,
        waits: this.waits
      },
      ctx
    );
    return { name: site.name, provider: "gcp", hosts };
  }
  async authorizeEdges(site, peers, ctx) {
    const api = await this.api(ctx);
    const network = networkUrl(api.project, resourceName(ctx.runId, site.name, "vpc"));
    for (const peer of peers) {
      const fw = edgeFirewall(site.name, peer, ctx, network);
      await insertFirewall(api, fw);
      await ctx.recordResource({
        provider: "gcp",
        site: site.name,
        kind: "firewall",
        id: fw.name
      });
    }
  }
  async destroy(target, ctx) {
    const api = await this.api(ctx);
    const report = { deleted: [], remaining: [] };
    const result = await removeAll(
      api,
      target.runId,
      (items) => ctx.logger.info(
        `gcp ${api.project}: deleting ${items.length} ${items[0].kind} of run ${target.runId}: ${items.map((i) => i.id).join(", ")}`
      )
    );
    report.deleted.push(...result.deleted.map(resourceOf));
    report.remaining.push(
      ...result.failed.map((f) => ({
        resource: resourceOf(f.item),
        error: f.error,
        howToDelete: f.howToDelete
      }))
    );
    if (result.deleted.length || result.failed.length) {
      const failed = new Set(result.failed.map((f) => `${f.item.kind}/${f.item.id}`));
      for (const left of await findTagged(api, nameFilter(target.runId), target.runId)) {
        if (failed.has(`${left.kind}/${left.id}`)) continue;
        report.remaining.push({
          resource: resourceOf(left),
          error: `still there after teardown of run ${target.runId}`,
          howToDelete: `run "tungsten-e2e down" again, or delete ${left.kind} ${left.id} in project ${api.project} by hand`
        });
      }
    }
    return report;
  }
  async listExpired(now, ctx) {
    const api = await this.api(ctx);
    const runs = new ExpiredRuns();
    for (const f of await findTagged(api, nameFilter())) {
      const expiry = expiryOf(f.tags);
      if (expiry) runs.add(f.tags[TAG_RUN_ID], expiry, resourceOf(f));
    }
    return runs.before(now);
  }
};
function placeOf(site) {
  const zone = site.zone ?? (site.region ? `${site.region}-b` : void 0);
  if (!zone) {
    throw new UserError(
      `sites[${site.index}].zone is missing for gcp site "${site.name}"; set zone (e.g. zone: europe-west1-b) or region.`
    );
  }
  const region = zone.replace(/-[a-z]$/, "");
  if (site.region && site.region !== region) {
    throw new UserError(
      `sites[${site.index}].zone ${zone} is not in sites[${site.index}].region ${site.region} for gcp site "${site.name}"; make them agree.`
    );
  }
  return { region, zone };
}
function resourceOf(f) {
  const where = "zone" in f.scope ? f.scope.zone : "region" in f.scope ? f.scope.region : void 0;
  return {
    provider: "gcp",
    site: f.tags[TAG_SITE] ?? "",
    kind: f.kind,
    id: f.id,
    ...where ? { region: where } : {}
  };
}

export {
  DEFAULT_GCP_WAITS,
  GcpProvider,
  placeOf
};
