import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('a test that times out names the last line its run printed; one that fails otherwise does not', () => {
  const r = spawnSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/fixtures/timeout/vitest.config.ts'],
    { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: '', FORCE_COLOR: '0' } },
  );
  const out = r.stdout + r.stderr;
  expect(r.status).toBe(1);
  expect(out).toContain(
    '"a run that hangs in install" timed out; the last thing its runs said:\n  pipeline demo: [  2.1s] install east: BIRD on east-master',
  );
  // the failing test that did not time out gets no such note
  expect(out).not.toMatch(/"a run that fails without timing out" timed out/);
});
