/**
 * The IP plan: four ranges per site that overlap nothing, and an ASN per site.
 *
 * Scheme (documented in the README): ranges the user fixed are reserved first,
 * for every site. Then, site by site in file order, each missing range takes
 * the first candidate of its kind that overlaps nothing reserved or allocated:
 *   underlay  172.16.0.0/24, 172.16.1.0/24, … 172.31.255.0/24
 *   pod       10.32.0.0/12 (TF default), then 10.128.0.0/16 … 10.191.0.0/16
 *   service   10.96.0.0/12 (TF default), then 10.192.0.0/16 … 10.223.0.0/16
 *   ip-fabric 10.64.0.0/12 (TF default), then 10.224.0.0/16 … 10.255.0.0/16
 * so the first site keeps TF's defaults and later sites get /16s. Should fixed
 * ranges fill a pool, the search goes on through every /16 of 10.0.0.0/8 and
 * 172.16.0.0/12, then 192.168.0.0/16 (underlays: 192.168.0.0/16, then 10.0.0.0/8, in /24s).
 * ASNs: a site without one gets the lowest free of 64512 + index, 64513, …
 */
import type { RunConfig } from '../config/types.js';
import { CIDR_KIND_KEYS } from '../config/types.js';
import type { CidrKind } from '../config/types.js';
import { errorAt } from '../config/load.js';
import type { UserError } from '../errors.js';
import { UserErrors } from '../errors.js';
import { formatCidr, mustParseCidr, overlaps } from '../net/cidr.js';
import type { Cidr } from '../net/cidr.js';

export const CIDR_KINDS: CidrKind[] = ['underlay', 'pod', 'service', 'ipFabric'];

export interface SiteRanges {
  underlay: string;
  pod: string;
  service: string;
  ipFabric: string;
}

export interface IpPlanSite {
  name: string;
  cidrs: SiteRanges;
  given: Record<CidrKind, boolean>;
  asn: number;
}

const ip = (a: number, b: number, c: number) => ((a * 256 + b) * 256 + c) * 256;

function* slash24s(a: number, bFrom: number, bTo: number): Generator<Cidr> {
  for (let b = bFrom; b <= bTo; b++)
    for (let c = 0; c < 256; c++) yield { base: ip(a, b, c), prefix: 24 };
}

function* slash16s(a: number, bFrom: number, bTo: number): Generator<Cidr> {
  for (let b = bFrom; b <= bTo; b++) yield { base: ip(a, b, 0), prefix: 16 };
}

const POOLS: Record<Exclude<CidrKind, 'underlay'>, [number, number, number]> = {
  pod: [32, 128, 191],
  service: [96, 192, 223],
  ipFabric: [64, 224, 255],
};

function* candidates(kind: CidrKind): Generator<Cidr> {
  if (kind === 'underlay') {
    yield* slash24s(172, 16, 31);
    // fallbacks when user-fixed ranges fill the usual pool
    yield* slash24s(192, 168, 168);
    yield* slash24s(10, 0, 255);
    return;
  }
  const [dflt, first, last] = POOLS[kind];
  yield { base: ip(10, dflt, 0), prefix: 12 };
  yield* slash16s(10, first, last);
  yield* slash16s(10, 0, 255);
  yield* slash16s(172, 16, 31);
  yield* slash24s(192, 168, 168);
}

interface Taken {
  cidr: Cidr;
  site: number;
  kind: CidrKind;
  given: boolean;
}

