/**
 * Negative control of the fabric contract kit: the emulated fabric with one
 * defect per suite (controls/emulatedSabotaged.control.ts), run in a child
 * vitest because those suites are meant to fail. Each defect must turn the
 * kit's test for it red; a kit that passed a broken fabric would fail here.
 * Needs root, like the kit on the emulated fabric.
 */
import { describe, expect, it } from 'vitest';
import { runControls } from '../support/controlRun.js';
import { IS_ROOT, noteSkip } from '../local/helpers.js';

/** Each defect, and the kit's tests (title starts) it must fail. */
const EXPECTED: Record<string, string[]> = {
  'install not idempotent': ['install runs in named steps'],
  'no steps': ['install runs in named steps'],
  'status not contrail-status': ['status is contrail-status text'],
  'no peering': ['peer: every pair'],
  'unlabelled backends': ['deploys the workloads'],
  'leaks isolation': ['every isolation mode is enforced'],
  'rejects instead of dropping': ['a denied connection is a drop'],
  'probes out of order': ['probes many targets'],
};
/** defects that leave install alone: the kit must still install with them */
const INSTALLS = (defect: string) => !['install not idempotent', 'no steps'].includes(defect);

noteSkip('fabric contract kit: negative control');

describe.skipIf(!IS_ROOT)(
  'the fabric contract kit fails a broken fabric (negative control)',
  () => {
    it(
      'each defect turns its own test red, and the kit still installs',
      { timeout: 400_000 },
      () => {
        const run = runControls('test/fabric/controls/vitest.config.ts', 390_000);
        expect(run.status, `the control run should fail (it did not): ${run.stderr}`).toBe(1);
        const suites = run.byDefect;
        expect([...suites.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
        for (const [defect, titles] of Object.entries(EXPECTED)) {
          const tests = suites.get(defect)!;
          const failed = tests.filter((t) => t.status === 'failed').map((t) => t.title);
          for (const title of titles) {
            expect(
              failed.some((f) => f.startsWith(title)),
              `"${defect}" should fail "${title}…"; failed: ${failed.join(' | ') || 'nothing'}`,
            ).toBe(true);
          }
          if (INSTALLS(defect)) {
            const install = tests.find((t) => t.title.startsWith('install runs in named steps'));
            expect(install?.status, `"${defect}": the kit still installs`).toBe('passed');
          }
        }
      },
    );
  },
);
