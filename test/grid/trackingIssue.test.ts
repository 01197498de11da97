/**
 * The nightly's tracking issue against the GitHub REST server that validates
 * every request and response against GitHub's OpenAPI description: opened
 * when a cell first turns red, updated (body and a comment) on the next red
 * night, never a second one; nothing when no cell turned red; our own issue
 * found among others' issues and pull requests; a refused token named.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aggregateCommand } from '../../src/commands/aggregate.js';
import { InfraError } from '../../src/errors.js';
import { TRACKING_MARKER } from '../../src/grid/trackingIssue.js';
import { memoryLogger } from '../../src/log.js';
import { tempDir } from '../helpers.js';
import { GitHubApiServer } from '../report/githubApiServer.js';
import { GitHubOpenApi } from '../report/githubOpenApi.js';
import { writeLeg, type LegSpec } from './legs.js';

const TOKEN = 'ghs_tracking0123456789';
const BOT = 'github-actions[bot]';
let api: GitHubOpenApi;
let server: GitHubApiServer;
const dirs: string[] = [];

beforeAll(async () => {
  api = GitHubOpenApi.load();
});
afterEach(async () => {
  server.assertClean();
  await server.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const GREEN: LegSpec = { name: 'tf-aws-azure', profile: 'tf-2018', providers: ['aws', 'azure'] };
const RED: LegSpec = {
  ...GREEN,
  failing: ['connectivity'],
  url: 'https://github.com/o/r/actions/runs/7',
};

async function night(legs: LegSpec[], previous?: string) {
  const root = tempDir('te-tracking-');
  dirs.push(root);
  const logger = memoryLogger();
  const result = await aggregateCommand(
    {
      dirs: legs.map((l) => writeLeg(root, l)),
      out: join(root, 'grid'),
      trackingIssue: true,
      ...(previous ? { previous } : {}),
      env: {
        GITHUB_TOKEN: TOKEN,
        GITHUB_REPOSITORY: 'tungsten-e2e/tungsten-e2e',
        GITHUB_API_URL: server.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '99',
      },
    },
    { logger, stdout: () => {} },
  );
  return { ...result, logger, gridJson: join(root, 'grid', 'grid.json') };
}

/** a copy of a night's grid.json that outlives that night's directory */
function keep(file: string): string {
  const dir = tempDir('te-tracking-prev-');
  dirs.push(dir);
  const copy = join(dir, 'grid.json');
  writeFileSync(copy, readFileSync(file, 'utf8'));
  return copy;
}

describe('the tracking issue', () => {
  it('opened when a cell first turns red, updated the next red night, never duplicated', async () => {
    server = await GitHubApiServer.start(api);
    server.addToken(TOKEN, { kind: 'app', botLogin: BOT });
    // others' issues and a pull request of ours with the marker are not it
    server.seedIssue('tungsten-e2e', 'tungsten-e2e', 'someone', {
      title: 'x',
      body: TRACKING_MARKER,
    });
    server.seedIssue('tungsten-e2e', 'tungsten-e2e', BOT, {
      title: 'pr',
      body: TRACKING_MARKER,
      pullRequest: true,
    });
    const green = await night([GREEN]);
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(green.logger.lines.join('\n')).toContain('tracking issue: no cell turned red');

    await night([RED], keep(green.gridJson));
    const created = server.requests.filter((r) => r.operationId === 'issues/create');
    expect(created).toHaveLength(1);
    const ours = server
      .issues('tungsten-e2e', 'tungsten-e2e')
      .filter((i) => i.title === 'Compatibility grid: cells turned red');
    expect(ours).toHaveLength(1);
    expect(String(ours[0]!.body)).toContain(TRACKING_MARKER);
    expect(String(ours[0]!.body)).toContain(
      '**tf-2018** × **aws + azure**: ❌ fail (newly red): connectivity',
    );
    expect(String(ours[0]!.body)).toContain(
      'https://github.com/tungsten-e2e/tungsten-e2e/actions/runs/99',
    );

    // green again, then red again: the same issue, updated, with a comment
    const back = await night([GREEN], keep(green.gridJson));
    const red2 = await night([RED], keep(back.gridJson));
    expect(red2.grid.cells[0]!.change).toBe('newly-red');
    expect(server.requests.filter((r) => r.operationId === 'issues/create')).toHaveLength(1);
    const updates = server.requests.filter((r) => r.operationId === 'issues/update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.path).toBe(
      `/repos/tungsten-e2e/tungsten-e2e/issues/${String(ours[0]!.number)}`,
    );
    const comments = server.issueComments('tungsten-e2e', 'tungsten-e2e', Number(ours[0]!.number));
    expect(comments).toHaveLength(1);
    expect(String(comments[0]!.body)).toContain('Newly red in the grid of');
  });

  it('a red cell that stays red is not reported again', async () => {
    server = await GitHubApiServer.start(api);
    server.addToken(TOKEN, { kind: 'app', botLogin: BOT });
    const first = await night([RED], '/nonexistent/grid.json');
    expect(server.requests.filter((r) => r.operationId === 'issues/create')).toHaveLength(1);
    await night([RED], keep(first.gridJson));
    expect(server.requests.filter((r) => r.method !== 'GET')).toHaveLength(1);
  });

  it('a token that may not write issues: exit 3 with the permission to grant', async () => {
    server = await GitHubApiServer.start(api);
    server.addToken(TOKEN, { kind: 'app', botLogin: BOT });
    server.faults.set('issues/create', { status: 403 });
    const error = await night([RED], '/nonexistent/grid.json').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).exitCode).toBe(3);
    expect((error as Error).message).toContain("the workflow's token needs 'issues: write'");
  });
});
