/**
 * Negative control of the provider contract kit: the AWS provider with one
 * defect per suite (controls/awsSabotaged.control.ts), run in a child vitest
 * because those suites are meant to fail. Each defect must turn the kit's
 * test for it red while the kit still provisions; a kit that passed a broken
 * provider would fail here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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

interface JsonReport {
  testResults: {
    assertionResults: { ancestorTitles: string[]; title: string; status: string }[];
  }[];
}

const dir = mkdtempSync(join(tmpdir(), 'te-contract-control-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the provider contract kit fails a broken provider (negative control)', () => {
  it(
    'each defect turns its own test red, and provisioning still passes',
    { timeout: 240_000 },
    () => {
      const out = join(dir, 'report.json');
      const r = spawnSync(
        process.execPath,
        [
          resolve('node_modules/vitest/vitest.mjs'),
          'run',
          '--config',
          resolve('test/providers/controls/vitest.config.ts'),
          '--reporter=json',
          `--outputFile=${out}`,
        ],
        { encoding: 'utf8', timeout: 230_000, env: { ...process.env, CI: '1' } },
      );
      expect(r.status, `the control run should fail (it did not): ${r.stderr}`).toBe(1);
      const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
      const results = report.testResults.flatMap((f) => f.assertionResults);
      const suites = new Map<string, { title: string; status: string }[]>();
      for (const t of results) {
        const m = /\(control: (.+)\)$/.exec(t.ancestorTitles.at(-1) ?? '');
        if (!m) continue;
        suites.set(m[1]!, [...(suites.get(m[1]!) ?? []), t]);
      }
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
        const provisions = tests.find((t) => t.title.startsWith('provisions both sites'));
        expect(provisions?.status, `"${defect}": the kit still provisions`).toBe('passed');
      }
    },
  );
});
