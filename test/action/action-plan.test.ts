import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBundle } from '../bundle.js';
import * as helpers from '../helpers.js';

// temporary directories from tempDir/writeTemp are removed after the file (test/support/tempCleanup.ts)
const { tempDir, writeTemp } = helpers;

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

  it('a bad inline site file: the error names the input and line, and the annotation names no file', () => {
    const { env } = runnerEnv({
      command: 'plan',
      sites: 'sites:\n  - name: a\n    provider: local\n  - name: b\n    provider: lokal\n',
      'results-dir': tempDir(),
    });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(2);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors[0]).toMatch(
      /^::error title=tungsten-e2e%3A bad input::action input 'sites':5:15: sites\[1\]\.provider is "lokal"/,
    );
    // a runner given file=action input 'sites' would pin the annotation to a file that is not there
    expect(errors.every((l) => !l.includes('file='))).toBe(true);
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

  it('registry-username counts as registry credentials in the plan (Docker Hub limit warning)', () => {
    // cloud sites pulling from Docker Hub: no registry.mirror
    // and the nodes pulling (registry.images: nodes), not the runner
    const cloudSites = readFileSync('examples/aws-azure.yml', 'utf8').replace(
      /^registry:\n {2}mirror: .*\n/m,
      'registry:\n  images: nodes\n',
    );
    expect(cloudSites).not.toContain('mirror');
    const plan = (inputs: Record<string, string>) => {
      const results = tempDir();
      const { env, files } = runnerEnv({
        command: 'plan',
        sites: cloudSites,
        'results-dir': results,
        ...inputs,
      });
      const r = runBundle('main', [], env);
      expect(r.code, r.stdout).toBe(0);
      const json = JSON.parse(readFileSync(outputs(files.GITHUB_OUTPUT)['plan-json']!, 'utf8'));
      return { stdout: r.stdout, warnings: json.warnings as string[] };
    };
    const anonymous = plan({});
    expect(anonymous.warnings.join('\n')).toContain("exceed Docker Hub's anonymous limit");
    const withUser = plan({ 'registry-username': 'ci-bot' });
    expect(withUser.warnings.join('\n')).not.toContain('Docker Hub');
    expect(withUser.stdout).not.toContain('Docker Hub');
    // the site file's registry.username counts the same
    const file = writeTemp(
      'sites.yml',
      cloudSites.replace('  images: nodes\n', '  images: nodes\n  username: ci-bot\n'),
    );
    const fromFile = runnerEnv({ command: 'plan', sites: file, 'results-dir': tempDir() });
    const r = runBundle('main', [], fromFile.env);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Docker Hub');
  });

  it('refuses a registry-username that is not a user name, by the input name', () => {
    const { env } = runnerEnv({
      command: 'plan',
      sites: 'examples/local.yml',
      'registry-username': 'ci bot;id',
    });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`action input 'registry-username' is "ci bot;id"; it must be`);
  });

  it('says in a notice that registry-password is not used by a run of local sites, and never shows it', () => {
    const password = 'dckr_pat_NotARealToken0123456789';
    const { env } = runnerEnv({
      command: 'plan',
      sites: 'examples/local.yml',
      'results-dir': tempDir(),
      'registry-password': password,
    });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^::notice title=tungsten-e2e%3A registry-password::action input 'registry-password' is not used in this run: its sites are local, and the emulated fabric of local sites pulls no images; /m,
    );
    // cloud sites pull images with it: no notice
    const cloud = runBundle(
      'main',
      [],
      runnerEnv({
        command: 'plan',
        sites: 'examples/aws-azure.yml',
        'results-dir': tempDir(),
        'registry-password': password,
      }).env,
    );
    expect(cloud.stdout).not.toContain('::notice title=tungsten-e2e%3A registry-password');
    expect(r.stdout.replace(`::add-mask::${password}`, '')).not.toContain(password);
    // no password, no notice
    const none = runBundle(
      'main',
      [],
      runnerEnv({ command: 'plan', sites: 'examples/local.yml', 'results-dir': tempDir() }).env,
    );
    expect(none.stdout).not.toContain('registry-password');
  });

  it('run writes plan.json into results-dir and sets plan-json before anything is made', () => {
    const results = tempDir();
    const { env, files } = runnerEnv({
      command: 'run',
      sites: 'examples/aws-azure.yml',
      'results-dir': results,
    });
    const r = runBundle('main', [], env);
    // cloud sites stop at the preflight without credentials, before the first resource
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('no AWS credentials for aws');
    const out = outputs(files.GITHUB_OUTPUT);
    expect(out['plan-json']).toBe(join(results, 'plan.json'));
    const plan = JSON.parse(readFileSync(out['plan-json']!, 'utf8'));
    expect(plan.sites.map((s: { name: string }) => s.name)).toEqual(['aws', 'azure']);
  });

  it('a results-dir that cannot be written is the input’s error, exit 2', () => {
    const file = writeTemp('results-file', 'x');
    const { env } = runnerEnv({
      command: 'plan',
      sites: 'examples/local.yml',
      'results-dir': file,
    });
    const r = runBundle('main', [], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `::error title=tungsten-e2e%3A bad input::action input 'results-dir' ${file}: cannot write ${file} (a file of that name is in the way); choose a directory you can write to.`,
    );
  });

  it('older-than and dry-run are for command: janitor only; a bad older-than names the input', () => {
    for (const [name, value] of [
      ['older-than', '2d'],
      ['dry-run', 'true'],
    ]) {
      const { env } = runnerEnv({ command: 'run', sites: 'examples/local.yml', [name!]: value! });
      const r = runBundle('main', [], env);
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(
        `action input '${name}' is only for command: janitor, and the command is run; remove it or set command: janitor.`,
      );
    }
    const bad = runBundle(
      'main',
      [],
      runnerEnv({ command: 'janitor', 'dry-run': 'true', 'older-than': 'last week' }).env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain(
      `action input 'older-than' is "last week"; it must be a duration like 3h, 90m or 1h30m (units d, h, m, s), more than zero.`,
    );
    const notBool = runBundle('main', [], runnerEnv({ command: 'janitor', 'dry-run': 'yes' }).env);
    expect(notBool.code).toBe(2);
    expect(notBool.stdout).toContain(`action input 'dry-run' is "yes"; use true or false.`);
  });

  it('post step with nothing saved has nothing to tear down', () => {
    const { env } = runnerEnv({});
    const r = runBundle('post', [], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to tear down');
  });
});
