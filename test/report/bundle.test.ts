/**
 * The report code, Octokit included, bundled the way scripts/build.mjs bundles
 * the entry points (esbuild, ESM, node platform), then run from the bundle
 * against the loopback API: until the action's main imports it, this is what
 * shows it survives bundling.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Outputs from '../../src/report/outputs.js';
import { memoryLogger } from '../../src/log.js';
import { tempDir } from '../helpers.js';
import { actionFiles, readOutputs } from './actionFiles.js';
import type { ActionFiles } from './actionFiles.js';
import { sampleResults } from './fixtures.js';
import { GitHubApiServer } from './githubApiServer.js';
import { GitHubOpenApi } from './githubOpenApi.js';

let outdir: string;
let files: ActionFiles;
let server: GitHubApiServer;

beforeAll(async () => {
  outdir = tempDir('te-report-bundle-');
  files = actionFiles();
  server = await GitHubApiServer.start(GitHubOpenApi.load());
  server.addToken('ghp_bundleTestToken', { kind: 'user', login: 'octo-dev' });
});
afterAll(async () => {
  await server.close();
  files.dispose();
  rmSync(outdir, { recursive: true, force: true });
});

describe('bundled report', () => {
  it('publishes files, summary, comment and outputs from an esbuild ESM bundle', async () => {
    await build({
      entryPoints: { report: 'src/report/outputs.ts' },
      outdir,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      banner: {
        js: "import { createRequire as __teCreateRequire } from 'node:module'; const require = __teCreateRequire(import.meta.url);",
      },
    });
    const bundled = (await import(pathToFileURL(join(outdir, 'report.js')).href)) as typeof Outputs;
    const event = join(outdir, 'event.json');
    writeFileSync(event, JSON.stringify({ number: 12, pull_request: { number: 12 } }));
    const report = await bundled.publishResults(sampleResults(), {
      resultsDir: join(outdir, 'results'),
      logger: memoryLogger(),
      comment: { token: 'ghp_bundleTestToken' },
      env: {
        GITHUB_REPOSITORY: 'tungsten-e2e/demo',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_API_URL: server.url,
      },
    });
    server.assertClean();
    expect(report.comment.status).toBe('created');
    expect(readOutputs(files.output)['comment-url']).toBe((report.comment as { url: string }).url);
    expect(readFileSync(files.summary, 'utf8')).toContain('tungsten-e2e failed (east, west)');
    expect(JSON.parse(readFileSync(report.files.json, 'utf8')).runId).toBe('te-20240501-abc123');
  });
});
