/**
 * Site file → RunConfig. Pure apart from reading the file: YAML with node
 * positions, schema validation, then the cross-field rules. Every error names
 * the file, line, column and field and says what to change.
 */
import { constants } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Alias as YamlAlias, Document, Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { UserError, UserErrors } from '../errors.js';
import { contains, parseCidr, parseIp } from '../net/cidr.js';
import { parseDuration } from './duration.js';
import { allowedKeys, siteFileSchema } from './schema.js';
import type { SiteFile, SiteFileSite } from './schema.js';
import { closest } from './suggest.js';
import type { NodePosition, RunConfig, SiteConfig, SuiteName } from './types.js';

export type PathSegment = string | number;

/** Values given outside the file (action inputs, CLI flags); they win over the file. */
export interface ConfigOverrides {
  profile?: string;
  ttl?: string;
  suites?: SuiteName[];
  /** the registry user (the action's registry-username input); wins over registry.username */
  registryUsername?: string;
}

export function pathKey(path: readonly PathSegment[]): string {
  return path.join('.');
}

/** `sites[1].cidrs.pod`, the way users read a path. */
export function displayPath(path: readonly PathSegment[]): string {
  return path
    .map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`))
    .join('');
}

/** An error at a node of the file; falls back to the nearest positioned parent. */
export function errorAt(
  config: Pick<RunConfig, 'file' | 'positions'>,
  path: readonly PathSegment[],
  sentence: string,
  opts: { atKey?: boolean } = {},
): UserError {
  const pos = positionOf(config.positions, path, opts.atKey);
  const where = pos ? `${config.file}:${pos.line}:${pos.col}` : config.file;
  return new UserError(
    `${where}: ${sentence}`,
    pos ? { file: config.file, line: pos.line, col: pos.col } : undefined,
  );
}

export function positionOf(
  positions: Record<string, NodePosition>,
  path: readonly PathSegment[],
  atKey = false,
): { line: number; col: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const p = positions[pathKey(path.slice(0, n))];
    if (!p) continue;
    if (atKey && n === path.length && p.keyLine !== undefined) {
      return { line: p.keyLine, col: p.keyCol ?? 1 };
    }
    return { line: p.line, col: p.col };
  }
  return undefined;
}

/** What messages call a site file given inline in the action's sites input. */
export const INLINE_SITES_LABEL = "action input 'sites'";

export function looksInline(sites: string): boolean {
  return /\n/.test(sites.trim()) || /^\s*(sites|profile)\s*:/.test(sites) || /^\s*\{/.test(sites);
}

/** Read a site file from a path, or parse inline YAML (the action's `sites` input may be either). */
export async function loadSiteFile(
  pathOrInline: string,
  overrides: ConfigOverrides = {},
  inlineLabel = 'inline sites',
): Promise<RunConfig> {
  if (looksInline(pathOrInline)) return parseSiteFile(pathOrInline, inlineLabel, overrides);
  let text: string;
  try {
    // a FIFO would hang the read, a device never end: only regular files are site files
    const kind = fileKind((await stat(pathOrInline)).mode);
    if (kind !== 'a regular file')
      throw new UserError(
        `${pathOrInline}: is ${kind}, not a file; pass the path of a YAML site file (see examples/).`,
      );
    text = utf8Text(await readFile(pathOrInline), pathOrInline);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `${pathOrInline}: no such site file; pass the path of a YAML site file (see examples/).`
        : `${pathOrInline}: cannot read the site file (${code ?? String(e)}); check the path and its permissions.`,
    );
  }
  return parseSiteFile(text, pathOrInline, overrides);
}

function fileKind(mode: number): string {
  if (constants.S_IFREG === (mode & constants.S_IFMT)) return 'a regular file';
  if (constants.S_IFDIR === (mode & constants.S_IFMT)) return 'a directory';
  if (constants.S_IFIFO === (mode & constants.S_IFMT)) return 'a FIFO';
  if (constants.S_IFSOCK === (mode & constants.S_IFMT)) return 'a socket';
  return 'a device';
}

/** The bytes as UTF-8 text, or one sentence saying the file is in another encoding. */
function utf8Text(bytes: Buffer, file: string): string {
  const bom16 =
    (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  const looks16 = bom16 || (bytes.length > 1 && bytes.subarray(0, 200).includes(0));
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = undefined;
  }
  if (looks16 || text === undefined) {
    throw new UserError(
      `${file}: the file is not UTF-8 text${looks16 ? ' (it looks like UTF-16)' : ''}; save it as UTF-8.`,
    );
  }
  return text.replace(/^\uFEFF/, '');
}

export function parseSiteFile(
  text: string,
  file: string,
  overrides: ConfigOverrides = {},
): RunConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    // later syntax errors are usually echoes of the first
    throw yamlSyntaxError(doc.errors[0]!, file);
  }
  const positions: Record<string, NodePosition> = {};
  indexPositions(doc.contents as YamlNode | null, [], positions, lineCounter);
  const raw = toJsOrExplain(doc, file, lineCounter);
  const ctx = { file, positions };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw errorAt(
      ctx,
      [],
      'the site file must be a YAML mapping with at least a "sites:" list of two sites; see examples/local.yml.',
    );
  }

  const ours = allowedKeys(siteFileSchema, []);
  if (!('sites' in raw) && !Object.keys(raw).some((k) => ours.includes(k))) {
    // another kind of file (a link to some config, a secret): say so without echoing its content
    throw errorAt(
      ctx,
      [],
      `this is not a tungsten-e2e site file: none of its ${Object.keys(raw).length} top-level keys is one of ${ours.join(', ')}; pass a site file (see examples/local.yml).`,
    );
  }
  const parsed = siteFileSchema.safeParse(raw);
  if (!parsed.success) {
    // one sentence per field: zod may report one value twice (int's safe-integer bound, then our max)
    const seen = new Set<string>();
    const firstPerField = parsed.error.issues.filter((issue) => {
      const key = issue.path.map(String).join('.');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    throw new UserErrors(firstPerField.map((issue) => schemaIssueError(issue, raw, ctx)));
  }
  const value = applyOverrides(parsed.data, overrides);
  const errors = crossFieldErrors(value, ctx);
  if (errors.length > 0) throw new UserErrors(errors);
  return toRunConfig(value, ctx);
}

/**
 * doc.toJS() throws for an alias it cannot resolve (`sites: *nope`) and for
 * an alias count that signals a resource-exhaustion file ("billion laughs"):
 * both are the user's file, so they become a sentence at the first such alias.
 */
function toJsOrExplain(doc: Document, file: string, lineCounter: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    let at: YamlAlias | undefined;
    visit(doc, {
      Alias(_, node) {
        if (!node.resolve(doc) || /alias count/i.test(message)) {
          at = node;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    const pos = at?.range ? lineCounter.linePos(at.range[0]) : undefined;
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const what = /alias count/i.test(message)
      ? 'it expands its aliases into too many nodes (more than 100 alias uses; a file built to exhaust memory)'
      : `alias *${at?.source ?? '?'} names no anchor (&${at?.source ?? '?'}) above it`;
    throw new UserError(
      `${where}: the file is not valid YAML: ${what}; define the anchor before using the alias, or write the value out.`,
      pos ? { file, line: pos.line, col: pos.col } : undefined,
    );
  }
}

/**
 * What a run cannot do with this file although each site is valid on its own:
 * local sites run the emulated fabric on this host and cannot be joined with
 * cloud or static ones. `plan` and `up` both apply it, at the file's line.
 * (Unit tests still plan such files, one provider at a time.)
 */
export function runnableErrors(config: RunConfig): UserError[] {
  const local = config.sites.flatMap((s, i) => (s.provider === 'local' ? [i] : []));
  if (local.length === 0 || local.length === config.sites.length) return [];
  const other = config.sites.findIndex((s) => s.provider !== 'local');
  const a = config.sites[local[0]!]!;
  const b = config.sites[other]!;
  return [
    errorAt(
      config,
      ['sites', local[0]!, 'provider'],
      `sites[${local[0]}] ("${a.name}") uses provider local, which runs the emulated fabric on this host, and cannot be joined with sites[${other}] ("${b.name}", provider ${b.provider}); make every site local or none.`,
    ),
  ];
}

function applyOverrides(file: SiteFile, o: ConfigOverrides): SiteFile {
  return {
    ...file,
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.ttl ? { ttl: o.ttl } : {}),
    ...(o.registryUsername ? { registry: { ...file.registry, username: o.registryUsername } } : {}),
    tests: { ...file.tests, ...(o.suites ? { suites: o.suites } : {}) },
  };
}

const YAML_ADVICE: Record<string, string> = {
  BAD_INDENT: 'indent this line like the other keys at its level',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  DUPLICATE_KEY: 'remove or rename one of the two keys',
  MULTILINE_IMPLICIT_KEY: 'check the indentation of this line and the next, or quote the value',
  MISSING_CHAR: 'close the quote or bracket that is open here',
  BLOCK_AS_IMPLICIT_KEY: 'check the indentation of this line and the next',
  MULTIPLE_DOCS: 'keep one YAML document in the file (remove the extra "---")',
};

function yamlSyntaxError(
  e: { code: string; message: string; linePos?: [{ line: number; col: number }, ...unknown[]] },
  file: string,
): UserError {
  const pos = e.linePos?.[0];
  const what = e.message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+.*$/, '')
    .replace(/\.$/, '');
  const advice = YAML_ADVICE[e.code] ?? 'fix the YAML syntax here';
  return new UserError(
    `${pos ? `${file}:${pos.line}:${pos.col}` : file}: the file is not valid YAML (${what}); ${advice}.`,
    pos ? { file, line: pos.line, col: pos.col } : undefined,
  );
}

function indexPositions(
  node: YamlNode | null,
  path: PathSegment[],
  out: Record<string, NodePosition>,
  lc: LineCounter,
  keyRange?: [number, number, number],
): void {
  if (!node) return;
  const range = node.range;
  if (range) {
    const p = lc.linePos(range[0]);
    const entry: NodePosition = { line: p.line, col: p.col };
    if (keyRange) {
      const k = lc.linePos(keyRange[0]);
      entry.keyLine = k.line;
      entry.keyCol = k.col;
    }
    out[pathKey(path)] = entry;
  }
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyNode = pair.key as YamlNode | null;
      const childPath = [...path, key];
      if (pair.value) {
        indexPositions(pair.value as YamlNode, childPath, out, lc, keyNode?.range ?? undefined);
      } else if (keyNode?.range) {
        const k = lc.linePos(keyNode.range[0]);
        out[pathKey(childPath)] = { line: k.line, col: k.col, keyLine: k.line, keyCol: k.col };
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => indexPositions(item as YamlNode, [...path, i], out, lc));
  }
}

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = raw;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

/** characters of a value an error quotes at most */
const EXCERPT = 60;

/** A value quoted for an error: escaped, and cut to a short excerpt (a 5 MB name is not echoed). */
export function quoted(s: string): string {
  if (s.length <= EXCERPT) return JSON.stringify(s);
  return `${JSON.stringify(s.slice(0, EXCERPT)).slice(0, -1)}…" (${s.length} characters)`;
}

