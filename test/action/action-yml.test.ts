/**
 * action.yml against the code: every input it declares is read (none is
 * accepted and silently ignored), and the defaults it documents are the
 * code's own.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SECRET_INPUTS } from '../../src/action/inputs.js';
import { DEFAULT_RACE_RETRIES } from '../../src/health/waitReady.js';
import { DEFAULT_RESULTS_DIR } from '../../src/pipeline/testRun.js';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>;
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
      const secret = (SECRET_INPUTS as readonly string[]).includes(name);
      expect(value, name).toBe(`\${{ ${secret ? 'secrets' : 'inputs'}.${name} }}`);
      expect(Object.keys(secret ? call.secrets : call.inputs), name).toContain(name);
    }
  });

  it('says which commands write plan.json', () => {
    expect(yml.outputs['plan-json']!.description).toMatch(/`plan` and `run`/);
  });
});
