/**
 * The shell our workflows run, run here for real: each step's `run:` text as
 * GitHub runs it (`bash --noprofile --norc -eo pipefail`), with real files
 * for GITHUB_OUTPUT and GITHUB_STEP_SUMMARY and the bundled CLI where the
 * workflow has tungsten-e2e's checkout. Covered: docs-pr.yml's lint step on
 * a real git history (a doc whose Liquid the site eats, a clean doc, no doc
 * changed) and nightly.yml's leg.json step.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUNDLE } from '../bundle.js';
import { tempDir } from '../helpers.js';

interface Step {
  id?: string;
  name?: string;
  run?: string;
}
const stepOf = (workflow: string, job: string, pick: (s: Step) => boolean): string => {
  const wf = parse(readFileSync(`.github/workflows/${workflow}`, 'utf8')) as {
    jobs: Record<string, { steps: Step[] }>;
  };
  const step = wf.jobs[job]!.steps.find(pick);
  if (!step?.run) throw new Error(`${workflow}: job ${job} has no such run step`);
  return step.run;
};

function runStep(script: string, cwd: string, env: Record<string, string>) {
  const files = {
    GITHUB_OUTPUT: join(cwd, '..', 'output'),
    GITHUB_STEP_SUMMARY: join(cwd, '..', 'summary'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH!, HOME: cwd, ...files, ...env },
  });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    output: readFileSync(files.GITHUB_OUTPUT, 'utf8'),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}

const EATEN = '# Install\n\n```sh\nsed "s/{{ K8S_MASTER_IP }}/10.0.0.5/g" manifest.yaml\n```\n';
const CLEAN = '# Install\n\n```sh\nkubectl get pods\n```\n';

describe("docs-pr.yml's lint step", () => {
  const script = stepOf('docs-pr.yml', 'lint', (s) => s.id === 'lint');

  /** A docs repository: a base commit, then the pull request's commit changing `files`. */
  function repo(files: Record<string, string>): { dir: string; base: string } {
    const root = tempDir('te-docs-pr-');
    const dir = join(root, 'repo');
    mkdirSync(dir);
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@example.com',
        },
      }).trim();
    git('init', '-q');
    writeFileSync(join(dir, '_config.yml'), 'title: Docs\n');
    writeFileSync(join(dir, 'README.md'), '# Docs\n');
    git('add', '-A');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD');
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    git('add', '-A');
    git('commit', '-qm', 'the pull request', '--allow-empty');
    // where the workflow checks tungsten-e2e out: its bundled CLI
    mkdirSync(join(dir, '.tungsten-e2e'));
    symlinkSync(BUNDLE, join(dir, '.tungsten-e2e', 'dist'));
    return { dir, base };
  }

  const env = (dir: string, base: string) => ({
    BASE: base,
    SITE_ROOT: '.',
    RUNNER_TEMP: join(dir, '..'),
    GITHUB_ACTIONS: 'true',
  });

  it('a changed doc whose Liquid the site eats: findings in the summary, code 1, the comment body ready', () => {
    const { dir, base } = repo({
      'docs/install.md': EATEN,
      'docs/ok.md': CLEAN,
      'x.yml': 'a: 1\n',
    });
    const r = runStep(script, dir, env(dir, base));
    expect(r.code, r.stderr).toBe(0);
    expect(r.output).toContain('code=1');
    expect(r.output).toContain('report=true');
    expect(r.summary).toContain('<!-- tungsten-e2e:lint-docs -->');
    expect(r.summary).toContain('lint-docs: 1 error, 0 warnings in 2 files');
    expect(r.summary).toContain('`docs/install.md:4:8`');
    // the annotation on the diff, as GitHub reads it from the step's output
    expect(r.stdout).toContain('::error file=docs/install.md,line=4,col=8,');
    // the comment's body is the markdown alone: no workflow commands in it
    const body = readFileSync(join(dir, '..', 'findings.md'), 'utf8');
    expect(body).toBe(r.summary.slice(r.summary.indexOf('<!--')));
    expect(body).not.toContain('::error');
  });

  it('clean docs: code 0; no doc changed: said, code 0', () => {
    const clean = repo({ 'docs/ok.md': CLEAN });
    const r = runStep(script, clean.dir, env(clean.dir, clean.base));
    expect(r.code, r.stderr).toBe(0);
    expect(r.output).toContain('code=0');
    expect(r.summary).toContain('no findings in 1 file');
    const none = repo({ 'x.yml': 'a: 1\n' });
    const n = runStep(script, none.dir, env(none.dir, none.base));
    expect(n.code, n.stderr).toBe(0);
    expect(n.summary).toBe('No Markdown file changed.\n');
    expect(n.output).toBe('code=0\n');
  });
});

describe("nightly.yml's matrix step", () => {
  const script = stepOf('nightly.yml', 'matrix', (s) => s.id === 'legs');

  /** A checkout with the bundled CLI, the examples and a legs file. */
  const checkout = (legs: string) => {
    const dir = join(tempDir('te-nightly-matrix-'), 'repo');
    mkdirSync(join(dir, '.github'), { recursive: true });
    symlinkSync(BUNDLE, join(dir, 'dist'));
    symlinkSync(resolve('examples'), join(dir, 'examples'));
    writeFileSync(join(dir, '.github', 'nightly-legs.yml'), legs);
    return dir;
  };

  it('writes the matrix to the step output; a bad legs file fails the step', () => {
    const dir = checkout(readFileSync('.github/nightly-legs.yml', 'utf8'));
    const r = runStep(script, dir, { HAS_AWS: 'true', HAS_GCP: 'false', HAS_AZURE: 'true' });
    expect(r.code, r.stderr).toBe(0);
    const line = r.output.trim();
    expect(line.startsWith('legs={"include":[')).toBe(true);
    const legs = (
      JSON.parse(line.slice('legs='.length)) as { include: { id: string; configured: boolean }[] }
    ).include;
    expect(legs.find((l) => l.id === 'tf-2018-aws-azure')?.configured).toBe(true);
    expect(legs.find((l) => l.id === 'tf-2018-aws-gcp')?.configured).toBe(false);
    const bad = runStep(
      script,
      checkout('local: [examples/local.yml]\nclouds: [{ sites: x.yml, needs: [oracle] }]\n'),
      {},
    );
    expect(bad.code).not.toBe(0);
    expect(bad.output).toBe('');
    expect(bad.stderr).toContain('field clouds.0.needs.0');
  });
});

describe("nightly.yml's leg.json step", () => {
  const script = stepOf('nightly.yml', 'leg', (s) => s.name === 'leg.json');

  it('says what the leg is, and why it did not run when it was not configured', () => {
    const dir = tempDir('te-leg-json-');
    const run = (extra: Record<string, string>) => {
      const r = runStep(script, dir, {
        PROFILE: 'tf-2018',
        PAIR: 'aws + gcp',
        URL: 'https://github.com/o/r/actions/runs/1/attempts/1',
        STATUS: '',
        REASON: '',
        ...extra,
      });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(join(dir, 'leg', 'leg.json'), 'utf8')) as unknown;
    };
    expect(run({})).toEqual({
      profile: 'tf-2018',
      pair: 'aws + gcp',
      url: 'https://github.com/o/r/actions/runs/1/attempts/1',
    });
    expect(run({ STATUS: 'not-configured', REASON: 'no credentials for gcp' })).toEqual({
      profile: 'tf-2018',
      pair: 'aws + gcp',
      url: 'https://github.com/o/r/actions/runs/1/attempts/1',
      status: 'not-configured',
      reason: 'no credentials for gcp',
    });
  });
});
