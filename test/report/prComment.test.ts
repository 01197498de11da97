import { rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import type { RunResults } from '../../src/report/model.js';
import {
  commentMarker,
  GITHUB_ACTIONS_BOT,
  MAX_COMMENT_CHARS,
  postResultsComment,
  proxyFor,
  renderCommentBody,
  upsertPrComment,
} from '../../src/report/prComment.js';
import { tempDir } from '../helpers.js';
import { check, passingResults, sampleResults } from './fixtures.js';
import { GitHubApiServer } from './githubApiServer.js';
import { GitHubOpenApi } from './githubOpenApi.js';

const OWNER = 'tungsten-e2e';
const REPO = 'demo';
const PR = 42;
const PAT = 'ghp_testUserToken0123456789abcdefABCDEF';
const APP_TOKEN = 'ghs_testInstallationToken0123456789abcdef';
const USER = 'octo-dev';

let api: GitHubOpenApi;
let server: GitHubApiServer;
let dir: string;

beforeAll(() => {
  api = GitHubOpenApi.load();
  dir = tempDir('te-prcomment-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  server = await GitHubApiServer.start(api);
  server.addToken(PAT, { kind: 'user', login: USER });
  server.addToken(APP_TOKEN, { kind: 'app', botLogin: GITHUB_ACTIONS_BOT });
});
afterEach(async () => {
  await server.close();
});

/** The runner's environment for an event, with its payload in a real event file. */
function actionsEnv(
  event: string,
  payload: object,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const path = join(dir, `event-${event}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return {
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: path,
    GITHUB_API_URL: server.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '987654',
    GITHUB_RUN_ATTEMPT: '1',
    ...extra,
  };
}

const prEnv = () => actionsEnv('pull_request', { number: PR, pull_request: { number: PR } });

function withSites(r: RunResults, names: string[]): RunResults {
  r.sites = names.map((name, i) => ({ ...r.sites[i % r.sites.length]!, name }));
  return r;
}

const ours = () => server.issueComments(OWNER, REPO, PR);

describe('PR comment', () => {
  it('creates the comment with the marker and the results, and returns its URL', async () => {
    const log = memoryLogger();
    const out = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: log,
      env: prEnv(),
    });
    server.assertClean();
    expect(out.status).toBe('created');
    const comments = ours();
    expect(comments).toHaveLength(1);
    const body = String(comments[0]!.body);
    expect(
      body.startsWith(
        '<!-- tungsten-e2e:sites=east,west profile=tf-2018 -->\n## ❌ tungsten-e2e failed (east, west)',
      ),
    ).toBe(true);
    expect(body).toContain(
      '[job summary](https://github.com/tungsten-e2e/demo/actions/runs/987654)',
    );
    expect(out).toMatchObject({ url: comments[0]!.html_url, id: comments[0]!.id });
    expect(server.requests.map((r) => r.operationId)).toEqual([
      'users/get-authenticated',
      'issues/list-comments',
      'issues/create-comment',
    ]);
    expect(server.requests[0]!.authorization).toBe(`token ${PAT}`);
    expect(server.requests[0]!.userAgent).toMatch(/^tungsten-e2e\//);
    expect(log.lines).toContain(
      `info:Posted the results comment on ${OWNER}/${REPO}#${PR}: ${out.status === 'created' ? out.url : ''}`,
    );
  });

  it('updates the same comment in place on a re-run', async () => {
    const log = memoryLogger();
    const first = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: log,
      env: prEnv(),
    });
    const second = await postResultsComment(passingResults(), {
      token: PAT,
      logger: log,
      env: prEnv(),
    });
    server.assertClean();
    expect(first.status).toBe('created');
    expect(second.status).toBe('updated');
    expect(ours()).toHaveLength(1);
    expect(second).toMatchObject({
      id: (first as { id: number }).id,
      url: (first as { url: string }).url,
    });
    expect(String(ours()[0]!.body)).toContain('## ✅ tungsten-e2e passed (east, west)');
    const patch = server.requests.find((r) => r.operationId === 'issues/update-comment')!;
    expect(patch.path).toBe(
      `/repos/${OWNER}/${REPO}/issues/comments/${(first as { id: number }).id}`,
    );
  });

  it('keeps one comment per site set: two matrix legs, two comments', async () => {
    const log = memoryLogger();
    const legA = () => withSites(sampleResults(), ['east', 'west']);
    const legB = () => withSites(passingResults(), ['north', 'south']);
    await postResultsComment(legA(), { token: PAT, logger: log, env: prEnv() });
    await postResultsComment(legB(), { token: PAT, logger: log, env: prEnv() });
    expect(ours()).toHaveLength(2);
    const again = await postResultsComment(legB(), { token: PAT, logger: log, env: prEnv() });
    server.assertClean();
    expect(again.status).toBe('updated');
    expect(ours()).toHaveLength(2);
    expect(String(ours()[0]!.body)).toContain(commentMarker(['west', 'east'], 'tf-2018'));
    expect(String(ours()[0]!.body)).toContain('tungsten-e2e failed');
    expect(String(ours()[1]!.body)).toContain(
      '<!-- tungsten-e2e:sites=north,south profile=tf-2018 -->',
    );
  });

  it('keeps one comment per profile: the same sites under two profiles, two comments; a re-run updates its own', async () => {
    const log = memoryLogger();
    const withProfile = (r: RunResults, profile: string) => ({ ...r, profile });
    const tf = () => withProfile(sampleResults(), 'tf-2018');
    const opensdn = () => withProfile(sampleResults(), 'opensdn-24');
    const a = await postResultsComment(tf(), { token: PAT, logger: log, env: prEnv() });
    const b = await postResultsComment(opensdn(), { token: PAT, logger: log, env: prEnv() });
    expect([a.status, b.status]).toEqual(['created', 'created']);
    expect(ours()).toHaveLength(2);
    const again = await postResultsComment(withProfile(passingResults(), 'opensdn-24'), {
      token: PAT,
      logger: log,
      env: prEnv(),
    });
    server.assertClean();
    expect(again).toMatchObject({ status: 'updated', id: (b as { id: number }).id });
    expect(ours()).toHaveLength(2);
    const [first, second] = ours().map((c) => String(c.body));
    expect(first!.startsWith(commentMarker(['east', 'west'], 'tf-2018'))).toBe(true);
    expect(first).toContain('tungsten-e2e failed');
    expect(second!.startsWith(commentMarker(['east', 'west'], 'opensdn-24'))).toBe(true);
    expect(second).toContain('tungsten-e2e passed');
  });

  it('takes over the comment of an earlier version (marker without the profile) once', async () => {
    const old = server.seedComment(
      OWNER,
      REPO,
      PR,
      USER,
      '<!-- tungsten-e2e:sites=east,west -->\nresults of an earlier version',
    );
    const log = memoryLogger();
    const tf = await postResultsComment(sampleResults(), { token: PAT, logger: log, env: prEnv() });
    const other = await postResultsComment(
      { ...sampleResults(), profile: 'opensdn-24' },
      { token: PAT, logger: log, env: prEnv() },
    );
    server.assertClean();
    expect(tf).toMatchObject({ status: 'updated', id: old.id });
    expect(String(ours()[0]!.body).startsWith(commentMarker(['east', 'west'], 'tf-2018'))).toBe(
      true,
    );
    expect(other.status).toBe('created');
    expect(ours()).toHaveLength(2);
  });

  it('finds its comment on the second page of a long discussion', async () => {
    for (let i = 0; i < 100; i++)
      server.seedComment(OWNER, REPO, PR, `reviewer-${i % 3}`, `comment ${i}`);
    const mine = server.seedComment(
      OWNER,
      REPO,
      PR,
      USER,
      `${commentMarker(['east', 'west'], 'tf-2018')}\nold results`,
    );
    const out = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: memoryLogger(),
      env: prEnv(),
    });
    server.assertClean();
    expect(out).toMatchObject({ status: 'updated', id: mine.id });
    expect(ours()).toHaveLength(101);
    const lists = server.requests.filter((r) => r.operationId === 'issues/list-comments');
    expect(lists.map((r) => new URLSearchParams(r.query).get('page') ?? '1')).toEqual(['1', '2']);
    expect(new URLSearchParams(lists[0]!.query).get('per_page')).toBe('100');
  });

  it('leaves another author’s comment with the same marker alone', async () => {
    const marker = commentMarker(['east', 'west'], 'tf-2018');
    const theirs = server.seedComment(OWNER, REPO, PR, 'someone-else', `${marker}\ncopied results`);
    const before = structuredClone(theirs);
    const out = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: memoryLogger(),
      env: prEnv(),
    });
    server.assertClean();
    expect(out.status).toBe('created');
    expect(ours()).toHaveLength(2);
    expect(ours()[0]).toEqual(before);
    expect(server.requests.some((r) => r.operationId === 'issues/update-comment')).toBe(false);
  });

  it('with the GITHUB_TOKEN (GET /user is 403 for app tokens) takes github-actions[bot]’s comment as its own', async () => {
    const marker = commentMarker(['east', 'west'], 'tf-2018');
    const human = server.seedComment(OWNER, REPO, PR, USER, `${marker}\npasted by a person`);
    const bot = server.seedComment(OWNER, REPO, PR, GITHUB_ACTIONS_BOT, `${marker}\nlast run`);
    const log = memoryLogger();
    const out = await postResultsComment(sampleResults(), {
      token: APP_TOKEN,
      logger: log,
      env: prEnv(),
    });
    server.assertClean();
    expect(server.requests[0]).toMatchObject({ operationId: 'users/get-authenticated' });
    expect(out).toMatchObject({ status: 'updated', id: bot.id });
    expect(ours()[0]!.body).toBe(human.body);
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toEqual([]);
  });

  it('with the GITHUB_TOKEN and no earlier comment, creates one as the bot', async () => {
    const out = await postResultsComment(sampleResults(), {
      token: APP_TOKEN,
      logger: memoryLogger(),
      env: prEnv(),
    });
    server.assertClean();
    expect(out.status).toBe('created');
    expect((ours()[0]!.user as { login: string }).login).toBe(GITHUB_ACTIONS_BOT);
  });

  it('a failing API (500 listing comments) is a warning, not an exception', async () => {
    server.faults.set('issues/list-comments', { status: 500 });
    const log = memoryLogger();
    const out = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: log,
      env: prEnv(),
    });
    server.assertClean();
    expect(out.status).toBe('failed');
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toEqual([
      `warn:could not post the results comment on ${OWNER}/${REPO}#${PR}: HTTP 500: Server Error - https://docs.github.com/rest#issues-list-comments`,
    ]);
    expect(ours()).toHaveLength(0);
  });

  it('a forbidden create (read-only token from a fork) is a warning that names the permission', async () => {
    server.faults.set('issues/create-comment', { status: 403 });
    const log = memoryLogger();
    const out = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: log,
      env: prEnv(),
    });
    server.assertClean();
    expect(out.status).toBe('failed');
    const warning = log.lines.find((l) => l.startsWith('warn:'))!;
    expect(warning).toContain('HTTP 403: Resource not accessible by integration');
    expect(warning).toContain("'pull-requests: write'");
  });

  it('a bad token (401) is a warning too', async () => {
    const log = memoryLogger();
    const out = await postResultsComment(sampleResults(), {
      token: 'ghp_wrong',
      logger: log,
      env: prEnv(),
    });
    server.assertClean();
    expect(out.status).toBe('failed');
    expect(log.lines.find((l) => l.startsWith('warn:'))).toContain('HTTP 401: Bad credentials');
  });

  it('an API that does not answer in time, or is not there, is a warning', async () => {
    server.faults.set('users/get-authenticated', { status: 200, delayMs: 2_000 });
    const log = memoryLogger();
    const slow = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: log,
      env: prEnv(),
      timeoutMs: 200,
    });
    expect(slow.status).toBe('failed');
    const env = prEnv();
    await server.close();
    const gone = await postResultsComment(sampleResults(), { token: PAT, logger: log, env });
    expect(gone.status).toBe('failed');
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toHaveLength(2);
    server = await GitHubApiServer.start(api); // for afterEach
  });

  it('is skipped, touching nothing, when the event is not a pull request', async () => {
    const out = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: memoryLogger(),
      env: actionsEnv('push', { ref: 'refs/heads/main' }),
    });
    expect(out).toEqual({
      status: 'skipped',
      reason: "the event is 'push', not a pull request, and no pr-number was given",
    });
    expect(server.requests).toEqual([]);
  });

  it('is skipped when comment is false or there is no token', async () => {
    const off = await postResultsComment(sampleResults(), {
      token: PAT,
      enabled: false,
      logger: memoryLogger(),
      env: prEnv(),
    });
    const noToken = await postResultsComment(sampleResults(), {
      token: '',
      logger: memoryLogger(),
      env: prEnv(),
    });
    expect([off.status, noToken.status]).toEqual(['skipped', 'skipped']);
    expect(server.requests).toEqual([]);
  });

  it('posts on the pr-number given for an event that is not a pull request', async () => {
    const out = await postResultsComment(sampleResults(), {
      token: PAT,
      prNumber: 7,
      logger: memoryLogger(),
      env: actionsEnv('workflow_dispatch', {}),
    });
    server.assertClean();
    expect(out.status).toBe('created');
    expect(server.issueComments(OWNER, REPO, 7)).toHaveLength(1);
  });

  it('finds the PR of pull_request_target and of an issue comment on a PR', async () => {
    const log = memoryLogger();
    await postResultsComment(sampleResults(), {
      token: PAT,
      logger: log,
      env: actionsEnv('pull_request_target', { number: 5, pull_request: { number: 5 } }),
    });
    await postResultsComment(sampleResults(), {
      token: PAT,
      logger: log,
      env: actionsEnv('issue_comment', { issue: { number: 6, pull_request: { url: 'x' } } }),
    });
    const onIssue = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: log,
      env: actionsEnv('issue_comment', { issue: { number: 8 } }),
    });
    server.assertClean();
    expect(server.issueComments(OWNER, REPO, 5)).toHaveLength(1);
    expect(server.issueComments(OWNER, REPO, 6)).toHaveLength(1);
    expect(onIssue.status).toBe('skipped');
  });

  it('picks the proxy per URL: HTTPS_PROXY for https, HTTP_PROXY for http, NO_PROXY hosts and suffixes direct', () => {
    const env = {
      HTTPS_PROXY: 'http://proxy:3128',
      http_proxy: 'http://plain:8080',
      NO_PROXY: 'internal.example, .corp.example:443',
    };
    expect(proxyFor(new URL('https://api.github.com/user'), env)).toBe('http://proxy:3128');
    expect(proxyFor(new URL('http://ghe.local/api/v3'), env)).toBe('http://plain:8080');
    expect(proxyFor(new URL('https://internal.example/x'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://ghe.corp.example/api'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://notcorp.example/api'), env)).toBe('http://proxy:3128');
    expect(proxyFor(new URL('https://api.github.com/'), { ...env, NO_PROXY: '*' })).toBeUndefined();
    expect(proxyFor(new URL('https://api.github.com/'), {})).toBeUndefined();
  });

  it("goes through the runner's proxy when one is set, and around it for NO_PROXY hosts", async () => {
    // a forwarding HTTP proxy, as on a self-hosted runner behind one: it sees each request's absolute URL
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const target = new URL(req.url!);
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    // undici tunnels through a proxy with CONNECT, also to http URLs
    proxy.on('connect', (req, client, head) => {
      seen.push(`CONNECT ${req.url}`);
      const [host, port] = req.url!.split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const out = await postResultsComment(sampleResults(), {
        token: PAT,
        logger: memoryLogger(),
        env: { ...prEnv(), HTTP_PROXY: proxyUrl },
      });
      expect(out.status).toBe('created');
      const api = new URL(server.url);
      // every request of the comment went through the tunnel to the API's host
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(new Set(seen)).toEqual(new Set([`CONNECT ${api.host}`]));
      expect(server.requests.map((r) => r.operationId)).toContain('issues/create-comment');
      // the API's host in NO_PROXY: straight there, the proxy sees nothing
      seen.length = 0;
      const direct = await postResultsComment(sampleResults(), {
        token: PAT,
        logger: memoryLogger(),
        env: { ...prEnv(), HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' },
      });
      expect(direct.status).toBe('updated');
      expect(seen).toEqual([]);
      // the control: a proxy that is not there makes the comment fail (a warning), so the proxy is used
      const dead = await postResultsComment(sampleResults(), {
        token: PAT,
        logger: memoryLogger(),
        env: { ...prEnv(), HTTP_PROXY: 'http://127.0.0.1:9' },
        timeoutMs: 2_000,
      });
      expect(dead.status).toBe('failed');
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('uses GITHUB_API_URL as the base, path included (GitHub Enterprise Server)', async () => {
    await server.close();
    server = await GitHubApiServer.start(api, '/api/v3');
    server.addToken(PAT, { kind: 'user', login: USER });
    const out = await postResultsComment(sampleResults(), {
      token: PAT,
      logger: memoryLogger(),
      env: prEnv(),
    });
    server.assertClean();
    expect(out.status).toBe('created');
    expect(server.url).toMatch(/\/api\/v3$/);
  });

  it('fits GitHub’s comment size limit however many checks failed', async () => {
    const r = sampleResults();
    r.checks = Array.from({ length: 600 }, (_, i) =>
      check(`east/tenant-a/c${i % 20}`, `west/tenant-b/s${Math.floor(i / 20)}`, {
        expected: 'deny',
        status: 'fail',
        detail: 'y'.repeat(280),
      }),
    );
    r.totals = { pass: 0, fail: 600, flaky: 0, error: 0, reprobed: 0 };
    const body = renderCommentBody(r);
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body.startsWith(commentMarker(['east', 'west'], 'tf-2018'))).toBe(true);
    expect(body).not.toContain('from \\ to'); // the brief variant: no truth tables
    expect(body).toContain('… and 570 more not shown here.');
    const out = await postResultsComment(r, { token: PAT, logger: memoryLogger(), env: prEnv() });
    server.assertClean();
    expect(out.status).toBe('created');
  });

  it('puts the marker first when a caller’s body lacks it', async () => {
    const out = await upsertPrComment({
      token: PAT,
      target: { owner: OWNER, repo: REPO, issueNumber: PR },
      sites: ['b', 'a'],
      profile: 'opensdn-24',
      body: 'hello',
      logger: memoryLogger(),
      apiUrl: server.url,
    });
    server.assertClean();
    expect(out.status).toBe('created');
    expect(ours()[0]!.body).toBe('<!-- tungsten-e2e:sites=a,b profile=opensdn-24 -->\nhello');
  });
});

describe('the GitHub API double is held to the published description', () => {
  it('negative control: a response that breaks the schema fails the test', async () => {
    server.mutateResponse = (operationId, body) => {
      if (operationId !== 'issues/create-comment') return body;
      const { html_url: _dropped, ...rest } = body as Record<string, unknown>;
      return { ...rest, id: 'not-a-number' };
    };
    await postResultsComment(sampleResults(), { token: PAT, logger: memoryLogger(), env: prEnv() });
    expect(() => server.assertClean()).toThrow(
      /create-comment\) response: 201 body must have required property 'html_url'/,
    );
    expect(server.violations.join('\n')).toMatch(/201 body\/id must be integer/);
  });

  it('negative control: a request body that breaks the schema is caught', () => {
    expect(
      api.validateRequest(
        'issues/create-comment',
        { owner: OWNER, repo: REPO, issue_number: '1' },
        new URLSearchParams(),
        { text: 'x' },
      ),
    ).toEqual([`request body must have required property 'body' {"missingProperty":"body"}`]);
    expect(
      api.validateRequest(
        'issues/list-comments',
        { owner: OWNER, repo: REPO, issue_number: 'one' },
        new URLSearchParams('perpage=5'),
        undefined,
      ),
    ).toEqual([
      'path parameter issue_number must be integer {"type":"integer"}',
      'query parameter perpage is not in the description',
    ]);
  });

  it('negative control: a call the description does not have is caught', async () => {
    const res = await fetch(`${server.url}/repos/${OWNER}/${REPO}/issues/${PR}/commentz`, {
      headers: { authorization: `token ${PAT}` },
    });
    expect(res.status).toBe(404);
    expect(() => server.assertClean()).toThrow(/no such operation/);
  });
});
