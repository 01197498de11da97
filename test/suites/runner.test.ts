import { describe, expect, it } from 'vitest';
import type { CheckRecord } from '../../src/report/model.js';
import { InfraError } from '../../src/errors.js';
import {
  deployAll,
  runIsolation,
  missingWorkloads,
  replyNames,
  runConnectivity,
  runSuites,
  INFRA_ATTEMPTS,
  type SuiteOptions,
} from '../../src/suites/runner.js';
import type { PodRef } from '../../src/fabric/fabric.js';
import { scriptedSuiteFabric, type SuiteFaults } from '../support/scriptedSuiteFabric.js';
import { localSites, testContext } from '../support/sites.js';

const ALL: SuiteOptions = {
  suites: ['connectivity', 'isolation'],
  modes: ['default', 'namespace', 'service', 'container'],
  namespaces: ['tenant-a', 'tenant-b'],
};

async function run(
  faults: SuiteFaults = {},
  options: Partial<SuiteOptions> = {},
  names?: string[],
) {
  const opts = { ...ALL, ...options };
  const { plan, sites } = localSites(names, [...opts.namespaces]);
  const { ctx, logger } = testContext(plan);
  const scripted = scriptedSuiteFabric(faults);
  const result = await runSuites(scripted.fabric, sites, ctx, opts);
  return { ...result, scripted, logger };
}

const count = (checks: CheckRecord[], status: CheckRecord['status']) =>
  checks.filter((c) => c.status === status).length;
const of = (checks: CheckRecord[], suite: string, mode: string | null = null) =>
  checks.filter((c) => c.suite === suite && c.mode === mode);

describe('suites over a fabric that does what it is told', () => {
  it('two sites, all four modes: every check passes and the truth tables are printed', async () => {
    const { checks, tables, logger, scripted } = await run();
    // connectivity: 4 clients × (2 remote backends + 2 remote services)
    expect(of(checks, 'connectivity')).toHaveLength(16);
    // isolation: 4 clients × 8 targets (4 backend pods, 4 services) per mode
    for (const mode of ALL.modes) expect(of(checks, 'isolation', mode)).toHaveLength(32);
    expect(count(checks, 'fail')).toBe(0);
    expect(count(checks, 'flaky')).toBe(0);
    expect(checks.every((c) => c.attempts === 1)).toBe(true);
    // the modes do isolate something: some checks expect and see a block
    for (const mode of ['namespace', 'service', 'container']) {
      expect(
        of(checks, 'isolation', mode).some((c) => c.expected === 'deny' && c.actual === 'deny'),
      ).toBe(true);
    }
    const conn = of(checks, 'connectivity');
    expect(conn.every((c) => c.from.split('/')[0] !== c.to.split('/')[0])).toBe(true);
    expect(
      conn.find((c) => c.from === 'east/tenant-a/client' && c.to === 'west/tenant-b/echo'),
    ).toMatchObject({
      toKind: 'service',
      expected: 'allow',
      actual: 'allow',
      status: 'pass',
      detail: 'reply from echo-west-1',
    });
    expect(tables.map((t) => t.split('\n')[0])).toEqual([
      'connectivity: expected',
      'isolation / default: expected',
      'isolation / namespace: expected',
      'isolation / service: expected',
      'isolation / container: expected',
    ]);
    expect(logger.lines.some((l) => l.includes('\nisolation / namespace: comparison\n'))).toBe(
      true,
    );
    expect(logger.lines).toContain(
      'info:test: isolation / container: 32 checks in 0s: 32 pass, 0 fail, 0 flaky',
    );
    // each mode applied on every site before probing; the baseline and connectivity on the default config
    expect(scripted.applyCalls).toEqual([
      'east:default',
      'west:default',
      'east:default',
      'west:default',
      'east:default',
      'west:default',
      'east:namespace',
      'west:namespace',
      'east:service',
      'west:service',
      'east:container',
      'west:container',
    ]);
    expect(new Set(scripted.probes.map((p) => p.timeoutMs))).toEqual(new Set([2000]));
  });

  it('three sites and three namespaces pass too', async () => {
    const { checks } = await run({}, { namespaces: ['a', 'b', 'c'] }, ['east', 'west', 'north']);
    // 9 clients × 18 targets per mode
    expect(of(checks, 'isolation', 'namespace')).toHaveLength(162);
    expect(count(checks, 'fail')).toBe(0);
  });

  it('prints a namespace-mode table where the other namespace is blocked from tenant-a', async () => {
    const { tables } = await run({}, { suites: ['isolation'], modes: ['namespace'] });
    const lines = tables[0]!.split('\n');
    const expected = lines.slice(2, 6);
    // columns: 4 pods then 4 services, sorted by path; rows: 4 clients
    expect(lines[lines.length - 2]).toMatch(
      /^columns: 1=east\/tenant-a\/echo \(service\), 2=east\/tenant-a\/echo-east-0,/,
    );
    expect(expected).toEqual([
      'east/tenant-a/client   .  .  .  .  .  .  .  .',
      'east/tenant-b/client   X  X  .  .  X  X  .  .',
      'west/tenant-a/client   .  .  .  .  .  .  .  .',
      'west/tenant-b/client   X  X  .  .  X  X  .  .',
    ]);
  });
});

