/**
 * A contract kit's negative control: run the sabotaged suites (meant to fail)
 * in a child vitest with their own config, and return each control's test
 * results, keyed by the defect named in its describe title "(control: …)".
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
