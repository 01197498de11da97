/**
 * The test and report phases over a live run, without root: the suites'
 * scripted fabric stands in for the machines (the real ones run in
 * test/local). Phases are recorded in the state, the three results files are
 * written from it, and a suite that breaks still leaves a report.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveRun } from '../../src/pipeline.js';
import {
  copyTranscripts,
  reproduceCommand,
  resultsOf,
  testAndReport,
} from '../../src/pipeline/testRun.js';
import type { RunResults } from '../../src/report/model.js';
import { resultsExitCode } from '../../src/report/results.js';
import { cliScript } from '../../src/state/messages.js';
import { StateStore } from '../../src/state/runState.js';
import { tempDir } from '../helpers.js';
import { scriptedSuiteFabric, type SuiteFaults } from '../support/scriptedSuiteFabric.js';
import { localSites, testContext } from '../support/sites.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const at = '2026-01-01T00:00:00.000Z';

async function liveRun(faults: SuiteFaults = {}) {
  const dir = tempDir('te-testrun-');
  dirs.push(dir);
  const { plan, sites } = localSites();
  const { ctx, logger } = testContext(plan);
  const store = await StateStore.create(join(dir, 'state'), {
    runId: 'ktst01',
    createdAt: at,
    expiresAt: at,
    source: { sites: 'examples/local.yml', overrides: {} },
  });
  await store.update((s) => {
    s.phases.push({ name: 'connect', startedAt: at, endedAt: at, status: 'ok' });
    s.remediations.push({
      site: 'east',
      problem: 'control: initializing (No BGP configuration for self)',
      action: 'delete control pod',
      attempt: 1,
      at,
      resolved: true,
    });
  });
  const scripted = scriptedSuiteFabric(faults);
  const live: LiveRun = {
    runId: 'ktst01',
    stateDir: store.dir,
    plan,
    sites,
    fabric: scripted.fabric,
    store,
    tunnels: async () => [],
    ctx,
    connect: { established: [{ a: 'east', b: 'west' }], down: [] },
    close: async () => {},
  };
  return { live, logger, resultsDir: join(dir, 'results'), store };
}

const readResults = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResults;

describe('test and report phases', () => {
  it('run the suites the plan names, record both phases, and write the three files', async () => {
    const { live, resultsDir, store } = await liveRun();
    const report = await testAndReport(live, { resultsDir });
    expect(report.files).toEqual({
      json: join(resultsDir, 'results.json'),
      markdown: join(resultsDir, 'results.md'),
      junit: join(resultsDir, 'junit.xml'),
    });
    const onDisk = readResults(resultsDir);
    expect(onDisk).toEqual(report.results);
    expect(onDisk.passed).toBe(true);
    expect(onDisk.totals).toEqual({ pass: 144, fail: 0, flaky: 0, error: 0, reprobed: 0 });
    expect(onDisk.remediations).toEqual(store.state.remediations);
    expect(onDisk.phases.map((p) => `${p.name}:${p.status}`)).toEqual([
      'connect:ok',
      'test:ok',
      'report:ok',
    ]);
    // the report phase ends as its files are written
    expect(onDisk.phases.every((p) => p.endedAt)).toBe(true);
    expect(store.state.phases.map((p) => p.name)).toEqual(['connect', 'test', 'report']);
    expect(report.tables.map((t) => t.split('\n')[0])).toEqual([
      'connectivity: expected',
      'isolation / default: expected',
      'isolation / namespace: expected',
      'isolation / service: expected',
      'isolation / container: expected',
    ]);
    expect(readFileSync(report.files.markdown, 'utf8')).toMatch(/^## ✅ tungsten-e2e passed/);
    expect(resultsExitCode(onDisk)).toBe(0);
  });

  it('a leak fails isolation checks: exit 1, the phases still ok', async () => {
    const { live, resultsDir } = await liveRun({ leak: true });
    const { results } = await testAndReport(live, { resultsDir });
    expect(results.passed).toBe(false);
    expect(results.totals.fail).toBeGreaterThan(0);
    expect(
      results.checks.filter((c) => c.status === 'fail').every((c) => c.suite === 'isolation'),
    ).toBe(true);
    expect(results.phases.map((p) => p.status)).toEqual(['ok', 'ok', 'ok']);
    expect(resultsExitCode(readResults(resultsDir))).toBe(1);
  });

  it('a suite that breaks (a fabric error) still leaves a report saying why: exit 3', async () => {
    const { live, resultsDir, store } = await liveRun();
    live.fabric = {
      ...live.fabric,
      deployWorkloads: () => Promise.reject(new Error('deploy workloads on east-worker-1 failed')),
    };
    const { results } = await testAndReport(live, { resultsDir });
    expect(results.error).toBe('test: deploy workloads on east-worker-1 failed');
    expect(results.checks).toEqual([]);
    expect(store.state.phases.find((p) => p.name === 'test')).toMatchObject({
      status: 'failed',
      error: 'deploy workloads on east-worker-1 failed',
    });
    expect(readResults(resultsDir).error).toBe(results.error);
    expect(resultsExitCode(results)).toBe(3);
  });
});

describe('a run tested more than once', () => {
  it('a failed test does not fail the next one: each verdict is judged by its own test and report', async () => {
    const { live, resultsDir, store } = await liveRun();
    const fabric = live.fabric;
    live.fabric = {
      ...fabric,
      deployWorkloads: () => Promise.reject(new Error('deploy workloads on east-worker-1 failed')),
    };
    const first = await testAndReport(live, { resultsDir });
    expect(first.results.passed).toBe(false);
    expect(first.results.phases.map((p) => `${p.name}:${p.status}`)).toEqual([
      'connect:ok',
      'test:failed',
      'report:ok',
    ]);

    live.fabric = fabric;
    const second = await testAndReport(live, { resultsDir });
    expect(second.results.error).toBeUndefined();
    expect(second.results.totals).toEqual({ pass: 144, fail: 0, flaky: 0, error: 0, reprobed: 0 });
    expect(second.results.passed).toBe(true);
    // the up phases and this invocation's pair; the earlier pair stays in the state only
    expect(second.results.phases.map((p) => `${p.name}:${p.status}`)).toEqual([
      'connect:ok',
      'test:ok',
      'report:ok',
    ]);
    expect(store.state.phases.map((p) => `${p.name}:${p.status}`)).toEqual([
      'connect:ok',
      'test:failed',
      'report:ok',
      'test:ok',
      'report:ok',
    ]);
    expect(readResults(resultsDir).passed).toBe(true);
    expect(resultsExitCode(readResults(resultsDir))).toBe(0);
  });

  it('an up phase that failed still fails every test of the run (the control)', async () => {
    const { live, resultsDir, store } = await liveRun();
    await store.update((s) =>
      s.phases.unshift({ name: 'install', startedAt: at, endedAt: at, status: 'failed' }),
    );
    const { results } = await testAndReport(live, { resultsDir });
    expect(results.totals.fail).toBe(0);
    expect(results.passed).toBe(false);
  });
});

describe('results from the state', () => {
  it('carry sites, phases and remediations as recorded; only an open report phase is closed', async () => {
    const { live, store } = await liveRun();
    await store.update((s) =>
      s.phases.push(
        { name: 'test', startedAt: at, status: 'ok' },
        { name: 'report', startedAt: at, status: 'ok' },
      ),
    );
    const r = resultsOf(store.state, live.plan, []);
    expect(r.phases.find((p) => p.name === 'test')!.endedAt).toBeUndefined();
    expect(r.phases.find((p) => p.name === 'report')!.endedAt).toBe(r.endedAt);
    expect(r.startedAt).toBe(at);
    expect(r.sites.map((s) => s.name)).toEqual(['east', 'west']);
    expect(r.passed).toBe(false); // no checks ran
  });
});

describe('the reproduce command', () => {
  const { plan } = localSites();
  const cli = cliScript();
  const user = { uid: 1000 };
  it('runs the same site file again with this cli.js, with sudo for local sites and the profile override', () => {
    expect(reproduceCommand({ sites: 'examples/local.yml', overrides: {} }, plan, user)).toBe(
      `sudo node ${cli} run --sites ${resolve('examples/local.yml')}`,
    );
    expect(
      reproduceCommand(
        { sites: '/srv/my sites/two.yml', overrides: { profile: 'opensdn-24' } },
        plan,
        user,
      ),
    ).toBe(`sudo node ${cli} run --sites '/srv/my sites/two.yml' --profile opensdn-24`);
    // root itself needs no sudo
    expect(reproduceCommand({ sites: '/srv/s.yml', overrides: {} }, plan, { uid: 0 })).toBe(
      `node ${cli} run --sites /srv/s.yml`,
    );
  });

  it('says where an inline site file came from, and which suites the action chose', () => {
    expect(
      reproduceCommand(
        {
          sites: 'sites:\n  - …',
          label: "action input 'sites'",
          overrides: { suites: ['connectivity'] },
        },
        plan,
        user,
      ),
    ).toBe(
      [
        '# with tests.suites: [connectivity] in the site file',
        "# sites.yml: the site file from action input 'sites'",
        `sudo node ${cli} run --sites sites.yml`,
      ].join('\n'),
    );
  });
});

describe('transcripts beside the results', () => {
  it('copies every host transcript of the state directory, and makes nothing when there is none', async () => {
    const state = tempDir('te-state-');
    const results = tempDir('te-results-');
    try {
      await copyTranscripts(state, results);
      expect(existsSync(join(results, 'transcripts'))).toBe(false);
      mkdirSync(join(state, 'transcripts'));
      writeFileSync(
        join(state, 'transcripts', 'aws-master.log'),
        '=== install / kernel: exit 100\n',
      );
      await copyTranscripts(state, results);
      expect(readFileSync(join(results, 'transcripts', 'aws-master.log'), 'utf8')).toBe(
        '=== install / kernel: exit 100\n',
      );
    } finally {
      rmSync(state, { recursive: true, force: true });
      rmSync(results, { recursive: true, force: true });
    }
  });
});