export function planAddresses(config: RunConfig): IpPlanSite[] {
  const taken: Taken[] = [];
  const errors: UserError[] = [];
  const fieldOf = (t: Taken) => `sites[${t.site}].cidrs.${CIDR_KIND_KEYS[t.kind]}`;
  const pathOf = (t: Taken) => ['sites', t.site, 'cidrs', CIDR_KIND_KEYS[t.kind]];
  const lineOf = (t: Taken) => config.positions[pathOf(t).join('.')]?.line;

  config.sites.forEach((site, i) => {
    for (const kind of CIDR_KINDS) {
      const text = site.cidrs[kind];
      if (text === undefined) continue;
      const t: Taken = { cidr: mustParseCidr(text), site: i, kind, given: true };
      const clash = taken.find((o) => overlaps(o.cidr, t.cidr));
      if (clash) {
        const otherName = config.sites[clash.site]!.name;
        const line = lineOf(clash);
        errors.push(
          errorAt(
            config,
            pathOf(t),
            `${fieldOf(t)} ${formatCidr(t.cidr)} (site "${site.name}") overlaps ${fieldOf(clash)} ${formatCidr(clash.cidr)} (site "${otherName}"${line ? `, line ${line}` : ''}); ranges must not overlap within or across sites, so change one of them or remove it to have one chosen.`,
          ),
        );
        continue;
      }
      taken.push(t);
    }
  });

  const underlayErrors = config.sites.flatMap((site, i) => {
    const text = site.cidrs.underlay;
    if (!text) return [];
    const c = mustParseCidr(text);
    const need = 10 + site.nodes.workers + 2;
    if (c.prefix > 28 || 2 ** (32 - c.prefix) < need) {
      return [
        errorAt(
          config,
          ['sites', i, 'cidrs', 'underlay'],
          `sites[${i}].cidrs.underlay ${text} is too small for site "${site.name}" (addresses .1-.9 are kept for gateways and the edge, nodes start at .10, ${site.nodes.workers} workers); use a /24 or larger.`,
        ),
      ];
    }
    return [];
  });
  errors.push(...underlayErrors);

  const asns = assignAsns(config, errors);
  if (errors.length > 0) throw new UserErrors(errors);

  return config.sites.map((site, i) => {
    const given = {} as Record<CidrKind, boolean>;
    const cidrs = {} as SiteRanges;
    for (const kind of CIDR_KINDS) {
      const fixed = taken.find((t) => t.site === i && t.kind === kind);
      given[kind] = Boolean(fixed);
      if (fixed) {
        cidrs[kind] = formatCidr(fixed.cidr);
        continue;
      }
      const pick = firstFree(kind, taken);
      if (!pick) {
        // at the site's entry: the field to add is missing, so its site is where to look
        throw errorAt(
          config,
          ['sites', i],
          `no free ${CIDR_KIND_KEYS[kind]} range is left for site "${site.name}" (sites[${i}]); give it cidrs.${CIDR_KIND_KEYS[kind]} explicitly.`,
        );
      }
      taken.push({ cidr: pick, site: i, kind, given: false });
      cidrs[kind] = formatCidr(pick);
    }
    return { name: site.name, cidrs, given, asn: asns[i]! };
  });
}

function firstFree(kind: CidrKind, taken: Taken[]): Cidr | undefined {
  for (const c of candidates(kind)) {
    if (!taken.some((t) => overlaps(t.cidr, c))) return c;
  }
  return undefined;
}

function assignAsns(config: RunConfig, errors: UserError[]): number[] {
  const byAsn = new Map<number, number>();
  config.sites.forEach((site, i) => {
    if (site.asn === undefined) return;
    const other = byAsn.get(site.asn);
    if (other !== undefined) {
      const line = config.positions[`sites.${other}.asn`]?.line;
      errors.push(
        errorAt(
          config,
          ['sites', i, 'asn'],
          `sites[${i}].asn ${site.asn} (site "${site.name}") is also the ASN of site "${config.sites[other]!.name}"${line ? ` (line ${line})` : ''}; sites peer over eBGP, so give each a unique ASN.`,
        ),
      );
    } else {
      byAsn.set(site.asn, i);
    }
  });
  return config.sites.map((site, i) => {
    if (site.asn !== undefined) return site.asn;
    let asn = 64512 + i;
    while (byAsn.has(asn)) asn++;
    byAsn.set(asn, i);
    return asn;
  });
}
