/**
 * A stateful fake of Azure Resource Manager for one subscription, plugged in
 * as the SDKs' HttpClient, so the real ARM clients (arm-resources,
 * arm-network, arm-compute) serialize every request and parse every response
 * themselves. Bodies are ARM's wire shapes: resources with their settings
 * under `properties`, lists as `{"value": […]}`, errors as
 * `{"error": {"code", "message"}}`, and long-running operations the ARM way:
 * PUT answers 201 with an `Azure-AsyncOperation` status URL that reports
 * `InProgress` before `Succeeded`; DELETE of a resource group answers 202
 * with a `Location` URL that answers 202 until done. The provider reads the
 * results only through the SDKs' typed models, so a field the fake put where
 * ARM does not would simply not be seen (and the tests relying on it fail).
 *
 * Enforced as ARM does: a resource group must exist before anything goes in
 * it; a subnet's NSG and route table, a NIC's subnet and public IP, a VM's
 * NIC must exist; a Marketplace image needs the plan; a family vCPU quota
 * refuses a VM with OperationNotAllowed; deleting something still in use is
 * refused (InUse… / …CannotBeDeleted); deleting a group deletes what is in it.
 */
import { randomBytes } from 'node:crypto';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { testKeyPair } from '../keys.js';

const ARM = 'https://management.azure.com';
const BLOB = 'https://md-fakediag.blob.storage.azure.net';

type Json = Record<string, unknown>;

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const THROTTLED = () =>
  new ArmError(
    429,
    'SubscriptionRequestsThrottled',
    "Number of 'write' requests for subscription '00000000-0000-0000-0000-00000000fa4e' actor 'tungsten-e2e' exceeded. Please try again after '5' seconds after additional 'write' requests.",
    { 'retry-after': '5' },
  );
export const INTERNAL = () =>
  new ArmError(
    500,
    'InternalServerError',
    "Encountered internal server error. Diagnostic information: timestamp '20300101T000000Z', tracking id 'f4ke-0000'.",
  );

export interface InjectedFault {
  /** "PUT routeTables", "DELETE resourceGroups", …; undefined = any request */
  match?: string;
  times: number;
  make: () => ArmError;
  fired?: number;
}

export interface SkuEntry {
  name: string;
  family: string;
  vcpus: number;
  memoryGB: number;
  restricted?: boolean;
}

export interface ImageEntry {
  publisher: string;
  offer: string;
  sku: string;
  versions: string[];
  plan: boolean;
}

interface Resource {
  id: string;
  name: string;
  type: string;
  group: string;
  location: string;
  tags: Record<string, string>;
  properties: Json;
  extra: Json;
}

interface VmState {
  hostKey: string;
  logReads: number;
}

interface Operation {
  status: 'InProgress' | 'Succeeded' | 'Failed';
  pollsLeft: number;
  /** Location-style operations answer 202 until done */
  style: 'async' | 'location';
  finish?: () => void;
  error?: { code: string; message: string };
}

export class FakeArm implements HttpClient {
  readonly requests: { method: string; url: string; body?: unknown }[] = [];
  readonly dependencyViolations: string[] = [];
  readonly faults: InjectedFault[] = [];
  readonly vanishOnDelete = new Set<string>();
  /** vCPUs per family and location */
  coreQuota = 1024;
  /** polls an operation stays InProgress (Infinity: it never finishes) */
  operationPolls = 1;
  readonly groups = new Map<string, Resource>();
  readonly resources = new Map<string, Resource>();
  private readonly vms = new Map<string, VmState>();
  private readonly operations = new Map<string, Operation>();
  private publicHost = 10;

  constructor(
    readonly subscriptionId: string,
    private readonly skus: SkuEntry[],
    private readonly images: ImageEntry[],
  ) {}

  inject(fault: Omit<InjectedFault, 'fired'>): InjectedFault {
    const f = { ...fault, fired: 0 };
    this.faults.push(f);
    return f;
  }

