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

  it('says which commands write plan.json', () => {
    expect(yml.outputs['plan-json']!.description).toMatch(/`plan` and `run`/);
  });
});
