import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  DEFAULT_RETRY_POLICY,
  TAG_EXPIRES_AT,
  TAG_HOST,
  TAG_NAME,
  TAG_RUN_ID,
  TAG_SITE,
  cloudCallError,
  describeCall,
  expiryOf,
  hostKeysFromConsole,
  resourceName,
  runTags,
  systemClock,
  withRetry
} from "./chunk-6RD35ASW.js";
import {
  checkSiteSizes,
  refuseUndersized,
  typeField
} from "./chunk-P52PXDPM.js";
import {
  ec2ClientFactory,
  require_dist_cjs
} from "./chunk-HJZQPQBC.js";
import {
  InfraError,
  UserError,
  UserErrors,
  isUserError,
  userErrorsOf
} from "./chunk-VAEAUNQO.js";
import {
  __toESM
} from "./chunk-5VPQFH3J.js";

// src/providers/aws/provider.ts
var import_client_ec26 = __toESM(require_dist_cjs(), 1);

// src/providers/aws/errors.ts
var THROTTLING = /* @__PURE__ */ new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "EC2ThrottledException",
  "PriorRequestNotComplete",
  "SlowDown"
]);
var TRANSIENT = /* @__PURE__ */ new Set([
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "Unavailable",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN"
]);
var CREDENTIALS = /* @__PURE__ */ new Set([
  "CredentialsProviderError",
  "AuthFailure",
  "UnauthorizedOperation",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "OptInRequired",
  "Blocked"
]);
function awsFaultOf(error) {
  if (error && typeof error === "object") {
    const e = error;
    const code = e.Code ?? (e.name && e.name !== "Error" ? e.name : void 0) ?? e.code ?? "Error";
    const fault = { code, message: e.message ?? String(error) };
    const status = e.$metadata?.httpStatusCode;
    if (status !== void 0) fault.status = status;
    return fault;
  }
  return { code: "Error", message: String(error) };
}
function isTransient(error) {
  const f = awsFaultOf(error);
  if (THROTTLING.has(f.code) || TRANSIENT.has(f.code)) return true;
  if (f.status !== void 0 && f.status >= 500) return true;
  const e = error;
  return e?.$fault === "server";
}
function isNotFound(error) {
  const code = awsFaultOf(error).code;
  return code.endsWith(".NotFound") || code === "Gateway.NotAttached" || code === "NotFound";
}
function isDependencyViolation(error) {
  return awsFaultOf(error).code === "DependencyViolation";
}
function isCredentialsProblem(error) {
  return CREDENTIALS.has(awsFaultOf(error).code);
}
function isAlreadyThere(error) {
  const code = awsFaultOf(error).code;
  return code === "InvalidPermission.Duplicate" || code === "RouteAlreadyExists";
}

// src/providers/aws/api.ts
function callName(command) {
  return command.constructor.name.replace(/Command$/, "");
}
var Ec2Api = class {
  constructor(client, region, runtime) {
    this.client = client;
    this.region = region;
    this.runtime = runtime;
  }
  client;
  region;
  runtime;
  send(command, resource, options = {}) {
    const site = {
      provider: "aws",
      call: callName(command),
      resource,
      region: this.region
    };
    const { signal } = this.runtime;
    return withRetry(site, () => this.client.send(command, signal ? { abortSignal: signal } : {}), {
      policy: this.runtime.policy,
      clock: this.runtime.clock,
      logger: this.runtime.logger,
      ...signal ? { signal } : {},
      classify: (e) => isTransient(e) || options.fresh && isNotFound(e) || options.waitForDependents && isDependencyViolation(e) ? "retry" : "fail",
      faultOf: awsFaultOf,
      fail: (e, info) => isCredentialsProblem(e) ? credentialsError(site, e) : cloudCallError(site, awsFaultOf(e), info, e)
    });
  }
  /** All pages of a Describe* call (EC2's NextToken paging). */
  async all(make, resource, options = {}) {
    const pages = [];
    let token;
    do {
      const page = await this.send(make(token), resource, options);
      pages.push(page);
      token = page.NextToken || void 0;
    } while (token);
    return pages;
  }
};
function credentialsError(site, e) {
  const fault = awsFaultOf(e);
  if (fault.code === "CredentialsProviderError") {
    return new UserError(
      `no AWS credentials for ${describeCall(site)}: ${fault.message.split("\n")[0]}; set the aws-access-key-id and aws-secret-access-key inputs, or assume a role with aws-actions/configure-aws-credentials (OIDC) before this step (docs/aws.md).`
    );
  }
  return new UserError(
    `AWS refused ${describeCall(site)}: ${fault.code}: ${fault.message}; check the credentials and that their policy allows ec2:${site.call} (docs/aws.md lists the policy).`
  );
}

