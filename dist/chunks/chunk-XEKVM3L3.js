import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  DEFAULT_RETRY_POLICY,
  ExpiredRuns,
  SiteChecks,
  TAG_EXPIRES_AT,
  TAG_HOST,
  TAG_RUN_ID,
  TAG_SITE,
  describeCall,
  expiryOf,
  hostKeysFromConsole,
  hostsReady,
  preflightEach,
  resourceName,
  retriedCall,
  runTags,
  systemClock
} from "./chunk-A7FLL4EU.js";
import {
  checkSiteSizes,
  typeField
} from "./chunk-WI6UNROS.js";
import {
  azureClientFactory
} from "./chunk-D66SPQEI.js";
import {
  WIREGUARD_PORT
} from "./chunk-2HS6D2WA.js";
import {
  InfraError,
  UserError
} from "./chunk-IAZJZTPR.js";

// src/providers/azure/errors.ts
var THROTTLING = /* @__PURE__ */ new Set([
  "TooManyRequests",
  "SubscriptionRequestsThrottled",
  "TenantRequestsThrottled",
  "ResourceRequestsThrottled",
  "RetryableError"
]);
var TRANSIENT = /* @__PURE__ */ new Set([
  "InternalServerError",
  "ServiceUnavailable",
  "GatewayTimeout",
  "InternalOperationError",
  "OperationPreempted",
  "RetryableErrorDueToAnotherOperation",
  "AnotherOperationInProgress",
  "REQUEST_SEND_ERROR",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT"
]);
var CREDENTIALS = /* @__PURE__ */ new Set([
  "AuthenticationFailed",
  "AuthorizationFailed",
  "InvalidAuthenticationToken",
  "InvalidAuthenticationTokenTenant",
  "ExpiredAuthenticationToken",
  "SubscriptionNotFound",
  "CredentialUnavailableError",
  "AuthenticationRequiredError",
  "LinkedAuthorizationFailed"
]);
function azureFaultOf(error) {
  if (!error || typeof error !== "object") return { code: "Error", message: String(error) };
  const e = error;
  const inner = e.details?.error;
  const code = inner?.code ?? e.code ?? (e.name && e.name !== "Error" && e.name !== "RestError" ? e.name : void 0) ?? "Error";
  const fault = {
    code,
    message: (inner?.message ?? e.message ?? String(error)).split("\n")[0]
  };
  if (typeof e.statusCode === "number") fault.status = e.statusCode;
  return fault;
}
function isTransient(error) {
  const f = azureFaultOf(error);
  if (THROTTLING.has(f.code) || TRANSIENT.has(f.code)) return true;
  if (f.status === 429) return true;
  return f.status !== void 0 && f.status >= 500;
}
function isNotFound(error) {
  const f = azureFaultOf(error);
  return f.status === 404 || /NotFound$/.test(f.code);
}
function isInUse(error) {
  const f = azureFaultOf(error);
  return /InUse|CannotBeDeleted|NicReservedForAnotherVm/.test(f.code);
}
function isCredentialsProblem(error) {
  const f = azureFaultOf(error);
  return CREDENTIALS.has(f.code) || f.status === 401;
}

