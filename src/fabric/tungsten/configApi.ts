/**
 * A client of TF's config API (the VNC REST API on port 8082 of a master),
 * for the few objects the harness touches: global-system-config, bgp-router,
 * virtual-network. Requests travel over a connection the caller opens (an
 * SSH port forward to the master), so the API is never exposed to the network.
 *
 * The API's semantics that matter here: objects are found by fq_name
 * (POST /fqname-to-id, 404 when absent); POST /<type>s creates (409 when the
 * fq_name exists); PUT /<type>/<uuid> replaces each field it carries, lists
 * and refs whole; POST /ref-update adds or deletes one ref.
 */
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { InfraError } from '../../errors.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Opens a fresh connection to the API for one request. */
export type Connector = () => Promise<Duplex>;

/** One HTTP/1.1 request over a connection the caller opened; the connection ends with it. */
export function httpOver(
  connect: Connector,
  method: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<HttpAnswer> {
  return connect().then(
    (stream) =>
      new Promise<HttpAnswer>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            method,
            path,
            host: '127.0.0.1',
            createConnection: () => stream as never,
            headers: {
              Connection: 'close',
              ...(payload !== undefined
                ? {
                    'Content-Type': 'application/json; charset=UTF-8',
                    'Content-Length': Buffer.byteLength(payload),
                  }
                : {}),
            },
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              stream.destroy();
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
              });
            });
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', (e) => {
          stream.destroy();
          reject(e);
        });
        req.end(payload);
      }),
  );
}

export type FqName = readonly string[];
export type ApiObject = Record<string, unknown> & { uuid?: string; fq_name?: string[] };

export class ConfigApi {
  constructor(
    private readonly connect: Connector,
    /** names the API in errors, e.g. "the config API of aws-master" */
    private readonly where: string,
    private readonly timeoutMs = 30_000,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<HttpAnswer> {
    try {
      return await httpOver(this.connect, method, path, body, this.timeoutMs);
    } catch (e) {
      if (e instanceof InfraError) throw e;
      throw new InfraError(`${this.where}: ${method} ${path} failed: ${(e as Error).message}`);
    }
  }

  private fail(method: string, path: string, a: HttpAnswer): never {
    throw new InfraError(
      `${this.where}: ${method} ${path} answered HTTP ${a.status}: ${a.body.trim().slice(0, 300)}`,
    );
  }

  private json(method: string, path: string, a: HttpAnswer): Record<string, unknown> {
    try {
      return JSON.parse(a.body) as Record<string, unknown>;
    } catch {
      throw new InfraError(
        `${this.where}: ${method} ${path} did not answer JSON: ${a.body.slice(0, 200)}`,
      );
    }
  }

  /** The uuid of the object with this fq_name, or undefined when there is none. */
  async idOf(type: string, fqName: FqName): Promise<string | undefined> {
    const a = await this.call('POST', '/fqname-to-id', { type, fq_name: fqName });
    if (a.status === 404) return undefined;
    if (a.status !== 200) this.fail('POST', '/fqname-to-id', a);
    const uuid = this.json('POST', '/fqname-to-id', a).uuid;
    if (typeof uuid !== 'string') this.fail('POST', '/fqname-to-id', a);
    return uuid;
  }

  async read(type: string, uuid: string): Promise<ApiObject> {
    const path = `/${type}/${encodeURIComponent(uuid)}`;
    const a = await this.call('GET', path);
    if (a.status !== 200) this.fail('GET', path, a);
    const obj = this.json('GET', path, a)[type];
    if (!obj || typeof obj !== 'object') this.fail('GET', path, a);
    return obj as ApiObject;
  }

  /** Create an object; 'exists' when its fq_name is taken already. */
  async create(type: string, fields: ApiObject): Promise<{ uuid: string } | 'exists'> {
    const path = `/${type}s`;
    const a = await this.call('POST', path, { [type]: fields });
    if (a.status === 409) return 'exists';
    if (a.status !== 200) this.fail('POST', path, a);
    const made = this.json('POST', path, a)[type] as ApiObject | undefined;
    if (typeof made?.uuid !== 'string') this.fail('POST', path, a);
    return { uuid: made.uuid };
  }

  /** Replace the fields given (each whole: a list or a ref list is replaced, never merged). */
  async update(type: string, uuid: string, fields: ApiObject): Promise<void> {
    const path = `/${type}/${encodeURIComponent(uuid)}`;
    const a = await this.call('PUT', path, { [type]: fields });
    if (a.status !== 200) this.fail('PUT', path, a);
  }

  async remove(type: string, uuid: string): Promise<void> {
    const path = `/${type}/${encodeURIComponent(uuid)}`;
    const a = await this.call('DELETE', path);
    if (a.status !== 200 && a.status !== 404) this.fail('DELETE', path, a);
  }

  /** The uuids of every object of a type (GET /<type>s lists hrefs, fq_names and uuids). */
  async list(type: string): Promise<{ uuid: string; fq_name: string[] }[]> {
    const path = `/${type}s`;
    const a = await this.call('GET', path);
    if (a.status !== 200) this.fail('GET', path, a);
    const items = this.json('GET', path, a)[`${type}s`];
    if (!Array.isArray(items)) this.fail('GET', path, a);
    return items as { uuid: string; fq_name: string[] }[];
  }
}