function show(v: unknown): string {
  if (typeof v === 'string') return quoted(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

function schemaIssueError(
  issue: z.core.$ZodIssue,
  raw: unknown,
  ctx: Pick<RunConfig, 'file' | 'positions'>,
): UserError {
  const path = issue.path as PathSegment[];
  const field = displayPath(path) || 'the file';
  const got = valueAt(raw, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(siteFileSchema, path);
      const sentences = issue.keys.map((k) => {
        const guess = closest(k, allowed);
        const where = path.length ? `in ${field}` : 'at the top level';
        return `unknown key ${quoted(k)} ${where}${guess ? `; did you mean "${guess}"?` : '.'} Allowed keys: ${allowed.join(', ')}.`;
      });
      return errorAt(ctx, [...path, issue.keys[0]!], sentences.join(' '), { atKey: true });
    }
    case 'invalid_type': {
      if (got === undefined) {
        return errorAt(ctx, path, `${field} is required; add it.`, { atKey: true });
      }
      const want = TYPE_WORDS[issue.expected] ?? issue.expected;
      return errorAt(ctx, path, `${field} must be ${want}, not ${show(got)}.`);
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const guess = typeof got === 'string' ? closest(got, allowed) : undefined;
      return errorAt(
        ctx,
        path,
        `${field} is ${show(got)}, which is not allowed; use one of ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}.`,
      );
    }
    case 'too_small':
    case 'too_big': {
      const limit = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const bound = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'array') {
        if (issue.message && !issue.message.startsWith('Too')) {
          return errorAt(ctx, path, `${field} ${issue.message}.`);
        }
        return errorAt(ctx, path, `${field} must hold ${bound} ${limit} entries.`);
      }
      return errorAt(ctx, path, `${field} is ${show(got)}; it must be ${bound} ${limit}.`);
    }
    case 'invalid_format':
      return errorAt(ctx, path, `${field} is ${show(got)}; it ${issue.message}.`);
    default:
      return errorAt(ctx, path, `${field} is ${show(got)}: ${issue.message}.`);
  }
}

