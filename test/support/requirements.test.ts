import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inCi, IS_ROOT, needsRoot, needsTool, ROOT_REASON, unavailable } from './requirements.js';

describe('suites that need root or a tool: skip outside CI, fail in CI', () => {
  it('outside CI a missing part is a skip with its reason', () => {
    expect(needsRoot('a suite', {}, false)).toBe(ROOT_REASON);
    expect(needsRoot('a suite', { CI: 'false' }, false)).toBe(ROOT_REASON);
    expect(needsTool('a suite', 'no-such-tool-te2e', 'no-such-package', {})).toBe(
      'needs no-such-tool-te2e, which is not installed (apt-get install no-such-package)',
    );
  });

  it('in CI a missing part fails, naming the suite and what is missing', () => {
    expect(() => needsRoot('the local two-site run', { CI: 'true' }, false)).toThrow(
      `the local two-site run must run in CI (CI is set), but it ${ROOT_REASON}.`,
    );
    expect(() => needsTool('bird -p', 'no-such-tool-te2e', 'bird2', { CI: '1' })).toThrow(
      /^bird -p must run in CI \(CI is set\), but it needs no-such-tool-te2e, which is not installed \(apt-get install bird2\)\.$/,
    );
  });

  it('nothing missing: the suite runs, in CI or not', () => {
    expect(needsRoot('s', { CI: 'true' }, true)).toBeUndefined();
    expect(unavailable('s', undefined, { CI: 'true' })).toBeUndefined();
    expect(needsTool('s', 'sh', 'dash', { CI: 'true' })).toBeUndefined();
    expect([inCi({}), inCi({ CI: '0' }), inCi({ CI: 'true' })]).toEqual([false, false, true]);
  });

  // the gate every root-only file calls (test/local/*, the action and local contracts), in a
  // process that really is not root: as root, drop to nobody with setpriv
  const asNobody = IS_ROOT ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const gate = (env: NodeJS.ProcessEnv) => {
    const argv = [
      ...asNobody,
      process.execPath,
      '--import',
      'tsx',
      '-e',
      "await (await import('./test/local/helpers.ts')).noteSkip('the local suites')",
    ];
    return spawnSync(argv[0]!, argv.slice(1), {
      // no tsx cache: nothing left in /tmp by the other user
      env: { PATH: process.env.PATH, HOME: '/tmp', TSX_DISABLE_CACHE: '1', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
  };

  it('a real non-root process: CI set fails the file, CI unset skips it with the reason', () => {
    const ci = gate({ CI: 'true' });
    expect(ci.status).not.toBe(0);
    expect(ci.stderr).toContain(
      'Error: the local suites must run in CI (CI is set), but it needs root',
    );
    const local = gate({});
    expect(local.status).toBe(0);
    expect(local.stderr).toContain(`skipped: the local suites: ${ROOT_REASON}`);
  });
});
