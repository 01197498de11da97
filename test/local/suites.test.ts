/**
 * The suites' negative controls, end to end on this host, each its own run
 * (up → test → report → down, in process): `no-bgp` turns cross-site
 * connectivity red and the run exits 1; `control-race` on one site costs
 * exactly one recorded remediation and everything still passes, and with no
 * remediation allowed the run stops in ready with exit 3. (The
 * `leak-isolation` control runs through the CLI in cli.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import type { PipelineEnv } from '../../src/pipeline.js';
import { runAndReport } from '../../src/pipeline/testRun.js';
import type { RunResults } from '../../src/report/model.js';
import {
  IS_ROOT,
  leftovers,
  NOTHING,
  noteSkip,
  removeScratch,
  Runs,
  scratch,
  siteFile,
  testLogger,
} from './helpers.js';

noteSkip('the suites on local sites: negative controls');

const RACE_CONTROL = 'control: initializing (No BGP configuration for self)';

describe.skipIf(!IS_ROOT)('suites on two local sites: faults', { concurrent: true }, () => {
  const runs = new Runs();
  afterAll(async () => {
    await runs.downAll();
    removeScratch();
  }, 60_000);

  const runFor = async (sites: string, env: Partial<PipelineEnv> = {}) => {
    const dir = scratch('te-suites-');
    const stateDir = join(dir, 'state');
    const resultsDir = join(dir, 'results');
    runs.track(stateDir);
    const logger = testLogger();
    const report = await runAndReport({ sites, stateDir, resultsDir }, { logger, ...env });
    const onDisk = JSON.parse(readFileSync(join(resultsDir, 'results.json'), 'utf8')) as RunResults;
    return { report, onDisk, logger };
  };

  it('no-bgp: every cross-site connectivity check fails, and the run exits 1', async ({
    expect,
  }) => {
    const { report, onDisk } = await runFor(
      siteFile(
        [{ name: 'east', faults: ['no-bgp'] }, { name: 'west' }],
        'tests: { suites: [connectivity] }',
      ),
    );
    expect(report.exitCode).toBe(1);
    expect(onDisk).toEqual(report.results);
    expect(onDisk.passed).toBe(false);
    expect(onDisk.error).toBeUndefined();
    expect(onDisk.checks).toHaveLength(16);
    for (const c of onDisk.checks) {
      expect(c).toMatchObject({ suite: 'connectivity', expected: 'allow', status: 'fail' });
      expect(c.actual, `${c.from} → ${c.to}: ${c.detail}`).toBe('deny');
      expect(c.attempts).toBe(2);
      expect(c.from.split('/')[0]).not.toBe(c.to.split('/')[0]);
    }
    expect(onDisk.totals).toEqual({ pass: 0, fail: 16, flaky: 0, error: 0, reprobed: 0 });
    expect(onDisk.phases.map((p) => `${p.name}:${p.status}`).slice(-4)).toEqual([
      'connect:ok',
      'test:ok',
      'report:ok',
      'teardown:ok',
    ]);
    expect(report.teardown?.complete).toBe(true);
    expect(leftovers(onDisk.runId)).toEqual(NOTHING);
  }, 120_000);

  it('control-race on one site: exactly one remediation in results.json, and every check passes', async ({
    expect,
  }) => {
    const { report, onDisk, logger } = await runFor(
      siteFile([{ name: 'east', faults: ['control-race'] }, { name: 'west' }]),
    );
    expect(report.exitCode, logger.lines.filter((l) => /fail|error/i.test(l)).join('\n')).toBe(0);
    expect(onDisk.passed).toBe(true);
    expect(onDisk.remediations).toHaveLength(1);
    const [r] = onDisk.remediations;
    expect(r).toMatchObject({
      site: 'east',
      action: 'delete control pod',
      attempt: 1,
      resolved: true,
    });
    expect(r!.problem).toContain(RACE_CONTROL);
    expect(Date.parse(r!.at)).toBeGreaterThanOrEqual(Date.parse(onDisk.startedAt));
    expect(onDisk.totals).toEqual({ pass: 144, fail: 0, flaky: 0, error: 0, reprobed: 0 });
    expect(new Set(onDisk.checks.map((c) => c.mode))).toEqual(
      new Set([null, 'default', 'namespace', 'service', 'container']),
    );
    expect(onDisk.phases.find((p) => p.name === 'ready')?.status).toBe('ok');
    expect(leftovers(onDisk.runId)).toEqual(NOTHING);
  }, 120_000);

  it('control-race with no remediation allowed (race-retries 0): the run stops in ready, exit 3, the last status text in the results', async ({
    expect,
  }) => {
    const { report, onDisk } = await runFor(
      siteFile([{ name: 'east', faults: ['control-race'] }, { name: 'west' }]),
      { raceRetries: 0, raceGraceMs: 1_000 },
    );
    expect(report.exitCode).toBe(3);
    expect(onDisk.passed).toBe(false);
    expect(onDisk.checks).toEqual([]);
    expect(onDisk.error).toContain('site east: the control-node race');
    expect(onDisk.error).toContain('last contrail-status of site east');
    expect(onDisk.error).toContain(RACE_CONTROL);
    expect(onDisk.phases.map((p) => `${p.name}:${p.status}`).slice(-2)).toEqual([
      'ready:failed',
      'teardown:ok',
    ]);
    expect(onDisk.remediations).toEqual([]);
    expect(readFileSync(join(report.files.markdown), 'utf8')).toContain(RACE_CONTROL);
    expect(leftovers(onDisk.runId)).toEqual(NOTHING);
  }, 120_000);
});