describe('negative controls', () => {
  it('leak-isolation: isolation checks expected blocked fail, connectivity and default still pass', async () => {
    const { checks } = await run({ leak: true });
    const leaked = checks.filter((c) => c.expected === 'deny');
    expect(leaked.length).toBeGreaterThan(0);
    expect(
      leaked.every((c) => c.status === 'fail' && c.actual === 'allow' && c.attempts === 2),
    ).toBe(true);
    expect(of(checks, 'connectivity').every((c) => c.status === 'pass')).toBe(true);
    expect(of(checks, 'isolation', 'default').every((c) => c.status === 'pass')).toBe(true);
  });

  it('a check expected blocked is never retried into a pass', async () => {
    const { checks } = await run(
      { leakOnce: true },
      { suites: ['isolation'], modes: ['container'] },
    );
    const denied = checks.filter((c) => c.expected === 'deny');
    expect(denied.length).toBeGreaterThan(0);
    for (const c of denied) {
      expect(c).toMatchObject({ status: 'fail', actual: 'allow', attempts: 2 });
      expect(c.detail).toMatch(/^attempt 1: reply from echo-.*; attempt 2: timeout/);
    }
  });

  it('no-bgp: cross-site traffic dropped → every connectivity check fails', async () => {
    const { checks } = await run({ dropCrossSite: true });
    const conn = of(checks, 'connectivity');
    expect(conn).toHaveLength(16);
    expect(conn.every((c) => c.status === 'fail' && c.actual === 'deny' && c.attempts === 2)).toBe(
      true,
    );
    expect(conn[0]!.detail).toBe('attempt 1: timeout (2000 ms); attempt 2: timeout (2000 ms)');
    // within a site, default mode still works
    const local = of(checks, 'isolation', 'default').filter(
      (c) => c.from.split('/')[0] === c.to.split('/')[0],
    );
    expect(local.every((c) => c.status === 'pass')).toBe(true);
  });

  it('a flaky first probe is reported flaky, not pass', async () => {
    const { checks, tables } = await run(
      {
        flakyFirst: (from, to) =>
          from.site === 'east' && from.namespace === 'tenant-a' && to.port === 80,
      },
      { suites: ['connectivity'] },
    );
    const flaky = checks.filter((c) => c.status === 'flaky');
    expect(flaky.map((c) => `${c.from}>${c.to}`)).toEqual([
      'east/tenant-a/client>west/tenant-a/echo',
      'east/tenant-a/client>west/tenant-b/echo',
    ]);
    expect(flaky[0]).toMatchObject({ actual: 'allow', attempts: 2 });
    expect(count(checks, 'pass')).toBe(14);
    expect(tables[0]).toContain('~');
  });

  it('a reply from the wrong backend fails the check although it connected', async () => {
    const { checks } = await run({ wrongBackend: true }, { suites: ['connectivity'] });
    const services = checks.filter((c) => c.toKind === 'service');
    expect(services.every((c) => c.status === 'fail' && c.actual === 'allow')).toBe(true);
    expect(services[0]!.detail).toMatch(
      /connected, but the reply did not name echo-west-0: "echo-east-0"/,
    );
    expect(checks.filter((c) => c.toKind === 'pod').every((c) => c.status === 'pass')).toBe(true);
  });

  it('a probe that never answers is an error after its deadline, probed again, and the check is an error, not a fail', async () => {
    const { checks, scripted } = await run(
      {
        // west/tenant-b's probes of east's backend pods (not the baseline's, at its own site)
        hang: (from, to, world) =>
          from.site === 'west' &&
          from.namespace === 'tenant-b' &&
          world.pods.some((p) => p.ip === to.ip && p.site === 'east' && p.role === 'backend'),
      },
      { suites: ['connectivity'], probeDeadlineMs: 30 },
    );
    // the hung call carried all four of that client's targets: each is an error, none a fail
    const hung = checks.filter((c) => c.actual === 'error');
    expect(hung.map((c) => c.from)).toEqual(Array(4).fill('west/tenant-b/client'));
    expect(hung[0]).toMatchObject({
      status: 'error',
      observed: 'error',
      attempts: INFRA_ATTEMPTS,
      reprobes: 2,
    });
    expect(hung[0]!.detail).toContain('no answer from the probe within 30 ms');
    expect(count(checks, 'pass')).toBe(12);
    expect(count(checks, 'fail')).toBe(0);
    // the baseline's call, then the connectivity batch INFRA_ATTEMPTS times
    expect(scripted.calls.filter((c) => c.from === 'west/tenant-b/client')).toEqual([
      { from: 'west/tenant-b/client', targets: 2 },
      ...Array(INFRA_ATTEMPTS).fill({ from: 'west/tenant-b/client', targets: 4 }),
    ]);
  });

  it('a probe that failed itself is probed again: the network decides, and the repeats are counted', async () => {
    const busy = (from: PodRef) => (from.site === 'east' && from.namespace === 'tenant-b' ? 2 : 0);
    const { checks } = await run(
      { probeFails: busy },
      { suites: ['isolation'], modes: ['namespace'] },
    );
    // every check gets the verdict an idle host gives: errors are neither denies nor passes
    expect(count(checks, 'pass')).toBe(checks.length);
    // (the baseline probed east/tenant-b's own backend and service first and took their errors)
    const repeated = checks.filter(
      (c) => c.from === 'east/tenant-b/client' && !c.to.startsWith('east/tenant-b/'),
    );
    expect(repeated.length).toBeGreaterThan(0);
    for (const c of repeated) expect(c).toMatchObject({ attempts: 3, reprobes: 2 });
    // among them, checks expected to be blocked: the errors did not count as the block
    expect(repeated.some((c) => c.expected === 'deny' && c.actual === 'deny')).toBe(true);
    expect(checks.filter((c) => c.reprobes === undefined).every((c) => c.attempts === 1)).toBe(
      true,
    );
  });

  it('negative control: a leak under a busy host still fails (errors before it are not a deny)', async () => {
    const { checks } = await run(
      { leak: true, probeFails: () => 1 },
      { suites: ['isolation'], modes: ['namespace'] },
    );
    const leaked = checks.filter((c) => c.expected === 'deny');
    expect(leaked.length).toBeGreaterThan(0);
    for (const c of leaked) expect(c).toMatchObject({ status: 'fail', actual: 'allow' });
  });
});