// src/providers/aws/catalogue.ts
var import_client_ec2 = __toESM(require_dist_cjs(), 1);
var AWS_CATALOGUE = { cloud: "AWS", call: "DescribeInstanceTypes" };
async function describeMachineTypes(api, types, where) {
  const wanted = [...new Set(types)];
  const out = /* @__PURE__ */ new Map();
  if (wanted.length === 0) return out;
  let pages;
  try {
    pages = await api.all(
      (NextToken) => new import_client_ec2.DescribeInstanceTypesCommand({
        InstanceTypes: wanted,
        ...NextToken ? { NextToken } : {}
      }),
      `instance types ${wanted.join(", ")}`
    );
  } catch (e) {
    const cause = e.cause;
    const fault = awsFaultOf(cause ?? e);
    if (fault.code.startsWith("InvalidInstanceType")) {
      const named = /\[([^\]]+)\]/.exec(fault.message)?.[1]?.split(/,\s*/) ?? [];
      const bad = wanted.filter((t) => named.includes(t));
      throw new UserError(
        `${(bad.length ? bad : wanted).map((t) => `${where(t)} ${t}`).join(", ")}: AWS DescribeInstanceTypes in ${api.region} says "${fault.message}"; use an instance type offered in ${api.region}.`
      );
    }
    throw e;
  }
  for (const page of pages) {
    for (const t of page.InstanceTypes ?? []) {
      if (!t.InstanceType || t.MemoryInfo?.SizeInMiB === void 0) continue;
      const entry = { name: t.InstanceType, memoryMiB: t.MemoryInfo.SizeInMiB };
      if (t.VCpuInfo?.DefaultVCpus !== void 0) entry.vcpus = t.VCpuInfo.DefaultVCpus;
      if (t.InstanceStorageInfo?.TotalSizeInGB !== void 0) {
        entry.localDiskGiB = t.InstanceStorageInfo.TotalSizeInGB;
      }
      out.set(entry.name, entry);
    }
  }
  const missing = wanted.filter((t) => !out.has(t));
  if (missing.length) {
    throw new UserError(
      `${missing.map((t) => `${where(t)} ${t}`).join(", ")}: AWS DescribeInstanceTypes in ${api.region} does not list it; use an instance type offered in ${api.region}.`
    );
  }
  return out;
}
async function checkAwsSite(api, site, plan) {
  const typed = site.hosts.filter((h) => h.instanceType);
  const catalogue = await describeMachineTypes(
    api,
    typed.map((h) => h.instanceType),
    (type) => {
      const host = typed.find((h) => h.instanceType === type);
      return typeField(site, plan, host.role, type);
    }
  );
  return checkSiteSizes(site, plan, catalogue, AWS_CATALOGUE, (role) => bootDiskGiB(plan, role));
}
function bootDiskGiB(plan, role, imageGiB = 0) {
  return Math.max(plan.profile.minimums[role]["disk-gib"], imageGiB);
}

// src/providers/aws/image.ts
var import_client_ec22 = __toESM(require_dist_cjs(), 1);
var AMI_ID = /^ami-[0-9a-f]{8,17}$/;
function imageQueryFor(site, profile) {
  const ref = profile.images.aws;
  const profileText = "owner" in ref ? `owner ${ref.owner}, name ${ref.name}` : void 0;
  const given = site.image.ref;
  if (given && given !== profileText) {
    if (AMI_ID.test(given)) return { id: given };
    const slash = given.indexOf("/");
    if (slash > 0 && /^(\d{12}|self|amazon|aws-marketplace)$/.test(given.slice(0, slash))) {
      return { owner: given.slice(0, slash), name: given.slice(slash + 1) };
    }
    throw new UserError(
      `sites[${site.index}].image "${given}" is not an AMI id (ami-\u2026) or OWNER/NAME (e.g. 792107900819/Rocky-9-EC2-Base-9.5-20241118.0.x86_64); set one of those for site "${site.name}".`
    );
  }
  if ("owner" in ref) return { owner: ref.owner, name: ref.name };
  throw new UserError(
    `profile ${profile.name} names no AWS image${"none" in ref ? ` (${ref.none})` : ""}; set sites[${site.index}].image to an AMI id for site "${site.name}".`
  );
}
async function resolveImage(api, site, profile, now) {
  const query = imageQueryFor(site, profile);
  const what = "id" in query ? `image ${query.id}` : `images of owner ${query.owner} named ${query.name}`;
  let images;
  try {
    const out = await api.send(
      new import_client_ec22.DescribeImagesCommand(
        "id" in query ? { ImageIds: [query.id] } : {
          Owners: [query.owner],
          Filters: [
            { Name: "name", Values: [query.name] },
            { Name: "state", Values: ["available"] },
            { Name: "architecture", Values: ["x86_64"] }
          ],
          IncludeDeprecated: true
        }
      ),
      what
    );
    images = out.Images ?? [];
  } catch (e) {
    const fault = awsFaultOf(e.cause ?? e);
    if (fault.code.startsWith("InvalidAMIID")) images = [];
    else throw e;
  }
  const newest = images.filter((i) => i.ImageId && i.RootDeviceName).sort((a, b) => (b.CreationDate ?? "").localeCompare(a.CreationDate ?? ""))[0];
  if (!newest) {
    const hint = "owner" in query ? `; the profile's note: ${"owner" in profile.images.aws && profile.images.aws.note ? profile.images.aws.note : "none"}` : "";
    throw new UserError(
      `AWS DescribeImages in ${api.region} found no ${what} for site "${site.name}"; set sites[${site.index}].image to an AMI available in ${api.region}${hint}.`
    );
  }
  const root = newest.BlockDeviceMappings?.find((m) => m.DeviceName === newest.RootDeviceName);
  const image = {
    imageId: newest.ImageId,
    rootDeviceName: newest.RootDeviceName,
    deprecated: Boolean(newest.DeprecationTime && new Date(newest.DeprecationTime) <= now)
  };
  if (newest.Name) image.name = newest.Name;
  if (newest.CreationDate) image.creationDate = newest.CreationDate;
  if (root?.Ebs?.VolumeSize !== void 0) image.rootSnapshotGiB = root.Ebs.VolumeSize;
  return image;
}

// src/providers/aws/instances.ts
var import_client_ec24 = __toESM(require_dist_cjs(), 1);

