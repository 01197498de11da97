import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { maskCredentialInputs } from '../../src/action/inputs.js';
import { memoryLogger } from '../../src/log.js';
import type { RunResults } from '../../src/report/model.js';
import { publishResults } from '../../src/report/outputs.js';
import { FAKE_CREDENTIALS, findLeaks, leakNeedles, withoutAddMask } from '../masking.js';
import { actionFiles, captureStdout } from './actionFiles.js';
import type { ActionFiles } from './actionFiles.js';
import { sampleResults } from './fixtures.js';
import { GitHubApiServer } from './githubApiServer.js';
import { GitHubOpenApi } from './githubOpenApi.js';

const C = FAKE_CREDENTIALS;
const gcpKey = (JSON.parse(C['gcp-credentials']) as { private_key: string }).private_key;
const azureSecret = (JSON.parse(C['azure-credentials']) as { clientSecret: string }).clientSecret;

/** Results whose every free-text field carries some credential. */
function leakyResults(): RunResults {
  const r = sampleResults();
  r.checks[3]!.detail = `curl -u ci:${C['registry-password']} -H 'X-Amz: ${C['aws-secret-access-key']}' → 200`;
  r.checks[5]!.detail = `az login --password ${azureSecret}`;
  r.remediations[0]!.problem = `agent: key ${C['ssh-private-key'].split('\n')[1]} refused`;
  r.remediations[0]!.action = `retry with ${C['aws-access-key-id']}`;
  r.phases[2]!.error = `gcloud: bad key ${gcpKey.split('\n')[2]}`;
  r.phases[2]!.status = 'failed';
  r.error = `provision failed with credentials\n${C['gcp-credentials']}\n${C['azure-credentials']}\n${C['ssh-private-key']}`;
  r.reproduce = `GITHUB_TOKEN=${C['github-token']} sudo tungsten-e2e run --sites examples/local.yml`;
  return r;
}

let files: ActionFiles;
let api: GitHubOpenApi;
let server: GitHubApiServer;

beforeAll(() => {
  files = actionFiles();
  api = GitHubOpenApi.load();
});
afterAll(() => files.dispose());
beforeEach(async () => {
  files.reset();
  server = await GitHubApiServer.start(api);
  server.addToken(C['github-token'], { kind: 'app', botLogin: 'github-actions[bot]' });
});
afterEach(async () => {
  await server.close();
});

/** Publish the leaky results on a PR and collect every text the run produced. */
async function publishEverything(tag: string): Promise<Record<string, string>> {
  const event = join(files.dir, `event-${tag}.json`);
  writeFileSync(event, JSON.stringify({ number: 9, pull_request: { number: 9 } }));
  const log = memoryLogger();
  const dir = join(files.dir, tag);
  const report = await publishResults(leakyResults(), {
    resultsDir: dir,
    logger: log,
    comment: { token: C['github-token'] },
    env: {
      GITHUB_REPOSITORY: 'tungsten-e2e/demo',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_API_URL: server.url,
    },
  });
  server.assertClean();
  expect(report.comment.status).toMatch(/created|updated/);
  return {
    'results.json': readFileSync(report.files.json, 'utf8'),
    'results.md': readFileSync(report.files.markdown, 'utf8'),
    'junit.xml': readFileSync(report.files.junit, 'utf8'),
    'job summary': readFileSync(files.summary, 'utf8'),
    GITHUB_OUTPUT: readFileSync(files.output, 'utf8'),
    'PR comment': server
      .issueComments('tungsten-e2e', 'demo', 9)
      .map((c) => String(c.body))
      .join('\n'),
    'API request bodies': JSON.stringify(server.requests.map((r) => r.body)),
    log: log.lines.join('\n'),
  };
}

describe('credentials never reach a report', () => {
  it('negative control: unregistered, the credentials do show up in every report file', async () => {
    const texts = await publishEverything('unmasked');
    const leakedIn = new Set(findLeaks(texts).map((l) => l.where));
    for (const where of ['results.json', 'results.md', 'junit.xml', 'job summary', 'PR comment']) {
      expect(leakedIn, where).toContain(where);
    }
    // every credential is in the results somewhere, so the real test below means something
    expect(new Set(findLeaks(texts).map((l) => l.credential))).toEqual(new Set(Object.keys(C)));
  });

  it('registered like the action registers its inputs, none appears in any spelling', async () => {
    const { stdout } = await captureStdout(async () =>
      maskCredentialInputs((name) => (C as Record<string, string>)[name] ?? ''),
    );
    // @actions/core's setSecret told the runner to mask each value (and each line of it)
    for (const value of Object.values(C)) {
      expect(stdout).toContain(`::add-mask::${value.split('\n')[0]!.trim()}`);
    }
    expect(findLeaks({ stdout }).length).toBeGreaterThan(0);
    expect(findLeaks({ stdout: withoutAddMask(stdout) })).toEqual([]);
    const texts = await publishEverything('masked');
    expect(findLeaks(texts)).toEqual([]);
    expect(texts['results.md']).toContain('***');
    expect(JSON.parse(texts['results.json']!).reproduce).toBe(
      'GITHUB_TOKEN=*** sudo tungsten-e2e run --sites examples/local.yml',
    );
  });

  it('the scanner finds a credential however it was escaped', () => {
    const secret = azureSecret;
    expect(leakNeedles(C['azure-credentials'])).toContain(secret);
    const escaped = {
      json: JSON.stringify({ d: secret }),
      xml: `<a m="${secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')}"/>`,
      md: secret.replace(/[\\`*_{}[\]<>|#!~]/g, (c) => `\\${c}`).replace(/&/g, '&amp;'),
    };
    expect(findLeaks(escaped).map((l) => l.where)).toEqual(['json', 'xml', 'md']);
  });
});
