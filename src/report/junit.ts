/**
 * junit.xml: a testsuite per suite (and isolation mode), a testcase per check
 * named "from → to", failures carrying expected, actual and the probe's detail;
 * plus a "phases" testsuite so a run that stopped before testing is red too.
 * Rendered from a redacted copy of the results.
 */
import { secrets } from '../log.js';
import { groupChecks } from '../suites/truthTable.js';
import type { CheckRecord, PhaseRecord, RunResults, StepRecord } from './model.js';
import { redactResults } from './redact.js';
import { elapsedMs, seconds } from './time.js';

export const PHASES_SUITE = 'tungsten-e2e phases';

export function renderJunit(results: RunResults): string {
  const r = redactResults(results);
  const testPhase = r.phases.find((p) => p.name === 'test');
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const [title, checks] of groupChecks(r.checks)) {
    const failed = checks.filter((c) => c.status === 'fail').length;
    const unanswered = checks.filter((c) => c.status === 'error').length;
    tests += checks.length;
    failures += failed;
    errors += unanswered;
    suites.push(
      element(
        'testsuite',
        {
          name: title,
          tests: checks.length,
          failures: failed,
          errors: unanswered,
          skipped: 0,
          timestamp: timestamp(testPhase?.startedAt ?? r.startedAt),
          time: seconds(testPhase ? elapsedMs(testPhase.startedAt, testPhase.endedAt) : 0),
        },
        checks.map((c) => checkCase(title, c)),
      ),
    );
  }
  const phaseCases = r.phases.flatMap((p) => [
    phaseCase(p),
    ...(p.steps ?? []).map((st) => stepCase(p, st)),
  ]);
  const runError =
    r.error && !r.phases.some((p) => p.status === 'failed' || p.status === 'cancelled');
  if (runError) {
    phaseCases.push(
      element('testcase', { classname: 'tungsten-e2e.phases', name: 'run' }, [
        element('error', { message: firstLine(r.error!), type: 'run' }, r.error!),
      ]),
    );
  }
  const stepErrors = r.phases
    .flatMap((p) => p.steps ?? [])
    .filter((st) => st.status !== 'ok').length;
  const phaseErrors =
    r.phases.filter((p) => p.status === 'failed' || p.status === 'cancelled').length +
    stepErrors +
    (runError ? 1 : 0);
  const phaseSkipped = r.phases.filter((p) => p.status === 'skipped').length;
  tests += phaseCases.length;
  errors += phaseErrors;
  suites.push(
    element(
      'testsuite',
      {
        name: PHASES_SUITE,
        tests: phaseCases.length,
        failures: 0,
        errors: phaseErrors,
        skipped: phaseSkipped,
        timestamp: timestamp(r.startedAt),
        time: seconds(elapsedMs(r.startedAt, r.endedAt)),
      },
      phaseCases,
    ),
  );
  const root = element(
    'testsuites',
    {
      name: 'tungsten-e2e',
      tests,
      failures,
      errors,
      time: seconds(elapsedMs(r.startedAt, r.endedAt)),
    },
    suites,
  );
  return secrets.redact(`<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`);
}

/** "east/tenant-a/client → west/tenant-a/echo (service)" */
export function checkCaseName(c: CheckRecord): string {
  return `${c.from} → ${c.to}${c.toKind === 'service' ? ' (service)' : ''}`;
}

function checkCase(title: string, c: CheckRecord): string {
  const attrs = {
    classname: `tungsten-e2e.${title.replace(/ \/ /g, '.')}`,
    name: checkCaseName(c),
  };
  const expected = c.expectedDeny ? `${c.expected} (${c.expectedDeny})` : c.expected;
  const facts = [
    `expected: ${expected}`,
    `actual:   ${c.actual}`,
    `observed: ${c.observed}`,
    `attempts: ${c.attempts}`,
    ...(c.detail ? [`detail:   ${c.detail}`] : []),
  ].join('\n');
  if (c.status === 'fail') {
    const message = `expected ${expected}, observed ${c.observed} after ${c.attempts} attempt${c.attempts === 1 ? '' : 's'}`;
    const type = c.actual === 'error' ? 'probe-error' : 'wrong-verdict';
    return element('testcase', attrs, [element('failure', { message, type }, facts)]);
  }
  if (c.status === 'error') {
    const message = `no answer from the probe after ${c.attempts} attempt${c.attempts === 1 ? '' : 's'}: not a verdict on the network`;
    return element('testcase', attrs, [element('error', { message, type: 'probe-error' }, facts)]);
  }
  if (c.status === 'flaky') {
    return element('testcase', attrs, [
      element('system-out', {}, `flaky: right only on a retry\n${facts}`),
    ]);
  }
  return element('testcase', attrs, []);
}

function phaseCase(p: PhaseRecord): string {
  const attrs = {
    classname: 'tungsten-e2e.phases',
    name: p.name,
    time: seconds(elapsedMs(p.startedAt, p.endedAt)),
  };
  if (p.status === 'failed' || p.status === 'cancelled') {
    const message = p.error ? firstLine(p.error) : `phase ${p.name} ${p.status}`;
    return element('testcase', attrs, [
      element('error', { message, type: p.status }, p.error ?? message),
    ]);
  }
  if (p.status === 'skipped') return element('testcase', attrs, [element('skipped', {}, [])]);
  return element('testcase', attrs, []);
}

/** A fabric's step, as kubetest2 makes each step a testcase: "east: kubeadm init" in install. */
function stepCase(p: PhaseRecord, st: StepRecord): string {
  const attrs = {
    classname: `tungsten-e2e.phases.${p.name}`,
    name: `${st.site}: ${st.name}`,
    time: seconds(elapsedMs(st.startedAt, st.endedAt)),
  };
  if (st.status === 'ok') return element('testcase', attrs, []);
  const message = st.error ? firstLine(st.error) : `step ${st.name} ${st.status}`;
  return element('testcase', attrs, [
    element('error', { message, type: st.status }, st.error ?? message),
  ]);
}

function firstLine(s: string): string {
  return s.split(/\r?\n/, 1)[0] ?? '';
}

/** JUnit's timestamp: ISO 8601 without a zone (the value is UTC). */
function timestamp(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 19) : '';
}

// ---- XML --------------------------------------------------------------------

type Attrs = Record<string, string | number>;

/** An element; children are either already-rendered elements or one text node. */
function element(name: string, attrs: Attrs, children: string[] | string): string {
  const attrText = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
  if (typeof children === 'string') return `<${name}${attrText}>${xmlText(children)}</${name}>`;
  if (!children.length) return `<${name}${attrText}/>`;
  return `<${name}${attrText}>\n${children.map((c) => indent(c)).join('\n')}\n</${name}>`;
}

/** Indent element lines only: a text node's later lines are content and stay as they are
 *  (escaped text never starts a line with '<'). */
function indent(block: string): string {
  return block
    .split('\n')
    .map((line) => (/^\s*</.test(line) ? `  ${line}` : line))
    .join('\n');
}

/** Characters XML 1.0 does not allow at all (control characters, lone surrogates, U+FFFE/F). */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlText(s: string): string {
  return s
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
