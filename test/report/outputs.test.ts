import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { RunResults } from '../../src/report/model.js';
import { publishResults, setResultOutputs, writeResultsFiles } from '../../src/report/outputs.js';
import { actionFiles, captureStdout, readOutputs } from './actionFiles.js';
import type { ActionFiles } from './actionFiles.js';
import { passingResults, sampleResults } from './fixtures.js';
import { GitHubApiServer } from './githubApiServer.js';
import { GitHubOpenApi } from './githubOpenApi.js';

const PAT = 'ghp_outputsTestToken0123456789abcdefABCD';
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
  server.addToken(PAT, { kind: 'user', login: 'octo-dev' });
});
afterEach(async () => {
  await server.close();
});

function env(event: string, payload: object): NodeJS.ProcessEnv {
  const path = join(files.dir, `event-${event}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return {
    GITHUB_REPOSITORY: 'tungsten-e2e/demo',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: path,
    GITHUB_API_URL: server.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '55',
    GITHUB_RUN_ATTEMPT: '2',
  };
}

describe('results files', () => {
  it('writes results.json, results.md and junit.xml, creating the directory', async () => {
    const dir = join(files.dir, 'nested', 'results');
    const r = sampleResults();
    const written = await writeResultsFiles(dir, r, {
      runUrl: 'https://github.com/o/r/actions/runs/1',
    });
    expect(written).toEqual({
      json: join(dir, 'results.json'),
      markdown: join(dir, 'results.md'),
      junit: join(dir, 'junit.xml'),
    });
    expect(JSON.parse(readFileSync(written.json, 'utf8'))).toEqual(r);
    expect(readFileSync(written.markdown, 'utf8')).toBe(
      renderMarkdown(r, { runUrl: 'https://github.com/o/r/actions/runs/1' }),
    );
    expect(readFileSync(written.junit, 'utf8')).toBe(renderJunit(r));
    expect(XMLValidator.validate(readFileSync(written.junit, 'utf8'))).toBe(true);
  });
});

describe('action outputs', () => {
  it('sets passed, results-json, results-markdown and comment-url in GITHUB_OUTPUT', () => {
    setResultOutputs({
      passed: false,
      files: { json: 'out/results.json', markdown: 'out/results.md', junit: 'out/junit.xml' },
      commentUrl: 'https://github.com/o/r/pull/1#issuecomment-9',
    });
    expect(readOutputs(files.output)).toEqual({
      passed: 'false',
      'results-json': 'out/results.json',
      'results-markdown': 'out/results.md',
      'comment-url': 'https://github.com/o/r/pull/1#issuecomment-9',
    });
  });

  it('leaves comment-url out when no comment was posted', () => {
    setResultOutputs({ passed: true });
    expect(readOutputs(files.output)).toEqual({ passed: 'true' });
  });
});

describe('publishResults', () => {
  it('on a pull request: files, summary, comment and every output', async () => {
    const r = sampleResults();
    const log = memoryLogger();
    const dir = join(files.dir, 'pr');
    const report = await publishResults(r, {
      resultsDir: dir,
      logger: log,
      comment: { token: PAT },
      env: env('pull_request', { number: 3, pull_request: { number: 3 } }),
    });
    server.assertClean();
    expect(report.summary).toBe('full');
    expect(report.comment.status).toBe('created');
    const url = (report.comment as { url: string }).url;
    expect(readOutputs(files.output)).toEqual({
      passed: 'false',
      'results-json': join(dir, 'results.json'),
      'results-markdown': join(dir, 'results.md'),
      'comment-url': url,
    });
    const runUrl = 'https://github.com/tungsten-e2e/demo/actions/runs/55/attempts/2';
    expect(readFileSync(files.summary, 'utf8')).toBe(`${renderMarkdown(r, { runUrl })}\n`);
    expect(readFileSync(join(dir, 'results.md'), 'utf8')).toBe(renderMarkdown(r, { runUrl }));
    expect(String(server.issueComments('tungsten-e2e', 'demo', 3)[0]!.body)).toContain(runUrl);
  });

  it('outside a pull request: no comment, a notice saying why, the other outputs as usual', async () => {
    const { result, stdout } = await captureStdout(() =>
      publishResults(passingResults(), {
        resultsDir: join(files.dir, 'push'),
        logger: memoryLogger(),
        comment: { token: PAT },
        env: env('push', {}),
      }),
    );
    expect(result.comment.status).toBe('skipped');
    expect(stdout).toContain(
      "::notice::tungsten-e2e: no PR comment: the event is 'push', not a pull request, and no pr-number was given.",
    );
    expect(server.requests).toEqual([]);
    const outputs = readOutputs(files.output);
    expect(outputs.passed).toBe('true');
    expect(outputs['comment-url']).toBeUndefined();
  });

  it('a failing comment API leaves the run’s verdict alone', async () => {
    server.faults.set('issues/create-comment', { status: 500 });
    const log = memoryLogger();
    const report = await publishResults(passingResults(), {
      resultsDir: join(files.dir, 'fail'),
      logger: log,
      comment: { token: PAT },
      env: env('pull_request', { number: 4, pull_request: { number: 4 } }),
    });
    server.assertClean();
    expect(report.comment.status).toBe('failed');
    expect(log.lines.some((l) => l.startsWith('warn:could not post the results comment'))).toBe(
      true,
    );
    const outputs = readOutputs(files.output);
    expect(outputs.passed).toBe('true');
    expect(outputs['comment-url']).toBeUndefined();
    expect(outputs['results-json']).toBe(join(files.dir, 'fail', 'results.json'));
  });

  it('negative control: a failed run publishes passed=false', async () => {
    const r: RunResults = sampleResults();
    const log = memoryLogger();
    const { stdout } = await captureStdout(() =>
      publishResults(r, {
        resultsDir: join(files.dir, 'red'),
        logger: log,
        comment: { enabled: false, token: PAT },
        env: env('pull_request', { number: 3, pull_request: { number: 3 } }),
      }),
    );
    expect(readOutputs(files.output).passed).toBe('false');
    // comment: false is the user's choice: logged, no notice, no API call
    expect(stdout).not.toContain('::notice::');
    expect(log.lines).toContain('info:No PR comment: comment is false.');
    expect(server.requests).toEqual([]);
  });
});