describe('what each probe saw', () => {
  it('every check records what its probe observed; denies in the isolation modes are drops (timeout)', async () => {
    const { checks } = await run();
    expect(checks.every((c) => c.observed !== undefined)).toBe(true);
    const denied = checks.filter((c) => c.expected === 'deny');
    expect(denied.length).toBeGreaterThan(0);
    for (const c of denied)
      expect(c).toMatchObject({ expectedDeny: 'timeout', observed: 'timeout', status: 'pass' });
    for (const c of checks.filter((c) => c.expected === 'allow')) {
      expect(c.observed).toBe('connected');
      expect(c.expectedDeny).toBeUndefined();
    }
  });

  it('negative control: a fabric that rejects with a reset where TF drops fails those checks', async () => {
    const { checks } = await run({ resetDenied: true }, { suites: ['isolation'] });
    const denied = checks.filter((c) => c.expected === 'deny');
    expect(denied.length).toBeGreaterThan(0);
    for (const c of denied) {
      expect(c).toMatchObject({ status: 'fail', actual: 'deny', observed: 'refused', attempts: 2 });
    }
    expect(checks.filter((c) => c.expected === 'allow').every((c) => c.status === 'pass')).toBe(
      true,
    );
  });
});

describe('the reachability baseline', () => {
  const dead = (b: { site: string; namespace: string }) =>
    b.site === 'west' && b.namespace === 'tenant-a';

  it('a dead backend stops the run as an infrastructure error naming it, before any check', async () => {
    const { plan, sites } = localSites();
    const { ctx } = testContext(plan);
    const scripted = scriptedSuiteFabric({ deadBackend: dead });
    const kept: CheckRecord[] = [];
    const suites = runSuites(scripted.fabric, sites, ctx, {
      ...ALL,
      onChecks: (c) => kept.push(...c),
    });
    await expect(suites).rejects.toBeInstanceOf(InfraError);
    await expect(suites).rejects.toThrow(
      /reachability baseline: 2 of 8 backends and services did not answer the client of their own namespace, .*pod west\/tenant-a\/echo-west-0 \(10\.\S+:8080\) from client: refused/,
    );
    expect(kept).toEqual([]);
  });

  it('without it (the hazard): cells expecting a deny of a dead backend pass, proving nothing, and the others fail as if isolation were wrong', async () => {
    const { plan, sites } = localSites();
    const { ctx } = testContext(plan);
    const scripted = scriptedSuiteFabric({ deadBackend: dead });
    const world = await deployAll(scripted.fabric, sites, ALL.namespaces, ctx);
    const checks = await runIsolation(scripted.fabric, sites, world, ctx, {
      ...ALL,
      modes: ['namespace'],
    });
    const toDead = checks.filter((c) => c.to === 'west/tenant-a/echo-west-0');
    const denies = toDead.filter((c) => c.expected === 'deny');
    const allows = toDead.filter((c) => c.expected === 'allow');
    expect(denies.length).toBeGreaterThan(0);
    expect(denies.every((c) => c.status === 'pass')).toBe(true);
    expect(allows.length).toBeGreaterThan(0);
    expect(allows.every((c) => c.status === 'fail' && c.observed === 'refused')).toBe(true);
  });
});

