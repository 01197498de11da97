/**
 * Every report is rendered from a redacted copy of the results: secrets are
 * replaced before any escaping (XML, JSON, markdown) could change their
 * spelling and hide them from a redactor run over the finished file.
 */
import { secrets } from '../log.js';
import type { SecretRegistry } from '../log.js';
import type { RunResults } from './model.js';

export function redactResults(results: RunResults, registry: SecretRegistry = secrets): RunResults {
  return redactDeep(results, registry) as RunResults;
}

function redactDeep(value: unknown, registry: SecretRegistry): unknown {
  if (typeof value === 'string') return registry.redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, registry));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, registry)]));
  }
  return value;
}
