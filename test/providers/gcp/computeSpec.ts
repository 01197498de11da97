/**
 * The Compute API's own description, from the client library's protos.json:
 * each method's REST route (its google.api.http rule) and each message's
 * fields. The fake routes requests by these rules and checks every request
 * body it receives and every response it sends against the message types,
 * so no field the API does not have can creep in on either side.
 */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const PREFIX = 'google.cloud.compute.v1';

export interface RestMethod {
  /** "Instances.Insert" */
  id: string;
  verb: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT';
  pattern: RegExp;
  params: string[];
  /** the message type of the request body, when the method has one */
  bodyType?: string;
  responseType: string;
}

let root: protobuf.Root | undefined;
function protoRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(require('@google-cloud/compute/build/protos/protos.json'));
  return root;
}

export function restMethods(services: string[]): RestMethod[] {
  const out: RestMethod[] = [];
  for (const s of services) {
    const service = protoRoot().lookupService(`${PREFIX}.${s}`);
    for (const m of Object.values(service.methods)) {
      const rule = (m.parsedOptions ?? []).find(
        (o: Record<string, unknown>) => o['(google.api.http)'],
      )?.['(google.api.http)'] as Record<string, string> | undefined;
      if (!rule) continue;
      const verb = (['get', 'post', 'delete', 'patch', 'put'] as const).find((v) => rule[v]);
      if (!verb) continue;
      const template = rule[verb]!;
      const params: string[] = [];
      const pattern = new RegExp(
        `^${template.replace(/\{(\w+)\}/g, (_, p: string) => {
          params.push(p.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
          return '([^/]+)';
        })}$`,
      );
      const requestType = protoRoot().lookupType(`${PREFIX}.${m.requestType}`);
      let bodyType: string | undefined;
      if (rule.body && rule.body !== '*') {
        const camel = rule.body.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
        bodyType = requestType.fields[camel]?.type;
      }
      out.push({
        id: `${s}.${m.name}`,
        verb: verb.toUpperCase() as RestMethod['verb'],
        pattern,
        params,
        ...(bodyType ? { bodyType } : {}),
        responseType: m.responseType,
      });
    }
  }
  return out;
}

/** Every field path in `value` that message `typeName` does not have, or whose enum value is unknown. */
export function shapeProblems(typeName: string, value: unknown, path = typeName): string[] {
  const type = protoRoot().lookupType(typeName.includes('.') ? typeName : `${PREFIX}.${typeName}`);
  if (!value || typeof value !== 'object') return [`${path} is not an object`];
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const field = type.fields[key];
    if (!field) {
      problems.push(`${path}.${key} is not a field of ${type.name}`);
      continue;
    }
    field.resolve();
    const check = (item: unknown, at: string) => {
      if (field.resolvedType instanceof protobuf.Type) {
        problems.push(...shapeProblems(field.resolvedType.fullName.slice(1), item, at));
      } else if (field.resolvedType instanceof protobuf.Enum) {
        if (typeof item !== 'string' || !(item in field.resolvedType.values)) {
          problems.push(
            `${at} = ${JSON.stringify(item)} is not a value of ${field.resolvedType.name}`,
          );
        }
      }
    };
    if (field instanceof protobuf.MapField) {
      for (const [k, item] of Object.entries(v as object)) check(item, `${path}.${key}[${k}]`);
    } else if (field.repeated) {
      if (!Array.isArray(v)) problems.push(`${path}.${key} is not a list`);
      else v.forEach((item, i) => check(item, `${path}.${key}[${i}]`));
    } else check(v, `${path}.${key}`);
  }
  return problems;
}