describe('a cancel during the suites', () => {
  it('keeps the checks of every suite and mode that completed before it', async () => {
    const { plan, sites } = localSites();
    const cancel = new AbortController();
    const { ctx } = testContext(plan, cancel.signal);
    const scripted = scriptedSuiteFabric();
    const fabric = {
      ...scripted.fabric,
      applyIsolation: (...args: Parameters<typeof scripted.fabric.applyIsolation>) => {
        // Ctrl-C as the third mode starts
        if (args[1].mode === 'service') cancel.abort(new Error('cancelled'));
        return scripted.fabric.applyIsolation(...args);
      },
    };
    const kept: CheckRecord[] = [];
    await expect(
      runSuites(fabric, sites, ctx, { ...ALL, onChecks: (c) => kept.push(...c) }),
    ).rejects.toThrow();
    expect(of(kept, 'connectivity')).toHaveLength(16);
    expect(of(kept, 'isolation', 'default')).toHaveLength(32);
    expect(of(kept, 'isolation', 'namespace')).toHaveLength(32);
    expect(of(kept, 'isolation', 'service')).toHaveLength(0);
    expect(kept.every((c) => c.status === 'pass')).toBe(true);
  });
});

describe('workloads the fabric did not report', () => {
  it('a site without its client pods is refused before any probe, naming what is missing; without the guard those checks would just vanish and the rest pass', async () => {
    const { plan, sites } = localSites();
    const { ctx } = testContext(plan);
    const scripted = scriptedSuiteFabric();
    // west's fabric reports its backends and services, and no client pod
    const fabric = {
      ...scripted.fabric,
      deployWorkloads: async (...args: Parameters<typeof scripted.fabric.deployWorkloads>) => {
        const w = await scripted.fabric.deployWorkloads(...args);
        return args[0].plan.name === 'west'
          ? { pods: w.pods.filter((p) => p.role !== 'client'), services: w.services }
          : w;
      },
    };
    const world = await deployAll(fabric, sites, ALL.namespaces, ctx);
    expect(missingWorkloads(world, ['east', 'west'], ALL.namespaces)).toEqual([
      'west/tenant-a: no client pod',
      'west/tenant-b: no client pod',
    ]);
    // the hazard: the suites over that world find nothing wrong, with half the checks gone
    const partial = await runConnectivity(fabric, sites, world, ctx, ALL);
    expect(partial.length).toBe(8);
    expect(partial.every((c) => c.status === 'pass')).toBe(true);

    scripted.probes.length = 0;
    await expect(runSuites(fabric, sites, ctx, ALL)).rejects.toThrow(
      'the fabric did not report every test workload, so some checks could not run: west/tenant-a: no client pod; west/tenant-b: no client pod',
    );
    expect(scripted.probes).toEqual([]);
  });

  it('names every kind of workload missing, per site and namespace', () => {
    expect(missingWorkloads({ pods: [], services: [] }, ['east'], ['tenant-a'])).toEqual([
      'east/tenant-a: no client pod, no backend pod, no service',
    ]);
  });
});

