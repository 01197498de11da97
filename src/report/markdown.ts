/**
 * results.md, the job summary and the PR comment: one rendering of the run
 * results in GitHub-flavoured markdown. Rendered from a redacted copy of the
 * results, so no registered secret reaches the page.
 */
import { secrets } from '../log.js';
import { groupChecks, renderTruthTableMarkdown, truthTables } from '../suites/truthTable.js';
import { VERSION } from '../version.js';
import type { CheckRecord, CheckStatus, PhaseRecord, PhaseStatus, RunResults } from './model.js';
import { redactResults } from './redact.js';
import { probeErrorsText } from './results.js';
import { clockUtc, dateTimeUtc, elapsedMs, formatDuration } from './time.js';

/**
 * `full`: every check (results.md, job summary). `comment`: truth tables and
 * only the checks that did not pass. `brief`: no truth tables, at most
 * {@link BRIEF_ROWS} failing checks; for when the others are too long.
 */
export type MarkdownVariant = 'full' | 'comment' | 'brief';

export interface MarkdownOptions {
  variant?: MarkdownVariant;
  /** link to the workflow run, shown in the footer and where details are left out */
  runUrl?: string;
}

export const BRIEF_ROWS = 30;
const DETAIL_CHARS = 300;

export function renderMarkdown(results: RunResults, options: MarkdownOptions = {}): string {
  const r = redactResults(results);
  const variant = options.variant ?? 'full';
  const sections = [
    verdictLine(r),
    factsLine(r),
    errorBlock(r),
    sitesSection(r),
    tunnelsSection(r),
    checksSection(r, variant, options.runUrl),
    remediationsSection(r),
    timelineSection(r),
    reproduceSection(r),
    footer(r, options.runUrl),
  ];
  return `${secrets.redact(sections.filter((s) => s).join('\n\n'))}\n`;
}

const STATUS_ICON: Record<CheckStatus, string> = {
  pass: '✅',
  fail: '❌',
  flaky: '⚠️',
  error: '❓',
};

/** "## ✅ tungsten-e2e passed (east, west): 23 passed, 0 failed, 1 flaky (24 checks)" */
export function verdictLine(r: RunResults): string {
  const { pass, fail, flaky, error } = r.totals;
  const total = pass + fail + flaky + error;
  const counts = total
    ? `${pass} passed, ${fail} failed, ${flaky} flaky (${total} checks)${probeErrorsText(r.totals)}`
    : 'no checks ran';
  const stopped = r.phases.find((p) => p.status === 'failed' || p.status === 'cancelled');
  const where =
    r.error && stopped
      ? `; ${stopped.status === 'cancelled' ? 'cancelled' : 'stopped'} in ${stopped.name}`
      : '';
  const sites = r.sites.length ? ` (${r.sites.map((s) => text(s.name)).join(', ')})` : '';
  return `## ${r.passed ? '✅' : '❌'} tungsten-e2e ${r.passed ? 'passed' : 'failed'}${sites}: ${counts}${where}`;
}

function factsLine(r: RunResults): string {
  const took = formatDuration(elapsedMs(r.startedAt, r.endedAt));
  return [
    `Sites ${r.sites.map((s) => `**${text(s.name)}** (${text(s.provider)})`).join(', ') || 'none'}`,
    `profile ${code(r.profile)}`,
    `started ${dateTimeUtc(r.startedAt)}, took ${took}`,
    `run ${code(r.runId)}`,
  ].join(' · ');
}

function errorBlock(r: RunResults): string {
  return r.error ? `**Stopped early:**\n\n${fenced(r.error, 'text')}` : '';
}

function sitesSection(r: RunResults): string {
  if (!r.sites.length) return '';
  const rows = r.sites.map((s) =>
    row([
      `**${text(s.name)}**`,
      text(s.provider),
      s.region ? text(s.region) : '—',
      String(s.asn),
      cellCode(s.routerId),
      cellCode(s.gateway),
      cellCode(s.cidrs.underlay),
      cellCode(s.cidrs.pod),
      cellCode(s.cidrs.service),
      cellCode(s.cidrs.ipFabric),
    ]),
  );
  return [
    '### Sites',
    '',
    `Every site runs Kubernetes ${code(r.versions.kubernetes)} and TF ${code(r.versions.tfTag)} from ${code(r.versions.tfRegistry)} (profile ${code(r.profile)}).`,
    '',
    row([
      'site',
      'provider',
      'region',
      'ASN',
      'router id',
      'gateway',
      'underlay',
      'pod',
      'service',
      'ip-fabric',
    ]),
    row(['---', '---', '---', '---:', '---', '---', '---', '---', '---', '---']),
    ...rows,
  ].join('\n');
}

