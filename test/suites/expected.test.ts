import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IsolationMode } from '../../src/config/types.js';
import {
  expectedMatrix,
  expectedVerdict,
  type ClientEndpoint,
  type TargetEndpoint,
} from '../../src/suites/expected.js';

const NS = ['tenant-a', 'tenant-b'];
const client = (site: string, namespace: string): ClientEndpoint => ({
  site,
  namespace,
  name: 'client',
});
const pod = (site: string, namespace: string): TargetEndpoint => ({
  site,
  namespace,
  name: 'echo-1',
  kind: 'pod',
});
const svc = (site: string, namespace: string): TargetEndpoint => ({
  site,
  namespace,
  name: 'echo',
  kind: 'service',
});

describe('expected verdicts, two namespaces (tenant-a isolated in namespace and service modes)', () => {
  // mode, from namespace, to namespace, to kind → verdict; every row holds within and across sites
  const table: [IsolationMode, string, string, 'pod' | 'service', 'allow' | 'deny'][] = [
    ['default', 'tenant-a', 'tenant-b', 'pod', 'allow'],
    ['default', 'tenant-b', 'tenant-a', 'service', 'allow'],
    ['namespace', 'tenant-a', 'tenant-a', 'pod', 'allow'],
    ['namespace', 'tenant-a', 'tenant-a', 'service', 'allow'],
    ['namespace', 'tenant-b', 'tenant-a', 'pod', 'deny'],
    ['namespace', 'tenant-b', 'tenant-a', 'service', 'deny'],
    ['namespace', 'tenant-a', 'tenant-b', 'pod', 'allow'],
    ['namespace', 'tenant-a', 'tenant-b', 'service', 'allow'],
    ['namespace', 'tenant-b', 'tenant-b', 'pod', 'allow'],
    ['service', 'tenant-b', 'tenant-a', 'pod', 'deny'],
    ['service', 'tenant-b', 'tenant-a', 'service', 'allow'],
    ['service', 'tenant-a', 'tenant-a', 'pod', 'allow'],
    ['service', 'tenant-a', 'tenant-b', 'pod', 'allow'],
    ['container', 'tenant-a', 'tenant-a', 'pod', 'allow'],
    ['container', 'tenant-a', 'tenant-a', 'service', 'allow'],
    ['container', 'tenant-b', 'tenant-b', 'service', 'allow'],
    ['container', 'tenant-b', 'tenant-a', 'pod', 'allow'],
    ['container', 'tenant-b', 'tenant-a', 'service', 'allow'],
    ['container', 'tenant-a', 'tenant-b', 'pod', 'deny'],
    ['container', 'tenant-a', 'tenant-b', 'service', 'deny'],
  ];
  it.each(table)('%s: %s → %s %s is %s', (mode, fromNs, toNs, kind, verdict) => {
    const to = kind === 'pod' ? pod : svc;
    for (const [a, b] of [
      ['east', 'east'],
      ['east', 'west'],
      ['west', 'east'],
    ] as const) {
      expect(expectedVerdict(mode, NS, client(a, fromNs), to(b, toNs))).toBe(verdict);
    }
  });
});

describe('expected verdicts with three namespaces', () => {
  const ns3 = ['a', 'b', 'c'];
  it('isolates every namespace but the last: isolated → isolated is denied, anything → the last allowed', () => {
    expect(expectedVerdict('namespace', ns3, client('east', 'a'), pod('west', 'b'))).toBe('deny');
    expect(expectedVerdict('namespace', ns3, client('east', 'b'), pod('west', 'a'))).toBe('deny');
    expect(expectedVerdict('namespace', ns3, client('east', 'a'), pod('west', 'c'))).toBe('allow');
    expect(expectedVerdict('service', ns3, client('east', 'c'), svc('west', 'b'))).toBe('allow');
    expect(expectedVerdict('service', ns3, client('east', 'c'), pod('west', 'b'))).toBe('deny');
  });
  it('container: only b → a crosses namespaces', () => {
    const allowedCross = expectedMatrix(
      'container',
      ns3,
      ns3.map((n) => client('east', n)),
      ns3.map((n) => pod('west', n)),
    )
      .filter((c) => c.expected === 'allow' && c.from.namespace !== c.to.namespace)
      .map((c) => `${c.from.namespace}->${c.to.namespace}`);
    expect(allowedCross).toEqual(['b->a']);
  });
});