const CLOUD_PROVIDERS = new Set(['aws', 'gcp', 'azure']);

/** the largest range a site's cidrs may name (10.0.0.0/8) */
const MIN_PREFIX = 8;

function crossFieldErrors(file: SiteFile, ctx: Pick<RunConfig, 'file' | 'positions'>): UserError[] {
  const errors: UserError[] = [];
  const has = (path: PathSegment[]) => ctx.positions[pathKey(path)] !== undefined;

  if (parseDuration(file.ttl)! < 600 || parseDuration(file.ttl)! > 7 * 86400) {
    errors.push(errorAt(ctx, ['ttl'], `ttl is "${file.ttl}"; it must be between 10m and 7d.`));
  }

  file.health.tolerate.forEach((t, i) => {
    if (t.service === undefined && t.detail === undefined) {
      errors.push(
        errorAt(
          ctx,
          ['health', 'tolerate', i],
          `health.tolerate[${i}] names neither a service nor a detail; add one of them (a toleration of a whole pod or state would hide real failures).`,
        ),
      );
    }
  });

  if (file.versions['tf-tag'] === 'latest') {
    errors.push(
      errorAt(
        ctx,
        ['versions', 'tf-tag'],
        'versions.tf-tag is "latest", which pins nothing (the image behind it changes); name a release tag or a dated build, or leave it out to use the profile\'s pin.',
      ),
    );
  }

  const seen = new Map<string, number>();
  file.sites.forEach((site, i) => {
    const at = (...rest: PathSegment[]) => ['sites', i, ...rest];
    const first = seen.get(site.name);
    if (first !== undefined) {
      errors.push(
        errorAt(
          ctx,
          at('name'),
          `sites[${i}].name "${site.name}" is already the name of sites[${first}]; site names must be unique.`,
        ),
      );
    } else {
      seen.set(site.name, i);
    }
    errors.push(...providerRuleErrors(site, i, ctx, has));
    for (const [kind, text] of Object.entries(site.cidrs)) {
      if (text === undefined) continue;
      const r = parseCidr(text);
      if (!r.ok) {
        errors.push(
          errorAt(
            ctx,
            at('cidrs', kind),
            `sites[${i}].cidrs.${kind} "${text}" ${r.reason}; ${r.suggestion ? `write ${r.suggestion}` : 'write an IPv4 range like 10.32.0.0/12'}.`,
          ),
        );
      } else if (r.cidr.prefix < MIN_PREFIX) {
        // the range would swallow every other range of the plan: name it, not the one that found no room
        errors.push(
          errorAt(
            ctx,
            at('cidrs', kind),
            `sites[${i}].cidrs.${kind} ${text} is larger than a /${MIN_PREFIX}, which would leave no room for the other ranges; give a /${MIN_PREFIX} or smaller, like 10.32.0.0/12.`,
          ),
        );
      }
    }
    if (site['ssh-cidr'] !== undefined && !parseCidr(site['ssh-cidr']).ok) {
      errors.push(
        errorAt(
          ctx,
          at('ssh-cidr'),
          `sites[${i}].ssh-cidr "${site['ssh-cidr']}" is not an IPv4 range; write one like 203.0.113.0/24.`,
        ),
      );
    }
  });
  return errors;
}

