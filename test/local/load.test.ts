/**
 * Verdicts that depend on the network, not on the CPU: the two-site local run
 * with all four isolation modes while two CPU hogs (one per core) run gives
 * the verdicts of an idle machine (0 fail, 0 flaky, 0 unanswered), and its
 * negative control, `leak-isolation` under the same load, stays red.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAndReport } from '../../src/pipeline/testRun.js';
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

noteSkip('the suites on local sites under CPU load');

const ALL_MODES =
  'tests: { suites: [connectivity, isolation], isolation-modes: [default, namespace, service, container] }';

/** One busy loop per core, at the test's own priority, until stopped. */
function cpuHogs(): { stop(): void; alive(): boolean } {
  const hogs: ChildProcess[] = [];
  for (let i = 0; i < Math.max(2, availableParallelism()); i++) {
    hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
  return {
    stop: () => hogs.forEach((h) => h.kill('SIGKILL')),
    alive: () => hogs.every((h) => h.exitCode === null && h.signalCode === null),
  };
}

describe.skipIf(!IS_ROOT)('two local sites while every core is busy', () => {
  const runs = new Runs();
  let hogs: ReturnType<typeof cpuHogs>;
  beforeAll(() => {
    hogs = cpuHogs();
  });
  afterAll(async () => {
    hogs.stop();
    await runs.downAll();
    removeScratch();
  }, 60_000);

  const runUnderLoad = async (sites: string) => {
    const dir = scratch('te-load-');
    const stateDir = join(dir, 'state');
    runs.track(stateDir);
    const report = await runAndReport(
      { sites, stateDir, resultsDir: join(dir, 'results') },
      { logger: testLogger() },
    );
    expect(hogs.alive(), 'the CPU hogs ran for the whole run').toBe(true);
    return report.results;
  };

  it('gives an idle machine’s verdicts: every check passes, none flaky, none unanswered', async () => {
    const r = await runUnderLoad(siteFile([{ name: 'east' }, { name: 'west' }], ALL_MODES));
    const wrong = r.checks.filter((c) => c.status !== 'pass');
    expect(wrong.map((c) => `${c.status} ${c.from} → ${c.to}: ${c.detail}`)).toEqual([]);
    expect(r.checks).toHaveLength(16 + 4 * 32);
    expect(r.totals).toMatchObject({ fail: 0, flaky: 0, error: 0 });
    expect(r.passed).toBe(true);
    expect(leftovers(r.runId)).toEqual(NOTHING);
  }, 240_000);

  it('negative control: leak-isolation under the same load stays red', async () => {
    const r = await runUnderLoad(
      siteFile(
        [{ name: 'east', faults: ['leak-isolation'] }, { name: 'west' }],
        'tests: { suites: [isolation], isolation-modes: [namespace] }',
      ),
    );
    expect(r.passed).toBe(false);
    const leaks = r.checks.filter((c) => c.status === 'fail');
    expect(leaks.length).toBeGreaterThan(0);
    // each a real leak: expected blocked, seen allowed, into the leaking site
    for (const c of leaks) expect(c).toMatchObject({ expected: 'deny', actual: 'allow' });
    expect(leaks.every((c) => c.to.startsWith('east/'))).toBe(true);
    expect(leftovers(r.runId)).toEqual(NOTHING);
  }, 240_000);
});