function checksSection(r: RunResults, variant: MarkdownVariant, runUrl?: string): string {
  if (!r.checks.length) return '';
  const out = ['### Checks'];
  if (variant !== 'full') {
    const where = runUrl ? `the [job summary](${runUrl})` : 'the job summary';
    out.push(
      `Passing checks are counted here; every check with its details is in ${where} and in results.md.`,
    );
  }
  const tables = new Map(truthTables(r.checks).map((t) => [t.title, t]));
  let briefRows = BRIEF_ROWS;
  for (const [title, checks] of groupChecks(r.checks)) {
    const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
    const failed = count('fail');
    const unanswered = count('error');
    out.push(
      `#### ${failed ? '❌' : unanswered ? '❓' : '✅'} ${text(title)}: ${count('pass')} passed, ${failed} failed, ${count('flaky')} flaky${unanswered ? `, ${unanswered} probe errors` : ''}`,
    );
    const table = tables.get(title);
    if (table && variant !== 'brief') out.push(renderTruthTableMarkdown(table, { title: false }));
    const ordered = [...checks].sort((a, b) => SEVERITY[a.status] - SEVERITY[b.status]);
    if (variant === 'full') {
      out.push(
        `<details${failed || unanswered ? ' open' : ''}><summary>${checks.length} checks</summary>\n\n${checkTable(ordered)}\n\n</details>`,
      );
      continue;
    }
    let shown = ordered.filter((c) => c.status !== 'pass');
    if (variant === 'brief') {
      const cut = shown.length - briefRows;
      shown = shown.slice(0, Math.max(0, briefRows));
      briefRows -= shown.length;
      if (shown.length) out.push(checkTable(shown));
      if (cut > 0) out.push(`… and ${cut} more not shown here.`);
    } else if (shown.length) out.push(checkTable(shown));
  }
  return out.join('\n\n');
}

const SEVERITY: Record<CheckStatus, number> = { fail: 0, error: 1, flaky: 2, pass: 3 };

/** a deny of another kind than the mode gives is what failed the check */
const observedMatches = (c: CheckRecord) =>
  c.expected === 'allow'
    ? c.observed === 'connected'
    : c.observed === (c.expectedDeny ?? c.observed);

function checkTable(checks: readonly CheckRecord[]): string {
  return [
    row(['result', 'from', 'to', 'expected', 'actual', 'observed', 'attempts', 'detail']),
    row(['---', '---', '---', '---', '---', '---', '---:', '---']),
    ...checks.map((c) =>
      row([
        `${STATUS_ICON[c.status]} ${c.status}`,
        cellCode(c.from),
        `${cellCode(c.to)}${c.toKind === 'service' ? ' (service)' : ''}`,
        c.expected,
        c.actual === c.expected ? c.actual : `**${c.actual}**`,
        observedMatches(c) ? c.observed : `**${c.observed}**`,
        String(c.attempts),
        c.detail ? cellCode(clip(c.detail, DETAIL_CHARS)) : '',
      ]),
    ),
  ].join('\n');
}