describe('cancelled', () => {
  it('a cancel while probes hang stops the suites at once with the reason; no check is made up from it', async () => {
    const { plan, sites } = localSites();
    const controller = new AbortController();
    const { ctx } = testContext(plan, controller.signal);
    // every probe hangs, and their own deadline is far away: only the cancel can end them
    const scripted = scriptedSuiteFabric({ hang: () => true });
    const started = Date.now();
    const suites = runSuites(scripted.fabric, sites, ctx, {
      ...ALL,
      suites: ['connectivity'],
      probeDeadlineMs: 60_000,
    });
    setTimeout(() => controller.abort(new Error('cancelled by SIGINT')), 50);
    await expect(suites).rejects.toThrow('cancelled by SIGINT');
    expect(Date.now() - started).toBeLessThan(1_000);
    // the probes in flight when the cancel came were the first batch only
    expect(scripted.probes.length).toBeLessThanOrEqual(8);
  });
});

describe('probing mechanics', () => {
  it('keeps at most `concurrency` probe calls in flight', async () => {
    const { scripted } = await run({ slow: true }, { suites: ['connectivity'], concurrency: 3 });
    // 8 baseline probes (each client: its own namespace's backend and service), 16 connectivity
    expect(scripted.probes).toHaveLength(24);
    expect(scripted.maxInFlight).toBe(3);
  });

  it("sends each client's probes in one call per round; without batching, one call per probe", async () => {
    const batched = await run({}, { suites: ['connectivity'] });
    // a call per client for the baseline (2 targets) and for connectivity (4 targets)
    expect(batched.scripted.calls.map((c) => c.targets)).toEqual([2, 2, 2, 2, 4, 4, 4, 4]);
    const single = await run({}, { suites: ['connectivity'], batchProbes: false });
    expect(single.scripted.calls).toHaveLength(24);
    expect(single.scripted.calls.every((c) => c.targets === 1)).toBe(true);
    // the verdicts do not depend on it
    const verdicts = (checks: CheckRecord[]) => checks.map((c) => `${c.to}:${c.status}`);
    expect(verdicts(single.checks)).toEqual(verdicts(batched.checks));
  });

  it('finds the backend name as a whole word in the reply', () => {
    expect(replyNames('echo-west-0\n', ['echo-west-0'])).toBe('echo-west-0');
    expect(replyNames('HTTP/1.0 200 OK\r\n\r\necho-west-0\n', ['x', 'echo-west-0'])).toBe(
      'echo-west-0',
    );
    expect(replyNames('echo-west-01', ['echo-west-0'])).toBeUndefined();
    expect(replyNames('pod echo-west-0.', ['echo-west-0'])).toBeUndefined();
    expect(replyNames('', ['echo'])).toBeUndefined();
  });
});
