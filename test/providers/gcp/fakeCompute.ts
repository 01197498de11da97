/**
 * A stateful fake of the Compute Engine API for one project, served over HTTP
 * on 127.0.0.1 so the real client library talks to it through its REST
 * transport. Requests are routed by the API's own http rules (computeSpec.ts)
 * and every request body and response is checked against the API's message
 * types; a field the API does not have fails the test (see `shapeErrors`).
 *
 * What makes order and waiting matter on the real API is enforced: inserts
 * return operations that are RUNNING until polled, instances go PROVISIONING →
 * STAGING → RUNNING, deleting a network still used by subnetworks, firewall
 * rules or routes, a subnetwork still used by an instance, or a disk still
 * attached fails with `resourceInUseByAnotherResource`; requestIds make a
 * repeated insert return the first operation; a regional CPU quota fails an
 * instance's operation with QUOTA_EXCEEDED; list filters of the form
 * `name eq REGEX` are applied.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { protos } from '@google-cloud/compute';
import { testKeyPair } from '../keys.js';
import { restMethods, shapeProblems } from './computeSpec.js';
import type { RestMethod } from './computeSpec.js';

type Instance = protos.google.cloud.compute.v1.IInstance;
type Operation = protos.google.cloud.compute.v1.IOperation;
type Network = protos.google.cloud.compute.v1.INetwork;
type Subnetwork = protos.google.cloud.compute.v1.ISubnetwork;
type Firewall = protos.google.cloud.compute.v1.IFirewall;
type Route = protos.google.cloud.compute.v1.IRoute;
type Disk = protos.google.cloud.compute.v1.IDisk;
type MachineType = protos.google.cloud.compute.v1.IMachineType;
type Image = protos.google.cloud.compute.v1.IImage;

const SERVICES = [
  'Instances',
  'Disks',
  'Networks',
  'Subnetworks',
  'Firewalls',
  'Routes',
  'MachineTypes',
  'Images',
  'ZoneOperations',
  'RegionOperations',
  'GlobalOperations',
];
const BASE = 'https://www.googleapis.com/compute/v1';

/** An HTTP error in the Compute API's JSON shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
  body(): unknown {
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [{ message: this.message, domain: 'global', reason: this.reason }],
        ...this.extra,
      },
    };
  }
}

export const RATE_LIMITED = () =>
  new ApiError(
    429,
    "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project_number:123456789012'.",
    'rateLimitExceeded',
    {
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
          metadata: { service: 'compute.googleapis.com', consumer: 'projects/123456789012' },
        },
      ],
    },
  );
export const BACKEND_ERROR = () =>
  new ApiError(500, 'Internal error. Please try again or contact Google Support.', 'backendError');

export interface InjectedFault {
  /** method id ("Instances.Insert"); undefined = any */
  method?: string;
  times: number;
  make: () => ApiError;
  fired?: number;
}

interface OpRecord {
  op: Operation;
  pollsLeft: number;
  /** applied when the operation turns DONE */
  finish?: () => void;
}

interface InstanceRecord {
  instance: Instance;
  pollsToRunning: number;
  hostKey: string;
  guestReads: number;
}

export interface FakeComputeOptions {
  project: string;
  machineTypes: MachineType[];
  /** images by "project/family" */
  families: Record<string, Image>;
  /** CPUs per region (instances of every run together) */
  cpuQuota?: number;
  /** first two octets of external addresses */
  publicPrefix?: string;
}

export class FakeCompute {
  readonly calls: { method: string; url: string; body?: unknown }[] = [];
  readonly shapeErrors: string[] = [];
  readonly dependencyViolations: string[] = [];
  readonly faults: InjectedFault[] = [];
  readonly vanishOnDelete = new Set<string>();
  cpuQuota: number;
  /** polls an operation stays RUNNING (Infinity: it never finishes) */
  operationPolls = 1;
  port = 0;

