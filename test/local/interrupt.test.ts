/**
 * Ctrl-C on the bundled CLI, for real on two local sites: the first SIGINT
 * stops the run in the phase it is in (recorded as cancelled), tears down
 * and exits 130; a second one exits at once, printing the exact down
 * command, which then deletes what is left. `up` interrupted tears down too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import type { RunResults } from '../../src/report/model.js';
import type { RunState } from '../../src/state/runState.js';
import { BUNDLE } from '../bundle.js';
import {
  IS_ROOT,
  leftovers,
  NOTHING,
  noteSkip,
  removeScratch,
  Runs,
  scratch,
  siteFile,
  sleep,
} from './helpers.js';

noteSkip('Ctrl-C on the CLI');

function readState(dir: string): RunState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ms from the last SIGINT to the exit */
  exitMs: number;
  state: RunState;
}

/** Run the CLI; once `phase` is running, send SIGINT `times` times (50 ms apart). */
/** Wait until the child has printed `text` (at most 10 s). */
async function untilSaid(
  output: () => string,
  text: string,
  child: { exitCode: number | null },
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!output().includes(text)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the CLI never said "${text}":\n${output()}`);
    }
    await sleep(5);
  }
}

async function interruptIn(
  args: string[],
  stateDir: string,
  phase: string,
  times = 1,
): Promise<Interrupted> {
  const child = spawn(process.execPath, [resolve(BUNDLE, 'cli.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  // the progress line comes as the phase starts; the state file can lag a short phase
  // (install takes 0.2 s here), so either one will do
  const started = () =>
    stderr.includes(`] ${phase}: started`) ||
    readState(stateDir)?.phases.some((p) => p.name === phase && !p.endedAt);
  while (!started()) {
    if (child.exitCode !== null) throw new Error(`ended before ${phase}:\n${stderr}`);
    if (Date.now() > deadline) throw new Error(`never reached ${phase}:\n${stderr}`);
    await sleep(10);
  }
  let last = 0;
  for (let i = 0; i < times; i++) {
    // the next Ctrl-C only once the CLI has taken the previous one (two signals
    // sent before it reads either can reach it as one)
    if (i > 0) await untilSaid(() => stderr, 'press Ctrl-C again', child);
    last = Date.now();
    child.kill('SIGINT');
  }
  const code = await exited;
  return { code, stdout, stderr, exitMs: Date.now() - last, state: readState(stateDir)! };
}

describe.skipIf(!IS_ROOT)('Ctrl-C on the CLI', { concurrent: true }, () => {
  const runs = new Runs();
  afterAll(async () => {
    await runs.downAll();
    removeScratch();
  }, 60_000);

  it('run: the first Ctrl-C during ready cancels the phase, tears down and exits 130', async ({
    expect,
  }) => {
    // the control-node race holds ready in a wait for its grace period
    const sites = siteFile([{ name: 'east', faults: ['control-race'] }, { name: 'west' }]);
    const dir = scratch('te-int-run-');
    const stateDir = join(dir, 'state');
    runs.track(stateDir);
    const r = await interruptIn(
      ['run', '--sites', sites, '--state', stateDir, '--results', join(dir, 'results')],
      stateDir,
      'ready',
    );
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(
      'SIGINT: stopping; tearing down what the run made (press Ctrl-C again to exit at once)',
    );
    expect(r.stderr).toMatch(/ready: cancelled after/);
    const phases = r.state.phases.map((p) => `${p.name}:${p.status}`);
    expect(phases).toContain('ready:cancelled');
    expect(phases).not.toContain('connect:ok');
    expect(phases.at(-1)).toBe('teardown:ok');
    expect(r.state.teardown).toMatchObject({ complete: true, remaining: [] });
    const results = JSON.parse(
      readFileSync(join(dir, 'results', 'results.json'), 'utf8'),
    ) as RunResults;
    expect(results.error).toBe('cancelled by SIGINT');
    expect(r.stdout).toContain(`run ${r.state.runId}: torn down after a cancel`);
    expect(leftovers(r.state.runId)).toEqual(NOTHING);
  }, 90_000);

  it('run: a second Ctrl-C exits at once, printing the exact down command, which deletes what is left', async ({
    expect,
  }) => {
    const sites = siteFile([{ name: 'east', faults: ['control-race'] }, { name: 'west' }]);
    const dir = scratch('te-int-twice-');
    const stateDir = join(dir, 'state');
    runs.track(stateDir);
    const r = await interruptIn(
      ['run', '--sites', sites, '--state', stateDir, '--results', join(dir, 'results')],
      stateDir,
      'ready',
      2,
    );
    expect(r.code).toBe(130);
    expect(r.exitMs).toBeLessThan(1_500);
    const command = `node ${resolve(BUNDLE, 'cli.js')} down --state ${stateDir}`;
    expect(r.stderr).toContain(
      `error: SIGINT again: exiting now; what the run made is left standing: tear it down with "${command}"`,
    );
    const down = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
    expect(down.status, down.stderr).toBe(0);
    expect(leftovers(r.state.runId)).toEqual(NOTHING);
  }, 90_000);

  it('up: Ctrl-C as install starts tears down what up made and exits 130', async ({ expect }) => {
    const sites = siteFile([{ name: 'east' }, { name: 'west' }]);
    const stateDir = join(scratch('te-int-up-'), 'state');
    runs.track(stateDir);
    const r = await interruptIn(['up', '--sites', sites, '--state', stateDir], stateDir, 'install');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('up was interrupted: tearing down what it made');
    // the emulated install takes about 0.2 s, so the signal sent as it starts can land in
    // ready: either way the phase it lands in is cancelled, and teardown follows
    const phases = r.state.phases.map((p) => `${p.name}:${p.status}`);
    expect([
      ['load:ok', 'plan:ok', 'provision:ok', 'install:cancelled', 'teardown:ok'],
      ['load:ok', 'plan:ok', 'provision:ok', 'install:ok', 'ready:cancelled', 'teardown:ok'],
    ]).toContainEqual(phases);
    expect(leftovers(r.state.runId)).toEqual(NOTHING);
  }, 90_000);
});