// src/providers/aws/network.ts
var import_client_ec23 = __toESM(require_dist_cjs(), 1);
var DEFAULT_SSH_CIDR = "0.0.0.0/0";
function tagSpecs(types, ctx, site, name, extra = {}) {
  const tags = Object.entries(runTags(ctx, site, name, extra)).map(([Key, Value]) => ({
    Key,
    Value
  }));
  return types.map((ResourceType) => ({ ResourceType, Tags: tags }));
}
function nodeIngress(site, plan) {
  const others = plan.sites.filter((s) => s.name !== site.name);
  const fromOthers = (description) => others.map((o) => ({ CidrIp: o.cidrs.underlay, Description: `${description} from ${o.name}` }));
  const perms = [
    {
      IpProtocol: "tcp",
      FromPort: 22,
      ToPort: 22,
      IpRanges: [
        { CidrIp: site.sshCidr ?? DEFAULT_SSH_CIDR, Description: "SSH (key only, per-run key)" }
      ]
    },
    { IpProtocol: "-1", IpRanges: [{ CidrIp: site.cidrs.underlay, Description: "intra-site" }] }
  ];
  if (others.length) {
    perms.push(
      { IpProtocol: "tcp", FromPort: 179, ToPort: 179, IpRanges: fromOthers("BGP") },
      { IpProtocol: "udp", FromPort: 6635, ToPort: 6635, IpRanges: fromOthers("MPLS over UDP") },
      { IpProtocol: "udp", FromPort: 4789, ToPort: 4789, IpRanges: fromOthers("VXLAN") },
      { IpProtocol: "47", IpRanges: fromOthers("GRE") }
    );
  }
  return perms;
}
function edgeIngress(peers) {
  if (peers.length === 0) return [];
  const ranges = (what) => peers.map((p) => ({
    CidrIp: `${p.publicAddress}/32`,
    Description: `${what} from ${p.site} edge`
  }));
  return [
    { IpProtocol: "udp", FromPort: 500, ToPort: 500, IpRanges: ranges("IKE") },
    { IpProtocol: "udp", FromPort: 4500, ToPort: 4500, IpRanges: ranges("IPsec NAT-T") },
    { IpProtocol: "50", IpRanges: ranges("ESP") }
  ];
}
async function createSiteNetwork(api, site, plan, ctx) {
  const name = (what) => resourceName(ctx.runId, site.name, what);
  const record = (kind, id) => ctx.recordResource({ provider: "aws", site: site.name, kind, id, region: api.region });
  const vpc = await api.send(
    new import_client_ec23.CreateVpcCommand({
      CidrBlock: site.cidrs.underlay,
      TagSpecifications: tagSpecs(["vpc"], ctx, site.name, name("vpc"))
    }),
    `vpc ${name("vpc")} (${site.cidrs.underlay})`
  );
  const vpcId = vpc.Vpc.VpcId;
  await record("vpc", vpcId);
  const subnet = await api.send(
    new import_client_ec23.CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: site.cidrs.underlay,
      ...site.zone ? { AvailabilityZone: site.zone } : {},
      TagSpecifications: tagSpecs(["subnet"], ctx, site.name, name("underlay"))
    }),
    `subnet ${name("underlay")} of ${vpcId}`,
    { fresh: true }
  );
  const subnetId = subnet.Subnet.SubnetId;
  await record("subnet", subnetId);
  const igw = await api.send(
    new import_client_ec23.CreateInternetGatewayCommand({
      TagSpecifications: tagSpecs(["internet-gateway"], ctx, site.name, name("igw"))
    }),
    `internet gateway ${name("igw")}`
  );
  const internetGatewayId = igw.InternetGateway.InternetGatewayId;
  await record("internet-gateway", internetGatewayId);
  await api.send(
    new import_client_ec23.AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }),
    `internet gateway ${internetGatewayId} to ${vpcId}`,
    { fresh: true }
  );
  const rt = await api.send(
    new import_client_ec23.CreateRouteTableCommand({
      VpcId: vpcId,
      TagSpecifications: tagSpecs(["route-table"], ctx, site.name, name("routes"))
    }),
    `route table ${name("routes")} of ${vpcId}`,
    { fresh: true }
  );
  const routeTableId = rt.RouteTable.RouteTableId;
  await record("route-table", routeTableId);
  await api.send(
    new import_client_ec23.CreateRouteCommand({
      RouteTableId: routeTableId,
      DestinationCidrBlock: "0.0.0.0/0",
      GatewayId: internetGatewayId
    }),
    `default route of ${routeTableId} via ${internetGatewayId}`,
    { fresh: true }
  );
  await api.send(
    new import_client_ec23.AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }),
    `route table ${routeTableId} for subnet ${subnetId}`,
    { fresh: true }
  );
  const nodesGroupId = await createGroup(api, ctx, site, vpcId, "nodes", nodeIngress(site, plan));
  await record("security-group", nodesGroupId);
  const edgeGroupId = await createGroup(api, ctx, site, vpcId, "edge", []);
  await record("security-group", edgeGroupId);
  return { vpcId, subnetId, internetGatewayId, routeTableId, nodesGroupId, edgeGroupId };
}
async function createGroup(api, ctx, site, vpcId, what, ingress) {
  const name = resourceName(ctx.runId, site.name, what);
  const out = await api.send(
    new import_client_ec23.CreateSecurityGroupCommand({
      GroupName: name,
      Description: what === "nodes" ? `tungsten-e2e run ${ctx.runId} site ${site.name}: nodes` : `tungsten-e2e run ${ctx.runId} site ${site.name}: edge IPsec`,
      VpcId: vpcId,
      TagSpecifications: tagSpecs(["security-group"], ctx, site.name, name)
    }),
    `security group ${name} of ${vpcId}`,
    { fresh: true }
  );
  const groupId = out.GroupId;
  if (ingress.length) await authorize(api, ctx, site.name, groupId, name, ingress);
  return groupId;
}
async function authorize(api, ctx, site, groupId, groupName, ingress) {
  try {
    await api.send(
      new import_client_ec23.AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: ingress,
        TagSpecifications: tagSpecs(["security-group-rule"], ctx, site, `${groupName}-rule`)
      }),
      `ingress rules of ${groupName} (${groupId})`,
      { fresh: true }
    );
  } catch (e) {
    if (!isAlreadyThere(e.cause ?? e)) throw e;
  }
}

