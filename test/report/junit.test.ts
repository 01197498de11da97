import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { PHASES_SUITE, renderJunit } from '../../src/report/junit.js';
import { check, passingResults, sampleResults, stoppedResults } from './fixtures.js';

interface Case {
  name: string;
  classname: string;
  failure?: { message: string; type: string; text: string };
  error?: { message: string; type: string; text: string };
  skipped: boolean;
  systemOut?: string;
}
interface Suite {
  name: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  cases: Case[];
}
interface Report {
  tests: number;
  failures: number;
  errors: number;
  suites: Suite[];
}

type Node = Record<string, unknown>;
const asArray = (v: unknown): Node[] =>
  (v === undefined ? [] : Array.isArray(v) ? v : [v]) as Node[];
const textOf = (v: unknown): string =>
  typeof v === 'string' ? v : String((v as Node | undefined)?.['#text'] ?? '');
const attr = (n: Node, name: string): string => String(n[`@_${name}`] ?? '');

/** Parse junit.xml with a real XML parser; throws when it is not well-formed. */
function parseJunit(xml: string): Report {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  const doc = new XMLParser({
    ignoreAttributes: false,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    htmlEntities: true,
  }).parse(xml) as Node;
  const root = doc.testsuites as Node;
  const detail = (n: unknown) => {
    if (n === undefined) return undefined;
    const e = n as Node;
    return { message: attr(e, 'message'), type: attr(e, 'type'), text: textOf(e) };
  };
  return {
    tests: Number(attr(root, 'tests')),
    failures: Number(attr(root, 'failures')),
    errors: Number(attr(root, 'errors')),
    suites: asArray(root.testsuite).map((s) => ({
      name: attr(s, 'name'),
      tests: Number(attr(s, 'tests')),
      failures: Number(attr(s, 'failures')),
      errors: Number(attr(s, 'errors')),
      skipped: Number(attr(s, 'skipped')),
      cases: asArray(s.testcase).map((c) => ({
        name: attr(c, 'name'),
        classname: attr(c, 'classname'),
        ...(c.failure !== undefined ? { failure: detail(c.failure) } : {}),
        ...(c.error !== undefined ? { error: detail(c.error) } : {}),
        skipped: c.skipped !== undefined,
        ...(c['system-out'] !== undefined ? { systemOut: textOf(c['system-out']) } : {}),
      })),
    })),
  };
}

/** The counts in the attributes agree with the testcases. */
function assertCountsConsistent(r: Report): void {
  for (const s of r.suites) {
    expect(s.tests, `${s.name} tests`).toBe(s.cases.length);
    expect(s.failures, `${s.name} failures`).toBe(s.cases.filter((c) => c.failure).length);
    expect(s.errors, `${s.name} errors`).toBe(s.cases.filter((c) => c.error).length);
    expect(s.skipped, `${s.name} skipped`).toBe(s.cases.filter((c) => c.skipped).length);
  }
  expect(r.tests).toBe(r.suites.reduce((n, s) => n + s.tests, 0));
  expect(r.failures).toBe(r.suites.reduce((n, s) => n + s.failures, 0));
  expect(r.errors).toBe(r.suites.reduce((n, s) => n + s.errors, 0));
}

