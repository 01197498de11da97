import type { RunResults } from '../report/model.js';
import type { ResultFiles } from '../report/outputs.js';
import { probeErrorsText } from '../report/results.js';
import { checkGroupTitle } from '../suites/truthTable.js';

/** What `test` and `run` print: the truth tables, a line per suite, the verdict, the files. */
export function resultsText(report: {
  results: RunResults;
  files: ResultFiles;
  tables: readonly string[];
}): string {
  const r = report.results;
  const lines: string[] = [];
  for (const t of report.tables) lines.push(t, '');
  const groups = new Map<string, { pass: number; fail: number; flaky: number; error: number }>();
  for (const c of r.checks) {
    const title = checkGroupTitle(c);
    const g = groups.get(title) ?? { pass: 0, fail: 0, flaky: 0, error: 0 };
    g[c.status]++;
    groups.set(title, g);
  }
  for (const [title, g] of groups) {
    lines.push(
      `${title}: ${g.pass + g.fail + g.flaky + g.error} checks, ${g.pass} pass, ${g.fail} fail, ${g.flaky} flaky${g.error ? `, ${g.error} probe error` : ''}`,
    );
  }
  for (const m of r.remediations) {
    lines.push(
      `remediation: ${m.site}: ${m.action} (attempt ${m.attempt}) for "${m.problem}": ${m.resolved ? 'resolved' : 'not resolved'}`,
    );
  }
  if (r.error) lines.push(`stopped: ${r.error}`);
  const { pass, fail, flaky, error } = r.totals;
  lines.push(
    `${r.passed ? 'PASSED' : 'FAILED'}: run ${r.runId}, ${pass + fail + flaky + error} checks: ${pass} pass, ${fail} fail, ${flaky} flaky${probeErrorsText(r.totals)}`,
    `results: ${report.files.json}, ${report.files.markdown}, ${report.files.junit}`,
  );
  return `${lines.join('\n')}\n`;
}