// src/providers/aws/userData.ts
var SSH_USER = "tungsten";
function cloudConfig(sshPublicKey) {
  const key = sshPublicKey.trim();
  if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( [^\n"]*)?$/.test(key)) {
    throw new Error("the run public key is not a one-line OpenSSH public key");
  }
  return [
    "#cloud-config",
    "ssh_pwauth: false",
    "users:",
    "  - default",
    `  - name: ${SSH_USER}`,
    "    shell: /bin/bash",
    "    sudo: 'ALL=(ALL) NOPASSWD:ALL'",
    "    ssh_authorized_keys:",
    `      - "${key}"`,
    ""
  ].join("\n");
}
function userDataBase64(sshPublicKey) {
  return Buffer.from(cloudConfig(sshPublicKey), "utf8").toString("base64");
}

// src/providers/aws/instances.ts
async function launch(api, net, ctx, spec) {
  const { host } = spec;
  const name = resourceName(ctx.runId, spec.site, host.name.slice(spec.site.length + 1));
  const tagged = ["instance", "volume", "network-interface"];
  if (spec.spot) tagged.push("spot-instances-request");
  const out = await api.send(
    new import_client_ec24.RunInstancesCommand({
      ImageId: spec.imageId,
      InstanceType: host.instanceType,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: `te-${ctx.runId}-${host.name}`.slice(0, 64),
      UserData: userDataBase64(spec.sshPublicKey),
      NetworkInterfaces: [
        {
          DeviceIndex: 0,
          SubnetId: net.subnetId,
          Groups: host.role === "edge" ? [net.nodesGroupId, net.edgeGroupId] : [net.nodesGroupId],
          PrivateIpAddress: host.privateAddress,
          AssociatePublicIpAddress: true,
          DeleteOnTermination: true
        }
      ],
      BlockDeviceMappings: [
        {
          DeviceName: spec.rootDeviceName,
          Ebs: { VolumeSize: spec.rootGiB, VolumeType: "gp3", DeleteOnTermination: true }
        }
      ],
      MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
      ...spec.spot ? {
        InstanceMarketOptions: {
          MarketType: "spot",
          SpotOptions: {
            SpotInstanceType: "one-time",
            InstanceInterruptionBehavior: "terminate"
          }
        }
      } : {},
      TagSpecifications: tagSpecs(tagged, ctx, spec.site, name, { [TAG_HOST]: host.name })
    }),
    `instance ${host.name} (${host.instanceType}, ${host.privateAddress})`,
    { fresh: true }
  );
  const instance = out.Instances?.[0];
  const networkInterfaceId = instance?.NetworkInterfaces?.[0]?.NetworkInterfaceId;
  if (!instance?.InstanceId || !networkInterfaceId) {
    throw new InfraError(
      `aws RunInstances for instance ${host.name} in ${api.region} returned no instance id or network interface.`
    );
  }
  return { host, instanceId: instance.InstanceId, networkInterfaceId };
}
async function makeEdgeRouter(api, net, edge, otherUnderlays) {
  await api.send(
    new import_client_ec24.ModifyInstanceAttributeCommand({
      InstanceId: edge.instanceId,
      SourceDestCheck: { Value: false }
    }),
    `source/destination check of edge ${edge.host.name} (${edge.instanceId})`,
    { fresh: true }
  );
  for (const other of otherUnderlays) {
    try {
      await api.send(
        new import_client_ec24.CreateRouteCommand({
          RouteTableId: net.routeTableId,
          DestinationCidrBlock: other.cidr,
          NetworkInterfaceId: edge.networkInterfaceId
        }),
        `route to ${other.site} (${other.cidr}) via edge ${edge.networkInterfaceId} in ${net.routeTableId}`,
        { fresh: true }
      );
    } catch (e) {
      if (!isAlreadyThere(e.cause ?? e)) throw e;
    }
  }
}
async function waitRunning(api, launched, clock, deadline, signal) {
  const ids = launched.map((l) => l.instanceId);
  for (let poll = 0; ; poll++) {
    const pages = await api.all(
      (NextToken) => new import_client_ec24.DescribeInstancesCommand({ InstanceIds: ids, ...NextToken ? { NextToken } : {} }),
      `instances ${ids.join(", ")}`,
      { fresh: true }
    );
    const found = /* @__PURE__ */ new Map();
    for (const p of pages)
      for (const r of p.Reservations ?? [])
        for (const i of r.Instances ?? []) if (i.InstanceId) found.set(i.InstanceId, i);
    for (const l of launched) {
      const state = found.get(l.instanceId)?.State?.Name;
      if (state === "shutting-down" || state === "terminated" || state === "stopped") {
        const reason = found.get(l.instanceId)?.StateReason;
        throw new InfraError(
          `aws instance ${l.host.name} (${l.instanceId}) in ${api.region} went to ${state} instead of running: ${reason?.Code ?? "no code"}: ${reason?.Message ?? "EC2 gave no reason"}.`
        );
      }
    }
    if (launched.every((l) => found.get(l.instanceId)?.State?.Name === "running")) return found;
    if (clock.now() >= deadline) {
      const late = launched.filter((l) => found.get(l.instanceId)?.State?.Name !== "running").map((l) => `${l.host.name} (${found.get(l.instanceId)?.State?.Name ?? "not listed"})`);
      throw new InfraError(
        `aws instances ${late.join(", ")} in ${api.region} were not running by the deadline; check the EC2 console for them.`
      );
    }
    await clock.sleep(Math.min(15e3, 2e3 * (poll + 1)), signal);
  }
}
async function consoleHostKeys(api, instanceId, host) {
  const read = (latest) => api.send(
    new import_client_ec24.GetConsoleOutputCommand({ InstanceId: instanceId, ...latest ? { Latest: true } : {} }),
    `console of ${host} (${instanceId})`,
    { fresh: true }
  );
  let out;
  try {
    out = await read(true);
  } catch (e) {
    const code = awsFaultOf(e.cause ?? e).code;
    if (code !== "UnsupportedOperation" && code !== "InvalidParameterValue") throw e;
    out = await read(false);
  }
  if (!out.Output) return [];
  return hostKeysFromConsole(Buffer.from(out.Output, "base64").toString("utf8"));
}

// src/providers/aws/teardown.ts
var import_client_ec25 = __toESM(require_dist_cjs(), 1);
var tagsOf = (tags) => Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key, t.Value ?? ""]));
var runFilter = (runId) => [
  { Name: `tag:${TAG_RUN_ID}`, Values: [runId] }
];
var runFilterByName = (runId, name) => [
  ...runFilter(runId),
  { Name: `tag:${TAG_NAME}`, Values: [name] }
];
var tagKeyFilter = (key) => [{ Name: "tag-key", Values: [key] }];
function label(f) {
  const site = f.tags[TAG_SITE];
  return `${f.kind} ${f.id}${site ? ` (site ${site})` : ""}`;
}
async function each(items, remove) {
  const failed = /* @__PURE__ */ new Map();
  for (const item of items) {
    try {
      await remove(item);
    } catch (e) {
      if (isNotFound(e.cause ?? e)) continue;
      failed.set(item.id, e.message);
    }
  }
  return failed;
}
var LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"];
var instances = {
  kind: "instance",
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) => new import_client_ec25.DescribeInstancesCommand({
        Filters: [...filters, { Name: "instance-state-name", Values: LIVE_INSTANCE_STATES }],
        ...NextToken ? { NextToken } : {}
      }),
      "tagged instances"
    );
    return pages.flatMap(
      (p) => (p.Reservations ?? []).flatMap(
        (r) => (r.Instances ?? []).map((i) => ({
          kind: "instance",
          id: i.InstanceId,
          tags: tagsOf(i.Tags),
          detail: { state: i.State?.Name ?? "unknown" }
        }))
      )
    );
  },
  async remove(api, items, ctx) {
    const failed = /* @__PURE__ */ new Map();
    const ids = items.map((i) => i.id);
    try {
      await api.send(
        new import_client_ec25.TerminateInstancesCommand({ InstanceIds: ids }),
        `instances ${ids.join(", ")}`
      );
    } catch (e) {
      if (!isNotFound(e.cause ?? e)) {
        for (const id of ids) failed.set(id, e.message);
        return failed;
      }
    }
    for (let poll = 0; ; poll++) {
      const pages = await api.all(
        (NextToken) => new import_client_ec25.DescribeInstancesCommand({
          Filters: [
            { Name: "instance-id", Values: ids },
            { Name: "instance-state-name", Values: LIVE_INSTANCE_STATES }
          ],
          ...NextToken ? { NextToken } : {}
        }),
        `instances ${ids.join(", ")} (waiting for termination)`
      );
      const alive = pages.flatMap(
        (p) => (p.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i))
      );
      if (alive.length === 0) return failed;
      if (ctx.clock.now() >= ctx.terminateDeadline) {
        for (const i of alive) {
          failed.set(
            i.InstanceId,
            `aws instance ${i.InstanceId} in ${api.region} is still ${i.State?.Name} after the termination deadline`
          );
        }
        return failed;
      }
      await ctx.clock.sleep(Math.min(15e3, 2e3 * (poll + 1)), ctx.signal);
    }
  },
  howToDelete: (r, id) => `aws ec2 terminate-instances --region ${r} --instance-ids ${id}`
};
var spotRequests = {
  kind: "spot-instances-request",
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) => new import_client_ec25.DescribeSpotInstanceRequestsCommand({
        Filters: [...filters, { Name: "state", Values: ["open", "active"] }],
        ...NextToken ? { NextToken } : {}
      }),
      "tagged spot requests"
    );
    return pages.flatMap(
      (p) => (p.SpotInstanceRequests ?? []).map((s) => ({
        kind: "spot-instances-request",
        id: s.SpotInstanceRequestId,
        tags: tagsOf(s.Tags)
      }))
    );
  },
  remove: (api, items) => each(
    items,
    (i) => api.send(new import_client_ec25.CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [i.id] }), label(i))
  ),
  howToDelete: (r, id) => `aws ec2 cancel-spot-instance-requests --region ${r} --spot-instance-request-ids ${id}`
};
var networkInterfaces = {
  kind: "network-interface",
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) => new import_client_ec25.DescribeNetworkInterfacesCommand({
        Filters: [...filters, { Name: "status", Values: ["available"] }],
        ...NextToken ? { NextToken } : {}
      }),
      "tagged network interfaces"
    );
    return pages.flatMap(
      (p) => (p.NetworkInterfaces ?? []).map((n) => ({
        kind: "network-interface",
        id: n.NetworkInterfaceId,
        tags: tagsOf(n.TagSet)
      }))
    );
  },
  remove: (api, items) => each(
    items,
    (i) => api.send(new import_client_ec25.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: i.id }), label(i), {
      waitForDependents: true
    })
  ),
  howToDelete: (r, id) => `aws ec2 delete-network-interface --region ${r} --network-interface-id ${id}`
};
var volumes = {
  kind: "volume",
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) => new import_client_ec25.DescribeVolumesCommand({
        Filters: [...filters, { Name: "status", Values: ["available"] }],
        ...NextToken ? { NextToken } : {}
      }),
      "tagged volumes"
    );
    return pages.flatMap(
      (p) => (p.Volumes ?? []).map((v) => ({ kind: "volume", id: v.VolumeId, tags: tagsOf(v.Tags) }))
    );
  },
  remove: (api, items) => each(items, (i) => api.send(new import_client_ec25.DeleteVolumeCommand({ VolumeId: i.id }), label(i))),
  howToDelete: (r, id) => `aws ec2 delete-volume --region ${r} --volume-id ${id}`
};
var routeTables = {
  kind: "route-table",
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) => new import_client_ec25.DescribeRouteTablesCommand({ Filters: filters, ...NextToken ? { NextToken } : {} }),
      "tagged route tables"
    );
    return pages.flatMap(
      (p) => (p.RouteTables ?? []).map((t) => ({
        kind: "route-table",
        id: t.RouteTableId,
        tags: tagsOf(t.Tags),
        detail: {
          associations: (t.Associations ?? []).filter((a) => !a.Main && a.RouteTableAssociationId).map((a) => a.RouteTableAssociationId)
        }
      }))
    );
  },
  remove: (api, items) => each(items, async (i) => {
    for (const AssociationId of i.detail?.associations ?? []) {
      try {
        await api.send(
          new import_client_ec25.DisassociateRouteTableCommand({ AssociationId }),
          `${label(i)} association ${AssociationId}`
        );
      } catch (e) {
        if (!isNotFound(e.cause ?? e)) throw e;
      }
    }
    await api.send(new import_client_ec25.DeleteRouteTableCommand({ RouteTableId: i.id }), label(i), {
      waitForDependents: true
    });
  }),
  howToDelete: (r, id) => `aws ec2 describe-route-tables --region ${r} --route-table-ids ${id} (disassociate each association), then aws ec2 delete-route-table --region ${r} --route-table-id ${id}`
};
var internetGateways = {
  kind: "internet-gateway",
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) => new import_client_ec25.DescribeInternetGatewaysCommand({
        Filters: filters,
        ...NextToken ? { NextToken } : {}
      }),
      "tagged internet gateways"
    );
    return pages.flatMap(
      (p) => (p.InternetGateways ?? []).map((g) => ({
        kind: "internet-gateway",
        id: g.InternetGatewayId,
        tags: tagsOf(g.Tags),
        detail: { attachedTo: (g.Attachments ?? []).filter((a) => a.VpcId).map((a) => a.VpcId) }
      }))
    );
  },
  remove: (api, items) => each(items, async (i) => {
    for (const VpcId of i.detail?.attachedTo ?? []) {
      try {
        await api.send(
          new import_client_ec25.DetachInternetGatewayCommand({ InternetGatewayId: i.id, VpcId }),
          `${label(i)} from ${VpcId}`,
          // detaching waits while instances still hold public addresses in the VPC
          { waitForDependents: true }
        );
      } catch (e) {
        if (!isNotFound(e.cause ?? e)) throw e;
      }
    }
    await api.send(new import_client_ec25.DeleteInternetGatewayCommand({ InternetGatewayId: i.id }), label(i), {
      waitForDependents: true
    });
  }),
  howToDelete: (r, id) => `aws ec2 detach-internet-gateway --region ${r} --internet-gateway-id ${id} --vpc-id <its VPC>, then aws ec2 delete-internet-gateway --region ${r} --internet-gateway-id ${id}`
};
var subnets = {
  kind: "subnet",
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) => new import_client_ec25.DescribeSubnetsCommand({ Filters: filters, ...NextToken ? { NextToken } : {} }),
      "tagged subnets"
    );
    return pages.flatMap(
      (p) => (p.Subnets ?? []).map((s) => ({ kind: "subnet", id: s.SubnetId, tags: tagsOf(s.Tags) }))
    );
  },
  remove: (api, items) => each(
    items,
    (i) => api.send(new import_client_ec25.DeleteSubnetCommand({ SubnetId: i.id }), label(i), { waitForDependents: true })
  ),
  howToDelete: (r, id) => `aws ec2 delete-subnet --region ${r} --subnet-id ${id}`
};
var securityGroups = {
  kind: "security-group",
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) => new import_client_ec25.DescribeSecurityGroupsCommand({
        Filters: filters,
        ...NextToken ? { NextToken } : {}
      }),
      "tagged security groups"
    );
    return pages.flatMap(
      (p) => (p.SecurityGroups ?? []).map((g) => ({
        kind: "security-group",
        id: g.GroupId,
        tags: tagsOf(g.Tags)
      }))
    );
  },
  remove: (api, items) => each(
    items,
    (i) => api.send(new import_client_ec25.DeleteSecurityGroupCommand({ GroupId: i.id }), label(i), {
      waitForDependents: true
    })
  ),
  howToDelete: (r, id) => `aws ec2 delete-security-group --region ${r} --group-id ${id}`
};
var vpcs = {
  kind: "vpc",
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) => new import_client_ec25.DescribeVpcsCommand({ Filters: filters, ...NextToken ? { NextToken } : {} }),
      "tagged VPCs"
    );
    return pages.flatMap(
      (p) => (p.Vpcs ?? []).map((v) => ({ kind: "vpc", id: v.VpcId, tags: tagsOf(v.Tags) }))
    );
  },
  remove: (api, items) => each(
    items,
    (i) => api.send(new import_client_ec25.DeleteVpcCommand({ VpcId: i.id }), label(i), { waitForDependents: true })
  ),
  howToDelete: (r, id) => `aws ec2 delete-vpc --region ${r} --vpc-id ${id}`
};
var KINDS = [
  spotRequests,
  instances,
  networkInterfaces,
  volumes,
  routeTables,
  internetGateways,
  subnets,
  securityGroups,
  vpcs
];
async function findTagged(api, filters) {
  const out = [];
  for (const k of KINDS) out.push(...await k.find(api, filters));
  return out;
}
async function removeAll(api, filters, ctx, onFound = () => {
}) {
  const result = { deleted: [], failed: [] };
  for (const k of KINDS) {
    const items = await k.find(api, filters);
    if (items.length === 0) continue;
    onFound(items);
    let failed;
    try {
      failed = await k.remove(api, items, ctx);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      failed = new Map(items.map((i) => [i.id, e.message]));
    }
    for (const item of items) {
      const error = failed.get(item.id);
      if (error === void 0) result.deleted.push(item);
      else result.failed.push({ item, error, howToDelete: k.howToDelete(api.region, item.id) });
    }
  }
  return result;
}

