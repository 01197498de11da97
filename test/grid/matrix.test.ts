/**
 * The nightly's matrix from .github/nightly-legs.yml and the profiles: every
 * profile × every local site file and cloud pair; cloud legs without
 * credentials kept and marked; a bad data file named by file, line and field.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../../src/cli/cliImpl.js';
import { listProfiles } from '../../src/config/profile.js';
import { nightlyMatrix } from '../../src/grid/matrix.js';
import { tempDir } from '../helpers.js';

const LEGS = '.github/nightly-legs.yml';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('nightly matrix', () => {
  it('every profile against each local site file and cloud pair; legs without credentials marked', async () => {
    const legs = await nightlyMatrix(LEGS, { HAS_AWS: 'true', HAS_AZURE: 'true' });
    const data = parse(readFileSync(LEGS, 'utf8')) as { local: string[]; clouds: unknown[] };
    expect(legs).toHaveLength(listProfiles().length * (data.local.length + data.clouds.length));
    const tf = legs.filter((l) => l.profile === 'tf-2018');
    expect(tf.map((l) => `${l.id} ${l.configured}`)).toEqual([
      'tf-2018-local-x2 true',
      'tf-2018-local-x3 true',
      'tf-2018-aws-azure true',
      'tf-2018-aws-gcp false',
      'tf-2018-gcp-azure false',
    ]);
    expect(tf.find((l) => l.pair === 'aws + gcp')?.reason).toBe('no credentials for gcp');
    expect(new Set(legs.map((l) => l.id)).size).toBe(legs.length);
    // the control: without any credentials no cloud leg is configured
    const none = await nightlyMatrix(LEGS, {});
    expect(none.filter((l) => !l.local).every((l) => !l.configured)).toBe(true);
    expect(none.filter((l) => l.local).every((l) => l.configured)).toBe(true);
  });

  it('the CLI prints it as a GitHub Actions matrix on one line', async () => {
    const out: string[] = [];
    const code = await runCli(['matrix', '--legs', LEGS], {
      stdout: (s) => out.push(s),
      stderr: () => {},
    });
    expect(code).toBe(0);
    const text = out.join('');
    expect(text.trim().split('\n')).toHaveLength(1);
    const matrix = JSON.parse(text) as { include: { id: string }[] };
    expect(matrix.include.length).toBeGreaterThan(0);
  });

  it('nightly.yml takes its legs from the command, not a matrix written by hand', () => {
    const wf = parse(readFileSync('.github/workflows/nightly.yml', 'utf8')) as {
      jobs: Record<string, { strategy?: { matrix: unknown }; steps?: { run?: string }[] }>;
    };
    expect(wf.jobs.leg!.strategy!.matrix).toBe('${{ fromJSON(needs.matrix.outputs.legs) }}');
    expect(wf.jobs.matrix!.steps!.some((s) => s.run?.includes(`matrix --legs ${LEGS}`))).toBe(true);
    const handWritten = Object.entries(wf.jobs).filter(
      ([, j]) => j.strategy && typeof j.strategy.matrix !== 'string',
    );
    expect(handWritten.map(([n]) => n)).toEqual([]);
  });

  it('a bad data file: one sentence naming file, line and field, exit 2', async () => {
    const dir = tempDir('te-matrix-');
    dirs.push(dir);
    const file = join(dir, 'legs.yml');
    writeFileSync(
      file,
      'local:\n  - examples/local.yml\nclouds:\n  - sites: examples/aws-azure.yml\n    needs: [aws, oracle]\n',
    );
    const err: string[] = [];
    const code = await runCli(['matrix', '--legs', file], {
      stdout: () => {},
      stderr: (s) => err.push(s),
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(
      new RegExp(
        `^error: ${file}:5: field clouds\\.0\\.needs\\.1: .*"aws".*; it lists local site files and clouds`,
      ),
    );
    expect(err.join('').trim().split('\n')).toHaveLength(1);
  });
});
