/**
 * Negative control of the provider contract kit: the AWS provider with one
 * defect per suite (controls/awsSabotaged.control.ts), run in a child vitest
 * because those suites are meant to fail. Each defect must turn the kit's
 * test for it red while the kit still provisions; a kit that passed a broken
 * provider would fail here.
 */
import { describe, it } from 'vitest';
import { expectDefectsCaught, runControls } from '../support/controlRun.js';

/** Each defect, and the kit's tests (title starts) it must fail. */
const EXPECTED: Record<string, string[]> = {
  'no repo tag': ['tags every resource'],
  'destroy misses a region': ['destroy finds everything by tag'],
  'no size check': ["an instance type below the profile's minimum is refused"],
  'janitor ignores expiry': ['the janitor lists only runs whose expiry has passed'],
  'no edge rules': ['firewall:'],
  'no retries': ['throttling and a transient 500 are retried', 'endless throttling gives up'],
  'no host keys': ['hosts carry the host keys'],
};

describe('the provider contract kit fails a broken provider (negative control)', () => {
  it(
    'each defect turns its own test red, and provisioning still passes',
    { timeout: 240_000 },
    () => {
      const run = runControls('test/providers/controls/vitest.config.ts', 230_000);
      expectDefectsCaught(run, EXPECTED, { title: 'provisions both sites', what: 'provisions' });
    },
  );
});
