/**
 * A contract kit's negative control: run the sabotaged suites (meant to fail)
 * in a child vitest with their own config, and return each control's test
 * results, keyed by the defect named in its describe title "(control: …)".
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export interface ControlTest {
  title: string;
  status: string;
}

export interface ControlRun {
  /** the child's exit status: 1 when the controls failed as they should */
  status: number | null;
  stderr: string;
  byDefect: Map<string, ControlTest[]>;
}

interface JsonReport {
  testResults: {
    assertionResults: { ancestorTitles: string[]; title: string; status: string }[];
  }[];
}

export function runControls(config: string, timeoutMs: number): ControlRun {
  const dir = mkdtempSync(join(tmpdir(), 'te-control-run-'));
  try {
    const out = join(dir, 'report.json');
    const r = spawnSync(
      process.execPath,
      [
        resolve('node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        resolve(config),
        '--reporter=json',
        `--outputFile=${out}`,
      ],
      { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, CI: '1' } },
    );
    const byDefect = new Map<string, ControlTest[]>();
    let report: JsonReport = { testResults: [] };
    try {
      report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
    } catch {
      // no report: the caller sees the status and stderr
    }
    for (const t of report.testResults.flatMap((f) => f.assertionResults)) {
      const defect = t.ancestorTitles.map((a) => /\(control: (.+)\)$/.exec(a)?.[1]).find(Boolean);
      if (defect) byDefect.set(defect, [...(byDefect.get(defect) ?? []), t]);
    }
    return { status: r.status, stderr: r.stderr, byDefect };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The verdict on a control run: it failed as a whole, every defect ran, each
 * failed the tests (title starts) listed for it, and the kit's basic test
 * (`still`) passed wherever the defect leaves it alone.
 */
export function expectDefectsCaught(
  run: ControlRun,
  expected: Record<string, string[]>,
  still: { title: string; what: string; except?: readonly string[] },
): void {
  expect(run.status, `the control run should fail (it did not): ${run.stderr}`).toBe(1);
  expect([...run.byDefect.keys()].sort()).toEqual(Object.keys(expected).sort());
  for (const [defect, titles] of Object.entries(expected)) {
    const tests = run.byDefect.get(defect)!;
    const failed = tests.filter((t) => t.status === 'failed').map((t) => t.title);
    for (const title of titles) {
      expect(
        failed.some((f) => f.startsWith(title)),
        `"${defect}" should fail "${title}…"; failed: ${failed.join(' | ') || 'nothing'}`,
      ).toBe(true);
    }
    if (still.except?.includes(defect)) continue;
    const basic = tests.find((t) => t.title.startsWith(still.title));
    expect(basic?.status, `"${defect}": the kit still ${still.what}`).toBe('passed');
  }
}
