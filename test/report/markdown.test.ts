import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, memoryLogger } from '../../src/log.js';
import { BRIEF_ROWS, renderMarkdown, verdictLine } from '../../src/report/markdown.js';
import type { RunResults } from '../../src/report/model.js';
import { MAX_SUMMARY_BYTES, writeJobSummary } from '../../src/report/summary.js';
import { tempDir } from '../helpers.js';
import { check, PHASE_SECONDS, passingResults, sampleResults, stoppedResults } from './fixtures.js';
import { renderDom, tableWithHeader } from './markdownDom.js';
import { ganttTasks, mermaidBlock, unloadMermaid } from './mermaid.js';

afterAll(unloadMermaid);

const RESULT_ICONS = /^(✅|❌|⚠️) (pass|fail|flaky)$/;

function checkRows(doc: Document): string[][] {
  return [...doc.querySelectorAll('table')]
    .map((t) =>
      [...t.querySelectorAll('tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((c) => (c.textContent ?? '').trim()),
      ),
    )
    .flat()
    .filter((row) => RESULT_ICONS.test(row[0] ?? ''));
}

describe('results.md', () => {
  it('starts with a verdict line carrying the totals', () => {
    expect(renderMarkdown(sampleResults()).split('\n')[0]).toBe(
      '## ❌ tungsten-e2e failed (east, west): 4 passed, 1 failed, 1 flaky (6 checks)',
    );
    expect(verdictLine(passingResults())).toBe(
      '## ✅ tungsten-e2e passed (east, west): 5 passed, 0 failed, 1 flaky (6 checks)',
    );
    expect(verdictLine(stoppedResults())).toBe(
      '## ❌ tungsten-e2e failed (east, west): no checks ran; stopped in provision',
    );
  });

  it('lists every site with provider, region, ASN, router id, gateway and ranges', () => {
    const doc = renderDom(renderMarkdown(sampleResults()));
    const t = tableWithHeader(doc, 'site', 'provider', 'region', 'ASN', 'router id', 'gateway');
    expect(t.slice(1)).toEqual([
      [
        'east',
        'local',
        '—',
        '64512',
        '172.16.0.10',
        '172.16.0.1',
        '172.16.0.0/24',
        '10.32.0.0/12',
        '10.96.0.0/12',
        '10.64.0.0/12',
      ],
      [
        'west',
        'aws',
        'us-east-1',
        '64513',
        '172.16.1.10',
        '172.16.1.1',
        '172.16.1.0/24',
        '10.128.0.0/16',
        '10.192.0.0/16',
        '10.224.0.0/16',
      ],
    ]);
    expect(doc.body.textContent).toContain(
      'Every site runs Kubernetes 1.10.11 and TF ocata-5.0.0-134 from opencontrailnightly (profile tf-2018).',
    );
  });

  it('has a heading, a truth table and a row per check for each suite and mode', () => {
    const md = renderMarkdown(sampleResults());
    expect(md).toContain('#### ✅ connectivity: 2 passed, 0 failed, 0 flaky');
    expect(md).toContain('#### ❌ isolation / namespace: 2 passed, 1 failed, 1 flaky');
    expect(md).toContain('| `east/tenant-a/client` | . | **X** (want X, got .) |');
    const doc = renderDom(md);
    const rows = checkRows(doc);
    expect(rows).toHaveLength(6);
    const failed = rows.find((r) => r[0] === '❌ fail')!;
    expect(failed).toEqual([
      '❌ fail',
      'east/tenant-a/client',
      'west/tenant-b/server',
      'deny',
      'allow',
      'connected',
      '2',
      'HTTP 200 from 10.33.0.5:8080 (pod west/tenant-b/server)',
    ]);
    // a suite with failures is opened, a passing one folded
    const details = [...doc.querySelectorAll('details')];
    expect(details.map((d) => d.hasAttribute('open'))).toEqual([false, true]);
  });

  it('keeps table cells intact whatever a probe printed', () => {
    const r = sampleResults();
    const nasty =
      'got | HTTP/1.1 200\r\nbody `x` ``y`` <script>alert(1)</script> & *bold* _u_ [l](http://x)';
    r.checks[3]!.detail = nasty;
    r.remediations[0]!.problem = 'agent | <b>down</b>\nXMPP *lost*';
    const doc = renderDom(renderMarkdown(r));
    expect(doc.querySelector('script')).toBeNull();
    expect(doc.querySelector('b')).toBeNull();
    const failed = checkRows(doc).find((row) => row[0] === '❌ fail')!;
    expect(failed).toHaveLength(8);
    expect(failed[7]).toBe(nasty.replace(/\r?\n/g, ' ⏎ '));
    const rem = tableWithHeader(doc, 'site', 'problem', 'action');
    expect(rem[1]).toHaveLength(6);
    expect(rem[1]![1]).toBe('agent | <b>down</b>XMPP *lost*'); // <br> has no text
  });

  it('shows each tunnel: its handshake and what crossed it', () => {
    const doc = renderDom(renderMarkdown(sampleResults()));
    expect(tableWithHeader(doc, 'sites', 'handshake', 'received').slice(1)).toEqual([
      ['east ↔ west', '✅ yes', '47.4 KiB', '1.3 MiB'],
    ]);
    const none = sampleResults();
    none.tunnels = [{ a: 'east', b: 'west', handshake: false, rxBytes: 0, txBytes: 148 }];
    expect(tableWithHeader(renderDom(renderMarkdown(none)), 'sites', 'handshake').slice(1)).toEqual(
      [['east ↔ west', '❌ none', '0 B', '148 B']],
    );
    none.tunnels = [];
    expect(renderMarkdown(none)).not.toContain('### Tunnels');
  });

  it('lists remediations, or says none were needed', () => {
    const doc = renderDom(renderMarkdown(sampleResults()));
    expect(tableWithHeader(doc, 'site', 'problem', 'action').slice(1)).toEqual([
      [
        'west',
        'control: initializing (No BGP configuration for self)',
        'delete control pod',
        '1',
        '12:03:40',
        '✅ yes',
      ],
    ]);
    expect(renderMarkdown(stoppedResults())).toContain('### Remediations\n\nNone were needed.');
  });

  it('draws the phases as a Mermaid gantt chart that Mermaid parses to the phase times', async () => {
    const r = sampleResults();
    const tasks = await ganttTasks(mermaidBlock(renderMarkdown(r)));
    expect(tasks.map((t) => t.task.split(' ')[0])).toEqual(PHASE_SECONDS.map(([n]) => n));
    for (const [i, p] of r.phases.entries()) {
      expect(tasks[i]!.start).toBe(Date.parse(p.startedAt));
      expect(tasks[i]!.end).toBe(Date.parse(p.endedAt!));
      expect(tasks[i]!.done).toBe(true);
    }
  });

  it('negative control: a chart whose dateFormat does not match its dates is caught', async () => {
    const r = sampleResults();
    const chart = mermaidBlock(renderMarkdown(r)).replace(
      'dateFormat YYYY-MM-DD HH:mm:ss.SSS',
      'dateFormat YYYY-DD-MM HH:mm:ss.SSS', // day and month swapped: still parses, wrongly
    );
    const tasks = await ganttTasks(chart).catch(() => undefined);
    const starts = tasks?.map((t) => t.start);
    expect(starts).not.toEqual(r.phases.map((p) => Date.parse(p.startedAt)));
  });

  it('marks a failed phase critical and leaves skipped phases out of the chart', async () => {
    const r = stoppedResults();
    const tasks = await ganttTasks(mermaidBlock(renderMarkdown(r)));
    expect(tasks.map((t) => [t.task.split(' ')[0], t.crit])).toEqual([
      ['load', false],
      ['plan', false],
      ['provision', true],
    ]);
    const phases = tableWithHeader(renderDom(renderMarkdown(r)), 'phase', 'status');
    expect(phases.find((row) => row[0] === 'provision')).toEqual([
      'provision',
      'failed',
      '12:00:00',
      '40s',
      'west: RunInstances: VcpuLimitExceeded',
    ]);
    expect(phases.filter((row) => row[1] === 'skipped')).toHaveLength(5);
  });

  it("shows a phase's steps in the chart (a section per phase) and as rows under it, a failed one critical", async () => {
    const r = sampleResults();
    const install = r.phases.find((p) => p.name === 'install')!;
    const mid = new Date(
      (Date.parse(install.startedAt) + Date.parse(install.endedAt!)) / 2,
    ).toISOString();
    install.steps = [
      { site: 'east', name: 'host prep', startedAt: install.startedAt, endedAt: mid, status: 'ok' },
      {
        site: 'east',
        name: 'kubeadm init',
        startedAt: mid,
        endedAt: install.endedAt!,
        status: 'failed',
        error: 'kubeadm: preflight: port 6443 in use',
      },
    ];
    const tasks = await ganttTasks(mermaidBlock(renderMarkdown(r)));
    const steps = tasks.filter((t) => t.task.startsWith('east '));
    expect(steps[0]!.task).toMatch(/^east host prep \d/);
    expect(steps[1]!.task).toMatch(/^east kubeadm init \d/);
    expect(steps.map((t) => [t.start, t.end, t.crit])).toEqual([
      [Date.parse(install.startedAt), Date.parse(mid), false],
      [Date.parse(mid), Date.parse(install.endedAt!), true],
    ]);
    const rows = tableWithHeader(renderDom(renderMarkdown(r)), 'phase', 'status');
    const at = rows.findIndex((row) => row[0] === 'install');
    expect(rows[at + 1]!.slice(0, 2)).toEqual(['↳ east: host prep', 'ok']);
    expect(rows[at + 2]).toEqual(
      expect.arrayContaining([
        '↳ east: kubeadm init',
        'failed',
        'kubeadm: preflight: port 6443 in use',
      ]),
    );
  });

  it('ends an open phase at the end of the run', async () => {
    const r = sampleResults();
    delete r.phases[7]!.endedAt;
    r.phases[7]!.status = 'cancelled';
    const tasks = await ganttTasks(mermaidBlock(renderMarkdown(r)));
    expect(tasks[7]!.end).toBe(Date.parse(r.endedAt));
    expect(tasks[7]!.active).toBe(true);
  });

  it('shows how to reproduce the run locally, fenced whatever the command holds', () => {
    const r = sampleResults();
    r.reproduce = 'tungsten-e2e run --sites ```odd```.yml';
    const doc = renderDom(renderMarkdown(r));
    const blocks = [...doc.querySelectorAll('pre code')].map((c) => c.textContent);
    expect(blocks).toContain('tungsten-e2e run --sites ```odd```.yml\n');
  });

  it('shows why a run stopped early', () => {
    const doc = renderDom(renderMarkdown(stoppedResults()));
    const blocks = [...doc.querySelectorAll('pre code')].map((c) => c.textContent);
    expect(blocks).toContain(
      'provision failed: west: RunInstances: VcpuLimitExceeded\nsee the provider log\n',
    );
  });

  it('the comment variant keeps the truth tables and only the checks that did not pass', () => {
    const md = renderMarkdown(sampleResults(), {
      variant: 'comment',
      runUrl: 'https://github.com/o/r/actions/runs/9',
    });
    const doc = renderDom(md);
    expect(checkRows(doc).map((r) => r[0])).toEqual(['❌ fail', '⚠️ flaky']);
    expect(md).toContain('| `east/tenant-a/client` | . | **X** (want X, got .) |');
    expect(doc.querySelector('a[href="https://github.com/o/r/actions/runs/9"]')).not.toBeNull();
  });

  it('the brief variant drops truth tables and caps the failing rows', () => {
    const r = sampleResults();
    const many = Array.from({ length: BRIEF_ROWS + 7 }, (_, i) =>
      check(`east/tenant-a/c${i}`, 'west/tenant-b/server', { expected: 'deny', status: 'fail' }),
    );
    r.checks = [...r.checks, ...many];
    const md = renderMarkdown(r, { variant: 'brief' });
    expect(md).not.toContain('from \\ to');
    expect(checkRows(renderDom(md))).toHaveLength(BRIEF_ROWS);
    // 37 added + the sample's fail and flaky, less the 30 shown
    expect(md).toContain('… and 9 more not shown here.');
  });
});

describe('job summary', () => {
  let dir: string;
  let file: string;
  const saved = process.env.GITHUB_STEP_SUMMARY;

  // @actions/core keeps the first summary path it sees, so one file serves the whole file
  beforeAll(() => {
    dir = tempDir('te-summary-');
    file = join(dir, 'step_summary');
    process.env.GITHUB_STEP_SUMMARY = file;
  });
  beforeEach(() => writeFileSync(file, ''));
  afterAll(() => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends the same content as results.md to $GITHUB_STEP_SUMMARY', async () => {
    writeFileSync(file, 'an earlier step wrote this\n');
    const r = sampleResults();
    const variant = await writeJobSummary(r, { logger: silentLogger });
    expect(variant).toBe('full');
    const md = renderMarkdown(r);
    expect(readFileSync(file, 'utf8')).toBe(`an earlier step wrote this\n${md}\n`);
  });

  it('falls back to the comment variant over the runner’s 1 MiB limit', async () => {
    const r = passingResults();
    r.checks = Array.from({ length: 4000 }, (_, i) =>
      check(`east/tenant-a/c${i}`, 'west/tenant-a/server', { detail: 'x'.repeat(290) }),
    );
    r.totals = { pass: 4000, fail: 0, flaky: 0, error: 0, reprobed: 0 };
    expect(Buffer.byteLength(renderMarkdown(r))).toBeGreaterThan(MAX_SUMMARY_BYTES);
    expect(await writeJobSummary(r, { logger: silentLogger })).toBe('comment');
    const written = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(written)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES + 1);
    expect(written).toContain('4000 passed, 0 failed');
  });

  it('warns and goes on when the summary file cannot be written', async () => {
    rmSync(file);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(file); // a directory where the file should be
    const log = memoryLogger();
    try {
      expect(await writeJobSummary(sampleResults(), { logger: log })).toBeUndefined();
      expect(log.lines.some((l) => l.startsWith('warn:could not write the job summary'))).toBe(
        true,
      );
    } finally {
      rmSync(file, { recursive: true, force: true });
    }
  });

  it('writes nothing outside Actions', async () => {
    const results: RunResults = sampleResults();
    process.env.GITHUB_STEP_SUMMARY = '';
    try {
      expect(await writeJobSummary(results, { logger: silentLogger })).toBeUndefined();
    } finally {
      process.env.GITHUB_STEP_SUMMARY = file;
    }
    expect(readFileSync(file, 'utf8')).toBe('');
  });
});