function providerRuleErrors(
  site: SiteFileSite,
  i: number,
  ctx: Pick<RunConfig, 'file' | 'positions'>,
  has: (path: PathSegment[]) => boolean,
): UserError[] {
  const errors: UserError[] = [];
  const at = (...rest: PathSegment[]) => ['sites', i, ...rest];
  const p = site.provider;
  const notUsed = (key: string, why: string) => {
    if (has(at(key))) {
      errors.push(
        errorAt(
          ctx,
          at(key),
          `sites[${i}].${key} is not used by provider ${p} (${why}); remove it.`,
          {
            atKey: true,
          },
        ),
      );
    }
  };
  if (CLOUD_PROVIDERS.has(p) && !site.region) {
    errors.push(
      errorAt(
        ctx,
        at('provider'),
        `sites[${i}] ("${site.name}") uses provider ${p}, which needs a region; add region: under it.`,
      ),
    );
  }
  if (p === 'local' || p === 'static') {
    for (const key of ['region', 'zone', 'image', 'spot', 'ssh-cidr']) {
      notUsed(
        key,
        p === 'local'
          ? 'local sites are network namespaces on this host'
          : 'static hosts already exist',
      );
    }
  }
  if (p !== 'local' && site.faults.length > 0) {
    errors.push(
      errorAt(
        ctx,
        at('faults'),
        `sites[${i}].faults is only for provider local (faults are injected into the emulated fabric); remove it.`,
        { atKey: true },
      ),
    );
  }
  if (p !== 'static' && site.hosts) {
    errors.push(
      errorAt(
        ctx,
        at('hosts'),
        `sites[${i}].hosts is only for provider static; remove it or set provider: static.`,
        { atKey: true },
      ),
    );
  }
  if (p === 'static') {
    notUsed('nodes', 'its hosts list names the nodes');
    if (!site.hosts) {
      errors.push(
        errorAt(
          ctx,
          at('provider'),
          `sites[${i}] ("${site.name}") uses provider static; add a hosts: list with one master.`,
        ),
      );
    } else {
      const masters = site.hosts.filter((h) => h.role === 'master').length;
      if (masters !== 1) {
        errors.push(
          errorAt(
            ctx,
            at('hosts'),
            `sites[${i}].hosts has ${masters} hosts with role master; it needs exactly one.`,
          ),
        );
      }
      if (!site.cidrs.underlay) {
        errors.push(
          errorAt(
            ctx,
            at('hosts'),
            `sites[${i}] ("${site.name}") is static, so its underlay range cannot be chosen for it; add cidrs.underlay holding the hosts' private addresses.`,
          ),
        );
      }
      const underlay = site.cidrs.underlay ? parseCidr(site.cidrs.underlay) : undefined;
      site.hosts.forEach((h, j) => {
        if (h['private-address'] === undefined) return;
        const ip = parseIp(h['private-address']);
        if (ip === undefined) {
          errors.push(
            errorAt(
              ctx,
              at('hosts', j, 'private-address'),
              `sites[${i}].hosts[${j}].private-address "${h['private-address']}" is not an IPv4 address.`,
            ),
          );
        } else if (underlay?.ok && !contains(underlay.cidr, ip)) {
          errors.push(
            errorAt(
              ctx,
              at('hosts', j, 'private-address'),
              `sites[${i}].hosts[${j}].private-address ${h['private-address']} is outside cidrs.underlay ${site.cidrs.underlay}; fix one of the two.`,
            ),
          );
        }
      });
    }
  }
  return errors;
}

