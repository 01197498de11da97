import { describe, expect, it } from 'vitest';
import type { CheckRecord, PhaseRecord, RemediationRecord } from '../../src/report/model.js';
import { renderResultsJson } from '../../src/report/outputs.js';
import {
  buildResults,
  probeErrorsText,
  resultsExitCode,
  type ResultsInput,
} from '../../src/report/results.js';
import { localSites } from '../support/sites.js';

const phases: PhaseRecord[] = [
  {
    name: 'provision',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:05.000Z',
    status: 'ok',
  },
  {
    name: 'test',
    startedAt: '2026-01-01T00:00:05.000Z',
    endedAt: '2026-01-01T00:00:09.000Z',
    status: 'ok',
  },
];
const remediation: RemediationRecord = {
  site: 'west',
  problem: 'control: initializing (No BGP configuration for self)',
  action: 'delete control pod',
  attempt: 1,
  at: '2026-01-01T00:00:03.000Z',
  resolved: true,
};
const check = (status: CheckRecord['status'], to = 'west/tenant-a/echo'): CheckRecord => ({
  suite: 'connectivity',
  mode: null,
  from: 'east/tenant-a/client',
  to,
  toKind: 'service',
  expected: 'allow',
  actual: status === 'fail' ? 'deny' : 'allow',
  observed: status === 'fail' ? 'timeout' : 'connected',
  attempts: status === 'pass' ? 1 : 2,
  status,
});

function input(over: Partial<ResultsInput> = {}): ResultsInput {
  return {
    runId: 'abc123',
    plan: localSites().plan,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:10.000Z',
    phases,
    remediations: [remediation],
    checks: [check('pass'), check('flaky', 'west/tenant-b/echo')],
    reproduce: 'tungsten-e2e run --sites examples/local.yml',
    ...over,
  };
}

describe('results.json', () => {
  it('holds the run with totals; flaky checks do not fail it', () => {
    const r = buildResults(input());
    expect(r.passed).toBe(true);
    expect(r.totals).toEqual({ pass: 1, fail: 0, flaky: 1, error: 0, reprobed: 0 });
    expect(r.profile).toBe('tf-2018');
    expect(r.versions.kubernetes).toBe('1.10.11');
    expect(r.sites.map((s) => [s.name, s.provider, s.asn, s.routerId, s.gateway])).toEqual([
      ['east', 'local', 64512, '172.16.0.10', '172.16.0.1'],
      ['west', 'local', 64513, '172.16.1.10', '172.16.1.1'],
    ]);
    expect(r.sites[0]!.cidrs).toEqual({
      underlay: '172.16.0.0/24',
      pod: '10.32.0.0/12',
      service: '10.96.0.0/12',
      ipFabric: '10.64.0.0/12',
    });
    expect(r.error).toBeUndefined();
    expect(resultsExitCode(r)).toBe(0);
  });

  it('fails on a failed check (exit 1), a failed phase, no checks, or an early stop (exit 3)', () => {
    const failed = buildResults(input({ checks: [check('pass'), check('fail', 'west/x/echo')] }));
    expect(failed.passed).toBe(false);
    expect(failed.totals).toEqual({ pass: 1, fail: 1, flaky: 0, error: 0, reprobed: 0 });
    expect(resultsExitCode(failed)).toBe(1);

    expect(buildResults(input({ checks: [] })).passed).toBe(false);
    expect(
      buildResults(input({ phases: [{ ...phases[0]!, status: 'failed', error: 'x' }] })).passed,
    ).toBe(false);
    const stopped = buildResults(input({ error: 'site west: the control-node race persisted' }));
    expect(stopped.passed).toBe(false);
    expect(stopped.error).toBe('site west: the control-node race persisted');
    expect(resultsExitCode(stopped)).toBe(3);
  });

  it('a check whose probe never answered fails the run as infrastructure (exit 3), not as a wrong verdict; repeats are counted', () => {
    const unanswered: CheckRecord = {
      ...check('error', 'west/x/echo'),
      actual: 'error',
      attempts: 3,
      reprobes: 2,
    };
    const repeated: CheckRecord = { ...check('pass'), attempts: 2, reprobes: 1 };
    const r = buildResults(input({ checks: [repeated, unanswered] }));
    expect(r.passed).toBe(false);
    expect(r.totals).toEqual({ pass: 1, fail: 0, flaky: 0, error: 1, reprobed: 3 });
    expect(resultsExitCode(r)).toBe(3);
    expect(probeErrorsText(r.totals)).toBe(
      '; 1 unanswered (probe error, not a verdict on the network), 3 probes repeated because the probe itself failed',
    );
    // a real wrong verdict next to it still makes it a check failure
    const both = buildResults(input({ checks: [unanswered, check('fail')] }));
    expect(resultsExitCode(both)).toBe(1);
    // repeats alone do not fail a run
    const fine = buildResults(input({ checks: [repeated] }));
    expect(fine.passed).toBe(true);
    expect(probeErrorsText(fine.totals)).toBe('; 1 probe repeated because the probe itself failed');
    expect(probeErrorsText(buildResults(input()).totals)).toBe('');
  });

  it('renders as results.json with the fields the issue names', () => {
    const doc = JSON.parse(renderResultsJson(buildResults(input()))) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining([
        'runId',
        'passed',
        'sites',
        'phases',
        'remediations',
        'tunnels',
        'checks',
        'totals',
      ]),
    );
    expect(Object.keys((doc.phases as object[])[0]!)).toEqual(
      expect.arrayContaining(['name', 'startedAt', 'endedAt', 'status']),
    );
    expect((doc.remediations as object[])[0]).toEqual(remediation);
    expect(Object.keys((doc.checks as object[])[0]!)).toEqual(
      expect.arrayContaining([
        'suite',
        'mode',
        'from',
        'to',
        'expected',
        'actual',
        'attempts',
        'status',
      ]),
    );
    expect((doc.checks as CheckRecord[])[0]!.mode).toBeNull();
    expect(doc.totals).toEqual({ pass: 1, fail: 0, flaky: 1, error: 0, reprobed: 0 });
  });
});