describe('junit.xml', () => {
  it('has a testsuite per suite and mode, a testcase per check, and consistent counts', () => {
    const r = parseJunit(renderJunit(sampleResults()));
    assertCountsConsistent(r);
    expect(r.suites.map((s) => s.name)).toEqual([
      'connectivity',
      'isolation / namespace',
      PHASES_SUITE,
    ]);
    expect(r.suites.map((s) => [s.tests, s.failures])).toEqual([
      [2, 0],
      [4, 1],
      [8, 0],
    ]);
    expect([r.tests, r.failures, r.errors]).toEqual([14, 1, 0]);
    expect(r.suites[1]!.cases.map((c) => c.name)).toEqual([
      'east/tenant-a/client → west/tenant-a/server',
      'east/tenant-a/client → west/tenant-b/server',
      'east/tenant-b/client → west/tenant-a/server',
      'east/tenant-b/client → west/tenant-b/server',
    ]);
    expect(r.suites[0]!.cases[0]!.name).toBe('east/tenant-a/client → west/tenant-a/echo (service)');
    expect(r.suites[1]!.cases[0]!.classname).toBe('tungsten-e2e.isolation.namespace');
  });

  it('gives a failing check expected, actual, attempts and detail', () => {
    const failed = parseJunit(renderJunit(sampleResults())).suites[1]!.cases[1]!;
    expect(failed.failure).toEqual({
      message: 'expected deny (timeout), observed connected after 2 attempts',
      type: 'wrong-verdict',
      text: [
        'expected: deny (timeout)',
        'actual:   allow',
        'observed: connected',
        'attempts: 2',
        'detail:   HTTP 200 from 10.33.0.5:8080 (pod west/tenant-b/server)',
      ].join('\n'),
    });
  });

  it('marks a probe error as such and a flaky check as passed with a note', () => {
    const res = sampleResults();
    res.checks[2] = {
      ...res.checks[2]!,
      actual: 'error',
      observed: 'error',
      status: 'fail',
      detail: 'connect: no route to host',
    };
    const r = parseJunit(renderJunit(res));
    assertCountsConsistent(r);
    const cases = r.suites[1]!.cases;
    expect(cases[0]!.failure?.type).toBe('probe-error');
    expect(cases[0]!.failure?.message).toBe('expected allow, observed error after 1 attempt');
    expect(cases[3]!.failure).toBeUndefined();
    expect(cases[3]!.systemOut).toContain('flaky: right only on a retry');
  });

  it('escapes whatever a probe printed, in text and in attributes', () => {
    const nasty = `<b attr="x">&amp; 'quoted' ]]> \u0000\u0007bell\ttab\r\nnext</b>`;
    const res = passingResults();
    res.checks = [
      check('east/a&b/"c"<d>', "west/it's/echo", {
        expected: 'deny',
        status: 'fail',
        detail: nasty,
      }),
    ];
    res.totals = { pass: 0, fail: 1, flaky: 0, error: 0, reprobed: 0 };
    const xml = renderJunit(res);
    const r = parseJunit(xml);
    assertCountsConsistent(r);
    const c = r.suites[0]!.cases[0]!;
    expect(c.name).toBe(`east/a&b/"c"<d> → west/it's/echo (service)`);
    // XML 1.0 cannot carry NUL or BEL at all: they become U+FFFD; the rest survives as it was
    expect(c.failure!.text).toContain(
      `detail:   <b attr="x">&amp; 'quoted' ]]> \uFFFD\uFFFDbell\ttab\r\nnext</b>`.replace(
        '\r\n',
        '\n',
      ),
    );
  });

  it('keeps a newline in an attribute as a character reference', () => {
    const res = stoppedResults();
    res.phases[2]!.error = 'line one\nline two';
    const xml = renderJunit(res);
    expect(xml).toContain('message="line one"');
    expect(xml).toContain('>line one\nline two</error>');
  });

  it('makes a run that stopped before testing red, with each phase a testcase', () => {
    const r = parseJunit(renderJunit(stoppedResults()));
    assertCountsConsistent(r);
    expect(r.suites.map((s) => s.name)).toEqual([PHASES_SUITE]);
    const phases = r.suites[0]!;
    expect([phases.tests, phases.errors, phases.skipped]).toEqual([8, 1, 5]);
    expect(phases.cases[2]).toMatchObject({
      name: 'provision',
      error: { message: 'west: RunInstances: VcpuLimitExceeded', type: 'failed' },
    });
  });

  it('reports a run error that no phase carries as its own testcase', () => {
    const res = passingResults();
    res.passed = false;
    res.error = 'state directory vanished\nwhile saving';
    const r = parseJunit(renderJunit(res));
    assertCountsConsistent(r);
    const run = r.suites.at(-1)!.cases.at(-1)!;
    expect(run.name).toBe('run');
    expect(run.error).toEqual({
      message: 'state directory vanished',
      type: 'run',
      text: 'state directory vanished\nwhile saving',
    });
  });

  it('negative controls: broken XML and wrong counts are caught', () => {
    const xml = renderJunit(sampleResults());
    const unescaped = xml.replace('HTTP 200 from', 'HTTP <200 from');
    expect(() => parseJunit(unescaped)).toThrow(/not well-formed/);
    const miscounted = xml.replace('tests="4" failures="1"', 'tests="4" failures="0"');
    expect(() => assertCountsConsistent(parseJunit(miscounted))).toThrow();
  });

  it('makes each fabric step a testcase of the phases suite; a failed step is an error naming it', () => {
    const res = sampleResults();
    const install = res.phases.find((p) => p.name === 'install')!;
    install.status = 'failed';
    install.error = 'east: step "kernel": uname -r says 3.10.0-957';
    install.steps = [
      {
        site: 'east',
        name: 'host prep',
        startedAt: install.startedAt,
        endedAt: install.startedAt,
        status: 'ok',
      },
      {
        site: 'east',
        name: 'kernel',
        startedAt: install.startedAt,
        endedAt: install.endedAt!,
        status: 'failed',
        error: 'uname -r says 3.10.0-957',
      },
    ];
    const r = parseJunit(renderJunit(res));
    assertCountsConsistent(r);
    const phases = r.suites.find((s) => s.name === PHASES_SUITE)!;
    const steps = phases.cases.filter((c) => c.classname === 'tungsten-e2e.phases.install');
    expect(steps.map((c) => c.name)).toEqual(['east: host prep', 'east: kernel']);
    expect(steps[0]!.error).toBeUndefined();
    expect(steps[1]!.error).toMatchObject({ type: 'failed', message: 'uname -r says 3.10.0-957' });
    // the phase and the step are both red
    expect(phases.errors).toBe(2);
  });
});