function toRunConfig(file: SiteFile, ctx: Pick<RunConfig, 'file' | 'positions'>): RunConfig {
  return {
    file: ctx.file,
    positions: ctx.positions,
    profile: file.profile,
    ttl: file.ttl,
    ttlSeconds: parseDuration(file.ttl)!,
    allowUnsupported: file['allow-unsupported'],
    versions: { kubernetes: file.versions.kubernetes, tfTag: file.versions['tf-tag'] },
    registry: {
      mirror: file.registry.mirror,
      username: file.registry.username,
      images: file.registry.images,
    },
    tests: {
      suites: file.tests.suites,
      isolationModes: file.tests['isolation-modes'],
      namespaces: file.tests.namespaces,
    },
    health: {
      tolerate: file.health.tolerate.map((t) => ({
        ...(t.pod !== undefined ? { pod: t.pod } : {}),
        ...(t.service !== undefined ? { service: t.service } : {}),
        ...(t.state !== undefined ? { state: t.state } : {}),
        ...(t.detail !== undefined ? { detail: t.detail } : {}),
        reason: t.reason,
      })),
    },
    sites: file.sites.map(toSiteConfig),
  };
}

function toSiteConfig(s: SiteFileSite): SiteConfig {
  const site: SiteConfig = {
    name: s.name,
    provider: s.provider,
    spot: s.spot,
    nodes: {
      workers:
        s.provider === 'static'
          ? (s.hosts ?? []).filter((h) => h.role === 'worker').length
          : s.nodes.workers,
      masterType: s.nodes['master-type'],
      workerType: s.nodes['worker-type'],
      edgeType: s.nodes['edge-type'],
    },
    cidrs: {
      underlay: s.cidrs.underlay,
      pod: s.cidrs.pod,
      service: s.cidrs.service,
      ipFabric: s.cidrs['ip-fabric'],
    },
    faults: [...new Set(s.faults)],
  };
  if (s.region) site.region = s.region;
  if (s.zone) site.zone = s.zone;
  if (s.image) site.image = s.image;
  if (s['ssh-cidr']) site.sshCidr = s['ssh-cidr'];
  if (s.asn !== undefined) site.asn = s.asn;
  if (s.hosts) {
    site.hosts = s.hosts.map((h) => ({
      address: h.address,
      ...(h['private-address'] ? { privateAddress: h['private-address'] } : {}),
      port: h.port,
      user: h.user,
      role: h.role,
      ...(h.jump ? { jump: h.jump } : {}),
      ...(h['host-key'] ? { hostKey: h['host-key'].split(' ').slice(0, 2).join(' ') } : {}),
    }));
  }
  return site;
}
