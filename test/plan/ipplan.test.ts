import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSiteFile } from '../../src/config/load.js';
import { planAddresses } from '../../src/plan/ipplan.js';
import { UserError, UserErrors } from '../../src/errors.js';
import { userErrorMessages } from '../helpers.js';

function config(sites: string[]): ReturnType<typeof parseSiteFile> {
  return parseSiteFile(`sites:\n${sites.join('')}`, 'f.yml');
}
const site = (name: string, extra = '') => `  - name: ${name}\n    provider: local\n${extra}`;

/** An oracle independent of src/plan/cidr.ts: BigInt interval arithmetic. */
function interval(cidr: string): [bigint, bigint] {
  const [ip, len] = cidr.split('/');
  const n = ip!.split('.').reduce((a, o) => a * 256n + BigInt(o), 0n);
  const sizeN = 1n << BigInt(32 - Number(len));
  return [n, n + sizeN - 1n];
}
function reallyOverlap(a: string, b: string): boolean {
  const [a0, a1] = interval(a);
  const [b0, b1] = interval(b);
  return a0 <= b1 && b0 <= a1;
}

describe('IP plan', () => {
  it('gives the first site TF defaults and later sites non-overlapping /16s', () => {
    const plan = planAddresses(config([site('east'), site('west'), site('north')]));
    expect(plan[0]!.cidrs).toEqual({
      underlay: '172.16.0.0/24',
      pod: '10.32.0.0/12',
      service: '10.96.0.0/12',
      ipFabric: '10.64.0.0/12',
    });
    expect(plan[1]!.cidrs).toEqual({
      underlay: '172.16.1.0/24',
      pod: '10.128.0.0/16',
      service: '10.192.0.0/16',
      ipFabric: '10.224.0.0/16',
    });
    expect(plan[2]!.cidrs.pod).toBe('10.129.0.0/16');
    expect(plan.map((s) => s.asn)).toEqual([64512, 64513, 64514]);
  });

  it('keeps fixed ranges and allocates around them, in any site', () => {
    const plan = planAddresses(
      config([
        site('east'),
        site('west', '    cidrs: { pod: 10.32.0.0/16, underlay: 172.16.0.0/24 }\n'),
      ]),
    );
    expect(plan[1]!.cidrs.pod).toBe('10.32.0.0/16');
    expect(plan[1]!.given.pod).toBe(true);
    expect(plan[0]!.cidrs.pod).toBe('10.128.0.0/16');
    expect(plan[0]!.cidrs.underlay).toBe('172.16.1.0/24');
  });

  it('names both sites, both fields and both lines of an overlap', () => {
    const msgs = userErrorMessages(() =>
      planAddresses(
        config([
          site('east', '    cidrs:\n      service: 10.96.0.0/12\n'),
          site('west', '    cidrs:\n      pod: 10.100.0.0/16\n'),
        ]),
      ),
    );
    expect(msgs).toEqual([
      'f.yml:9:12: sites[1].cidrs.pod 10.100.0.0/16 (site "west") overlaps sites[0].cidrs.service 10.96.0.0/12 (site "east", line 5); ranges must not overlap within or across sites, so change one of them or remove it to have one chosen.',
    ]);
  });

  it('no free range left: the sentence names the site entry by line (it used to name only the file)', () => {
    const msgs = userErrorMessages(() =>
      planAddresses(
        config([
          site(
            'east',
            '    cidrs: { pod: 10.0.0.0/8, service: 172.16.0.0/12, ip-fabric: 192.168.0.0/16 }\n',
          ),
          site('west'),
        ]),
      ),
    );
    expect(msgs).toEqual([
      'f.yml:2:5: no free underlay range is left for site "east" (sites[0]); give it cidrs.underlay explicitly.',
    ]);
  });

  it('catches an overlap inside one site', () => {
    const msgs = userErrorMessages(() =>
      planAddresses(
        config([
          site('east', '    cidrs: { pod: 10.0.0.0/8, underlay: 10.1.0.0/24 }\n'),
          site('west'),
        ]),
      ),
    );
    expect(msgs[0]).toMatch(
      /sites\[0\]\.cidrs\.pod 10\.0\.0\.0\/8 \(site "east"\) overlaps sites\[0\]\.cidrs\.underlay/,
    );
  });

  // One range per kind, pairwise disjoint, and a second range inside each:
  // site b's range of kind k2 is the one inside site a's range of kind k1.
  const outer: Record<string, string> = {
    underlay: '172.20.0.0/24',
    pod: '10.32.0.0/12',
    service: '10.96.0.0/12',
    'ip-fabric': '10.64.0.0/12',
  };
  const inner: Record<string, string> = {
    underlay: '172.20.0.128/25',
    pod: '10.40.0.0/16',
    service: '10.100.0.0/16',
    'ip-fabric': '10.70.0.0/16',
  };
  const kindPairs = Object.keys(outer).flatMap((k1) => Object.keys(outer).map((k2) => [k1, k2]));
  it.each(kindPairs)(
    'refuses %s of one site overlapping %s of another, naming both sites, fields and lines',
    (k1, k2) => {
      const msgs = userErrorMessages(() =>
        planAddresses(
          config([
            site('a', `    cidrs:\n      ${k1}: ${outer[k1]}\n`),
            site('b', `    cidrs:\n      ${k2}: ${inner[k1]}\n`),
          ]),
        ),
      );
      expect(msgs).toEqual([
        `f.yml:9:${9 + k2.length}: sites[1].cidrs.${k2} ${inner[k1]} (site "b") overlaps sites[0].cidrs.${k1} ${outer[k1]} (site "a", line 5); ranges must not overlap within or across sites, so change one of them or remove it to have one chosen.`,
      ]);
    },
  );

  it('refuses duplicate ASNs and skips given ASNs when choosing', () => {
    const msgs = userErrorMessages(() =>
      planAddresses(config([site('a', '    asn: 65000\n'), site('b', '    asn: 65000\n')])),
    );
    expect(msgs).toEqual([
      'f.yml:7:10: sites[1].asn 65000 (site "b") is also the ASN of site "a" (line 4); sites peer over eBGP, so give each a unique ASN.',
    ]);
    const plan = planAddresses(config([site('a'), site('b', '    asn: 64512\n')]));
    expect(plan.map((s) => s.asn)).toEqual([64513, 64512]);
  });

  it('refuses an underlay too small for the nodes', () => {
    const msgs = userErrorMessages(() =>
      planAddresses(config([site('a', '    cidrs: { underlay: 172.16.0.0/29 }\n'), site('b')])),
    );
    expect(msgs[0]).toMatch(/sites\[0\]\.cidrs\.underlay 172\.16\.0\.0\/29 is too small/);
  });

  // Property: random site sets with random fixed ranges either plan with no
  // overlap anywhere (and every fixed range kept), or fail with overlap errors
  // that are each true.
  it('never plans an overlap, and every overlap error it reports is real', () => {
    fc.assert(planProperty(planAddresses), { numRuns: 400 });
  });

  // Negative controls: the property turns red on a planner that hands out an
  // overlapping range, on one that drops a fixed range, and on one that reports
  // an overlap that is not there.
  it('the property catches a planner that overlaps, moves a fixed range, or invents an overlap', () => {
    const overlapping: Planner = (cfg) => {
      const plan = planAddresses(cfg);
      plan[1]!.cidrs.service = plan[0]!.cidrs.service;
      return plan;
    };
    const movesFixed: Planner = (cfg) => {
      const plan = planAddresses(cfg);
      for (const p of plan) if (p.given.ipFabric) p.cidrs.ipFabric = '192.168.255.0/24';
      return plan;
    };
    const invents: Planner = (cfg) => {
      const plan = planAddresses(cfg);
      if (plan.some((p) => p.given.service)) {
        throw new UserErrors([
          new UserError(
            'f.yml:1:1: sites[1].cidrs.pod 10.0.0.0/16 (site "s1") overlaps sites[0].cidrs.pod 10.1.0.0/16 (site "s0"); …',
          ),
        ]);
      }
      return plan;
    };
    for (const planner of [overlapping, movesFixed, invents]) {
      expect(() => fc.assert(planProperty(planner), { numRuns: 400, seed: 7 })).toThrow(
        /Property failed/,
      );
    }
  });

  it('the oracle itself catches an overlap', () => {
    expect(reallyOverlap('10.32.0.0/12', '10.40.0.0/16')).toBe(true);
    expect(reallyOverlap('10.32.0.0/12', '10.48.0.0/16')).toBe(false);
  });
});

