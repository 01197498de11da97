/** Run results in the shape the pipeline writes, for the report tests. */
import type { CheckRecord, PhaseRecord, RunResults } from '../../src/report/model.js';

const T0 = Date.parse('2024-05-01T12:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** what a probe saw for a verdict, as the emulated fabric and TF report it */
export const observedOf = (actual: CheckRecord['actual']): CheckRecord['observed'] =>
  actual === 'allow' ? 'connected' : actual === 'deny' ? 'timeout' : 'error';

export function check(from: string, to: string, over: Partial<CheckRecord> = {}): CheckRecord {
  return {
    suite: 'isolation',
    mode: 'namespace',
    from,
    to,
    toKind: to.endsWith('/echo') ? 'service' : 'pod',
    expected: 'allow',
    actual: 'allow',
    attempts: 1,
    status: 'pass',
    ...(over.expected === 'deny' ? { expectedDeny: 'timeout' as const } : {}),
    ...over,
    observed: over.observed ?? observedOf(over.actual ?? 'allow'),
  };
}

export const PHASE_SECONDS: [PhaseRecord['name'], number, number][] = [
  ['load', 0, 0.05],
  ['plan', 0.05, 0.2],
  ['provision', 0.2, 40],
  ['install', 40, 190.5],
  ['ready', 190.5, 250],
  ['connect', 250, 262],
  ['test', 262, 300],
  ['report', 300, 301],
];

/** Two local sites; connectivity passes, namespace isolation has one wrong cell and one flaky one. */
export function sampleResults(): RunResults {
  const checks: CheckRecord[] = [
    check('east/tenant-a/client', 'west/tenant-a/echo', { suite: 'connectivity', mode: null }),
    check('west/tenant-a/client', 'east/tenant-a/echo', { suite: 'connectivity', mode: null }),
    check('east/tenant-a/client', 'west/tenant-a/server'),
    check('east/tenant-a/client', 'west/tenant-b/server', {
      expected: 'deny',
      actual: 'allow',
      attempts: 2,
      status: 'fail',
      detail: 'HTTP 200 from 10.33.0.5:8080 (pod west/tenant-b/server)',
    }),
    check('east/tenant-b/client', 'west/tenant-a/server', { expected: 'deny', actual: 'deny' }),
    check('east/tenant-b/client', 'west/tenant-b/server', {
      attempts: 2,
      status: 'flaky',
      detail: 'first attempt: connect timeout after 2s',
    }),
  ];
  const phases: PhaseRecord[] = PHASE_SECONDS.map(([name, s, e]) => ({
    name,
    startedAt: at(s),
    endedAt: at(e),
    status: 'ok',
  }));
  return {
    runId: 'te-20240501-abc123',
    passed: false,
    profile: 'tf-2018',
    versions: {
      kubernetes: '1.10.11',
      tfRegistry: 'opencontrailnightly',
      tfTag: 'ocata-5.0.0-134',
    },
    startedAt: at(0),
    endedAt: at(301),
    sites: [
      {
        name: 'east',
        provider: 'local',
        asn: 64512,
        routerId: '172.16.0.10',
        gateway: '172.16.0.1',
        cidrs: {
          underlay: '172.16.0.0/24',
          pod: '10.32.0.0/12',
          service: '10.96.0.0/12',
          ipFabric: '10.64.0.0/12',
        },
      },
      {
        name: 'west',
        provider: 'aws',
        region: 'us-east-1',
        asn: 64513,
        routerId: '172.16.1.10',
        gateway: '172.16.1.1',
        cidrs: {
          underlay: '172.16.1.0/24',
          pod: '10.128.0.0/16',
          service: '10.192.0.0/16',
          ipFabric: '10.224.0.0/16',
        },
      },
    ],
    phases,
    tunnels: [{ a: 'east', b: 'west', handshake: true, rxBytes: 48_512, txBytes: 1_310_720 }],
    remediations: [
      {
        site: 'west',
        problem: 'control: initializing (No BGP configuration for self)',
        action: 'delete control pod',
        attempt: 1,
        at: at(220),
        resolved: true,
      },
    ],
    checks,
    totals: { pass: 4, fail: 1, flaky: 1, error: 0, reprobed: 0 },
    reproduce: 'sudo tungsten-e2e run --sites examples/local.yml --profile tf-2018',
  };
}

/** The same run with every check right. */
export function passingResults(): RunResults {
  const r = sampleResults();
  r.checks = r.checks.map((c) =>
    c.status === 'fail' ? { ...c, actual: c.expected, attempts: 1, status: 'pass' } : c,
  );
  r.totals = { pass: 5, fail: 0, flaky: 1, error: 0, reprobed: 0 };
  r.passed = true;
  return r;
}

/** A run that stopped in provision: no checks, later phases skipped. */
export function stoppedResults(): RunResults {
  const r = sampleResults();
  r.checks = [];
  r.totals = { pass: 0, fail: 0, flaky: 0, error: 0, reprobed: 0 };
  r.remediations = [];
  r.phases = r.phases.map((p) =>
    p.name === 'provision'
      ? { ...p, status: 'failed', error: 'west: RunInstances: VcpuLimitExceeded' }
      : ['load', 'plan'].includes(p.name)
        ? p
        : { name: p.name, startedAt: p.startedAt, status: 'skipped' },
  );
  r.error = 'provision failed: west: RunInstances: VcpuLimitExceeded\nsee the provider log';
  return r;
}
