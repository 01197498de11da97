/**
 * Truth tables in the manner of cyclonus: rows are "from", columns are "to";
 * `.` allowed, `X` blocked, `?` the probe errored. The comparison table marks
 * each cell `.` when actual matched expected, `X` when it did not, `~` when it
 * matched only on a retry (flaky).
 */
import type { CheckRecord, Verdict } from '../report/model.js';

export interface TruthTable {
  title: string;
  rows: string[];
  /** column targets, with their kind, in display order; `key` tells a pod and a service of the same path apart */
  cols: { key: string; to: string; kind: 'pod' | 'service' }[];
  cell(row: string, colKey: string): CheckRecord | undefined;
}

/** The group a check belongs to in every report: its suite, and its isolation mode if any. */
export function checkGroupTitle(c: CheckRecord): string {
  return c.mode ? `${c.suite} / ${c.mode}` : c.suite;
}

/** Checks grouped by suite and mode, groups and checks in the order first seen. */
export function groupChecks(checks: readonly CheckRecord[]): Map<string, CheckRecord[]> {
  const groups = new Map<string, CheckRecord[]>();
  for (const c of checks) {
    const title = checkGroupTitle(c);
    const group = groups.get(title);
    if (group) group.push(c);
    else groups.set(title, [c]);
  }
  return groups;
}

export function truthTables(checks: readonly CheckRecord[]): TruthTable[] {
  return [...groupChecks(checks).entries()].map(([title, group]) => {
    const keyOf = (c: CheckRecord) => `${c.to}\0${c.toKind}`;
    const index = new Map(group.map((c) => [`${c.from}\0${keyOf(c)}`, c]));
    const rows = [...new Set(group.map((c) => c.from))].sort();
    const colMap = new Map(
      group.map((c) => [keyOf(c), { key: keyOf(c), to: c.to, kind: c.toKind }]),
    );
    const cols = [...colMap.values()].sort(
      (a, b) => a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind),
    );
    return { title, rows, cols, cell: (row, col) => index.get(`${row}\0${col}`) };
  });
}

const mark = (v: Verdict | 'error'): string => (v === 'allow' ? '.' : v === 'deny' ? 'X' : '?');

export function expectedMark(c: CheckRecord | undefined): string {
  return c ? mark(c.expected) : ' ';
}

export function actualMark(c: CheckRecord | undefined): string {
  return c ? mark(c.actual) : ' ';
}

export function comparisonMark(c: CheckRecord | undefined): string {
  if (!c) return ' ';
  return c.status === 'pass' ? '.' : c.status === 'flaky' ? '~' : c.status === 'error' ? '?' : 'X';
}

const VIEWS: [string, (c: CheckRecord | undefined) => string][] = [
  ['expected', expectedMark],
  ['actual', actualMark],
  ['comparison', comparisonMark],
];

function colLabel(i: number): string {
  return String(i + 1);
}

/** Plain text: the three tables stacked, columns numbered, with a legend. */
export function renderTruthTableText(t: TruthTable): string {
  const width = Math.max(...t.rows.map((r) => r.length), 4);
  const cw = Math.max(...t.cols.map((_, i) => colLabel(i).length)) + 2;
  const out: string[] = [];
  for (const [name, view] of VIEWS) {
    out.push(`${t.title}: ${name}`);
    out.push(`${''.padEnd(width)} ${t.cols.map((_, i) => colLabel(i).padStart(cw)).join('')}`);
    for (const row of t.rows) {
      out.push(
        `${row.padEnd(width)} ${t.cols.map((c) => view(t.cell(row, c.key)).padStart(cw)).join('')}`,
      );
    }
    out.push('');
  }
  out.push(
    `columns: ${t.cols.map((c, i) => `${colLabel(i)}=${c.to}${c.kind === 'service' ? ' (service)' : ''}`).join(', ')}`,
  );
  out.push(
    'legend: . allowed, X blocked, ? probe error; comparison: . as expected, X wrong, ~ right only on retry (flaky), ? no answer (probe error)',
  );
  return out.join('\n');
}

/** Markdown: the comparison view with expected/actual in each wrong cell. */
export function renderTruthTableMarkdown(t: TruthTable, options: { title?: boolean } = {}): string {
  const header = `| from \\ to | ${t.cols.map((c, i) => `${colLabel(i)}`).join(' | ')} |`;
  const rule = `| --- | ${t.cols.map(() => ':---:').join(' | ')} |`;
  const rows = t.rows.map((row) => {
    const cells = t.cols.map((c) => {
      const check = t.cell(row, c.key);
      if (!check) return ' ';
      const m = comparisonMark(check);
      return m === '.'
        ? `${expectedMark(check)}`
        : `**${m}** (want ${expectedMark(check)}, got ${actualMark(check)})`;
    });
    return `| \`${row}\` | ${cells.join(' | ')} |`;
  });
  const legend = t.cols
    .map((c, i) => `${colLabel(i)} = \`${c.to}\`${c.kind === 'service' ? ' (service)' : ''}`)
    .join(', ');
  const body = [header, rule, ...rows, '', `Columns: ${legend}.`];
  return (options.title === false ? body : [`**${t.title}**`, '', ...body]).join('\n');
}