  mutations(): string[] {
    return this.requests
      .filter(
        (r) =>
          r.method !== 'GET' &&
          r.method !== 'HEAD' &&
          !r.url.includes('/retrieveBootDiagnosticsData'),
      )
      .map((r) => `${r.method} ${new URL(r.url).pathname}`);
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const url = new URL(request.url);
    const text =
      typeof request.body === 'string'
        ? request.body
        : Buffer.isBuffer(request.body)
          ? request.body.toString('utf8')
          : undefined;
    const body = text ? (JSON.parse(text) as Json) : undefined;
    this.requests.push({ method: request.method, url: request.url, ...(body ? { body } : {}) });
    const respond = (
      status: number,
      payload?: unknown,
      headers: Record<string, string> = {},
    ): PipelineResponse => ({
      request,
      status,
      headers: createHttpHeaders({
        ...(payload !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        'x-ms-request-id': randomBytes(8).toString('hex'),
        ...headers,
      }),
      ...(payload !== undefined
        ? { bodyAsText: typeof payload === 'string' ? payload : JSON.stringify(payload) }
        : {}),
    });
    try {
      if (url.origin === BLOB) return this.blob(url, respond);
      if (url.origin !== ARM)
        throw new ArmError(400, 'InvalidUri', `fake: unexpected host ${url.origin}`);
      if (request.headers.get('authorization') !== 'Bearer fake-arm-token') {
        throw new ArmError(
          401,
          'AuthenticationFailed',
          'Authentication failed. The Authorization header is missing.',
        );
      }
      const fault = this.faults.find(
        (f) =>
          (!f.match || this.label(request.method, url.pathname).startsWith(f.match)) &&
          (f.fired ?? 0) < f.times,
      );
      if (fault) {
        fault.fired = (fault.fired ?? 0) + 1;
        throw fault.make();
      }
      return this.route(request.method, url, body, respond);
    } catch (e) {
      if (e instanceof ArmError)
        return respond(e.status, { error: { code: e.code, message: e.message } }, e.headers);
      return respond(500, {
        error: { code: 'InternalServerError', message: `fake: ${(e as Error).message}` },
      });
    }
  }

  /** "PUT routeTables" for a request: the method and the resource type's last segment. */
  private label(method: string, path: string): string {
    const parts = path.split('/').filter(Boolean);
    const provIdx = parts.findIndex((p) => p.toLowerCase() === 'providers');
    if (provIdx >= 0 && parts.length > provIdx + 3) {
      const typeParts = parts.slice(provIdx + 2).filter((_, i) => i % 2 === 0);
      return `${method} ${typeParts.join('/')}`;
    }
    if (parts[2]?.toLowerCase() === 'resourcegroups') return `${method} resourceGroups`;
    return `${method} ${parts.slice(2).join('/')}`;
  }

  // ---------------------------------------------------------------------------

  private route(
    method: string,
    url: URL,
    body: Json | undefined,
    respond: (
      status: number,
      payload?: unknown,
      headers?: Record<string, string>,
    ) => PipelineResponse,
  ): PipelineResponse {
    // ids passed whole (deleteById) arrive after the host's own slash
    const path = url.pathname.replace(/^\/\/+/, '/');
    const sub = `/subscriptions/${this.subscriptionId}`;
    if (!path.toLowerCase().startsWith(sub.toLowerCase())) {
      throw new ArmError(
        404,
        'SubscriptionNotFound',
        `The subscription '${path.split('/')[2]}' could not be found.`,
      );
    }
    const rest = path.slice(sub.length);
    const filter = url.searchParams.get('$filter') ?? undefined;
    let m: RegExpExecArray | null;

    // operations
    if (
      (m =
        /^\/providers\/Microsoft\.(Network|Compute)\/locations\/[^/]+\/operations\/([^/]+)$/i.exec(
          rest,
        ))
    ) {
      return respond(200, this.asyncStatus(m[2]!));
    }
    if ((m = /^\/operationresults\/([^/]+)$/i.exec(rest))) {
      const op = this.poll(m[1]!);
      return op.status === 'InProgress'
        ? respond(202, undefined, { location: url.toString(), 'retry-after': '1' })
        : respond(200);
    }
    // catalogue
    if (/^\/providers\/Microsoft\.Compute\/skus$/i.test(rest))
      return respond(200, { value: this.skuList(filter) });
    if (
      (m =
        /^\/providers\/Microsoft\.Compute\/locations\/([^/]+)\/publishers\/([^/]+)\/artifacttypes\/vmimage\/offers\/([^/]+)\/skus\/([^/]+)\/versions(?:\/([^/]+))?$/i.exec(
          rest,
        ))
    ) {
      return respond(200, this.imageVersions(m[1]!, m[2]!, m[3]!, m[4]!, m[5]));
    }
    // lists across the subscription
    if (/^\/resourcegroups$/i.test(rest) && method === 'GET') {
      return respond(200, {
        value: [...this.groups.values()].filter((g) => tagMatch(g.tags, filter)).map(groupWire),
      });
    }
    if (/^\/resources$/i.test(rest) && method === 'GET') {
      return respond(200, {
        value: [...this.resources.values()]
          .filter((r) => tagMatch(r.tags, filter))
          .map(genericWire),
      });
    }
    // resource groups
    if ((m = /^\/resourcegroups\/([^/]+)$/i.exec(rest)))
      return this.group(method, m[1]!, body, respond);
    if ((m = /^\/resourcegroups\/([^/]+)\/resources$/i.exec(rest))) {
      const g = this.needGroup(m[1]!);
      return respond(200, {
        value: [...this.resources.values()].filter((r) => r.group === g.name).map(genericWire),
      });
    }
    // resources in a group
    if (
      (m =
        /^\/resourcegroups\/([^/]+)\/providers\/(Microsoft\.\w+)\/(\w+)\/([^/]+)(?:\/(\w+)\/([^/]+))?(?:\/(retrieveBootDiagnosticsData))?$/i.exec(
          rest,
        ))
    ) {
      const [, group, ns, type, name, childType, childName, action] = m;
      if (action) return respond(200, this.bootDiagnostics(group!, name!));
      if (childType) return this.securityRule(method, group!, name!, childName!, body, respond);
      return this.resource(method, group!, `${ns}/${type}`, name!, body, respond);
    }
    throw new ArmError(404, 'NotFound', `fake: no route for ${method} ${path}`);
  }

  private group(
    method: string,
    name: string,
    body: Json | undefined,
    respond: (
      status: number,
      payload?: unknown,
      headers?: Record<string, string>,
    ) => PipelineResponse,
  ): PipelineResponse {
    const key = name.toLowerCase();
    const existing = this.groups.get(key);
    if (method === 'HEAD') return respond(existing ? 204 : 404);
    if (method === 'GET') return respond(200, groupWire(this.needGroup(name)));
    if (method === 'PUT') {
      const g: Resource = {
        id: `/subscriptions/${this.subscriptionId}/resourceGroups/${name}`,
        name,
        type: 'Microsoft.Resources/resourceGroups',
        group: name,
        location: String(body?.location),
        tags: (body?.tags as Record<string, string>) ?? {},
        properties: { provisioningState: 'Succeeded' },
        extra: {},
      };
      this.groups.set(key, g);
      return respond(existing ? 200 : 201, groupWire(g));
    }
    if (method === 'DELETE') {
      if (!existing || this.vanish(key)) {
        this.groups.delete(key);
        for (const [id, r] of this.resources)
          if (r.group.toLowerCase() === key) this.resources.delete(id);
        return respond(existing ? 404 : 404, {
          error: {
            code: 'ResourceGroupNotFound',
            message: `Resource group '${name}' could not be found.`,
          },
        });
      }
      const id = this.newOperation('location', () => {
        this.groups.delete(key);
        for (const [rid, r] of this.resources)
          if (r.group.toLowerCase() === key) this.resources.delete(rid);
      });
      return respond(202, undefined, {
        location: `${ARM}/subscriptions/${this.subscriptionId}/operationresults/${id}?api-version=2021-04-01`,
        'retry-after': '15',
      });
    }
    throw new ArmError(405, 'MethodNotAllowed', `fake: ${method} on a resource group`);
  }

  private needGroup(name: string): Resource {
    const g = this.groups.get(name.toLowerCase());
    if (!g)
      throw new ArmError(
        404,
        'ResourceGroupNotFound',
        `Resource group '${name}' could not be found.`,
      );
    return g;
  }

  private resource(
    method: string,
    groupName: string,
    type: string,
    name: string,
    body: Json | undefined,
    respond: (
      status: number,
      payload?: unknown,
      headers?: Record<string, string>,
    ) => PipelineResponse,
  ): PipelineResponse {
    const group = this.needGroup(groupName);
    const id = `/subscriptions/${this.subscriptionId}/resourceGroups/${group.name}/providers/${type}/${name}`;
    const key = id.toLowerCase();
    const existing = this.resources.get(key);
    const notFound = () =>
      new ArmError(
        404,
        'ResourceNotFound',
        `The Resource '${type}/${name}' under resource group '${group.name}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    if (method === 'GET') {
      if (!existing) throw notFound();
      return respond(200, resourceWire(existing));
    }
    if (method === 'PATCH') {
      if (!existing) throw notFound();
      if (body?.tags) existing.tags = body.tags as Record<string, string>;
      return respond(200, resourceWire(existing));
    }
    if (method === 'DELETE') {
      if (!existing) return respond(204);
      if (this.vanish(key)) {
        this.resources.delete(key);
        return respond(204);
      }
      const user = this.usedBy(existing);
      if (user) {
        const message = `${existing.type.split('/')[1]} ${existing.name} is in use by ${user}`;
        this.dependencyViolations.push(message);
        throw new ArmError(400, inUseCode(existing.type), message);
      }
      this.resources.delete(key);
      if (existing.type === 'Microsoft.Compute/virtualMachines') this.releaseVm(existing);
      return respond(200);
    }
    if (method !== 'PUT') throw new ArmError(405, 'MethodNotAllowed', `fake: ${method} ${type}`);
    const props = { ...((body?.properties as Json) ?? {}) };
    const r: Resource = {
      id,
      name,
      type,
      group: group.name,
      location: String(body?.location ?? group.location),
      tags: (body?.tags as Record<string, string>) ?? {},
      properties: props,
      extra: {},
    };
    this.validate(r, body ?? {});
    props.provisioningState = 'Updating';
    this.resources.set(key, r);
    const ns = type.split('/')[0]!;
    const opId = this.newOperation('async', () => {
      props.provisioningState = 'Succeeded';
    });
    return respond(existing ? 200 : 201, resourceWire(r), {
      'azure-asyncoperation': `${ARM}/subscriptions/${this.subscriptionId}/providers/${ns}/locations/${r.location}/operations/${opId}?api-version=2024-05-01`,
      'retry-after': '10',
    });
  }

  /** What a PUT needs to exist first, and what it makes (addresses, the VM's OS disk). */
  private validate(r: Resource, body: Json): void {
    const p = r.properties;
    const ref = (id: unknown, what: string) => {
      const k = String((id as { id?: string } | undefined)?.id ?? '').toLowerCase();
      const base = k.replace(/\/subnets\/[^/]+$/, '');
      if (!this.resources.has(base)) {
        throw new ArmError(
          400,
          'InvalidResourceReference',
          `Resource ${String((id as { id?: string })?.id)} referenced by resource ${r.id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
        );
      }
      return what;
    };
    switch (r.type) {
      case 'Microsoft.Network/virtualNetworks':
        for (const s of (p.subnets as Json[] | undefined) ?? []) {
          const sp = (s.properties as Json) ?? {};
          if (sp.networkSecurityGroup) ref(sp.networkSecurityGroup, 'nsg');
          if (sp.routeTable) ref(sp.routeTable, 'route table');
          s.id = `${r.id}/subnets/${String(s.name)}`;
        }
        break;
      case 'Microsoft.Network/networkSecurityGroups':
        for (const s of (p.securityRules as Json[] | undefined) ?? [])
          s.id = `${r.id}/securityRules/${String(s.name)}`;
        break;
      case 'Microsoft.Network/publicIPAddresses':
        p.ipAddress = `198.51.100.${this.publicHost++}`;
        r.extra.sku = body.sku;
        break;
      case 'Microsoft.Network/networkInterfaces':
        for (const c of (p.ipConfigurations as Json[] | undefined) ?? []) {
          const cp = (c.properties as Json) ?? {};
          ref(cp.subnet, 'subnet');
          if (cp.publicIPAddress) ref(cp.publicIPAddress, 'public IP');
          c.id = `${r.id}/ipConfigurations/${String(c.name)}`;
        }
        break;
      case 'Microsoft.Compute/virtualMachines': {
        const size = String((p.hardwareProfile as Json | undefined)?.vmSize);
        const sku = this.skus.find((s) => s.name === size);
        if (!sku)
          throw new ArmError(
            400,
            'InvalidParameter',
            `The requested VM size ${size} is not available in the current region.`,
          );
        const image = (p.storageProfile as Json).imageReference as Json;
        const entry = this.images.find(
          (i) => i.publisher === image.publisher && i.offer === image.offer && i.sku === image.sku,
        );
        if (entry?.plan && !body.plan) {
          throw new ArmError(
            400,
            'VMMarketplaceInvalidInput',
            `Creating a virtual machine from Marketplace image or a custom image sourced from a Marketplace image requires Plan information in the request. VM: '${r.name}'.`,
          );
        }
        for (const n of ((p.networkProfile as Json).networkInterfaces as Json[]) ?? [])
          ref(n, 'NIC');
        const used = [...this.resources.values()]
          .filter(
            (x) => x.type === 'Microsoft.Compute/virtualMachines' && x.location === r.location,
          )
          .map((x) =>
            this.skus.find((s) => s.name === (x.properties.hardwareProfile as Json).vmSize),
          )
          .filter((s) => s?.family === sku.family)
          .reduce((n, s) => n + (s?.vcpus ?? 0), 0);
        if (used + sku.vcpus > this.coreQuota) {
          throw new ArmError(
            409,
            'OperationNotAllowed',
            `Operation could not be completed as it results in exceeding approved ${sku.family} Cores quota. Additional details - Deployment Model: Resource Manager, Location: ${r.location}, Current Limit: ${this.coreQuota}, Current Usage: ${used}, Additional Required: ${sku.vcpus}, (Minimum) New Limit Required: ${used + sku.vcpus}.`,
          );
        }
        r.extra.plan = body.plan;
        p.vmId = randomBytes(16).toString('hex');
        const os = (p.storageProfile as Json).osDisk as Json;
        const diskName = String(os.name);
        const diskId = `/subscriptions/${this.subscriptionId}/resourceGroups/${r.group}/providers/Microsoft.Compute/disks/${diskName}`;
        os.managedDisk = { ...((os.managedDisk as Json) ?? {}), id: diskId };
        this.resources.set(diskId.toLowerCase(), {
          id: diskId,
          name: diskName,
          type: 'Microsoft.Compute/disks',
          group: r.group,
          location: r.location,
          tags: {},
          properties: {
            diskSizeGB: os.diskSizeGB,
            osType: 'Linux',
            diskState: 'Attached',
            provisioningState: 'Succeeded',
          },
          extra: { managedBy: r.id, sku: { name: 'StandardSSD_LRS', tier: 'Standard' } },
        });
        this.vms.set(r.id.toLowerCase(), {
          hostKey: testKeyPair(`root@${r.name}`).public.trim().split(' ').slice(0, 2).join(' '),
          logReads: 0,
        });
        break;
      }
    }
  }

