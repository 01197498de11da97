/**
 * `down` after `up` was SIGKILLed half way still leaves nothing: the bundled
 * CLI is killed at two points (during provisioning, during install), then
 * `tungsten-e2e down` sweeps by run id.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunState } from '../../src/state/runState.js';
import { BUNDLE, runBundle } from '../bundle.js';
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

noteSkip('local provider, down after a killed up');

function readState(dir: string): RunState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

/** Start `up`, SIGKILL it once `when` holds for its state and stderr; resolves with the state. */
async function killUpWhen(
  sites: string,
  stateDir: string,
  when: (state: RunState | undefined, stderr: string) => boolean,
): Promise<RunState> {
  const child = spawn(
    process.execPath,
    [resolve(BUNDLE, 'cli.js'), 'up', '--sites', sites, '--state', stateDir],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 30_000;
  while (!when(readState(stateDir), stderr)) {
    if (Date.now() > deadline) throw new Error(`up never reached the kill point:\n${stderr}`);
    if (child.exitCode !== null) throw new Error(`up ended before the kill point:\n${stderr}`);
    await sleep(5);
  }
  child.kill('SIGKILL');
  await exited;
  return readState(stateDir)!;
}

describe.skipIf(!IS_ROOT)('local provider: down after up was killed', () => {
  const runs = new Runs();
  afterEach(() => runs.downAll(), 60_000);
  afterAll(removeScratch);

  it.each([
    [
      'while provisioning (the first sshd exists)',
      (s: RunState | undefined) => (s?.resources ?? []).some((r) => r.kind === 'process'),
    ],
    [
      'while installing (BIRD is starting)',
      (_s: RunState | undefined, stderr: string) => /install \w+: vrouter agents…/.test(stderr),
    ],
  ])(
    '%s',
    async (_label, when) => {
      const stateDir = join(scratch('te-killed-'), 'state');
      runs.track(stateDir);
      const state = await killUpWhen(
        siteFile([{ name: 'east' }, { name: 'west' }]),
        stateDir,
        when,
      );
      const runId = state.runId;
      // it really was half way: something exists and the state does not know all of it
      const before = leftovers(runId);
      expect(before.netns.length + before.processes.length).toBeGreaterThan(0);
      expect(existsSync(join(stateDir, 'state.json'))).toBe(true);

      const r = runBundle('cli', ['down', '--state', stateDir]);
      expect(r.stderr).not.toContain('error');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`run ${runId}: deleted \\d+ resources`));
      expect(leftovers(runId)).toEqual(NOTHING);

      const again = runBundle('cli', ['down', '--state', stateDir]);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(`run ${runId}: nothing left to delete\n`);
    },
    60_000,
  );

  it('plain janitor deletes a run whose up was killed (an orphan, not yet expired), and not a run up left standing', async () => {
    const killedDir = join(scratch('te-killed-'), 'state');
    runs.track(killedDir);
    const killed = await killUpWhen(
      siteFile([{ name: 'east' }, { name: 'west' }]),
      killedDir,
      (_s, stderr) => /install \w+: vrouter agents…/.test(stderr),
    );
    expect(leftovers(killed.runId).netns.length).toBeGreaterThan(0);
    // the control: a run up finished and left standing on purpose
    const keptDir = join(scratch('te-kept-'), 'state');
    runs.track(keptDir);
    const up = runBundle('cli', [
      'up',
      '--sites',
      siteFile([{ name: 'a' }, { name: 'b' }]),
      '--state',
      keptDir,
    ]);
    expect(up.code, up.stderr).toBe(0);
    // up says what it found: the orphan, and how to delete it
    expect(up.stdout + up.stderr).toMatch(
      new RegExp(
        `orphaned local runs? \\([^)]*${killed.runId}[^)]*\\): the up that started (it|them) was killed; "tungsten-e2e janitor" deletes them`,
      ),
    );
    const kept = JSON.parse(readFileSync(join(keptDir, 'state.json'), 'utf8')) as RunState;

    const r = runBundle('cli', ['janitor']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^local run ${killed.runId}: orphaned \\(its "up", pid \\d+, was killed before it finished\\): deleted \\d+`,
        'm',
      ),
    );
    expect(leftovers(killed.runId)).toEqual(NOTHING);
    expect(r.stdout).not.toContain(kept.runId);
    expect(leftovers(kept.runId).netns.length).toBeGreaterThan(0);
  }, 90_000);
});
