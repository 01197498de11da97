/**
 * A stand-in for a TF master's config API (port 8082) and its control node's
 * introspect (port 8083), with the real API's semantics for the objects the
 * harness uses: objects found by fq_name (POST /fqname-to-id, 404 when
 * absent), created by POST /<type>s (409 when the fq_name exists, 404 when a
 * ref points at nothing), read by GET /<type>/<uuid>, updated by PUT with each
 * field replaced whole (a list or a ref list is never merged), deleted by
 * DELETE; GET /<type>s lists them. The introspect answers
 * GET /Snh_BgpNeighborReq with a Sandesh BgpNeighborListResp built from the
 * configuration: a neighbor per bgp-router that has a session to the local
 * control node, in the state `sessionState` gives it, plus the vrouter's XMPP
 * session. Every request is recorded.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Stored {
  type: string;
  obj: Record<string, unknown> & { uuid: string; fq_name: string[] };
}

interface Ref {
  to: string[];
  attr?: unknown;
}

const IP_FABRIC = ['default-domain', 'default-project', 'ip-fabric', '__default__'];

export class ConfigApiStandIn {
  readonly requests: { method: string; path: string; body?: unknown }[] = [];
  /** the BGP state the introspect reports for a peer address (default Established) */
  sessionState: (address: string) => string = () => 'Established';
  private readonly objects = new Map<string, Stored>();
  private api?: Server;
  private introspect?: Server;
  configPort = 0;
  introspectPort = 0;

  constructor(
    /** the local control node's name (its own bgp-router) */
    readonly local: string,
    readonly localAddress: string,
  ) {}

  /** An object as the cluster has it before the harness comes (fields as the API stores them). */
  seed(type: string, fqName: string[], fields: Record<string, unknown> = {}): string {
    const uuid = randomUUID();
    this.objects.set(uuid, { type, obj: { ...fields, fq_name: fqName, uuid } });
    return uuid;
  }

  /** A fresh cluster: global config at AS 64512, the control node's own router, kube-manager's networks. */
  seedCluster(options: { ownRouter?: boolean; networks?: boolean } = {}): void {
    this.seed('global-system-config', ['default-global-system-config'], {
      autonomous_system: 64512,
    });
    if (options.ownRouter !== false) {
      this.seed('bgp-router', [...IP_FABRIC, this.local], {
        parent_type: 'routing-instance',
        bgp_router_parameters: {
          router_type: 'control-node',
          vendor: 'contrail',
          autonomous_system: 64512,
          address: this.localAddress,
          identifier: this.localAddress,
        },
      });
    }
    if (options.networks !== false) {
      for (const n of ['k8s-default-pod-network', 'k8s-default-service-network']) {
        this.seed('virtual-network', ['default-domain', 'k8s-default', n], {
          parent_type: 'project',
          route_target_list: { route_target: ['target:64512:8000003'] },
        });
      }
    }
  }

  find(type: string, fqName: readonly string[]): Stored['obj'] | undefined {
    for (const s of this.objects.values()) {
      if (s.type === type && JSON.stringify(s.obj.fq_name) === JSON.stringify(fqName)) return s.obj;
    }
    return undefined;
  }

  all(type: string): Stored['obj'][] {
    return [...this.objects.values()].filter((s) => s.type === type).map((s) => s.obj);
  }

  /** requests that change something */
  writes(): string[] {
    return this.requests
      .filter((r) => r.method !== 'GET' && r.path !== '/fqname-to-id')
      .map((r) => `${r.method} ${r.path}`);
  }

  async start(): Promise<void> {
    this.api = createServer((req, res) => void this.handleApi(req, res));
    this.introspect = createServer((req, res) => this.handleIntrospect(req, res));
    const listen = (s: Server) =>
      new Promise<number>((resolve) =>
        s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)),
      );
    this.configPort = await listen(this.api);
    this.introspectPort = await listen(this.introspect);
  }

  async stop(): Promise<void> {
    for (const s of [this.api, this.introspect]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
    });
    res.end(text);
  }

  private refsOk(obj: Record<string, unknown>): string | undefined {
    for (const [k, v] of Object.entries(obj)) {
      if (!k.endsWith('_refs') || !Array.isArray(v)) continue;
      const type = k.slice(0, -'_refs'.length).replace(/_/g, '-');
      for (const r of v as Ref[]) {
        if (!this.find(type, r.to)) return `${type} ${r.to.join(':')}`;
      }
    }
    return undefined;
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | undefined;
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return this.send(res, 400, 'Bad Request: not JSON');
      }
    }
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    this.requests.push({ method, path, ...(body ? { body } : {}) });
    if (method === 'POST' && path === '/fqname-to-id') {
      const found = this.find(String(body?.type), (body?.fq_name as string[]) ?? []);
      if (!found) return this.send(res, 404, `Name ${JSON.stringify(body?.fq_name)} not found`);
      return this.send(res, 200, { uuid: found.uuid });
    }
    const collection = /^\/([a-z-]+)s$/.exec(path);
    if (collection) {
      const type = collection[1]!;
      if (method === 'GET') {
        return this.send(res, 200, {
          [`${type}s`]: this.all(type).map((o) => ({
            href: `http://127.0.0.1:8082/${type}/${o.uuid}`,
            fq_name: o.fq_name,
            uuid: o.uuid,
          })),
        });
      }
      if (method === 'POST') {
        const fields = body?.[type] as Record<string, unknown> | undefined;
        const fq = fields?.fq_name;
        if (!fields || !Array.isArray(fq) || typeof fields.parent_type !== 'string') {
          return this.send(res, 400, `Bad Request: ${type} needs fq_name and parent_type`);
        }
        if (this.find(type, fq as string[])) {
          return this.send(res, 409, `Conflict: ${type} ${(fq as string[]).join(':')} exists`);
        }
        const missing = this.refsOk(fields);
        if (missing) return this.send(res, 404, `Ref ${missing} not found`);
        const uuid = this.seed(type, fq as string[], fields);
        return this.send(res, 200, {
          [type]: {
            fq_name: fq,
            uuid,
            href: `http://127.0.0.1:8082/${type}/${uuid}`,
            name: fq.at(-1),
          },
        });
      }
    }
    const one = /^\/([a-z-]+)\/([0-9a-f-]+)$/.exec(path);
    if (one) {
      const [, type, uuid] = one as unknown as [string, string, string];
      const stored = this.objects.get(uuid);
      if (!stored || stored.type !== type) return this.send(res, 404, `${type} ${uuid} not found`);
      if (method === 'GET') {
        return this.send(res, 200, { [type]: structuredClone(stored.obj) });
      }
      if (method === 'PUT') {
        const fields = body?.[type] as Record<string, unknown> | undefined;
        if (!fields) return this.send(res, 400, `Bad Request: the body must be {"${type}": {...}}`);
        const missing = this.refsOk(fields);
        if (missing) return this.send(res, 404, `Ref ${missing} not found`);
        for (const [k, v] of Object.entries(fields)) {
          if (k === 'uuid' || k === 'fq_name') continue;
          stored.obj[k] = structuredClone(v);
        }
        return this.send(res, 200, {
          [type]: { uuid, href: `http://127.0.0.1:8082/${type}/${uuid}` },
        });
      }
      if (method === 'DELETE') {
        this.objects.delete(uuid);
        return this.send(res, 200, '');
      }
    }
    this.send(res, 404, `no route for ${method} ${path}`);
  }

  private handleIntrospect(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ method: req.method ?? 'GET', path: `introspect ${req.url ?? ''}` });
    if (!req.url?.startsWith('/Snh_BgpNeighborReq')) {
      res.writeHead(404);
      res.end();
      return;
    }
    const local = [...IP_FABRIC, this.local];
    const peers = this.all('bgp-router').filter((o) =>
      ((o.bgp_router_refs as Ref[] | undefined) ?? []).some(
        (r) => JSON.stringify(r.to) === JSON.stringify(local),
      ),
    );
    const field = (name: string, type: string, id: number, value: string | number, link = '') =>
      `<${name} type="${type}" identifier="${id}"${link ? ` link="${link}"` : ''}>${value}</${name}>`;
    const neighbor = (
      peer: string,
      address: string,
      asn: number,
      encoding: string,
      state: string,
    ) =>
      [
        '<BgpNeighborResp>',
        field('instance_name', 'string', 53, ''),
        field('peer', 'string', 1, peer, 'BgpNeighborReq'),
        field('deleted', 'bool', 36, 'false'),
        field('peer_address', 'string', 2, address, 'BgpNeighborReq'),
        field('peer_id', 'string', 25, address),
        field('peer_asn', 'u32', 3, asn),
        field('encoding', 'string', 6, encoding),
        field('peer_type', 'string', 7, encoding === 'BGP' ? 'external' : 'internal'),
        field('state', 'string', 8, state),
        field('local_address', 'string', 4, `${this.localAddress}:179`),
        '</BgpNeighborResp>',
      ].join('');
    const items = [
      ...peers.map((p) => {
        const params = p.bgp_router_parameters as { address: string; autonomous_system: number };
        return neighbor(
          p.fq_name.at(-1)!,
          params.address,
          params.autonomous_system,
          'BGP',
          this.sessionState(params.address),
        );
      }),
      neighbor(`${this.local}-vrouter`, '10.0.0.21', 64512, 'XMPP', 'Established'),
    ];
    res.writeHead(200, { 'Content-Type': 'text/xml' });
    res.end(
      `<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?><BgpNeighborListResp type="sandesh"><neighbors type="list" identifier="1"><list type="struct" size="${items.length}">${items.join('')}</list></neighbors><next_batch type="string" identifier="2" link="BgpNeighborReqIterate" link_title="next_batch"></next_batch></BgpNeighborListResp>`,
    );
  }
}
