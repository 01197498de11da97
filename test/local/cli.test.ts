/** The README's main command, through the bundled CLI: run = up, then down. And the non-root message. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NOT_ROOT } from '../../src/providers/local/preflight.js';
import { BUNDLE, runBundle } from '../bundle.js';
import { IS_ROOT, leftovers, NOTHING, noteSkip, removeScratch, scratch } from './helpers.js';

noteSkip('local provider through the CLI');

describe.skipIf(!IS_ROOT)('tungsten-e2e run/up on the local provider (bundled CLI)', () => {
  afterAll(removeScratch);
  it('run --sites examples/local.yml: up two sites, then down, leaving nothing', () => {
    const stateDir = join(scratch('te-cli-'), 'state');
    const r = runBundle('cli', ['run', '--sites', 'examples/local.yml', '--state', stateDir]);
    const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8'));
    try {
      expect(r.stderr).toContain('connect: east ↔ west: BGP established');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`run ${state.runId}: torn down\n`);
      expect(
        state.phases.map((p: { name: string; status: string }) => `${p.name}:${p.status}`),
      ).toEqual([
        'load:ok',
        'plan:ok',
        'provision:ok',
        'install:ok',
        'ready:ok',
        'connect:ok',
        'teardown:ok',
      ]);
      expect(state.teardown).toMatchObject({ complete: true, remaining: [] });
      expect(leftovers(state.runId)).toEqual(NOTHING);
    } finally {
      runBundle('cli', ['down', '--state', stateDir]);
    }
  }, 90_000);

  it('says to use sudo when not root (and sudo -n does not work), exit 2, before making anything', () => {
    const stateDir = join(scratch('te-cli-'), 'state');
    const r = spawnSync(
      process.execPath,
      [resolve(BUNDLE, 'cli.js'), 'up', '--sites', 'examples/local.yml', '--state', stateDir],
      { uid: 65534, gid: 65534, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } },
    );
    expect(r.stderr).toBe(`error: ${NOT_ROOT}\n`);
    expect(r.status).toBe(2);
  });
});
