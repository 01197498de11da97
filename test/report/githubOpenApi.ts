/**
 * GitHub's published REST description (the @octokit/openapi package) as a
 * validator: finds the operation for a method and path, and checks path and
 * query parameters, request bodies and response bodies against the schemas
 * the description gives, $refs resolved.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Json;
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  parameters: Parameter[];
  requestSchema?: Json;
  responses: Record<string, Json>;
}

export interface MatchedOperation {
  operationId: string;
  pathParams: Record<string, string>;
}

const DOC_ID = 'https://api.github.com/openapi.json';

export class GitHubOpenApi {
  private readonly ajv: Ajv;
  private readonly operations: Operation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();
  readonly components: Json;

  private constructor(spec: Json) {
    this.components = spec.components as Json;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOC_ID, components: untypedNullable(this.components) as Json });
    for (const [template, item] of Object.entries(spec.paths as Record<string, Json>)) {
      const shared = (item.parameters as Json[] | undefined) ?? [];
      for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        const parameters = [...shared, ...((op.parameters as Json[] | undefined) ?? [])].map(
          (p) => this.deref(p) as unknown as Parameter,
        );
        const body = op.requestBody ? (this.deref(op.requestBody as Json) as Json) : undefined;
        const content = body?.content as Record<string, Json> | undefined;
        const responses: Record<string, Json> = {};
        for (const [status, r] of Object.entries((op.responses as Record<string, Json>) ?? {})) {
          responses[status] = this.deref(r);
        }
        const segments = template.split('/').filter(Boolean);
        this.operations.push({
          operationId: op.operationId as string,
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(
            `^${template.replace(/\{([^}]+)\}/g, (_m, name: string) => `(?<${name.replace(/\W/g, '_')}>[^/]+)`)}$`,
          ),
          literalSegments: segments.filter((s) => !s.startsWith('{')).length,
          parameters,
          ...(content?.['application/json']?.schema
            ? { requestSchema: content['application/json'].schema as Json }
            : {}),
          responses,
        });
      }
    }
  }

  /** Loads api.github.com's description (about 13 MB) from @octokit/openapi. */
  static load(variant = 'api.github.com'): GitHubOpenApi {
    const require = createRequire(import.meta.url);
    const path = require.resolve(`@octokit/openapi/generated/${variant}.json`);
    return new GitHubOpenApi(JSON.parse(readFileSync(path, 'utf8')) as Json);
  }

  /** `#/components/x/y` → the object it names (one level; schemas are left to ajv). */
  private deref(node: Json): Json {
    const ref = node.$ref;
    if (typeof ref !== 'string') return node;
    const parts = ref.replace(/^#\//, '').split('/');
    let at: unknown = { components: this.components };
    for (const p of parts) at = (at as Json)[p];
    if (!at) throw new Error(`unresolvable $ref ${ref}`);
    return this.deref(at as Json);
  }

  /** The operation a request is for; the most specific path template wins. */
  match(method: string, pathname: string): MatchedOperation | undefined {
    const candidates = this.operations
      .filter((o) => o.method === method.toUpperCase() && o.pattern.test(pathname))
      .sort((a, b) => b.literalSegments - a.literalSegments);
    const op = candidates[0];
    if (!op) return undefined;
    const groups = op.pattern.exec(pathname)!.groups ?? {};
    return {
      operationId: op.operationId,
      pathParams: Object.fromEntries(
        Object.entries(groups).map(([k, v]) => [k, decodeURIComponent(v)]),
      ),
    };
  }

  private byId(operationId: string): Operation {
    const op = this.operations.find((o) => o.operationId === operationId);
    if (!op) throw new Error(`no operation ${operationId} in the description`);
    return op;
  }

  /** Errors in a request's path and query parameters and JSON body; empty when valid. */
  validateRequest(
    operationId: string,
    pathParams: Record<string, string>,
    query: URLSearchParams,
    body: unknown,
  ): string[] {
    const op = this.byId(operationId);
    const errors: string[] = [];
    for (const p of op.parameters) {
      const raw =
        p.in === 'path' ? pathParams[p.name] : p.in === 'query' ? query.get(p.name) : undefined;
      if (p.in !== 'path' && p.in !== 'query') continue;
      if (raw === undefined || raw === null) {
        if (p.required) errors.push(`${p.in} parameter ${p.name} is missing`);
        continue;
      }
      const value = coerce(raw, p.schema);
      errors.push(
        ...this.check(
          `param:${operationId}:${p.name}`,
          p.schema,
          value,
          `${p.in} parameter ${p.name}`,
        ),
      );
    }
    for (const name of query.keys()) {
      if (!op.parameters.some((p) => p.in === 'query' && p.name === name)) {
        errors.push(`query parameter ${name} is not in the description`);
      }
    }
    if (op.requestSchema) {
      if (body === undefined) errors.push('the request has no JSON body');
      else
        errors.push(
          ...this.check(`request:${operationId}`, op.requestSchema, body, 'request body'),
        );
    } else if (body !== undefined) {
      errors.push('the operation takes no request body');
    }
    return errors;
  }

  /**
   * Errors in a response body for a status. A status the operation does not
   * list must be an error status with GitHub's basic-error body.
   */
  validateResponse(operationId: string, status: number, body: unknown): string[] {
    const op = this.byId(operationId);
    const response = op.responses[String(status)];
    const schema = (response?.content as Record<string, Json> | undefined)?.['application/json']
      ?.schema as Json | undefined;
    if (!response) {
      if (status < 400) return [`status ${status} is not a documented response of ${operationId}`];
      return this.check(
        'basic-error',
        { $ref: '#/components/schemas/basic-error' },
        body,
        `${status} body`,
      );
    }
    if (!schema) {
      return body === undefined || body === ''
        ? []
        : [`status ${status} of ${operationId} has no body`];
    }
    return this.check(`response:${operationId}:${status}`, schema, body, `${status} body`);
  }

  /** Validate against a schema given as it appears in the description. */
  check(key: string, schema: Json, value: unknown, what: string): string[] {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(untypedNullable(schema)) as Json);
      this.validators.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${what}${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    );
  }
}

/**
 * OpenAPI 3.0's `nullable: true` beside `anyOf`/`allOf`/`$ref` instead of a
 * `type` (the issue schema has them): Ajv takes `nullable` only with `type`,
 * so these become `anyOf: [the schema, null]`.
 */
function untypedNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(untypedNullable);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node).map(([k, v]) => [k, untypedNullable(v)] as const);
  const out = Object.fromEntries(entries) as Json;
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _n, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

/** Point local `#/components/...` references at the added description document. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOC_ID}${v}` : rebase(v),
      ]),
    );
  }
  return node;
}

function coerce(raw: string, schema: Json): unknown {
  if (schema.type === 'integer' || schema.type === 'number') {
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  if (schema.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}