// src/providers/azure/api.ts
var ARM_ERRORS = {
  faultOf: azureFaultOf,
  isTransient,
  isNotFound,
  isInUse,
  isCredentialsProblem,
  credentialsError
};
var AzureApi = class {
  constructor(clients, runtime) {
    this.clients = clients;
    this.runtime = runtime;
  }
  clients;
  runtime;
  get subscriptionId() {
    return this.clients.subscriptionId;
  }
  site(call, resource, where) {
    return { provider: "azure", call, resource, ...where ? { region: where } : {} };
  }
  /** One call (retried); `call` is the SDK operation, e.g. "virtualMachines.createOrUpdate". */
  call(call, resource, attempt, options = {}) {
    const site = this.site(call, resource, options.where);
    return retriedCall(site, attempt, this.runtime, ARM_ERRORS, options);
  }
  /**
   * Start a long-running operation and poll it until done or the deadline.
   * ARM's PUTs and DELETEs are idempotent, so a transient failure anywhere
   * (the start, a poll, or the operation's final status) starts it again.
   */
  operate(call, resource, start, options = {}) {
    const site = this.site(call, resource, options.where);
    return this.call(
      call,
      resource,
      async () => {
        const started = start();
        const poller = isPollerV3(started) ? started : await started;
        if (isPollerV3(poller)) await poller.submitted();
        const { clock, signal } = this.runtime;
        const deadline = clock.now() + this.runtime.operationMs;
        for (let poll = 0; !done(poller); poll++) {
          if (clock.now() >= deadline) {
            throw new InfraError(
              `${describeCall(site)}: the operation was not finished after ${Math.round(this.runtime.operationMs / 1e3)} s; check the resource in the Azure portal.`
            );
          }
          await clock.sleep(Math.min(1e4, 1e3 * 2 ** poll), signal);
          await poller.poll();
        }
        return "getResult" in poller ? poller.getResult() : poller.result;
      },
      options
    );
  }
  /** All items of a paged list, retried as a whole. */
  list(call, resource, pages, options = {}) {
    return this.call(
      call,
      resource,
      async () => {
        const out = [];
        for await (const item of pages()) out.push(item);
        return out;
      },
      options
    );
  }
};
function isPollerV3(p) {
  return Boolean(p) && typeof p.submitted === "function" && typeof p.poll === "function";
}
function done(p) {
  return typeof p.isDone === "function" ? p.isDone() : p.isDone;
}
function credentialsError(site, e) {
  const fault = azureFaultOf(e);
  return new UserError(
    `Azure refused ${describeCall(site)}: ${fault.code}: ${fault.message}; check the azure-credentials input or the azure/login step, and that the identity has the Contributor role on the subscription (docs/azure.md).`
  );
}

// src/providers/azure/catalogue.ts
var AZURE_CATALOGUE = { cloud: "Azure", call: "Resource SKUs" };
async function azureVmSizes(api, location, types, where) {
  const wanted = new Set(types);
  const out = /* @__PURE__ */ new Map();
  if (wanted.size === 0) return out;
  const skus = await api.list(
    "resourceSkus.list",
    `VM sizes in ${location}`,
    () => api.clients.compute.resourceSkus.list({ filter: `location eq '${location}'` }),
    { where: location }
  );
  const refused = [];
  for (const sku of skus) {
    if (sku.resourceType !== "virtualMachines" || !sku.name || !wanted.has(sku.name)) continue;
    if (!(sku.locations ?? []).some((l) => l.toLowerCase() === location.toLowerCase())) continue;
    const cap = (name) => sku.capabilities?.find((c) => c.name === name)?.value;
    const restriction = (sku.restrictions ?? []).find(
      (r) => r.type === "Location" && (r.values ?? []).some((v) => v.toLowerCase() === location.toLowerCase())
    );
    if (restriction) {
      refused.push(
        `${where(sku.name)} ${sku.name}: Azure Resource SKUs says it is restricted in ${location} for this subscription (${restriction.reasonCode ?? "no reason given"})`
      );
      continue;
    }
    const memoryGB = Number(cap("MemoryGB"));
    if (!Number.isFinite(memoryGB)) continue;
    const entry = { name: sku.name, memoryMiB: Math.round(memoryGB * 1024) };
    const vcpus = Number(cap("vCPUs"));
    if (Number.isFinite(vcpus)) entry.vcpus = vcpus;
    const tempMB = Number(cap("MaxResourceVolumeMB"));
    if (Number.isFinite(tempMB) && tempMB > 0) entry.localDiskGiB = Math.round(tempMB / 1024);
    out.set(sku.name, entry);
  }
  const missing = [...wanted].filter(
    (t) => !out.has(t) && !refused.some((r) => r.includes(` ${t}:`))
  );
  const problems = [
    ...refused,
    ...missing.map(
      (t) => `${where(t)} ${t}: Azure Resource SKUs lists no such VM size in ${location}`
    )
  ];
  if (problems.length) {
    throw new UserError(
      `${problems.join("; ")}; use a size offered in ${location} (az vm list-skus --location ${location} --resource-type virtualMachines).`
    );
  }
  return out;
}
async function checkAzureSite(api, site, plan, location) {
  const typed = site.hosts.filter((h) => h.instanceType);
  const catalogue = await azureVmSizes(
    api,
    location,
    typed.map((h) => h.instanceType),
    (type) => typeField(site, plan, typed.find((h) => h.instanceType === type).role, type)
  );
  return checkSiteSizes(site, plan, catalogue, AZURE_CATALOGUE, (role) => osDiskGiB(plan, role));
}
var AZURE_MIN_OS_DISK_GIB = 30;
function osDiskGiB(plan, role) {
  return Math.max(plan.profile.minimums[role]["disk-gib"], AZURE_MIN_OS_DISK_GIB);
}