const bytes = (n: number) =>
  n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(1)} MiB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${n} B`;

/** The site-to-site tunnels: the counters show the cross-site traffic went through them. */
function tunnelsSection(r: RunResults): string {
  if (!r.tunnels?.length) return '';
  return [
    '### Tunnels',
    '',
    row(['sites', 'handshake', 'received', 'sent']),
    row(['---', '---', '---:', '---:']),
    ...r.tunnels.map((t) =>
      row([
        `**${text(t.a)}** ↔ **${text(t.b)}**`,
        t.handshake ? '✅ yes' : '❌ none',
        bytes(t.rxBytes),
        bytes(t.txBytes),
      ]),
    ),
  ].join('\n');
}

function remediationsSection(r: RunResults): string {
  if (!r.remediations.length) return '### Remediations\n\nNone were needed.';
  return [
    '### Remediations',
    '',
    row(['site', 'problem', 'action', 'attempt', 'at (UTC)', 'resolved']),
    row(['---', '---', '---', '---:', '---', '---']),
    ...r.remediations.map((m) =>
      row([
        `**${text(m.site)}**`,
        text(m.problem),
        text(m.action),
        String(m.attempt),
        clockUtc(m.at),
        m.resolved ? '✅ yes' : '❌ no',
      ]),
    ),
  ].join('\n');
}

const GANTT_TAG: Record<PhaseStatus, string> = {
  ok: 'done',
  failed: 'crit',
  cancelled: 'active',
  skipped: '',
};

/** The phases as a Mermaid gantt chart (GitHub renders ```mermaid blocks) and a table. */
export function renderTimeline(r: RunResults): string {
  const timed = r.phases.filter(
    (p) => p.status !== 'skipped' && Number.isFinite(Date.parse(p.startedAt)),
  );
  const lines = timed.map((p, i) => {
    const ms = phaseMs(p, r) ?? 0;
    const tag = GANTT_TAG[p.status];
    // task text may not hold ':' and data may not hold '#' or ';' (Mermaid's gantt grammar)
    const label = `${p.name} ${formatDuration(ms)}`.replace(/[:#;]/g, ' ');
    return `    ${label} :${tag ? `${tag}, ` : ''}p${i}, ${ganttTime(p.startedAt)}, ${ms}ms`;
  });
  const stepSections = timed.flatMap((p, i) => {
    const steps = (p.steps ?? []).filter((st) => Number.isFinite(Date.parse(st.startedAt)));
    if (steps.length === 0) return [];
    return [
      `    section ${p.name} steps`,
      ...steps.map((st, j) => {
        const ms = elapsedMs(st.startedAt, st.endedAt ?? r.endedAt) ?? 0;
        const tag =
          st.status === 'ok' ? '' : GANTT_TAG[st.status === 'failed' ? 'failed' : 'cancelled'];
        const label = `${st.site} ${st.name} ${formatDuration(ms)}`.replace(/[:#;]/g, ' ');
        return `    ${label} :${tag ? `${tag}, ` : ''}p${i}s${j}, ${ganttTime(st.startedAt)}, ${ms}ms`;
      }),
    ];
  });
  const chart = timed.length
    ? [
        '```mermaid',
        'gantt',
        '    title Phases (UTC)',
        '    dateFormat YYYY-MM-DD HH:mm:ss.SSS',
        '    axisFormat %H:%M:%S',
        '    todayMarker off',
        '    section run',
        ...lines,
        ...stepSections,
        '```',
      ].join('\n')
    : '';
  const table = [
    row(['phase', 'status', 'started (UTC)', 'took', 'error']),
    row(['---', '---', '---', '---:', '---']),
    ...r.phases.flatMap((p) => [
      row([
        p.name,
        p.status === 'ok' ? 'ok' : `**${p.status}**`,
        clockUtc(p.startedAt),
        p.status === 'skipped' ? '—' : formatDuration(phaseMs(p, r)),
        p.error ? text(clip(p.error, DETAIL_CHARS)) : '',
      ]),
      ...(p.steps ?? []).map((st) =>
        row([
          `↳ ${text(st.site)}: ${text(st.name)}`,
          st.status === 'ok' ? 'ok' : `**${st.status}**`,
          clockUtc(st.startedAt),
          formatDuration(elapsedMs(st.startedAt, st.endedAt ?? r.endedAt)),
          st.error ? text(clip(st.error, DETAIL_CHARS)) : '',
        ]),
      ),
    ]),
  ].join('\n');
  return [chart, table].filter((s) => s).join('\n\n');
}

/** A phase still open when the results were written ends with the run. */
function phaseMs(p: PhaseRecord, r: RunResults): number | undefined {
  return elapsedMs(p.startedAt, p.endedAt ?? r.endedAt);
}

/** "2024-05-01 12:03:07.120": the dateFormat above, in UTC. */
function ganttTime(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().slice(0, 23).replace('T', ' ');
}

function timelineSection(r: RunResults): string {
  return r.phases.length ? `### Timeline\n\n${renderTimeline(r)}` : '';
}

function reproduceSection(r: RunResults): string {
  return r.reproduce.trim() ? `### Reproduce locally\n\n${fenced(r.reproduce.trim(), 'sh')}` : '';
}

function footer(r: RunResults, runUrl?: string): string {
  return `<sub>tungsten-e2e ${VERSION} · run ${code(r.runId)}${runUrl ? ` · [workflow run](${runUrl})` : ''}</sub>`;
}

// ---- markdown escaping ------------------------------------------------------

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Plain text that renders as itself: markdown punctuation escaped, newlines as <br>. */
export function text(s: string): string {
  return s
    .replace(/[\\`*_{}[\]<>|#!~]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;')
    .replace(/\r?\n/g, '<br>');
}

/** A code span that survives any backticks inside; newlines become ⏎. */
export function code(s: string): string {
  const flat = s.replace(/\r?\n/g, ' ⏎ ');
  if (!flat) return '';
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A code span inside a table cell: GFM splits cells at every unescaped '|'. */
function cellCode(s: string): string {
  return code(s).replace(/\|/g, '\\|');
}

/** A fenced block whose fence is longer than any backtick run in the text. */
export function fenced(s: string, lang = ''): string {
  const longest = Math.max(2, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${s.replace(/\n$/, '')}\n${fence}`;
}

function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}