  private usedBy(r: Resource): string | undefined {
    const id = r.id.toLowerCase();
    for (const other of this.resources.values()) {
      if (other === r) continue;
      const text = JSON.stringify(other.properties).toLowerCase();
      if (
        other.type === 'Microsoft.Compute/disks' &&
        other.extra.managedBy &&
        String(other.extra.managedBy).toLowerCase() === id
      )
        continue;
      if (text.includes(`"${id}"`) || text.includes(`"${id}/`)) return other.id;
    }
    if (r.type === 'Microsoft.Compute/disks' && r.extra.managedBy) return String(r.extra.managedBy);
    return undefined;
  }

  private releaseVm(vm: Resource): void {
    for (const d of this.resources.values()) {
      if (
        d.type === 'Microsoft.Compute/disks' &&
        String(d.extra.managedBy).toLowerCase() === vm.id.toLowerCase()
      ) {
        delete d.extra.managedBy;
        d.properties.diskState = 'Unattached';
      }
    }
  }

  private securityRule(
    method: string,
    group: string,
    nsgName: string,
    ruleName: string,
    body: Json | undefined,
    respond: (
      status: number,
      payload?: unknown,
      headers?: Record<string, string>,
    ) => PipelineResponse,
  ): PipelineResponse {
    const nsgId = `/subscriptions/${this.subscriptionId}/resourceGroups/${this.needGroup(group).name}/providers/Microsoft.Network/networkSecurityGroups/${nsgName}`;
    const nsg = this.resources.get(nsgId.toLowerCase());
    if (!nsg)
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Network/networkSecurityGroups/${nsgName}' under resource group '${group}' was not found.`,
      );
    const rules = ((nsg.properties.securityRules as Json[]) ??= []);
    const id = `${nsg.id}/securityRules/${ruleName}`;
    if (method === 'GET') {
      const rule = rules.find((r) => r.name === ruleName);
      if (!rule) throw new ArmError(404, 'NotFound', `Resource ${id} not found.`);
      return respond(200, rule);
    }
    if (method !== 'PUT')
      throw new ArmError(405, 'MethodNotAllowed', `fake: ${method} securityRules`);
    const props = (body?.properties as Json) ?? {};
    const clash = rules.find(
      (r) =>
        r.name !== ruleName &&
        (r.properties as Json).priority === props.priority &&
        (r.properties as Json).direction === props.direction,
    );
    if (clash) {
      throw new ArmError(
        400,
        'SecurityRuleConflict',
        `Security rule ${ruleName} conflicts with rule ${String(clash.name)}. Rules cannot have the same Priority and Direction.`,
      );
    }
    const rule = {
      name: ruleName,
      id,
      type: 'Microsoft.Network/networkSecurityGroups/securityRules',
      properties: { ...props, provisioningState: 'Succeeded' },
    };
    const at = rules.findIndex((r) => r.name === ruleName);
    if (at >= 0) rules[at] = rule;
    else rules.push(rule);
    const opId = this.newOperation('async');
    return respond(at >= 0 ? 200 : 201, rule, {
      'azure-asyncoperation': `${ARM}/subscriptions/${this.subscriptionId}/providers/Microsoft.Network/locations/${nsg.location}/operations/${opId}?api-version=2024-05-01`,
    });
  }

  private bootDiagnostics(group: string, vm: string): Json {
    const id = `/subscriptions/${this.subscriptionId}/resourceGroups/${this.needGroup(group).name}/providers/Microsoft.Compute/virtualMachines/${vm}`;
    if (!this.resources.has(id.toLowerCase())) {
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Compute/virtualMachines/${vm}' under resource group '${group}' was not found.`,
      );
    }
    const sas = 'sv=2018-03-28&sr=b&sig=ZmFrZQ%3D%3D&se=2030-01-01T00%3A10%3A00Z&sp=r';
    return {
      consoleScreenshotBlobUri: `${BLOB}/${vm}/${vm}.screenshot.bmp?${sas}`,
      serialConsoleLogBlobUri: `${BLOB}/${vm}/${vm}.serialconsole.log?${sas}`,
    };
  }

  private blob(
    url: URL,
    respond: (status: number, payload?: unknown) => PipelineResponse,
  ): PipelineResponse {
    const vm = url.pathname.split('/')[1] ?? '';
    const r = [...this.resources.values()].find(
      (x) => x.type === 'Microsoft.Compute/virtualMachines' && x.name === vm,
    );
    const state = r ? this.vms.get(r.id.toLowerCase()) : undefined;
    if (!state)
      return respond(
        404,
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>',
      );
    state.logReads += 1;
    const boot =
      '[    0.000000] Linux version 5.14.0-503.14.1.el9_5.x86_64\r\n[  OK  ] Started Initial cloud-init job (pre-networking).\r\n';
    if (state.logReads < 2) return respond(200, boot);
    return respond(
      200,
      `${boot}ci-info: no authorized SSH keys fingerprints found for user tungsten.\r\n<14>Jan  1 00:00:12 cloud-init: #############################################################\r\n<14>Jan  1 00:00:12 cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----\r\n<14>Jan  1 00:00:12 cloud-init: 256 SHA256:fake root@${vm} (ED25519)\r\n<14>Jan  1 00:00:12 cloud-init: -----END SSH HOST KEY FINGERPRINTS-----\r\n-----BEGIN SSH HOST KEY KEYS-----\r\n${state.hostKey} root@${vm}\r\n-----END SSH HOST KEY KEYS-----\r\n`,
    );
  }

  private skuList(filter?: string): Json[] {
    const location = /location eq '([^']+)'/.exec(filter ?? '')?.[1] ?? 'westeurope';
    return this.skus.map((s) => ({
      resourceType: 'virtualMachines',
      name: s.name,
      tier: 'Standard',
      size: s.name.replace(/^Standard_/, ''),
      family: s.family,
      locations: [location],
      locationInfo: [{ location, zones: ['1', '2', '3'], zoneDetails: [] }],
      capabilities: [
        { name: 'MaxResourceVolumeMB', value: '0' },
        { name: 'OSVhdSizeMB', value: '1047552' },
        { name: 'vCPUs', value: String(s.vcpus) },
        { name: 'MemoryGB', value: String(s.memoryGB) },
        { name: 'HyperVGenerations', value: 'V1,V2' },
        { name: 'PremiumIO', value: 'True' },
      ],
      restrictions: s.restricted
        ? [
            {
              type: 'Location',
              values: [location],
              restrictionInfo: { locations: [location] },
              reasonCode: 'NotAvailableForSubscription',
            },
          ]
        : [],
    }));
  }

  private imageVersions(
    location: string,
    publisher: string,
    offer: string,
    sku: string,
    version?: string,
  ): unknown {
    const entry = this.images.find(
      (i) => i.publisher === publisher && i.offer === offer && i.sku === sku,
    );
    const idOf = (v: string) =>
      `/Subscriptions/${this.subscriptionId}/Providers/Microsoft.Compute/Locations/${location}/Publishers/${publisher}/ArtifactTypes/VMImage/Offers/${offer}/Skus/${sku}/Versions/${v}`;
    if (!entry) throw new ArmError(404, 'NotFound', `Artifact: VMImage was not found.`);
    if (version === undefined)
      return entry.versions.map((v) => ({ location, name: v, id: idOf(v) }));
    if (!entry.versions.includes(version))
      throw new ArmError(404, 'NotFound', `Artifact: VMImage was not found.`);
    return {
      location,
      name: version,
      id: idOf(version),
      properties: {
        ...(entry.plan ? { plan: { publisher, name: sku, product: offer } } : {}),
        osDiskImage: { operatingSystem: 'Linux' },
        dataDiskImages: [],
        automaticOSUpgradeProperties: { automaticOSUpgradeSupported: false },
        hyperVGeneration: 'V2',
        architecture: 'x64',
      },
    };
  }

  private newOperation(style: Operation['style'], finish?: () => void): string {
    const id = randomBytes(12).toString('hex');
    this.operations.set(id, {
      status: 'InProgress',
      pollsLeft: this.operationPolls,
      style,
      ...(finish ? { finish } : {}),
    });
    return id;
  }

  private poll(id: string): Operation {
    const op = this.operations.get(id);
    if (!op) throw new ArmError(404, 'NotFound', `operation ${id} not found`);
    if (op.status === 'InProgress') {
      op.pollsLeft -= 1;
      if (op.pollsLeft < 0) {
        op.finish?.();
        op.status = op.error ? 'Failed' : 'Succeeded';
      }
    }
    return op;
  }

  private asyncStatus(id: string): Json {
    const op = this.poll(id);
    return {
      name: id,
      status: op.status,
      startTime: '2030-01-01T00:00:00.0000000+00:00',
      ...(op.status !== 'InProgress' ? { endTime: '2030-01-01T00:00:30.0000000+00:00' } : {}),
      ...(op.error ? { error: op.error } : {}),
    };
  }

  private vanish(key: string): boolean {
    for (const v of this.vanishOnDelete) {
      if (
        key.toLowerCase().endsWith(`/${v.toLowerCase()}`) ||
        key.toLowerCase() === v.toLowerCase()
      ) {
        this.vanishOnDelete.delete(v);
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------
  // For fixtures

  nsgRules(runId: string, site: string): Json[] {
    const nsg = [...this.resources.values()].find(
      (r) =>
        r.type === 'Microsoft.Network/networkSecurityGroups' &&
        r.name === `te-${runId}-${site}-nsg`,
    );
    return (nsg?.properties.securityRules as Json[] | undefined) ?? [];
  }

  routeTable(runId: string, site: string): Resource | undefined {
    return [...this.resources.values()].find(
      (r) => r.type === 'Microsoft.Network/routeTables' && r.name === `te-${runId}-${site}-routes`,
    );
  }

  vmByHost(host: string): Resource | undefined {
    return [...this.resources.values()].find(
      (r) => r.type === 'Microsoft.Compute/virtualMachines' && r.tags['tungsten-e2e:host'] === host,
    );
  }

  hostKeyOf(vm: Resource): string | undefined {
    return this.vms.get(vm.id.toLowerCase())?.hostKey;
  }

  /** The private address of a host's NIC. */
  addressOf(host: string): string | undefined {
    const nic = [...this.resources.values()].find(
      (r) =>
        r.type === 'Microsoft.Network/networkInterfaces' && r.tags['tungsten-e2e:host'] === host,
    );
    const config = (nic?.properties.ipConfigurations as Json[] | undefined)?.[0];
    return (config?.properties as Json | undefined)?.privateIPAddress as string | undefined;
  }
}

function inUseCode(type: string): string {
  switch (type) {
    case 'Microsoft.Network/networkInterfaces':
      return 'NicInUse';
    case 'Microsoft.Network/publicIPAddresses':
      return 'PublicIPAddressInUse';
    case 'Microsoft.Network/virtualNetworks':
      return 'InUseSubnetCannotBeDeleted';
    case 'Microsoft.Network/networkSecurityGroups':
      return 'InUseNetworkSecurityGroupCannotBeDeleted';
    case 'Microsoft.Network/routeTables':
      return 'InUseRouteTableCannotBeDeleted';
    default:
      return 'OperationNotAllowed';
  }
}

function tagMatch(tags: Record<string, string>, filter?: string): boolean {
  if (!filter) return true;
  const m = /^tagName eq '([^']+)'(?: and tagValue eq '([^']*)')?$/.exec(filter.trim());
  if (!m)
    throw new ArmError(
      400,
      'InvalidFilterInQueryString',
      `Invalid $filter '${filter}' specified in the query string.`,
    );
  return m[1]! in tags && (m[2] === undefined || tags[m[1]!] === m[2]);
}

function groupWire(g: Resource): Json {
  return {
    id: g.id,
    name: g.name,
    type: g.type,
    location: g.location,
    tags: g.tags,
    properties: g.properties,
  };
}

function resourceWire(r: Resource): Json {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    location: r.location,
    tags: r.tags,
    ...(r.extra.sku ? { sku: r.extra.sku } : {}),
    ...(r.extra.plan ? { plan: r.extra.plan } : {}),
    ...(r.extra.managedBy ? { managedBy: r.extra.managedBy } : {}),
    ...(r.type.startsWith('Microsoft.Network')
      ? { etag: `W/"${randomBytes(8).toString('hex')}"` }
      : {}),
    properties: r.properties,
  };
}

function genericWire(r: Resource): Json {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    location: r.location,
    tags: r.tags,
    ...(r.extra.sku ? { sku: r.extra.sku } : {}),
    ...(r.extra.managedBy ? { managedBy: r.extra.managedBy } : {}),
  };
}