// src/providers/azure/image.ts
var URN = /^([A-Za-z0-9][\w.-]*):([\w.-]+):([\w.-]+):([\w.-]+)$/;
function imageRefFor(site, profile) {
  const ref = profile.images.azure;
  const profileText = "publisher" in ref ? `${ref.publisher}:${ref.offer}:${ref.sku}:${ref.version}` : void 0;
  const given = site.image.ref;
  if (given && given !== profileText) {
    const m = URN.exec(given);
    if (!m) {
      throw new UserError(
        `sites[${site.index}].image "${given}" is not an image URN PUBLISHER:OFFER:SKU:VERSION (e.g. resf:rockylinux-x86_64:9-base:latest); set one for site "${site.name}".`
      );
    }
    return { publisher: m[1], offer: m[2], sku: m[3], version: m[4] };
  }
  if ("publisher" in ref) {
    return { publisher: ref.publisher, offer: ref.offer, sku: ref.sku, version: ref.version };
  }
  throw new UserError(
    `profile ${profile.name} names no Azure image${"none" in ref ? ` (${ref.none})` : ""}; set sites[${site.index}].image to PUBLISHER:OFFER:SKU:VERSION for site "${site.name}".`
  );
}
function compareVersions(a, b) {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a.localeCompare(b);
}
async function resolveImage(api, site, profile, location) {
  const ref = imageRefFor(site, profile);
  const urn = `${ref.publisher}:${ref.offer}:${ref.sku}`;
  const notFound = (detail) => new UserError(
    `Azure has no image ${urn}:${ref.version} in ${location} for site "${site.name}" (${detail}); set sites[${site.index}].image to an image URN offered there (az vm image list --location ${location} --publisher ${ref.publisher} --all).`
  );
  let version = ref.version;
  try {
    if (version === "latest") {
      const versions = await api.call(
        "virtualMachineImages.list",
        `image versions of ${urn}`,
        () => api.clients.compute.virtualMachineImages.list(
          location,
          ref.publisher,
          ref.offer,
          ref.sku
        ),
        { where: location }
      );
      const newest = versions.map((v) => v.name).sort(compareVersions).pop();
      if (!newest) throw notFound("no versions listed");
      version = newest;
    }
    const image = await api.call(
      "virtualMachineImages.get",
      `image ${urn}:${version}`,
      () => api.clients.compute.virtualMachineImages.get(
        location,
        ref.publisher,
        ref.offer,
        ref.sku,
        version
      ),
      { where: location }
    );
    const out = { ...ref, version };
    if (image.plan?.name && image.plan.publisher && image.plan.product) {
      out.plan = {
        name: image.plan.name,
        publisher: image.plan.publisher,
        product: image.plan.product
      };
    }
    if (image.osDiskImage?.operatingSystem && image.osDiskImage.operatingSystem !== "Linux") {
      throw new UserError(
        `Azure image ${urn}:${version} is a ${image.osDiskImage.operatingSystem} image; site "${site.name}" needs a Linux one.`
      );
    }
    return out;
  } catch (e) {
    const cause = e.cause ?? e;
    if (!(e instanceof UserError) && isNotFound(cause)) throw notFound(azureFaultOf(cause).message);
    throw e;
  }
}

