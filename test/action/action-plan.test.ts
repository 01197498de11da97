import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBundle } from '../bundle.js';
import { tempDir, writeTemp } from '../helpers.js';

/** The runner's contract: INPUT_* variables and the GITHUB_* command files. */
function runnerEnv(inputs: Record<string, string>) {
  const dir = tempDir('te-runner-');
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = { ...files, GITHUB_WORKSPACE: process.cwd() };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return { env, dir, files };
}

/** Parse the runner's `name<<DELIM` output file into a map. */
function outputs(file: string): Record<string, string> {
  const text = readFileSync(file, 'utf8');
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

describe('the action (bundled dist/main.js), command plan', () => {
  it('plans a site file and sets outputs', () => {
    const results = tempDir();
    const { env, files } = runnerEnv({
      command: 'plan',
      sites: 'examples/local.yml',
      'results-dir': results,
    });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('site east (local)');
    const out = outputs(files.GITHUB_OUTPUT);
    expect(out.passed).toBe('true');
    expect(JSON.parse(readFileSync(out['plan-json']!, 'utf8')).sites).toHaveLength(2);
  });

  it('accepts the site file inline', () => {
    const { env } = runnerEnv({
      command: 'plan',
      sites: 'sites:\n  - name: a\n    provider: local\n  - name: b\n    provider: local\n',
      'results-dir': tempDir(),
    });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('site b (local)');
  });

  it('turns a bad file into annotations at file, line and column, exit 2', () => {
    const file = writeTemp(
      'sites.yml',
      'sites:\n  - name: east\n    provider: local\n    cidrs: { pod: 10.32.0.0/12 }\n  - name: west\n    provider: local\n    cidrs: { service: 10.32.0.0/16 }\n',
    );
    const { env, files } = runnerEnv({ command: 'plan', sites: file, 'results-dir': tempDir() });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `::error title=tungsten-e2e%3A bad input,file=${file},line=7,col=23::`,
    );
    expect(r.stdout).toMatch(
      /overlaps sites\[0\]\.cidrs\.pod 10\.32\.0\.0\/12 \(site "east", line 4\)/,
    );
    expect(outputs(files.GITHUB_OUTPUT).passed).toBe('false');
  });

  it('refuses a bad input value with the input name', () => {
    const { env } = runnerEnv({
      command: 'plan',
      sites: 'examples/local.yml',
      teardown: 'sometimes',
    });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `action input 'teardown' is "sometimes"; use one of always, on-success, never.`,
    );
  });

  it('run with a site file that does not exist: an error naming it, exit 2; post finds nothing made', () => {
    const { env, files } = runnerEnv({ command: 'run', sites: 'no/such/sites.yml' });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      '::error title=tungsten-e2e%3A bad input::no/such/sites.yml: no such site file',
    );
    expect(outputs(files.GITHUB_OUTPUT).passed).toBe('false');
    // what main saved reaches post as STATE_<name>
    const saved = outputs(files.GITHUB_STATE);
    expect(saved['run-id']).toMatch(/^[a-z][a-z0-9]{5}$/);
    const post = runBundle('post', [], {
      ...runnerEnv({}).env,
      ...Object.fromEntries(Object.entries(saved).map(([k, v]) => [`STATE_${k}`, v])),
    });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain(
      `tungsten-e2e post: run ${saved['run-id']} stopped before it made anything (no state file in ${saved['state-dir']}); nothing to tear down.`,
    );
  });

  it('masks credential inputs before anything else, including JSON fields', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const key =
      '-----BEGIN PRIVATE KEY-----\\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n';
    const { env } = runnerEnv({
      command: 'plan',
      sites: 'examples/local.yml',
      'results-dir': tempDir(),
      'aws-secret-access-key': secret,
      'gcp-credentials': `{"type":"service_account","private_key":"${key}","client_email":"e2e@p.iam.gserviceaccount.com"}`,
    });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(0);
    const firstLines = r.stdout.split('\n').slice(0, 8).join('\n');
    expect(firstLines).toContain(`::add-mask::${secret}`);
    expect(r.stdout).toContain('::add-mask::MIIEvgIBADANBgkqhkiG9w0BAQEFAASC');
    expect(r.stdout).toContain('::add-mask::e2e@p.iam.gserviceaccount.com');
    expect(r.stdout).not.toContain('::add-mask::service_account');
  });

  it('post step with nothing saved has nothing to tear down', () => {
    const { env } = runnerEnv({});
    const r = runBundle('post', [], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to tear down');
  });
});
