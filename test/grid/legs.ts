/**
 * Hand-written legs for the grid's tests: results.json in the shape runs
 * write it (report/model.ts), with only what a leg's verdict depends on
 * varied; and leg.json as the nightly writes it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LegSpec {
  name: string;
  profile: string;
  providers: string[];
  passed?: boolean;
  flaky?: number;
  remediated?: boolean;
  /** "suite" or "suite/mode" of each failing check */
  failing?: string[];
  error?: string;
  url?: string;
  /** a leg without results: what leg.json says */
  status?: 'not-configured' | 'not-run';
  reason?: string;
}

const VERSIONS: Record<string, { kubernetes: string; tfRegistry: string; tfTag: string }> = {
  'tf-2018': {
    kubernetes: '1.10.11',
    tfRegistry: 'docker.io/opencontrailnightly',
    tfTag: 'ocata-5.0.0-134',
  },
  'opensdn-24': { kubernetes: '1.28.15', tfRegistry: 'docker.io/opensdn', tfTag: '2025-11-03' },
};

export function resultsOf(spec: LegSpec): Record<string, unknown> {
  const failing = spec.failing ?? [];
  const checks = [
    { suite: 'connectivity', mode: null, from: 'a/x/c', to: 'b/x/e', status: 'pass' },
    ...failing.map((f) => {
      const [suite, mode] = f.split('/');
      return { suite, mode: mode ?? null, from: 'a/x/c', to: 'b/x/e', status: 'fail' };
    }),
  ];
  return {
    runId: spec.name
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 6)
      .padEnd(6, '0'),
    passed: spec.passed ?? failing.length === 0,
    profile: spec.profile,
    versions: VERSIONS[spec.profile],
    startedAt: '2026-12-06T03:17:00.000Z',
    endedAt: '2026-12-06T03:40:00.000Z',
    sites: spec.providers.map((provider, i) => ({
      name: `s${i}`,
      provider,
      asn: 64512 + i,
      routerId: `10.0.${i}.1`,
      gateway: `10.0.${i}.1`,
      cidrs: { underlay: '', pod: '', service: '', ipFabric: '' },
    })),
    phases: [],
    remediations: spec.remediated
      ? [
          {
            site: 's0',
            problem: 'control: initializing (No BGP configuration for self)',
            action: 'delete control pod',
            attempt: 1,
            at: '2026-12-06T03:25:00.000Z',
            resolved: true,
          },
        ]
      : [],
    tunnels: [],
    checks,
    totals: {
      pass: checks.filter((c) => c.status === 'pass').length,
      fail: failing.length,
      flaky: spec.flaky ?? 0,
      error: 0,
      reprobed: 0,
    },
    reproduce: 'tungsten-e2e run --sites …',
    ...(spec.error ? { error: spec.error } : {}),
  };
}

/** Writes the leg's directory under `root`; returns its path. */
export function writeLeg(root: string, spec: LegSpec): string {
  const dir = join(root, spec.name);
  mkdirSync(dir, { recursive: true });
  if (!spec.status) {
    writeFileSync(join(dir, 'results.json'), JSON.stringify(resultsOf(spec), null, 2));
  }
  const leg = {
    ...(spec.status
      ? { profile: spec.profile, pair: spec.providers.join(' + '), status: spec.status }
      : {}),
    ...(spec.reason ? { reason: spec.reason } : {}),
    ...(spec.url ? { url: spec.url } : {}),
  };
  if (Object.keys(leg).length) writeFileSync(join(dir, 'leg.json'), JSON.stringify(leg));
  return dir;
}