// src/providers/azure/network.ts
var DEFAULT_SSH_CIDR = "0.0.0.0/0";
var groupName = (runId, site) => resourceName(runId, site, "rg").replace(/-rg$/, "");
function armId(sub, group, type, name) {
  const rg = `/subscriptions/${sub}/resourceGroups/${group}`;
  return type && name ? `${rg}/providers/${type}/${name}` : rg;
}
var rule = (name, priority, protocol, sources, ports, description, destination = "*") => ({
  name,
  description,
  priority,
  protocol,
  access: "Allow",
  direction: "Inbound",
  sourcePortRange: "*",
  ...sources.length === 1 ? { sourceAddressPrefix: sources[0] } : { sourceAddressPrefixes: sources },
  ...ports === void 0 ? { destinationPortRange: "*" } : ports.length === 1 ? { destinationPortRange: ports[0] } : { destinationPortRanges: ports },
  destinationAddressPrefix: destination
});
function nodeRules(site, plan) {
  const others = plan.sites.filter((s) => s.name !== site.name).map((s) => s.cidrs.underlay);
  const rules = [
    rule(
      "ssh",
      100,
      "Tcp",
      [site.sshCidr ?? DEFAULT_SSH_CIDR],
      ["22"],
      "SSH (key only, per-run key)"
    ),
    rule("intra-site", 110, "*", [site.cidrs.underlay], void 0, "everything inside the site")
  ];
  if (others.length) {
    rules.push(
      rule(
        "peers",
        120,
        "*",
        others,
        void 0,
        "BGP, MPLS over UDP, VXLAN and GRE from the other sites"
      )
    );
  }
  return rules;
}
function edgeRules(peer, edgeAddress, priority) {
  return [
    rule(
      `wg-${peer.site}`,
      priority,
      "Udp",
      [`${peer.publicAddress}/32`],
      [String(WIREGUARD_PORT)],
      `WireGuard from the ${peer.site} edge`,
      `${edgeAddress}/32`
    )
  ];
}
async function createGroup(api, site, location, ctx) {
  const group = groupName(ctx.runId, site.name);
  await api.call(
    "resourceGroups.createOrUpdate",
    `resource group ${group}`,
    () => api.clients.resources.resourceGroups.createOrUpdate(group, {
      location,
      tags: runTags(ctx, site.name, group)
    }),
    { where: location }
  );
  await ctx.recordResource({
    provider: "azure",
    site: site.name,
    kind: "resource-group",
    id: armId(api.subscriptionId, group),
    region: location
  });
  return group;
}
async function createSiteNetwork(api, site, plan, group, location, ctx) {
  const name = (what) => resourceName(ctx.runId, site.name, what);
  const tags = (n) => runTags(ctx, site.name, n);
  const sub = api.subscriptionId;
  const record = (type, kind, n) => ctx.recordResource({
    provider: "azure",
    site: site.name,
    kind,
    id: armId(sub, group, type, n),
    region: location
  });
  const opts = { where: location, fresh: true };
  const nsg = name("nsg");
  const nsgBody = {
    location,
    tags: tags(nsg),
    securityRules: nodeRules(site, plan)
  };
  await api.operate(
    "networkSecurityGroups.createOrUpdate",
    `network security group ${nsg}`,
    () => api.clients.network.networkSecurityGroups.beginCreateOrUpdate(group, nsg, nsgBody),
    opts
  );
  await record("Microsoft.Network/networkSecurityGroups", "network-security-group", nsg);
  const routes = name("routes");
  const edge = site.hosts.find((h) => h.role === "edge");
  const others = plan.sites.filter((s) => s.name !== site.name);
  await api.operate(
    "routeTables.createOrUpdate",
    `route table ${routes}`,
    () => api.clients.network.routeTables.beginCreateOrUpdate(group, routes, {
      location,
      tags: tags(routes),
      disableBgpRoutePropagation: true,
      routes: edge ? others.map((o) => ({
        name: `to-${o.name}`,
        addressPrefix: o.cidrs.underlay,
        nextHopType: "VirtualAppliance",
        nextHopIpAddress: edge.privateAddress
      })) : []
    }),
    opts
  );
  await record("Microsoft.Network/routeTables", "route-table", routes);
  const vnet = name("vnet");
  await api.operate(
    "virtualNetworks.createOrUpdate",
    `virtual network ${vnet} (${site.cidrs.underlay})`,
    () => api.clients.network.virtualNetworks.beginCreateOrUpdate(group, vnet, {
      location,
      tags: tags(vnet),
      addressSpace: { addressPrefixes: [site.cidrs.underlay] },
      subnets: [
        {
          name: "underlay",
          addressPrefix: site.cidrs.underlay,
          networkSecurityGroup: {
            id: armId(sub, group, "Microsoft.Network/networkSecurityGroups", nsg)
          },
          routeTable: { id: armId(sub, group, "Microsoft.Network/routeTables", routes) }
        }
      ]
    }),
    opts
  );
  await record("Microsoft.Network/virtualNetworks", "virtual-network", vnet);
  return {
    group,
    location,
    nsg,
    subnetId: `${armId(sub, group, "Microsoft.Network/virtualNetworks", vnet)}/subnets/underlay`
  };
}
async function authorizeEdgeRules(api, group, nsg, edgeAddress, peers, where) {
  const current = await api.call(
    "networkSecurityGroups.get",
    `network security group ${nsg}`,
    () => api.clients.network.networkSecurityGroups.get(group, nsg)
  );
  const existing = current.securityRules ?? [];
  let next = Math.max(1e3, ...existing.map((r) => (r.priority ?? 0) + 1));
  for (const peer of peers) {
    const already = existing.find((r) => r.name === `ike-${peer.site}`)?.priority;
    const priority = already ?? next;
    if (already === void 0) next += 2;
    for (const r of edgeRules(peer, edgeAddress, priority)) {
      await api.operate(
        "securityRules.createOrUpdate",
        `rule ${r.name} of ${nsg}`,
        () => api.clients.network.securityRules.beginCreateOrUpdate(group, nsg, r.name, r),
        { where }
      );
    }
  }
}

