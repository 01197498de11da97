/**
 * `tungsten-e2e janitor` and the action's `command: janitor`, bundled, for
 * real on local runs inside a sandbox (sandbox.ts: private namespaces, so the
 * janitor sees only the runs made here): one past its expiry, one fresh, one
 * created two days ago that has not expired yet. The dry run (the CLI's
 * --dry-run, the action's dry-run input) deletes nothing; the janitor deletes
 * the expired run only, and with --older-than 1d (the action's older-than) the
 * old one too; the fresh one stays.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId } from '../../src/state/runState.js';
import { ActionRunner } from '../action/runner.js';
import { BUNDLE } from '../bundle.js';
import { IS_ROOT, noteSkip } from './helpers.js';
import { fakeRun, Sandbox } from './sandbox.js';

noteSkip('the janitor (CLI and action) on local runs');

const HOUR = 3600_000;
// no cloud credentials anywhere: the janitor must say it skipped the clouds
const NO_AWS = {
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  CLOUDSDK_CONFIG: '/nonexistent/gcloud',
  AZURE_CONFIG_DIR: '/nonexistent/azure',
};

describe.skipIf(!IS_ROOT)('janitor on local runs (bundled CLI and action)', () => {
  let box: Sandbox;
  const expired = newRunId();
  const fresh = newRunId();
  const old = newRunId();
  const pids: Record<string, number[]> = {};
  const runners: ActionRunner[] = [];
  const STANDING = { netns: 1, links: 1, processes: 2, dir: true };
  const GONE = { netns: 0, links: 0, processes: 0, dir: false };

  const cli = (...args: string[]) => {
    const r = spawnSync(
      box.prefix[0]!,
      [...box.prefix.slice(1), process.execPath, resolve(BUNDLE, 'cli.js'), 'janitor', ...args],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...NO_AWS } },
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const state = (runId: string) => box.inventory(runId, pids[runId]!);

  beforeAll(async () => {
    box = await Sandbox.start();
    const now = Date.now();
    pids[expired] = fakeRun(box, expired, {
      createdAt: new Date(now - 3 * HOUR),
      expiresAt: new Date(now - HOUR),
      block: 1,
    });
    pids[fresh] = fakeRun(box, fresh, {
      createdAt: new Date(now),
      expiresAt: new Date(now + 3 * HOUR),
      block: 2,
    });
    pids[old] = fakeRun(box, old, {
      createdAt: new Date(now - 48 * HOUR),
      expiresAt: new Date(now + HOUR),
      block: 3,
    });
  });

  afterAll(async () => {
    for (const r of runners) r.dispose();
    await box?.stop();
  });

  it('every fixture stands as made (the control for the checks below)', () => {
    for (const id of [expired, fresh, old]) expect(state(id), id).toEqual(STANDING);
  });

  it('--dry-run lists the expired run, and with --older-than 1d the old one; nothing is deleted', () => {
    const r = cli('--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^local run ${expired}: expired \\S+: would delete \\(1 netns, 1 link, 2 process, 1 dir\\)$`,
        'm',
      ),
    );
    expect(r.stdout).not.toContain(fresh);
    expect(r.stdout).not.toContain(old);
    expect(r.stdout).toContain('aws: skipped: no AWS credentials found');
    expect(r.stdout).toContain('janitor: dry run: 1 runs would be deleted; nothing was deleted');

    const older = cli('--dry-run', '--older-than', '1d');
    expect(older.code).toBe(0);
    expect(older.stdout).toMatch(
      new RegExp(`^local run ${old}: created \\S+, expires \\S+: would delete`, 'm'),
    );
    expect(older.stdout).not.toContain(fresh);
    for (const id of [expired, fresh, old]) expect(state(id), id).toEqual(STANDING);
  });

  it('the action with dry-run and older-than lists the expired and the old run and deletes nothing', async () => {
    const runner = new ActionRunner({
      inputs: { command: 'janitor', 'dry-run': 'true', 'older-than': '1d' },
      wrap: box.prefix,
      env: NO_AWS,
    });
    runners.push(runner);
    const main = await runner.runMain();
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toMatch(new RegExp(`local run ${expired}: expired \\S+: would delete \\(`));
    expect(main.stdout).toMatch(
      new RegExp(`local run ${old}: created \\S+, expires \\S+: would delete \\(`),
    );
    expect(main.stdout).not.toContain(fresh);
    expect(main.stdout).toContain('janitor: dry run: 2 runs would be deleted; nothing was deleted');
    for (const id of [expired, fresh, old]) expect(state(id), id).toEqual(STANDING);
  });

  it('the action (command: janitor) deletes the expired run only, and says AWS was not searched', async () => {
    const runner = new ActionRunner({
      inputs: { command: 'janitor' },
      wrap: box.prefix,
      env: NO_AWS,
    });
    runners.push(runner);
    const main = await runner.runMain();
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toMatch(new RegExp(`local run ${expired}: expired \\S+: deleted 5 \\(`));
    expect(main.stdout).toContain(
      '::notice title=tungsten-e2e janitor::aws was not searched: no AWS credentials found',
    );
    expect(runner.outputs(main).passed).toBe('true');
    expect(state(expired)).toEqual(GONE);
    expect(state(fresh)).toEqual(STANDING);
    expect(state(old)).toEqual(STANDING);
    // nothing saved: post has nothing to do
    const post = await runner.runPost();
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('nothing to tear down');
  });

  it('the CLI with --older-than 1d deletes the old run; the fresh one stays; then there is nothing left to do', () => {
    const r = cli('--older-than', '1d');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^local run ${old}: created \\S+, expires \\S+: deleted 5 `, 'm'),
    );
    expect(r.stdout).toContain('janitor: 1 runs deleted');
    expect(state(old)).toEqual(GONE);
    expect(state(fresh)).toEqual(STANDING);
    const again = cli();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('janitor: no run past its expiry');
    expect(state(fresh)).toEqual(STANDING);
  });
});