describe('expected verdicts: properties', () => {
  const nsArb = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'tenant-x'), {
    minLength: 2,
    maxLength: 4,
  });
  const siteArb = fc.constantFrom('east', 'west', 'north');
  const modeArb = fc.constantFrom<IsolationMode>('default', 'namespace', 'service', 'container');
  const kindArb = fc.constantFrom<'pod' | 'service'>('pod', 'service');
  const caseArb = nsArb.chain((namespaces) =>
    fc.record({
      namespaces: fc.constant(namespaces),
      mode: modeArb,
      fromSite: siteArb,
      toSite: siteArb,
      fromNs: fc.constantFrom(...namespaces),
      toNs: fc.constantFrom(...namespaces),
      kind: kindArb,
    }),
  );
  const verdict = (c: {
    namespaces: string[];
    mode: IsolationMode;
    fromSite: string;
    toSite: string;
    fromNs: string;
    toNs: string;
    kind: 'pod' | 'service';
  }) =>
    expectedVerdict(
      c.mode,
      c.namespaces,
      client(c.fromSite, c.fromNs),
      (c.kind === 'pod' ? pod : svc)(c.toSite, c.toNs),
    );

  it('default mode allows everything', () => {
    fc.assert(fc.property(caseArb, (c) => verdict({ ...c, mode: 'default' }) === 'allow'));
  });

  it("a namespace's own clients always reach its pods and services, at every site, in every mode", () => {
    fc.assert(fc.property(caseArb, (c) => verdict({ ...c, toNs: c.fromNs }) === 'allow'));
  });

  it('verdicts do not depend on the sites: same-named namespaces are one domain', () => {
    fc.assert(
      fc.property(caseArb, siteArb, siteArb, (c, s1, s2) => {
        return verdict(c) === verdict({ ...c, fromSite: s1, toSite: s2 });
      }),
    );
  });

  it('service isolation off only opens services: namespace mode is never more open than service mode', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const ns = verdict({ ...c, mode: 'namespace' });
        const sv = verdict({ ...c, mode: 'service' });
        if (c.kind === 'pod') return ns === sv;
        return !(ns === 'allow' && sv === 'deny') && sv === 'allow';
      }),
    );
  });

  it('the last namespace stays open in namespace and service modes', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const last = c.namespaces[c.namespaces.length - 1]!;
        return (
          verdict({ ...c, mode: 'namespace', toNs: last }) === 'allow' &&
          verdict({ ...c, mode: 'service', toNs: last }) === 'allow'
        );
      }),
    );
  });

  it('container mode judges a service like its backends', () => {
    fc.assert(
      fc.property(
        caseArb,
        (c) =>
          verdict({ ...c, mode: 'container', kind: 'pod' }) ===
          verdict({ ...c, mode: 'container', kind: 'service' }),
      ),
    );
  });

  it('every isolating mode denies something and allows something', () => {
    fc.assert(
      fc.property(
        nsArb,
        fc.constantFrom<IsolationMode>('namespace', 'service', 'container'),
        (namespaces, mode) => {
          const cells = expectedMatrix(
            mode,
            namespaces,
            namespaces.map((n) => client('east', n)),
            namespaces.flatMap((n) => [pod('west', n), svc('west', n)]),
          );
          return (
            cells.some((x) => x.expected === 'deny') && cells.some((x) => x.expected === 'allow')
          );
        },
      ),
    );
  });
});

describe('independence', () => {
  it('no fabric imports the expected verdicts', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(import.meta.dirname, '../../src/fabric');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(root);
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.filter((f) =>
      /from\s+['"][^'"]*suites\/(expected|scenario)(\.js)?['"]/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('isolationConfig does not read the expected verdicts', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const text = readFileSync(
      join(import.meta.dirname, '../../src/suites/isolationConfig.ts'),
      'utf8',
    );
    expect(text).not.toMatch(/from\s+['"]\.\/expected(\.js)?['"]/);
  });
});