// src/providers/azure/teardown.ts
var DELETE_API_VERSIONS = {
  "microsoft.compute/virtualmachines": "2024-07-01",
  "microsoft.compute/disks": "2024-03-02",
  "microsoft.network/networkinterfaces": "2024-05-01",
  "microsoft.network/publicipaddresses": "2024-05-01",
  "microsoft.network/networksecuritygroups": "2024-05-01",
  "microsoft.network/routetables": "2024-05-01",
  "microsoft.network/virtualnetworks": "2024-05-01"
};
var SWEEP_ORDER = [
  "microsoft.compute/virtualmachines",
  "microsoft.compute/disks",
  "microsoft.network/networkinterfaces",
  "microsoft.network/publicipaddresses",
  "microsoft.network/virtualnetworks",
  "microsoft.network/routetables",
  "microsoft.network/networksecuritygroups"
];
var tagFilter = (key, value) => value === void 0 ? `tagName eq '${key}'` : `tagName eq '${key}' and tagValue eq '${value}'`;
var KIND = {
  "microsoft.compute/virtualmachines": "virtual-machine",
  "microsoft.compute/disks": "disk",
  "microsoft.network/networkinterfaces": "network-interface",
  "microsoft.network/publicipaddresses": "public-ip",
  "microsoft.network/networksecuritygroups": "network-security-group",
  "microsoft.network/routetables": "route-table",
  "microsoft.network/virtualnetworks": "virtual-network"
};
function resourceOfGroup(g) {
  return {
    provider: "azure",
    site: g.tags?.[TAG_SITE] ?? "",
    kind: "resource-group",
    id: g.id,
    ...g.location ? { region: g.location } : {}
  };
}
function resourceOf(r, site) {
  return {
    provider: "azure",
    site: r.tags?.[TAG_SITE] ?? site ?? "",
    kind: KIND[(r.type ?? "").toLowerCase()] ?? r.type ?? "resource",
    id: r.id,
    ...r.location ? { region: r.location } : {}
  };
}
function taggedGroups(api, key, value) {
  return api.list(
    "resourceGroups.list",
    `resource groups tagged ${key}`,
    () => api.clients.resources.resourceGroups.list({ filter: tagFilter(key, value) })
  );
}
function taggedResources(api, key, value) {
  return api.list(
    "resources.list",
    `resources tagged ${key}`,
    () => api.clients.resources.resources.list({ filter: tagFilter(key, value) })
  );
}
async function removeGroups(api, runId) {
  const result = { deleted: [], failed: [] };
  const groups = await taggedGroups(api, TAG_RUN_ID, runId);
  await Promise.all(
    groups.map(async (g) => {
      const name = g.name;
      const site = g.tags?.[TAG_SITE];
      const contents = await api.list(
        "resources.listByResourceGroup",
        `resources in ${name}`,
        () => api.clients.resources.resources.listByResourceGroup(name)
      );
      try {
        await api.operate(
          "resourceGroups.delete",
          `resource group ${name}`,
          () => api.clients.resources.resourceGroups.beginDelete(name),
          { ...g.location ? { where: g.location } : {}, waitForDependents: true }
        );
      } catch (e) {
        if (!isNotFound(e.cause ?? e)) {
          result.failed.push({
            resource: resourceOfGroup(g),
            error: e instanceof Error ? e.message : String(e),
            howToDelete: `az group delete --name ${name} --yes`
          });
          return;
        }
      }
      const exists = await api.call(
        "resourceGroups.checkExistence",
        `resource group ${name}`,
        () => api.clients.resources.resourceGroups.checkExistence(name)
      );
      if (exists.body) {
        result.failed.push({
          resource: resourceOfGroup(g),
          error: `resource group ${name} still exists after its delete finished`,
          howToDelete: `az group delete --name ${name} --yes`
        });
        return;
      }
      result.deleted.push(resourceOfGroup(g), ...contents.map((r) => resourceOf(r, site)));
    })
  );
  return result;
}
async function sweep(api, runId) {
  const result = { deleted: [], failed: [] };
  const left = await taggedResources(api, TAG_RUN_ID, runId);
  const rank = (r) => {
    const i = SWEEP_ORDER.indexOf((r.type ?? "").toLowerCase());
    return i < 0 ? SWEEP_ORDER.length : i;
  };
  for (const r of left.sort((a, b) => rank(a) - rank(b))) {
    const version = DELETE_API_VERSIONS[(r.type ?? "").toLowerCase()];
    const howToDelete = `az resource delete --ids ${r.id}`;
    if (!version) {
      result.failed.push({
        resource: resourceOf(r),
        error: `a ${r.type} tagged with run ${runId} outside its resource groups, of a type teardown does not delete`,
        howToDelete
      });
      continue;
    }
    try {
      await api.operate(
        "resources.deleteById",
        `${r.type} ${r.name}`,
        () => api.clients.resources.resources.beginDeleteById(r.id, version),
        { waitForDependents: true }
      );
      result.deleted.push(resourceOf(r));
    } catch (e) {
      if (isNotFound(e.cause ?? e)) result.deleted.push(resourceOf(r));
      else
        result.failed.push({
          resource: resourceOf(r),
          error: e instanceof Error ? e.message : String(e),
          howToDelete
        });
    }
  }
  return result;
}

