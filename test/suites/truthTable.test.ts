import { describe, expect, it } from 'vitest';
import type { CheckRecord } from '../../src/report/model.js';
import {
  renderTruthTableMarkdown,
  renderTruthTableText,
  truthTables,
} from '../../src/suites/truthTable.js';

const check = (
  from: string,
  to: string,
  expected: 'allow' | 'deny',
  actual: 'allow' | 'deny' | 'error',
  status: CheckRecord['status'],
): CheckRecord => ({
  suite: 'isolation',
  mode: 'namespace',
  from,
  to,
  toKind: to.endsWith('/echo') ? 'service' : 'pod',
  expected,
  actual,
  observed: actual === 'allow' ? 'connected' : actual === 'deny' ? 'timeout' : 'error',
  attempts: status === 'pass' ? 1 : 2,
  status,
});

describe('truth tables', () => {
  const checks = [
    check('east/a/client', 'west/a/echo', 'allow', 'allow', 'pass'),
    check('east/a/client', 'west/b/echo', 'deny', 'allow', 'fail'),
    check('east/b/client', 'west/a/echo', 'deny', 'deny', 'pass'),
    check('east/b/client', 'west/b/echo', 'allow', 'allow', 'flaky'),
    {
      ...check('east/a/client', 'west/a/echo', 'allow', 'error', 'fail'),
      mode: 'default' as const,
    },
  ];

  it('groups by suite and mode, rows from and columns to', () => {
    const tables = truthTables(checks);
    expect(tables.map((t) => t.title)).toEqual(['isolation / namespace', 'isolation / default']);
    expect(tables[0]!.rows).toEqual(['east/a/client', 'east/b/client']);
    expect(tables[0]!.cols.map((c) => c.to)).toEqual(['west/a/echo', 'west/b/echo']);
  });

  it('renders expected, actual and comparison marks', () => {
    const text = renderTruthTableText(truthTables(checks)[0]!);
    const lines = text.split('\n');
    const block = (name: string) =>
      lines.slice(lines.indexOf(`isolation / namespace: ${name}`) + 2).slice(0, 2);
    expect(block('expected')).toEqual(['east/a/client   .  X', 'east/b/client   X  .']);
    expect(block('actual')).toEqual(['east/a/client   .  .', 'east/b/client   X  .']);
    expect(block('comparison')).toEqual(['east/a/client   .  X', 'east/b/client   .  ~']);
    expect(renderTruthTableText(truthTables(checks)[1]!)).toContain('east/a/client   ?');
  });

  it('marks wrong cells in markdown with what was wanted and got', () => {
    const md = renderTruthTableMarkdown(truthTables(checks)[0]!);
    expect(md).toContain('| `east/a/client` | . | **X** (want X, got .) |');
    expect(md).toContain('| `east/b/client` | X | **~** (want ., got .) |');
    expect(md).toContain('Columns: 1 = `west/a/echo` (service), 2 = `west/b/echo` (service).');
  });
});

describe('truth tables with a pod and a service of the same path', () => {
  it('keeps them in separate columns', () => {
    const base = check('east/a/client', 'west/a/echo', 'allow', 'allow', 'pass');
    const checks: CheckRecord[] = [
      { ...base, toKind: 'service' },
      { ...base, toKind: 'pod', expected: 'deny', actual: 'deny' },
    ];
    const [t] = truthTables(checks);
    expect(t!.cols.map((c) => `${c.to}:${c.kind}`)).toEqual([
      'west/a/echo:pod',
      'west/a/echo:service',
    ]);
    expect(t!.cols.map((c) => t!.cell('east/a/client', c.key)?.expected)).toEqual([
      'deny',
      'allow',
    ]);
    const text = renderTruthTableText(t!);
    expect(text).toContain('columns: 1=west/a/echo, 2=west/a/echo (service)');
    expect(text.split('\n')[2]).toBe('east/a/client   X  .');
  });
});
