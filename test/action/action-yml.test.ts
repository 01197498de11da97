/**
 * action.yml against the code: every input it declares is read (none is
 * accepted and silently ignored), and the defaults it documents are the
 * code's own.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SECRET_INPUTS, WORKFLOW_SECRETS } from '../../src/action/inputs.js';
import { DEFAULT_RACE_RETRIES } from '../../src/health/waitReady.js';
import { DEFAULT_RESULTS_DIR } from '../../src/pipeline/testRun.js';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}

const yml = parse(readFileSync('action.yml', 'utf8')) as ActionYml;
const inputsTs = readFileSync('src/action/inputs.ts', 'utf8');

describe('action.yml', () => {
  it('every input is read by src/action/inputs.ts', () => {
    const secret = new Set<string>(SECRET_INPUTS);
    const unread = Object.keys(yml.inputs).filter(
      (name) => !secret.has(name) && !new RegExp(`\\(\\s*'${name}'`).test(inputsTs),
    );
    expect(unread).toEqual([]);
  });

  it('documents the defaults the code uses', () => {
    expect(yml.inputs['race-retries']!.default).toBe(String(DEFAULT_RACE_RETRIES));
    expect(yml.inputs['results-dir']!.default).toBe(DEFAULT_RESULTS_DIR);
    expect(yml.inputs['dry-run']!.default).toBe('false');
  });

  it('the reusable workflow (e2e.yml) passes every input a run uses, secrets as secrets', () => {
    interface Workflow {
      on: { workflow_call: { inputs: Record<string, unknown>; secrets: Record<string, unknown> } };
      jobs: { e2e: { steps: { uses?: string; with?: Record<string, string> }[] } };
    }
    const wf = parse(readFileSync('.github/workflows/e2e.yml', 'utf8')) as Workflow;
    const step = wf.jobs.e2e.steps.find((s) => s.uses === './.tungsten-e2e-action')!;
    // not for a run job: the command is run, the token is the job's, results go to the artifact's path
    const notForARun = ['command', 'github-token', 'results-dir', 'older-than', 'dry-run'];
    const missing = Object.keys(yml.inputs).filter(
      (name) => !notForARun.includes(name) && step.with?.[name] === undefined,
    );
    expect(missing).toEqual([]);
    const call = wf.on.workflow_call;
    for (const [name, value] of Object.entries(step.with ?? {})) {
      const secret = WORKFLOW_SECRETS[name as keyof typeof WORKFLOW_SECRETS];
      expect(value, name).toBe(`\${{ ${secret ? `secrets.${secret}` : `inputs.${name}`} }}`);
      expect(Object.keys(secret ? call.secrets : call.inputs), name).toContain(secret ?? name);
    }
    // every credential input but the job's own token arrives as a secret
    expect(Object.keys(WORKFLOW_SECRETS).sort()).toEqual(
      SECRET_INPUTS.filter((n) => n !== 'github-token').sort(),
    );
    expect(Object.keys(call.secrets).sort()).toEqual(Object.values(WORKFLOW_SECRETS).sort());
  });

  it("the reusable workflow's secrets have names GitHub accepts, so `secrets: inherit` delivers them", () => {
    // GitHub: letters, digits and underscores, not starting with a digit or GITHUB_
    for (const name of Object.values(WORKFLOW_SECRETS)) {
      expect(name, name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(name.toUpperCase().startsWith('GITHUB_'), name).toBe(false);
    }
    // the control: the names the workflow had before could never be set in a repository
    expect('aws-access-key-id').not.toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });

  it('the reusable workflow names its artifact per call and hands back the verdict, comment, artifact and run id', () => {
    const wf = parse(readFileSync('.github/workflows/e2e.yml', 'utf8')) as {
      on: {
        workflow_call: {
          inputs: Record<string, { description?: string }>;
          outputs: Record<string, unknown>;
        };
      };
      jobs: {
        e2e: {
          permissions: Record<string, string>;
          steps: { uses?: string; with?: Record<string, string> }[];
        };
      };
    };
    const upload = wf.jobs.e2e.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with!.name).toBe('${{ steps.artifact.outputs.name }}');
    expect(Object.keys(wf.on.workflow_call.outputs).sort()).toEqual([
      'artifact-name',
      'comment-url',
      'passed',
      'run-id',
    ]);
    expect(wf.jobs.e2e.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    for (const [name, input] of Object.entries(wf.on.workflow_call.inputs)) {
      expect(input.description, `input ${name} is documented`).toBeTruthy();
    }
    expect(yml.outputs['run-id']).toBeDefined();
  });

  it('says which commands write plan.json', () => {
    expect(yml.outputs['plan-json']!.description).toMatch(/`plan` and `run`/);
  });

  it("the README's input and output tables are action.yml's: names, order and defaults", () => {
    const readme = readFileSync('README.md', 'utf8');
    /** The rows of the Markdown table whose header starts with `first`: the cells of each row. */
    const table = (first: string) => {
      const lines = readme.split('\n');
      const head = lines.findIndex((l) => new RegExp(`^\\| ${first} +\\|`).test(l));
      expect(head, `a table headed "${first}"`).toBeGreaterThanOrEqual(0);
      const rows: string[][] = [];
      for (const line of lines.slice(head + 2)) {
        if (!line.startsWith('|')) break;
        rows.push(
          line
            .split(/(?<!\\)\|/)
            .slice(1, -1)
            .map((c) => c.trim()),
        );
      }
      return rows;
    };
    const inputs = table('input');
    expect(inputs.map((r) => r[0])).toEqual(Object.keys(yml.inputs).map((n) => `\`${n}\``));
    for (const [name, cell, description] of inputs) {
      const spec = yml.inputs[name!.slice(1, -1)]!;
      expect(cell, `${name}'s default`).toBe(spec.default ? `\`${spec.default}\`` : '');
      expect(description, `${name} is described`).not.toBe('');
      expect(spec.required ?? false, `${name} is optional, as the table says`).toBe(false);
    }
    expect(table('output').map((r) => r[0])).toEqual(
      Object.keys(yml.outputs).map((n) => `\`${n}\``),
    );
  });
});