// src/providers/azure/vms.ts
var SSH_USER = "tungsten";
function vmName(runId, site, host) {
  return resourceName(runId, site, host.slice(site.length + 1));
}
function vmBody(ctx, net, spec, nicId) {
  const name = vmName(ctx.runId, spec.site, spec.host.name);
  const key = spec.sshPublicKey.trim();
  if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( [^\n]*)?$/.test(key)) {
    throw new Error("the run public key is not a one-line OpenSSH public key");
  }
  const { image } = spec;
  return {
    location: net.location,
    tags: runTags(ctx, spec.site, name, { [TAG_HOST]: spec.host.name }),
    ...image.plan ? { plan: image.plan } : {},
    hardwareProfile: { vmSize: spec.host.instanceType },
    storageProfile: {
      imageReference: {
        publisher: image.publisher,
        offer: image.offer,
        sku: image.sku,
        version: image.version
      },
      osDisk: {
        name: `${name}-osdisk`,
        createOption: "FromImage",
        deleteOption: "Delete",
        diskSizeGB: spec.osDiskGiB,
        managedDisk: { storageAccountType: "StandardSSD_LRS" }
      }
    },
    osProfile: {
      computerName: spec.host.name,
      adminUsername: SSH_USER,
      linuxConfiguration: {
        disablePasswordAuthentication: true,
        ssh: { publicKeys: [{ path: `/home/${SSH_USER}/.ssh/authorized_keys`, keyData: key }] }
      }
    },
    networkProfile: { networkInterfaces: [{ id: nicId, primary: true, deleteOption: "Delete" }] },
    // the serial log (with cloud-init's host keys) goes to managed boot diagnostics storage
    diagnosticsProfile: { bootDiagnostics: { enabled: true } },
    ...spec.spot ? { priority: "Spot", evictionPolicy: "Delete", billingProfile: { maxPrice: -1 } } : {}
  };
}
async function createVm(api, net, ctx, spec, record) {
  const { host } = spec;
  const base = vmName(ctx.runId, spec.site, host.name);
  const tags = (n) => runTags(ctx, spec.site, n, { [TAG_HOST]: host.name });
  const sub = api.subscriptionId;
  const opts = { where: net.location, fresh: true };
  const ipName = `${base}-ip`;
  await api.operate(
    "publicIPAddresses.createOrUpdate",
    `public IP ${ipName}`,
    () => api.clients.network.publicIPAddresses.beginCreateOrUpdate(net.group, ipName, {
      location: net.location,
      tags: tags(ipName),
      sku: { name: "Standard" },
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: "IPv4"
    }),
    opts
  );
  await record("Microsoft.Network/publicIPAddresses", "public-ip", ipName);
  const nicName = `${base}-nic`;
  await api.operate(
    "networkInterfaces.createOrUpdate",
    `network interface ${nicName} (${host.privateAddress})`,
    () => api.clients.network.networkInterfaces.beginCreateOrUpdate(net.group, nicName, {
      location: net.location,
      tags: tags(nicName),
      enableIPForwarding: host.role === "edge",
      ipConfigurations: [
        {
          name: "ipconfig1",
          primary: true,
          subnet: { id: net.subnetId },
          privateIPAllocationMethod: "Static",
          privateIPAddress: host.privateAddress,
          publicIPAddress: {
            id: armId(sub, net.group, "Microsoft.Network/publicIPAddresses", ipName)
          }
        }
      ]
    }),
    opts
  );
  await record("Microsoft.Network/networkInterfaces", "network-interface", nicName);
  const body = vmBody(
    ctx,
    net,
    spec,
    armId(sub, net.group, "Microsoft.Network/networkInterfaces", nicName)
  );
  await api.operate(
    "virtualMachines.createOrUpdate",
    `VM ${host.name} (${host.instanceType}, ${host.privateAddress})`,
    () => api.clients.compute.virtualMachines.createOrUpdate(net.group, base, body),
    opts
  );
  await record("Microsoft.Compute/virtualMachines", "virtual-machine", base);
  const osDisk = `${base}-osdisk`;
  await api.operate(
    "disks.update",
    `OS disk ${osDisk}`,
    () => api.clients.compute.disks.update(net.group, osDisk, { tags: tags(osDisk) }),
    opts
  );
  await record("Microsoft.Compute/disks", "disk", osDisk);
  const ip = await api.call(
    "publicIPAddresses.get",
    `public IP ${ipName}`,
    () => api.clients.network.publicIPAddresses.get(net.group, ipName),
    opts
  );
  if (!ip.ipAddress) {
    throw new InfraError(
      `azure public IP ${ipName} of ${host.name} has no address although it is static.`
    );
  }
  return { host, vm: base, publicIp: ip.ipAddress, osDisk };
}
async function bootLogHostKeys(api, group, vm, where) {
  let uri;
  try {
    const data = await api.call(
      "virtualMachines.retrieveBootDiagnosticsData",
      `boot diagnostics of ${vm}`,
      () => api.clients.compute.virtualMachines.retrieveBootDiagnosticsData(group, vm, {
        sasUriExpirationTimeInMinutes: 10
      }),
      { where }
    );
    uri = data.serialConsoleLogBlobUri;
  } catch (e) {
    if (isNotFound(e.cause ?? e)) return [];
    throw e;
  }
  if (!uri) return [];
  const log = await api.call(
    "serial log",
    `serial log of ${vm}`,
    () => api.clients.fetchText(uri),
    { where }
  );
  if (log.status !== 200) return [];
  return hostKeysFromConsole(log.text);
}

