/**
 * The run's tags as GCP labels, in one place. Label keys and values allow
 * only lowercase letters, digits, "_" and "-" (keys start with a letter), at
 * most 63 characters each, so the canonical names and values are mapped:
 *
 *   tag key                   label key
 *   tungsten-e2e:run-id   →   tungsten-e2e_run-id     (":" becomes "_", lowercase)
 *   Name                  →   name
 *
 *   tag value                  label value
 *   2030-01-01T03:00:00.000Z → 2030-01-01t03-00-00-000z   (the ISO expiry, reversible)
 *   Octo-Org/repo.js         → _4fcto-_4frg_2frepo_2ejs   (anything outside a-z 0-9 "-" as _XX hex)
 *
 * Values longer than 63 characters after mapping (a long repo name) are cut;
 * run id, site, expiry and host always fit. Networks, subnetworks, firewall
 * rules and routes take no labels at all: they carry the canonical tags
 * verbatim as JSON in their description (see `describeTags`).
 */
import { TAG_EXPIRES_AT } from '../cloud/tags.js';

const LABEL_MAX = 63;
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const LABEL_TIME = /^(\d{4})-(\d{2})-(\d{2})t(\d{2})-(\d{2})-(\d{2})-(\d{3})z$/;

export function labelKey(tag: string): string {
  return tag.toLowerCase().replace(/:/g, '_');
}

export function tagKey(label: string, known: readonly string[]): string {
  return known.find((k) => labelKey(k) === label) ?? label;
}

function escapeValue(value: string): string {
  return [...value]
    .map((c) =>
      /[a-z0-9-]/.test(c)
        ? c
        : [...Buffer.from(c, 'utf8')].map((b) => `_${b.toString(16).padStart(2, '0')}`).join(''),
    )
    .join('');
}

function unescapeValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '_' && /^[0-9a-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function labelValue(key: string, value: string): string {
  if (key === TAG_EXPIRES_AT) {
    const m = ISO.exec(value);
    if (m) return `${m[1]}-${m[2]}-${m[3]}t${m[4]}-${m[5]}-${m[6]}-${m[7]}z`;
  }
  return escapeValue(value)
    .slice(0, LABEL_MAX)
    .replace(/_[0-9a-f]?$/, '');
}

export function tagValue(key: string, label: string): string {
  if (key === TAG_EXPIRES_AT) {
    const m = LABEL_TIME.exec(label);
    if (m) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
  }
  return unescapeValue(label);
}

/** Canonical tags → GCP labels. */
export function toLabels(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [labelKey(k), labelValue(k, v)]));
}

/** GCP labels → canonical tags (labels that are not ours pass through unchanged). */
export function fromLabels(
  labels: Record<string, string> | null | undefined,
  known: readonly string[],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels ?? {}).map(([k, v]) => {
      const key = tagKey(k, known);
      return [key, tagValue(key, v)];
    }),
  );
}

const DESCRIPTION_PREFIX = 'tungsten-e2e ';

/** A description carrying the canonical tags, for resources that take no labels. */
export function describeTags(tags: Record<string, string>): string {
  return `${DESCRIPTION_PREFIX}${JSON.stringify(tags)}`;
}

/** The tags a description carries, or {} when it is not one of ours. */
export function tagsFromDescription(
  description: string | null | undefined,
): Record<string, string> {
  if (!description?.startsWith(DESCRIPTION_PREFIX)) return {};
  try {
    const parsed = JSON.parse(description.slice(DESCRIPTION_PREFIX.length)) as unknown;
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}