  readonly networks = new Map<string, Network>();
  readonly subnetworks = new Map<string, Subnetwork>();
  readonly firewalls = new Map<string, Firewall>();
  readonly routes = new Map<string, Route>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly disks = new Map<string, Disk>();
  private readonly operations = new Map<string, OpRecord>();
  private readonly requestIds = new Map<string, string>();
  private readonly methods = restMethods(SERVICES);
  private server?: Server;
  private counter = 0;
  private publicHost = 10;

  constructor(private readonly options: FakeComputeOptions) {
    this.cpuQuota = options.cpuQuota ?? 1024;
  }

  get project(): string {
    return this.options.project;
  }

  async start(): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  inject(fault: Omit<InjectedFault, 'fired'>): InjectedFault {
    const f = { ...fault, fired: 0 };
    this.faults.push(f);
    return f;
  }

  /** Operations that changed (or tried to change) the world. */
  mutations(): string[] {
    return this.calls
      .filter((c) => /\.(Insert|Delete|Patch|Update|Set\w+)$/.test(c.method))
      .map((c) => c.method);
  }

  // ---------------------------------------------------------------------------
  // HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    };
    const method = this.methods.find((m) => m.verb === req.method && m.pattern.test(url.pathname));
    if (!method) {
      send(
        404,
        new ApiError(404, `fake: no route for ${req.method} ${url.pathname}`, 'notFound').body(),
      );
      return;
    }
    const match = method.pattern.exec(url.pathname)!;
    const params: Record<string, string> = Object.fromEntries(
      method.params.map((p, i) => [p, decodeURIComponent(match[i + 1]!)]),
    );
    const query = Object.fromEntries(url.searchParams.entries());
    let body: unknown;
    if (text) {
      body = JSON.parse(text);
      if (method.bodyType) {
        for (const p of shapeProblems(method.bodyType, body))
          this.shapeErrors.push(`request ${method.id}: ${p}`);
      }
    }
    this.calls.push({ method: method.id, url: req.url ?? '', ...(body ? { body } : {}) });
    if (req.headers.authorization !== 'Bearer ya29.fake-token') {
      send(
        401,
        new ApiError(
          401,
          'Request is missing required authentication credential.',
          'required',
        ).body(),
      );
      return;
    }
    try {
      const fault = this.faults.find(
        (f) => (!f.method || f.method === method.id) && (f.fired ?? 0) < f.times,
      );
      if (fault) {
        fault.fired = (fault.fired ?? 0) + 1;
        throw fault.make();
      }
      const out = this.dispatch(method, params, query, body);
      for (const p of shapeProblems(method.responseType, out))
        this.shapeErrors.push(`response ${method.id}: ${p}`);
      send(200, out);
    } catch (e) {
      if (e instanceof ApiError) send(e.status, e.body());
      else send(500, new ApiError(500, `fake: ${(e as Error).message}`, 'backendError').body());
    }
  }

  private dispatch(
    m: RestMethod,
    p: Record<string, string>,
    q: Record<string, string>,
    body: unknown,
  ): unknown {
    if (
      p.project &&
      p.project !== this.project &&
      m.id !== 'Images.GetFromFamily' &&
      m.id !== 'Images.Get'
    ) {
      throw new ApiError(403, `Permission denied on resource project ${p.project}.`, 'forbidden');
    }
    switch (m.id) {
      case 'MachineTypes.Get':
        return this.machineType(p.zone!, p.machineType!);
      case 'Images.GetFromFamily': {
        const image = this.options.families[`${p.project}/${p.family}`];
        if (!image) throw notFound(`projects/${p.project}/global/images/family/${p.family}`);
        return image;
      }
      case 'Images.Get': {
        const image = Object.values(this.options.families).find(
          (i) => i.name === p.image && i.selfLink?.includes(`/projects/${p.project}/`),
        );
        if (!image) throw notFound(`projects/${p.project}/global/images/${p.image}`);
        return image;
      }
      case 'Networks.Insert':
        return this.insert(q, { global: true }, 'insert', body as Network, (n) => {
          this.unique(this.networks, n.name!, `global/networks/${n.name}`);
          this.networks.set(n.name!, {
            // GCP's default for a network created without one
            mtu: 1460,
            ...n,
            kind: 'compute#network',
            id: this.id(),
            selfLink: `${BASE}/projects/${this.project}/global/networks/${n.name}`,
            creationTimestamp: new Date().toISOString(),
            subnetworks: [],
          });
          return `global/networks/${n.name}`;
        });
      case 'Networks.List':
        return list('compute#networkList', this.filter(this.networks, q.filter));
      case 'Networks.Delete':
        return this.remove(
          q,
          { global: true },
          this.networks,
          p.network!,
          `global/networks/${p.network}`,
          () => {
            const url = `projects/${this.project}/global/networks/${p.network}`;
            const user =
              [...this.subnetworks.values()].find((s) => s.network?.endsWith(url))?.selfLink ??
              [...this.firewalls.values()].find((f) => f.network?.endsWith(url))?.selfLink ??
              [...this.routes.values()].find((r) => r.network?.endsWith(url))?.selfLink;
            return user;
          },
        );
      case 'Subnetworks.Insert':
        return this.insert(q, { region: p.region! }, 'insert', body as Subnetwork, (s) => {
          const net = this.networks.get(last(s.network));
          if (!net)
            throw new ApiError(
              400,
              `Invalid value for field 'resource.network': '${s.network}'. The referenced network resource cannot be found.`,
              'invalid',
            );
          this.unique(this.subnetworks, s.name!, `regions/${p.region}/subnetworks/${s.name}`);
          const base = s.ipCidrRange!.split('/')[0]!.split('.').map(Number);
          const selfLink = `${BASE}/projects/${this.project}/regions/${p.region}/subnetworks/${s.name}`;
          this.subnetworks.set(s.name!, {
            ...s,
            kind: 'compute#subnetwork',
            id: this.id(),
            network: net.selfLink!,
            region: `${BASE}/projects/${this.project}/regions/${p.region}`,
            gatewayAddress: [base[0], base[1], base[2], (base[3] ?? 0) + 1].join('.'),
            selfLink,
          });
          net.subnetworks = [...(net.subnetworks ?? []), selfLink];
          return `regions/${p.region}/subnetworks/${s.name}`;
        });
      case 'Subnetworks.AggregatedList':
        return this.aggregated(
          'compute#subnetworkAggregatedList',
          'subnetworks',
          this.filter(this.subnetworks, q.filter),
          (s) => `regions/${last(s.region)}`,
        );
      case 'Subnetworks.Delete':
        return this.remove(
          q,
          { region: p.region! },
          this.subnetworks,
          p.subnetwork!,
          `regions/${p.region}/subnetworks/${p.subnetwork}`,
          () => {
            const user = [...this.instances.values()].find((r) =>
              r.instance.networkInterfaces?.some((n) => last(n.subnetwork) === p.subnetwork),
            );
            return user?.instance.selfLink ?? undefined;
          },
          () => {
            for (const n of this.networks.values())
              n.subnetworks = (n.subnetworks ?? []).filter((u) => last(u) !== p.subnetwork);
          },
        );
      case 'Firewalls.Insert':
        return this.insert(q, { global: true }, 'insert', body as Firewall, (f) => {
          if (!this.networks.get(last(f.network)))
            throw new ApiError(400, `The resource '${f.network}' was not found`, 'notFound');
          this.unique(this.firewalls, f.name!, `global/firewalls/${f.name}`);
          this.firewalls.set(f.name!, {
            ...f,
            kind: 'compute#firewall',
            id: this.id(),
            network: `${BASE}/${f.network}`,
            selfLink: `${BASE}/projects/${this.project}/global/firewalls/${f.name}`,
          });
          return `global/firewalls/${f.name}`;
        });
      case 'Firewalls.List':
        return list('compute#firewallList', this.filter(this.firewalls, q.filter));
      case 'Firewalls.Delete':
        return this.remove(
          q,
          { global: true },
          this.firewalls,
          p.firewall!,
          `global/firewalls/${p.firewall}`,
        );
      case 'Routes.Insert':
        return this.insert(q, { global: true }, 'insert', body as Route, (r) => {
          if (!this.networks.get(last(r.network)))
            throw new ApiError(400, `The resource '${r.network}' was not found`, 'notFound');
          if (r.nextHopInstance && !this.instances.get(last(r.nextHopInstance))) {
            throw new ApiError(
              400,
              `The resource '${r.nextHopInstance}' was not found`,
              'notFound',
            );
          }
          this.unique(this.routes, r.name!, `global/routes/${r.name}`);
          this.routes.set(r.name!, {
            ...r,
            kind: 'compute#route',
            id: this.id(),
            network: `${BASE}/${r.network}`,
            nextHopInstance: `${BASE}/${r.nextHopInstance}`,
            selfLink: `${BASE}/projects/${this.project}/global/routes/${r.name}`,
          });
          return `global/routes/${r.name}`;
        });
      case 'Routes.List':
        return list('compute#routeList', this.filter(this.routes, q.filter));
      case 'Routes.Delete':
        return this.remove(q, { global: true }, this.routes, p.route!, `global/routes/${p.route}`);
      case 'Instances.Insert':
        return this.insertInstance(p.zone!, q, body as Instance);
      case 'Instances.Get': {
        const r = this.instances.get(p.instance!);
        if (!r || last(r.instance.zone) !== p.zone)
          throw notFound(`projects/${this.project}/zones/${p.zone}/instances/${p.instance}`);
        if (r.pollsToRunning > 0) {
          r.pollsToRunning -= 1;
          r.instance.status = r.pollsToRunning > 0 ? 'STAGING' : 'RUNNING';
        }
        return r.instance;
      }
      case 'Instances.GetGuestAttributes': {
        const r = this.instances.get(p.instance!);
        if (!r) throw notFound(`projects/${this.project}/zones/${p.zone}/instances/${p.instance}`);
        r.guestReads += 1;
        if (r.instance.status !== 'RUNNING' || r.guestReads < 2) {
          throw new ApiError(
            404,
            `The resource 'projects/${this.project}/zones/${p.zone}/instances/${p.instance}/guestAttributes/hostkeys/' was not found`,
            'notFound',
          );
        }
        const [type, value] = r.hostKey.split(' ');
        return {
          kind: 'compute#guestAttributes',
          queryPath: q.queryPath ?? '',
          selfLink: `${BASE}/projects/${this.project}/zones/${p.zone}/instances/${p.instance}/getGuestAttributes`,
          queryValue: { items: [{ namespace: 'hostkeys', key: type, value }] },
        };
      }
      case 'Instances.AggregatedList':
        return this.aggregated(
          'compute#instanceAggregatedList',
          'instances',
          this.filter(new Map([...this.instances].map(([k, r]) => [k, r.instance])), q.filter),
          (i) => `zones/${last(i.zone)}`,
        );
      case 'Instances.Delete':
        return this.remove(
          q,
          { zone: p.zone! },
          new Map([...this.instances].map(([k, r]) => [k, r.instance])),
          p.instance!,
          `zones/${p.zone}/instances/${p.instance}`,
          undefined,
          () => {
            const r = this.instances.get(p.instance!)!;
            this.instances.delete(p.instance!);
            for (const d of r.instance.disks ?? []) {
              const disk = this.disks.get(last(d.source));
              if (!disk) continue;
              disk.users = [];
              if (d.autoDelete) this.disks.delete(disk.name!);
            }
          },
        );
      case 'Disks.AggregatedList':
        return this.aggregated(
          'compute#diskAggregatedList',
          'disks',
          this.filter(this.disks, q.filter),
          (d) => `zones/${last(d.zone)}`,
        );
      case 'Disks.Delete':
        return this.remove(
          q,
          { zone: p.zone! },
          this.disks,
          p.disk!,
          `zones/${p.zone}/disks/${p.disk}`,
          () => this.disks.get(p.disk!)?.users?.[0],
        );
      case 'ZoneOperations.Get':
      case 'RegionOperations.Get':
      case 'GlobalOperations.Get':
        return this.pollOperation(p.operation!);
      default:
        throw new ApiError(501, `fake: ${m.id} is not implemented`, 'notImplemented');
    }
  }

  // ---------------------------------------------------------------------------
  // Handlers

  private id(): string {
    this.counter += 1;
    return String(4_000_000_000_000_000_000n + BigInt(this.counter));
  }

  private machineType(zone: string, name: string): MachineType {
    const t = this.options.machineTypes.find((m) => m.name === name);
    if (!t) throw notFound(`projects/${this.project}/zones/${zone}/machineTypes/${name}`);
    return {
      ...t,
      zone,
      selfLink: `${BASE}/projects/${this.project}/zones/${zone}/machineTypes/${name}`,
    };
  }

  private unique(map: Map<string, unknown>, name: string, path: string): void {
    if (map.has(name)) {
      throw new ApiError(
        409,
        `The resource 'projects/${this.project}/${path}' already exists`,
        'alreadyExists',
      );
    }
  }

  private filter<T extends { name?: string | null }>(map: Map<string, T>, filter?: string): T[] {
    const items = [...map.values()];
    if (!filter) return items;
    const m = /^name eq (?:"([^"]*)"|'([^']*)'|(\S+))$/.exec(filter.trim());
    if (!m)
      throw new ApiError(
        400,
        `Invalid value for field 'filter': '${filter}'. Invalid list filter expression.`,
        'invalid',
      );
    const re = new RegExp(`^(?:${m[1] ?? m[2] ?? m[3]})$`);
    return items.filter((i) => re.test(i.name ?? ''));
  }

  private aggregated<T>(
    kind: string,
    field: string,
    items: T[],
    scopeOf: (t: T) => string,
  ): unknown {
    const groups: Record<string, unknown> = {};
    for (const i of items) {
      const scope = scopeOf(i);
      const g = (groups[scope] ??= { [field]: [] }) as Record<string, T[]>;
      g[field]!.push(i);
    }
    return {
      kind,
      id: `projects/${this.project}/aggregated/${field}`,
      items: groups,
      selfLink: `${BASE}/projects/${this.project}/aggregated/${field}`,
    };
  }

  private newOperation(
    scope: { zone?: string; region?: string; global?: true },
    type: string,
    target: string,
  ): OpRecord {
    const name = `operation-${Date.now()}-${randomBytes(6).toString('hex')}`;
    const where = scope.zone
      ? `zones/${scope.zone}`
      : scope.region
        ? `regions/${scope.region}`
        : 'global';
    const op: Operation = {
      kind: 'compute#operation',
      id: this.id(),
      name,
      operationType: type,
      targetLink: `${BASE}/projects/${this.project}/${target}`,
      targetId: this.id(),
      status: 'RUNNING',
      user: 'tungsten-e2e@fake-project.iam.gserviceaccount.com',
      progress: 0,
      insertTime: new Date().toISOString(),
      startTime: new Date().toISOString(),
      selfLink: `${BASE}/projects/${this.project}/${where}/operations/${name}`,
      ...(scope.zone ? { zone: `${BASE}/projects/${this.project}/zones/${scope.zone}` } : {}),
      ...(scope.region
        ? { region: `${BASE}/projects/${this.project}/regions/${scope.region}` }
        : {}),
    };
    const rec: OpRecord = { op, pollsLeft: this.operationPolls };
    this.operations.set(name, rec);
    return rec;
  }

  private pollOperation(name: string): Operation {
    const rec = this.operations.get(name);
    if (!rec) throw notFound(`projects/${this.project}/global/operations/${name}`);
    if (rec.op.status !== 'DONE') {
      rec.pollsLeft -= 1;
      if (rec.pollsLeft <= 0) {
        rec.finish?.();
        rec.op.status = 'DONE';
        rec.op.progress = 100;
        rec.op.endTime = new Date().toISOString();
      }
    }
    return rec.op;
  }

  private failed(
    rec: OpRecord,
    code: string,
    message: string,
    status: number,
    statusText: string,
  ): Operation {
    rec.finish = () => {
      rec.op.error = { errors: [{ code, message }] };
      rec.op.httpErrorStatusCode = status;
      rec.op.httpErrorMessage = statusText;
    };
    return rec.op;
  }

  /** Validate synchronously, apply, answer with a RUNNING operation; a requestId seen before returns its operation. */
  private insert<T>(
    q: Record<string, string>,
    scope: { zone?: string; region?: string; global?: true },
    type: string,
    resource: T,
    apply: (r: T) => string,
  ): Operation {
    const again = q.requestId ? this.requestIds.get(q.requestId) : undefined;
    if (again) return this.operations.get(again)!.op;
    const target = apply(resource);
    const rec = this.newOperation(scope, type, target);
    if (q.requestId) this.requestIds.set(q.requestId, rec.op.name!);
    return rec.op;
  }

  private remove<T>(
    q: Record<string, string>,
    scope: { zone?: string; region?: string; global?: true },
    map: Map<string, T>,
    name: string,
    path: string,
    usedBy?: () => string | null | undefined,
    after?: () => void,
  ): Operation {
    const again = q.requestId ? this.requestIds.get(q.requestId) : undefined;
    if (again) return this.operations.get(again)!.op;
    if (!map.has(name)) throw notFound(`projects/${this.project}/${path}`);
    if (this.vanishOnDelete.delete(name)) {
      // someone else deleted it just now
      this.drop(path, name);
      throw notFound(`projects/${this.project}/${path}`);
    }
    const user = usedBy?.();
    if (user) {
      const message = `The ${path.split('/').slice(-2, -1)[0]!.replace(/s$/, '')} resource 'projects/${this.project}/${path}' is already being used by '${user.replace(`${BASE}/`, '')}'`;
      this.dependencyViolations.push(message);
      throw new ApiError(400, message, 'resourceInUseByAnotherResource');
    }
    const rec = this.newOperation(scope, 'delete', path);
    if (q.requestId) this.requestIds.set(q.requestId, rec.op.name!);
    after?.();
    this.drop(path, name);
    return rec.op;
  }

  private drop(path: string, name: string): void {
    const kind = path.split('/').slice(-2, -1)[0];
    if (kind === 'networks') this.networks.delete(name);
    if (kind === 'subnetworks') this.subnetworks.delete(name);
    if (kind === 'firewalls') this.firewalls.delete(name);
    if (kind === 'routes') this.routes.delete(name);
    if (kind === 'instances') this.instances.delete(name);
    if (kind === 'disks') this.disks.delete(name);
  }

  private insertInstance(zone: string, q: Record<string, string>, input: Instance): Operation {
    const again = q.requestId ? this.requestIds.get(q.requestId) : undefined;
    if (again) return this.operations.get(again)!.op;
    const type = this.machineType(zone, last(input.machineType));
    const region = zone.replace(/-[a-z]$/, '');
    this.unique(this.instances, input.name!, `zones/${zone}/instances/${input.name}`);
    const nic = input.networkInterfaces?.[0];
    const subnet = this.subnetworks.get(last(nic?.subnetwork));
    if (!subnet || last(subnet.region) !== region) {
      throw new ApiError(
        400,
        `Invalid value for field 'resource.networkInterfaces[0].subnetwork': '${nic?.subnetwork}'. The referenced subnetwork resource cannot be found.`,
        'invalid',
      );
    }
    this.checkLabels(`instance ${input.name}`, input.labels);
    this.checkLabels(`disk of ${input.name}`, input.disks?.[0]?.initializeParams?.labels);
    const rec = this.newOperation({ zone }, 'insert', `zones/${zone}/instances/${input.name}`);
    if (q.requestId) this.requestIds.set(q.requestId, rec.op.name!);
    const used = [...this.instances.values()]
      .filter((r) => last(r.instance.zone).startsWith(region))
      .reduce(
        (n, r) => n + Number(this.machineType(zone, last(r.instance.machineType)).guestCpus ?? 0),
        0,
      );
    if (used + Number(type.guestCpus ?? 0) > this.cpuQuota) {
      return this.failed(
        rec,
        'QUOTA_EXCEEDED',
        `Quota 'CPUS' exceeded.  Limit: ${this.cpuQuota}.0 in region ${region}.`,
        403,
        'FORBIDDEN',
      );
    }
    const boot = input.disks?.[0];
    const diskName = input.name!;
    const selfLink = `${BASE}/projects/${this.project}/zones/${zone}/instances/${input.name}`;
    this.disks.set(diskName, {
      kind: 'compute#disk',
      id: this.id(),
      name: diskName,
      zone: `${BASE}/projects/${this.project}/zones/${zone}`,
      sizeGb: String(boot?.initializeParams?.diskSizeGb ?? 10),
      sourceImage: boot?.initializeParams?.sourceImage ?? '',
      type: `${BASE}/projects/${this.project}/${boot?.initializeParams?.diskType ?? `zones/${zone}/diskTypes/pd-standard`}`,
      labels: boot?.initializeParams?.labels ?? {},
      status: 'READY',
      users: [selfLink],
      selfLink: `${BASE}/projects/${this.project}/zones/${zone}/disks/${diskName}`,
    });
    const instance: Instance = {
      ...input,
      kind: 'compute#instance',
      id: this.id(),
      zone: `${BASE}/projects/${this.project}/zones/${zone}`,
      machineType: `${BASE}/projects/${this.project}/zones/${zone}/machineTypes/${type.name}`,
      status: 'PROVISIONING',
      selfLink,
      creationTimestamp: new Date().toISOString(),
      networkInterfaces: (input.networkInterfaces ?? []).map((n, i) => ({
        ...n,
        name: `nic${i}`,
        network: subnet.network!,
        subnetwork: subnet.selfLink!,
        networkIP: n.networkIP ?? '',
        accessConfigs: (n.accessConfigs ?? []).map((a) => ({
          ...a,
          kind: 'compute#accessConfig',
          natIP: `${this.options.publicPrefix ?? '203.0'}.113.${this.publicHost++}`,
          networkTier: 'PREMIUM',
        })),
      })),
      disks: (input.disks ?? []).map((d, i) => {
        const { initializeParams: _init, ...rest } = d;
        return {
          ...rest,
          kind: 'compute#attachedDisk',
          index: i,
          deviceName: `persistent-disk-${i}`,
          source: `${BASE}/projects/${this.project}/zones/${zone}/disks/${diskName}`,
          mode: 'READ_WRITE',
          diskSizeGb: String(d.initializeParams?.diskSizeGb ?? 10),
        };
      }),
    };
    this.instances.set(input.name!, {
      instance,
      pollsToRunning: 2,
      hostKey: testKeyPair(`root@${input.name}`).public.trim().split(' ').slice(0, 2).join(' '),
      guestReads: 0,
    });
    return rec.op;
  }

  /** GCP's label rules: keys start with a lowercase letter; keys and values hold a-z, 0-9, _ and -; 63 characters. */
  private checkLabels(what: string, labels: Record<string, string> | null | undefined): void {
    for (const [k, v] of Object.entries(labels ?? {})) {
      if (!/^[a-z][a-z0-9_-]{0,62}$/.test(k) || !/^[a-z0-9_-]{0,63}$/.test(v)) {
        const message = `Invalid value for field 'resource.labels': '${k}=${v}'. Label keys and values can only contain lowercase letters, numeric characters, underscores and dashes.`;
        this.shapeErrors.push(`${what}: ${message}`);
        throw new ApiError(400, message, 'invalid');
      }
    }
  }

  // ---------------------------------------------------------------------------
  // For fixtures

  instanceByHost(host: string): Instance | undefined {
    return [...this.instances.values()]
      .map((r) => r.instance)
      .find((i) => i.labels?.['tungsten-e2e_host'] === host);
  }

  hostKeyOf(name: string): string | undefined {
    return this.instances.get(name)?.hostKey;
  }
}

function list(kind: string, items: unknown[]): unknown {
  return { kind, id: 'fake', items, selfLink: `${BASE}/fake` };
}

export function last(url: string | null | undefined): string {
  return (url ?? '').split('/').pop() ?? '';
}

function notFound(path: string): ApiError {
  return new ApiError(404, `The resource '${path}' was not found`, 'notFound');
}