// src/providers/azure/provider.ts
var DEFAULT_AZURE_WAITS = {
  operationMs: 15 * 6e4,
  hostKeysMs: 3 * 6e4,
  sshMs: 10 * 6e4
};
var AzureProvider = class {
  constructor(options = {}) {
    this.options = options;
    this.clients = options.clients ?? azureClientFactory(options);
    this.clock = options.clock ?? systemClock;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.waits = { ...DEFAULT_AZURE_WAITS, ...options.waits };
  }
  options;
  name = "azure";
  clients;
  clock;
  policy;
  waits;
  checked = new SiteChecks();
  async api(ctx) {
    return new AzureApi(await this.clients(), {
      clock: this.clock,
      policy: this.policy,
      logger: ctx.logger,
      signal: ctx.signal,
      operationMs: this.waits.operationMs
    });
  }
  async preflight(sites, plan, ctx) {
    const mine = sites.filter((s) => s.provider === "azure");
    for (const s of mine) locationOf(s);
    await preflightEach(mine, (site) => this.check(site, plan, ctx));
  }
  /** Each role's VM size against the minimums, from the Resource SKUs API; never throws for size. */
  async sizes(site, plan, ctx) {
    return checkAzureSite(await this.api(ctx), site, plan, locationOf(site));
  }
  check(site, plan, ctx) {
    return this.checked.check(
      site,
      () => this.sizes(site, plan, ctx),
      async () => resolveImage(await this.api(ctx), site, plan.profile, locationOf(site))
    );
  }
  async provision(site, plan, ctx) {
    const location = locationOf(site);
    const { image } = await this.check(site, plan, ctx);
    const api = await this.api(ctx);
    ctx.logger.info(
      `azure site "${site.name}" in ${location}: image ${image.publisher}:${image.offer}:${image.sku}:${image.version}${image.plan ? " (Marketplace plan)" : ""}, ${site.hosts.length} VMs`
    );
    const group = await createGroup(api, site, location, ctx);
    const net = await createSiteNetwork(api, site, plan, group, location, ctx);
    const record = (type, kind, name) => ctx.recordResource({
      provider: "azure",
      site: site.name,
      kind,
      id: armId(api.subscriptionId, group, type, name),
      region: location
    });
    const created = [];
    for (const host of site.hosts) {
      const c = await createVm(
        api,
        net,
        ctx,
        {
          host,
          site: site.name,
          image,
          osDiskGiB: osDiskGiB(plan, host.role),
          spot: site.spot,
          sshPublicKey: ctx.sshPublicKey
        },
        record
      );
      ctx.logger.info(`azure site "${site.name}": created ${host.name} as ${c.vm} (${c.publicIp})`);
      created.push(c);
    }
    const hosts = created.map((c) => ({
      name: c.host.name,
      site: site.name,
      role: c.host.role,
      privateAddress: c.host.privateAddress,
      publicAddress: c.publicIp,
      ssh: { host: c.publicIp, port: 22, user: SSH_USER }
    }));
    await hostsReady(
      this.options.ssh,
      hosts,
      (i) => bootLogHostKeys(api, group, created[i].vm, location),
      {
        provider: "azure",
        owner: "AzureProvider",
        source: "serial log",
        clock: this.clock,
        waits: this.waits
      },
      ctx
    );
    return { name: site.name, provider: "azure", hosts };
  }
  async authorizeEdges(site, peers, ctx) {
    const edge = site.hosts.find((h) => h.role === "edge");
    if (!edge) {
      throw new InfraError(`azure site "${site.name}" has no edge VM to authorize WireGuard to.`);
    }
    const api = await this.api(ctx);
    await authorizeEdgeRules(
      api,
      groupName(ctx.runId, site.name),
      resourceName(ctx.runId, site.name, "nsg"),
      edge.privateAddress,
      peers,
      locationOf(site)
    );
  }
  async destroy(target, ctx) {
    const api = await this.api(ctx);
    const report = { deleted: [], remaining: [] };
    const groups = await removeGroups(api, target.runId);
    const swept = await sweep(api, target.runId);
    for (const r of [groups, swept]) {
      report.deleted.push(...r.deleted);
      report.remaining.push(...r.failed);
    }
    if (report.deleted.length || report.remaining.length) {
      ctx.logger.info(
        `azure: deleted ${report.deleted.filter((d) => d.kind === "resource-group").length} resource groups of run ${target.runId} and ${report.deleted.length} resources in all`
      );
      const failed = new Set(report.remaining.map((r) => r.resource.id.toLowerCase()));
      const left = [
        ...(await taggedGroups(api, TAG_RUN_ID, target.runId)).map(resourceOfGroup),
        ...(await taggedResources(api, TAG_RUN_ID, target.runId)).map((r) => resourceOf(r))
      ];
      for (const l of left) {
        if (failed.has(l.id.toLowerCase())) continue;
        report.remaining.push({
          resource: l,
          error: `still tagged with run ${target.runId} after teardown`,
          howToDelete: `run "tungsten-e2e down" again, or az resource delete --ids ${l.id}`
        });
      }
    }
    return report;
  }
  async listExpired(now, ctx) {
    const api = await this.api(ctx);
    const runs = new ExpiredRuns();
    const add = (tags, resource) => {
      const runId = tags?.[TAG_RUN_ID];
      const expiry = tags ? expiryOf(tags) : void 0;
      if (runId && expiry) runs.add(runId, expiry, resource);
    };
    for (const g of await taggedGroups(api, TAG_EXPIRES_AT)) add(g.tags, resourceOfGroup(g));
    for (const r of await taggedResources(api, TAG_EXPIRES_AT)) add(r.tags, resourceOf(r));
    return runs.before(now);
  }
};
function locationOf(site) {
  if (!site.region) {
    throw new UserError(
      `sites[${site.index}].region is missing for azure site "${site.name}"; set it to an Azure location, e.g. region: westeurope.`
    );
  }
  return site.region;
}

export {
  DEFAULT_AZURE_WAITS,
  AzureProvider,
  locationOf
};