// src/providers/aws/provider.ts
var DEFAULT_AWS_WAITS = {
  runningMs: 10 * 6e4,
  hostKeysMs: 3 * 6e4,
  sshMs: 10 * 6e4,
  terminateMs: 10 * 6e4
};
var AwsProvider = class {
  constructor(options = {}) {
    this.options = options;
    this.clients = options.clients ?? ec2ClientFactory(options.keys);
    this.clock = options.clock ?? systemClock;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.waits = { ...DEFAULT_AWS_WAITS, ...options.waits };
  }
  options;
  name = "aws";
  clients;
  clock;
  policy;
  waits;
  /** preflight results per site, so provision does not ask twice */
  checked = /* @__PURE__ */ new Map();
  api(region, ctx) {
    return new Ec2Api(this.clients(region), region, {
      clock: this.clock,
      policy: this.policy,
      logger: ctx.logger,
      signal: ctx.signal
    });
  }
  async preflight(sites, plan, ctx) {
    const mine = sites.filter((s) => s.provider === "aws");
    for (const s of mine) regionOf(s);
    const errors = [];
    for (const site of mine) {
      try {
        await this.check(site, plan, ctx);
      } catch (e) {
        if (isUserError(e)) errors.push(...userErrorsOf(e));
        else throw e;
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new UserErrors(errors);
  }
  /** Each role's instance type against the minimums, from DescribeInstanceTypes; never throws for size. */
  sizes(site, plan, ctx) {
    return checkAwsSite(this.api(regionOf(site), ctx), site, plan);
  }
  /** Sizes against the minimums and the image, from EC2's catalogue; nothing is created. */
  async check(site, plan, ctx) {
    const hit = this.checked.get(site.name);
    if (hit) return hit;
    const api = this.api(regionOf(site), ctx);
    const sizes = await this.sizes(site, plan, ctx);
    refuseUndersized(sizes);
    const image = await resolveImage(api, site, plan.profile, new Date(this.clock.now()));
    if (image.deprecated) {
      ctx.logger.warn(
        `aws site "${site.name}": image ${image.imageId} (${image.name ?? "no name"}) is deprecated; it may disappear, so consider setting sites[${site.index}].image to an image you maintain.`
      );
    }
    const result = { sizes, image };
    this.checked.set(site.name, result);
    return result;
  }
  async provision(site, plan, ctx) {
    const region = regionOf(site);
    const api = this.api(region, ctx);
    const { image } = await this.check(site, plan, ctx);
    ctx.logger.info(
      `aws site "${site.name}" in ${region}: image ${image.imageId}${image.name ? ` (${image.name})` : ""}, ${site.hosts.length} instances`
    );
    const net = await createSiteNetwork(api, site, plan, ctx);
    const launched = [];
    for (const host of site.hosts) {
      const l = await launch(api, net, ctx, {
        host,
        site: site.name,
        imageId: image.imageId,
        rootDeviceName: image.rootDeviceName,
        rootGiB: bootDiskGiB(plan, host.role, image.rootSnapshotGiB),
        spot: site.spot,
        sshPublicKey: ctx.sshPublicKey
      });
      await ctx.recordResource({
        provider: "aws",
        site: site.name,
        kind: "instance",
        id: l.instanceId,
        region
      });
      ctx.logger.info(`aws site "${site.name}": launched ${host.name} as ${l.instanceId}`);
      launched.push(l);
    }
    const edge = launched.find((l) => l.host.role === "edge");
    if (edge) {
      const others = plan.sites.filter((s) => s.name !== site.name).map((s) => ({ site: s.name, cidr: s.cidrs.underlay }));
      await makeEdgeRouter(api, net, edge, others);
    }
    const running = await waitRunning(
      api,
      launched,
      this.clock,
      this.clock.now() + this.waits.runningMs,
      ctx.signal
    );
    const hosts = launched.map((l) => {
      const instance = running.get(l.instanceId);
      if (instance.PrivateIpAddress !== l.host.privateAddress) {
        throw new InfraError(
          `aws instance ${l.host.name} (${l.instanceId}) got private address ${instance.PrivateIpAddress}, not the planned ${l.host.privateAddress}.`
        );
      }
      if (!instance.PublicIpAddress) {
        throw new InfraError(
          `aws instance ${l.host.name} (${l.instanceId}) in ${region} has no public address although one was requested.`
        );
      }
      return {
        name: l.host.name,
        site: site.name,
        role: l.host.role,
        privateAddress: instance.PrivateIpAddress,
        publicAddress: instance.PublicIpAddress,
        ssh: { host: instance.PublicIpAddress, port: 22, user: SSH_USER }
      };
    });
    await Promise.all(
      hosts.map(async (host, i) => {
        const keys = await this.hostKeys(api, launched[i], ctx);
        if (keys.length) host.hostKeys = keys;
        else
          ctx.logger.warn(
            `aws ${host.name}: no host keys in the console output within ${Math.round(this.waits.hostKeysMs / 1e3)} s; its key will be pinned on first contact.`
          );
      })
    );
    await this.waitForSsh(hosts, ctx);
    return { name: site.name, provider: "aws", hosts };
  }
  async hostKeys(api, l, ctx) {
    const deadline = this.clock.now() + this.waits.hostKeysMs;
    for (; ; ) {
      const keys = await consoleHostKeys(api, l.instanceId, l.host.name);
      if (keys.length || this.clock.now() >= deadline) return keys;
      await this.clock.sleep(1e4, ctx.signal);
    }
  }
  async waitForSsh(hosts, ctx) {
    const ssh = this.options.ssh ?? ctx.ssh;
    if (!ssh) {
      throw new Error(
        "AwsProvider.provision needs options.ssh or ctx.ssh (the run RemotePool) to wait for SSH"
      );
    }
    const deadline = this.clock.now() + this.waits.sshMs;
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
        ctx.logger.info(`aws ${h.name}: SSH answers at ${h.ssh.user}@${h.ssh.host}`);
      })
    );
  }
  async authorizeEdges(site, peers, ctx) {
    const api = this.api(regionOf(site), ctx);
    const groupName = resourceName(ctx.runId, site.name, "edge");
    const out = await api.send(
      new import_client_ec26.DescribeSecurityGroupsCommand({ Filters: runFilterByName(ctx.runId, groupName) }),
      `security group ${groupName}`
    );
    const groupId = out.SecurityGroups?.[0]?.GroupId;
    if (!groupId) {
      throw new InfraError(
        `aws security group ${groupName} of site "${site.name}" was not found in ${api.region}; provision the site first.`
      );
    }
    for (const peer of peers) {
      await authorize(api, ctx, site.name, groupId, groupName, edgeIngress([peer]));
    }
  }
  async destroy(target, ctx) {
    const report = { deleted: [], remaining: [] };
    for (const region of regionsOf(target.sites)) {
      const api = this.api(region, ctx);
      const result = await removeAll(
        api,
        runFilter(target.runId),
        {
          clock: this.clock,
          terminateDeadline: this.clock.now() + this.waits.terminateMs,
          signal: ctx.signal
        },
        (items) => ctx.logger.info(
          `aws ${region}: deleting ${items.length} ${items[0].kind} of run ${target.runId}: ${items.map((i) => i.id).join(", ")}`
        )
      );
      report.deleted.push(...result.deleted.map((f) => resourceOf(f, region)));
      report.remaining.push(
        ...result.failed.map((f) => ({
          resource: resourceOf(f.item, region),
          error: f.error,
          howToDelete: f.howToDelete
        }))
      );
      if (result.deleted.length || result.failed.length) {
        const failedIds = new Set(result.failed.map((f) => f.item.id));
        for (const left of await findTagged(api, runFilter(target.runId))) {
          if (failedIds.has(left.id)) continue;
          report.remaining.push({
            resource: resourceOf(left, region),
            error: `still tagged with run ${target.runId} after teardown`,
            howToDelete: `run "tungsten-e2e down" again, or delete ${left.kind} ${left.id} in ${region} by hand`
          });
        }
      }
    }
    return report;
  }
  async listExpired(now, ctx) {
    const regions = ctx.regions?.length ? ctx.regions : this.options.janitorRegions ?? envRegions();
    if (regions.length === 0) {
      throw new UserError(
        "the AWS janitor needs to know which regions to search; pass them (e.g. --region us-east-1) or set AWS_REGION."
      );
    }
    const runs = /* @__PURE__ */ new Map();
    for (const region of [...new Set(regions)]) {
      const api = this.api(region, ctx);
      for (const f of await findTagged(api, tagKeyFilter(TAG_EXPIRES_AT))) {
        const runId = f.tags[TAG_RUN_ID];
        const expiry = expiryOf(f.tags);
        if (!runId || !expiry) continue;
        const run = runs.get(runId) ?? {
          runId,
          expiresAt: expiry,
          resources: [],
          latest: expiry.getTime()
        };
        run.latest = Math.max(run.latest, expiry.getTime());
        run.expiresAt = new Date(run.latest);
        run.resources.push(resourceOf(f, region));
        runs.set(runId, run);
      }
    }
    return [...runs.values()].filter((r) => r.latest < now.getTime()).map(({ runId, expiresAt, resources }) => ({ runId, expiresAt, resources }));
  }
};
function regionOf(site) {
  if (!site.region) {
    throw new UserError(
      `sites[${site.index}].region is missing for aws site "${site.name}"; set it, e.g. region: us-east-1.`
    );
  }
  return site.region;
}
function regionsOf(sites) {
  const missing = sites.filter((s) => !s.region);
  if (missing.length) {
    throw new UserError(
      `aws teardown needs the region of site(s) ${missing.map((s) => `"${s.name}"`).join(", ")}; the site file must name it.`
    );
  }
  return [...new Set(sites.map((s) => s.region))];
}
function envRegions() {
  const r = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return r ? [r] : [];
}
function resourceOf(f, region) {
  return { provider: "aws", site: f.tags[TAG_SITE] ?? "", kind: f.kind, id: f.id, region };
}

export {
  DEFAULT_AWS_WAITS,
  AwsProvider
};