type Planner = typeof planAddresses;
const KINDS = ['underlay', 'pod', 'service', 'ip-fabric'] as const;
const PLAN_KEY = {
  underlay: 'underlay',
  pod: 'pod',
  service: 'service',
  'ip-fabric': 'ipFabric',
} as const;

function planProperty(planner: Planner) {
  const cidrArb = fc
    .tuple(
      fc.constantFrom(10, 172),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 12, max: 24 }),
    )
    .map(([a, b, len]) => {
      const base = a === 172 ? (172 * 256 + (16 + (b % 16))) * 65536 : (10 * 256 + b) * 65536;
      const size = 2 ** (32 - len);
      const net = Math.floor(base / size) * size;
      return `${[net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.')}/${len}`;
    });
  const siteArb = fc.record(
    Object.fromEntries(
      KINDS.map((k) => [k, fc.option(cidrArb, { nil: undefined, freq: 3 })]),
    ) as Record<(typeof KINDS)[number], fc.Arbitrary<string | undefined>>,
  );
  return fc.property(fc.array(siteArb, { minLength: 2, maxLength: 6 }), (sites) => {
    const text = sites
      .map((s, i) => {
        const given = KINDS.filter((k) => s[k] !== undefined).map((k) => `${k}: ${s[k]}`);
        return site(`s${i}`, given.length ? `    cidrs: { ${given.join(', ')} }\n` : '');
      })
      .join('');
    const cfg = config([text]);
    let plan;
    try {
      plan = planner(cfg);
    } catch (e) {
      if (!(e instanceof UserErrors)) throw e;
      for (const err of e.errors) {
        const m =
          /cidrs\.\S+ (\S+) \(site "[^"]+"\) overlaps sites\[\d+\]\.cidrs\.\S+ (\S+) \(site/.exec(
            err.message,
          );
        if (!m) {
          expect(err.message).toMatch(/is too small/);
          continue;
        }
        expect(reallyOverlap(m[1]!, m[2]!)).toBe(true);
      }
      return;
    }
    const all = plan.flatMap((p) => Object.values(p.cidrs));
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) expect(reallyOverlap(all[i]!, all[j]!)).toBe(false);
    }
    sites.forEach((s, i) => {
      for (const k of KINDS) if (s[k]) expect(plan[i]!.cidrs[PLAN_KEY[k]]).toBe(s[k]);
    });
  });
}
