/**
 * The grid for people: markdown for the job summary and the tracking issue,
 * and a self-contained HTML page. Every cell says its state in words and a
 * symbol as well as a colour, so nothing depends on seeing colour.
 */
import type { CellState, Grid, GridCell, GridRow } from './grid.js';

export const STATE_TEXT: Record<CellState, { symbol: string; text: string; colour: string }> = {
  pass: { symbol: '✅', text: 'pass', colour: '#2da44e' },
  flaky: { symbol: '⚠️', text: 'flaky', colour: '#d4a72c' },
  fail: { symbol: '❌', text: 'fail', colour: '#cf222e' },
  'not-run': { symbol: '➖', text: 'not run', colour: '#8c959f' },
  'not-configured': { symbol: '⚪', text: 'not configured', colour: '#d0d7de' },
};

const CHANGE_TEXT = { 'newly-red': 'newly red', 'newly-green': 'newly green' } as const;

export function rowLabel(r: GridRow): string {
  return [
    r.kubernetes ? `Kubernetes ${r.kubernetes}` : undefined,
    r.tfTag ? `TF ${r.tfTag}` : undefined,
    r.os,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** What a cell says, in words: its state, what changed, what failed. */
export function cellWords(c: GridCell): string {
  const s = STATE_TEXT[c.state];
  const failing = [...new Set(c.legs.flatMap((l) => l.failing))];
  const reasons = [...new Set(c.legs.flatMap((l) => (l.reason ? [l.reason] : [])))];
  return [
    `${s.symbol} ${s.text}`,
    c.change ? `(${CHANGE_TEXT[c.change]})` : undefined,
    failing.length ? `: ${failing.join(', ')}` : undefined,
    reasons.length ? `: ${reasons.join(', ')}` : undefined,
  ]
    .filter(Boolean)
    .join(' ')
    .replace(' :', ':');
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function cellMarkdown(c: GridCell): string {
  const links = c.legs
    .filter((l) => l.url)
    .map((l, i, all) => `[${all.length > 1 ? `run ${i + 1}` : 'run'}](${l.url})`);
  return mdEscape([cellWords(c), ...links].join(' '));
}

export function gridMarkdown(grid: Grid): string {
  const cell = (i: number, j: number) => grid.cells[i * grid.columns.length + j]!;
  const lines = [
    '## Compatibility grid',
    '',
    `| profile | ${grid.columns.map(mdEscape).join(' | ')} |`,
    `| --- | ${grid.columns.map(() => '---').join(' | ')} |`,
    ...grid.rows.map(
      (r, i) =>
        `| **${mdEscape(r.profile)}**<br>${mdEscape(rowLabel(r))} | ${grid.columns
          .map((_, j) => cellMarkdown(cell(i, j)))
          .join(' | ')} |`,
    ),
    '',
    `Legend: ${Object.values(STATE_TEXT)
      .map((s) => `${s.symbol} ${s.text}`)
      .join(' · ')}. Flaky: passed only after retries or a remediation.`,
    '',
  ];
  return lines.join('\n');
}

const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function gridHtml(grid: Grid): string {
  const cell = (i: number, j: number) => grid.cells[i * grid.columns.length + j]!;
  const td = (c: GridCell) => {
    const s = STATE_TEXT[c.state];
    const links = c.legs
      .filter((l) => l.url)
      .map((l) => ` <a href="${html(l.url!)}">run</a>`)
      .join('');
    return `<td class="cell ${c.state}${c.change ? ` ${c.change}` : ''}" style="background:${s.colour}" data-profile="${html(c.profile)}" data-pair="${html(c.pair)}">${html(cellWords(c))}${links}</td>`;
  };
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>tungsten-e2e compatibility grid</title>',
    '<style>',
    'body{font-family:system-ui,sans-serif;margin:1.5em;color:#1f2328}',
    'table{border-collapse:collapse}',
    'th,td{border:1px solid #8c959f;padding:.5em .75em;text-align:left;vertical-align:top;max-width:22em}',
    'th{background:#f6f8fa}',
    '.cell{color:#1f2328;font-weight:600}',
    '.cell a{color:inherit}',
    '.fail{color:#fff}',
    '.newly-red,.newly-green{outline:3px dashed #1f2328;outline-offset:-5px}',
    'small{font-weight:400;color:#57606a}',
    '</style></head><body>',
    '<h1>Compatibility grid</h1>',
    `<p><small>generated ${html(grid.generatedAt)}</small></p>`,
    '<table>',
    `<tr><th>profile</th>${grid.columns.map((c) => `<th>${html(c)}</th>`).join('')}</tr>`,
    ...grid.rows.map(
      (r, i) =>
        `<tr><th>${html(r.profile)}<br><small>${html(rowLabel(r))}</small></th>${grid.columns
          .map((_, j) => td(cell(i, j)))
          .join('')}</tr>`,
    ),
    '</table>',
    `<p>${Object.values(STATE_TEXT)
      .map((s) => `${s.symbol} ${html(s.text)}`)
      .join(
        ' · ',
      )}. Flaky: passed only after retries or a remediation. A dashed outline: changed since the previous grid.</p>`,
    '</body></html>',
    '',
  ].join('\n');
}
