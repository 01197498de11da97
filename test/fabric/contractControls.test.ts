/**
 * Negative control of the fabric contract kit: the emulated fabric with one
 * defect per suite (controls/emulatedSabotaged.control.ts), run in a child
 * vitest because those suites are meant to fail. Each defect must turn the
 * kit's test for it red; a kit that passed a broken fabric would fail here.
 * Needs root, like the kit on the emulated fabric.
 */
import { describe, it } from 'vitest';
import { expectDefectsCaught, runControls } from '../support/controlRun.js';
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

noteSkip('fabric contract kit: negative control');

describe.skipIf(!IS_ROOT)(
  'the fabric contract kit fails a broken fabric (negative control)',
  () => {
    it(
      'each defect turns its own test red, and the kit still installs',
      { timeout: 400_000 },
      () => {
        const run = runControls('test/fabric/controls/vitest.config.ts', 390_000);
        expectDefectsCaught(run, EXPECTED, {
          title: 'install runs in named steps',
          what: 'installs',
          // these break install itself
          except: ['install not idempotent', 'no steps'],
        });
      },
    );
  },
);
