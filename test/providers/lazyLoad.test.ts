/**
 * The dynamic-import rule, on the bundle: a run whose sites use one cloud
 * loads no other cloud's SDK chunk. Which modules a process loaded is
 * recorded by scripts/record-modules.mjs; SDK chunks are recognised by their
 * content. The negative control imports an SDK chunk on purpose and checks
 * that the recording sees it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE } from '../bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'te-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sdkChunks(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of readdirSync(join(BUNDLE, 'chunks'))) {
    const text = readFileSync(join(BUNDLE, 'chunks', file), 'utf8');
    if (text.length < 1_000_000) continue;
    if (text.includes('google.cloud.compute.v1')) out.set(file, 'gcp');
    else if (text.includes('NetworkManagementClient')) out.set(file, 'azure');
    else if (text.includes('EC2Client')) out.set(file, 'aws');
  }
  return out;
}

function loadedSdks(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): { sdks: string[]; status: number | null; output: string } {
  const file = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, '');
  const r = spawnSync(
    process.execPath,
    ['--import', resolve('scripts/record-modules.mjs'), ...args],
    {
      env: { PATH: process.env.PATH, HOME: dir, TE_LOADED_MODULES: file, ...extraEnv },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const chunks = sdkChunks();
  const sdks = readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((u) => {
      const c = chunks.get(u.split('/').pop() ?? '');
      return c ? [c] : [];
    });
  return { sdks: [...new Set(sdks)].sort(), status: r.status, output: r.stdout + r.stderr };
}

const SITES: Record<string, string> = {
  aws: '  - { name: a, provider: aws, region: us-east-1 }\n  - { name: b, provider: aws, region: eu-west-1 }\n',
  gcp: '  - { name: a, provider: gcp, region: us-central1, zone: us-central1-a }\n  - { name: b, provider: gcp, region: europe-west1 }\n',
  azure:
    '  - { name: a, provider: azure, region: westeurope }\n  - { name: b, provider: azure, region: eastus }\n',
};

describe('cloud SDKs are loaded only for the clouds a run uses', () => {
  it('the bundle holds one SDK chunk per cloud', () => {
    expect([...sdkChunks().values()].sort()).toEqual(['aws', 'azure', 'gcp']);
  });

  for (const [cloud, sites] of Object.entries(SITES)) {
    it(`plan --check-cloud on ${cloud} sites loads no other cloud's SDK`, () => {
      const file = join(dir, `${cloud}.yml`);
      writeFileSync(file, `profile: opensdn-24\nsites:\n${sites}`);
      const r = loadedSdks([join(BUNDLE, 'cli.js'), 'plan', '--sites', file, '--check-cloud']);
      expect(r.status, r.output).toBe(0);
      expect(r.output).toContain(
        `instance sizes on ${cloud} were not checked: no ${cloud} credentials found`,
      );
      expect(r.sdks.filter((s) => s !== cloud)).toEqual([]);
    });
  }

  for (const cloud of Object.keys(SITES)) {
    it(`the action (main.js, command plan) on ${cloud} sites loads no cloud SDK`, () => {
      const file = join(dir, `main-${cloud}.yml`);
      writeFileSync(file, `profile: opensdn-24\nsites:\n${SITES[cloud]}`);
      const runner = mkdtempSync(join(dir, 'runner-'));
      const files = ['output', 'state', 'summary'].map((f) => join(runner, f));
      for (const f of files) writeFileSync(f, '');
      const r = loadedSdks([join(BUNDLE, 'main.js')], {
        INPUT_COMMAND: 'plan',
        INPUT_SITES: file,
        'INPUT_RESULTS-DIR': join(runner, 'results'),
        RUNNER_TEMP: runner,
        GITHUB_OUTPUT: files[0],
        GITHUB_STATE: files[1],
        GITHUB_STEP_SUMMARY: files[2],
      });
      expect(r.status, r.output).toBe(0);
      expect(r.output).toContain(`site a (${cloud} `);
      expect(r.sdks).toEqual([]);
    });
  }

  it('a local-only plan loads no cloud SDK at all', () => {
    const file = join(dir, 'local.yml');
    writeFileSync(
      file,
      'sites:\n  - { name: a, provider: local }\n  - { name: b, provider: local }\n',
    );
    const r = loadedSdks([join(BUNDLE, 'cli.js'), 'plan', '--sites', file, '--check-cloud']);
    expect(r.status, r.output).toBe(0);
    expect(r.sdks).toEqual([]);
  });

  it('negative control: importing an SDK chunk is seen by the recording', () => {
    const [chunk, cloud] = [...sdkChunks()].find(([, c]) => c === 'azure')!;
    const url = `file://${join(BUNDLE, 'chunks', chunk)}`;
    const r = loadedSdks(['-e', `import(${JSON.stringify(url)}).then(() => console.log('ok'))`]);
    expect(r.status, r.output).toBe(0);
    expect(r.sdks).toEqual([cloud]);
  });
});
