/**
 * A small GitHub REST server on 127.0.0.1 for the PR comment code: users,
 * issue comments (list with Link pagination, create, update), and for the
 * grid's tracking issue: issues (list by state and creator, create, update). Every request
 * and every response body it sends is validated against GitHub's published
 * OpenAPI description; violations are collected and fail the test.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitHubOpenApi } from './githubOpenApi.js';

type Json = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  operationId: string;
  body: unknown;
  authorization: string | undefined;
  userAgent: string | undefined;
}

export interface Fault {
  status: number;
  body?: Json;
  /** how many requests it applies to (default: all) */
  times?: number;
  /** delay before answering, ms */
  delayMs?: number;
}

/** An identity behind a token: a user (GET /user answers) or an app installation (GET /user is 403). */
export type Identity = { kind: 'user'; login: string } | { kind: 'app'; botLogin: string };

export class GitHubApiServer {
  readonly violations: string[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly faults = new Map<string, Fault>();
  /** a last change to response bodies, for the negative control */
  mutateResponse?: (operationId: string, body: unknown) => unknown;
  private readonly comments = new Map<string, Json[]>();
  private readonly issueList = new Map<string, Json[]>();
  private readonly tokens = new Map<string, Identity>();
  private nextId = 1_000_001;
  private clock = Date.parse('2024-05-01T12:00:00Z');
  url = '';

  private constructor(
    private readonly api: GitHubOpenApi,
    private readonly server: Server,
    /** path prefix of the API, e.g. "/api/v3" as on GitHub Enterprise Server */
    readonly prefix: string,
  ) {}

  static async start(api: GitHubOpenApi, prefix = ''): Promise<GitHubApiServer> {
    const server = createServer();
    const self = new GitHubApiServer(api, server, prefix);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void self.handle(req, res).catch((e: unknown) => {
        self.violations.push(`server error: ${String(e)}`);
        if (!res.headersSent) res.writeHead(599).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;
    return self;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addToken(token: string, identity: Identity): void {
    this.tokens.set(token, identity);
  }

  /** Comments already on an issue, as GitHub would list them. */
  issueComments(owner: string, repo: string, issue: number): Json[] {
    return this.comments.get(`${owner}/${repo}#${issue}`) ?? [];
  }

  seedComment(owner: string, repo: string, issue: number, login: string, body: string): Json {
    const c = this.newComment(owner, repo, issue, login, body);
    this.comments.set(`${owner}/${repo}#${issue}`, [...this.issueComments(owner, repo, issue), c]);
    return c;
  }

  /** Issues of a repository, as GitHub would list them (newest first). */
  issues(owner: string, repo: string): Json[] {
    return this.issueList.get(`${owner}/${repo}`) ?? [];
  }

  seedIssue(
    owner: string,
    repo: string,
    login: string,
    fields: { title: string; body: string; state?: string; pullRequest?: boolean },
  ): Json {
    const issue = this.newIssue(owner, repo, login, fields.title, fields.body);
    if (fields.state) issue.state = fields.state;
    if (fields.pullRequest) {
      issue.pull_request = {
        url: `${this.url}/repos/${owner}/${repo}/pulls/${String(issue.number)}`,
        html_url: `https://github.com/${owner}/${repo}/pull/${String(issue.number)}`,
        diff_url: null,
        patch_url: null,
      };
    }
    return issue;
  }

  private newIssue(owner: string, repo: string, login: string, title: string, body: string): Json {
    const example = structuredClone(
      (this.api.components.examples as Record<string, { value: Json }>)['issue']!.value,
    );
    const key = `${owner}/${repo}`;
    const number = (this.issueList.get(key)?.length ?? 0) + 1;
    const id = this.nextId++;
    const at = this.now();
    const { pull_request: _pr, ...rest } = example;
    const issue: Json = {
      ...rest,
      id,
      node_id: Buffer.from(`Issue${id}`).toString('base64'),
      number,
      title,
      body,
      state: 'open',
      url: `${this.url}/repos/${key}/issues/${number}`,
      html_url: `https://github.com/${key}/issues/${number}`,
      user: { ...(example.user as Json), login, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
      labels: [],
      assignee: null,
      assignees: [],
      milestone: null,
      comments: 0,
      created_at: at,
      updated_at: at,
      closed_at: null,
      closed_by: null,
    };
    this.issueList.set(key, [issue, ...(this.issueList.get(key) ?? [])]);
    return issue;
  }

  /** Throws with every violation seen; call at the end of each test. */
  assertClean(): void {
    if (this.violations.length) {
      throw new Error(`GitHub API contract violations:\n${this.violations.join('\n')}`);
    }
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** A comment built from the description's own example, with our values. */
  private newComment(
    owner: string,
    repo: string,
    issue: number,
    login: string,
    body: string,
  ): Json {
    const example = structuredClone(
      (this.api.components.examples as Record<string, { value: Json }>)['issue-comment']!.value,
    );
    const id = this.nextId++;
    const user = example.user as Json;
    const at = this.now();
    return {
      ...example,
      id,
      node_id: Buffer.from(`IssueComment${id}`).toString('base64'),
      url: `${this.url}/repos/${owner}/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      issue_url: `${this.url}/repos/${owner}/${repo}/issues/${issue}`,
      body,
      user: {
        ...user,
        login,
        id: 40_000_000 + ((login.length * 7919) % 1_000_000),
        type: login.endsWith('[bot]') ? 'Bot' : 'User',
        html_url: `https://github.com/${login.replace(/\[bot\]$/, '')}`,
      },
      created_at: at,
      updated_at: at,
      author_association: login.endsWith('[bot]') ? 'NONE' : 'MEMBER',
    };
  }

  private userJson(login: string): Json {
    const example = structuredClone(
      (this.api.components.examples as Record<string, { value: Json }>)[
        'private-user-response-with-public-and-private-profile-information'
      ]!.value,
    );
    return { ...example, login, html_url: `https://github.com/${login}` };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    let body: unknown;
    if (raw.length) {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        this.violations.push(
          `${req.method} ${url.pathname}: body sent without a JSON content type`,
        );
      }
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${req.method} ${url.pathname}: request body is not JSON`);
      }
    }
    if (!url.pathname.startsWith(this.prefix)) {
      this.violations.push(`${req.method} ${url.pathname}: outside the API prefix ${this.prefix}`);
      return send(res, 404, { message: 'Not Found' });
    }
    const path = url.pathname.slice(this.prefix.length) || '/';
    const matched = this.api.match(req.method ?? 'GET', path);
    if (!matched) {
      this.violations.push(`${req.method} ${path}: no such operation in GitHub's description`);
      return send(res, 404, { message: 'Not Found' });
    }
    const { operationId, pathParams } = matched;
    this.requests.push({
      method: req.method ?? '',
      path,
      query: url.search,
      operationId,
      body,
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
    });
    for (const v of this.api.validateRequest(operationId, pathParams, url.searchParams, body)) {
      this.violations.push(`${req.method} ${path} (${operationId}) request: ${v}`);
    }
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      const out = this.mutateResponse ? this.mutateResponse(operationId, json) : json;
      for (const v of this.api.validateResponse(operationId, status, out)) {
        this.violations.push(`${req.method} ${path} (${operationId}) response: ${v}`);
      }
      send(res, status, out, headers);
    };

    const fault = this.faults.get(operationId);
    if (fault && (fault.times === undefined || fault.times > 0)) {
      if (fault.times !== undefined) fault.times--;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (res.destroyed) return;
      return reply(fault.status, fault.body ?? errorBody(fault.status, operationId));
    }

    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const who = token ? this.tokens.get(token) : undefined;
    if (!who) return reply(401, errorBody(401, operationId));

    const key = `${pathParams.owner}/${pathParams.repo}#${pathParams.issue_number}`;
    switch (operationId) {
      case 'users/get-authenticated':
        if (who.kind === 'app') return reply(403, errorBody(403, operationId));
        return reply(200, this.userJson(who.login));
      case 'issues/list-comments': {
        const all = this.comments.get(key) ?? [];
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
        const page = Number(url.searchParams.get('page') ?? 1);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = (p: number, rel: string) => {
          const u = new URL(`${this.url}${path}`);
          u.searchParams.set('per_page', String(perPage));
          u.searchParams.set('page', String(p));
          return `<${u.href}>; rel="${rel}"`;
        };
        const links = [
          ...(page > 1 ? [link(page - 1, 'prev'), link(1, 'first')] : []),
          ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
        ];
        return reply(
          200,
          all.slice((page - 1) * perPage, page * perPage),
          links.length ? { link: links.join(', ') } : {},
        );
      }
      case 'issues/create-comment': {
        const login = who.kind === 'user' ? who.login : who.botLogin;
        const c = this.newComment(
          pathParams.owner!,
          pathParams.repo!,
          Number(pathParams.issue_number),
          login,
          String((body as Json | undefined)?.body ?? ''),
        );
        this.comments.set(key, [...(this.comments.get(key) ?? []), c]);
        return reply(201, c, { location: String(c.url) });
      }
      case 'issues/update-comment': {
        const id = Number(pathParams.comment_id);
        const c = [...this.comments.values()].flat().find((x) => x.id === id);
        if (!c) return reply(404, errorBody(404, operationId));
        const login = who.kind === 'user' ? who.login : who.botLogin;
        if ((c.user as Json).login !== login) return reply(403, errorBody(403, operationId));
        c.body = String((body as Json | undefined)?.body ?? '');
        c.updated_at = this.now();
        return reply(200, c);
      }
      case 'issues/list-for-repo': {
        const state = url.searchParams.get('state') ?? 'open';
        const creator = url.searchParams.get('creator');
        const all = this.issues(pathParams.owner!, pathParams.repo!).filter(
          (i) =>
            (state === 'all' || i.state === state) &&
            (!creator || (i.user as Json).login === creator),
        );
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
        const page = Number(url.searchParams.get('page') ?? 1);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const u = new URL(`${this.url}${path}${url.search}`);
        u.searchParams.set('page', String(page + 1));
        return reply(
          200,
          all.slice((page - 1) * perPage, page * perPage),
          page < last ? { link: `<${u.href}>; rel="next"` } : {},
        );
      }
      case 'issues/create': {
        const login = who.kind === 'user' ? who.login : who.botLogin;
        const b = (body ?? {}) as Json;
        const issue = this.newIssue(
          pathParams.owner!,
          pathParams.repo!,
          login,
          String(b.title ?? ''),
          String(b.body ?? ''),
        );
        return reply(201, issue, { location: String(issue.url) });
      }
      case 'issues/update': {
        const issue = this.issues(pathParams.owner!, pathParams.repo!).find(
          (i) => i.number === Number(pathParams.issue_number),
        );
        if (!issue) return reply(404, errorBody(404, operationId));
        const b = (body ?? {}) as Json;
        for (const f of ['title', 'body', 'state'] as const) if (f in b) issue[f] = b[f];
        issue.updated_at = this.now();
        return reply(200, issue);
      }
      default:
        this.violations.push(`${operationId} is not served here`);
        return reply(404, errorBody(404, operationId));
    }
  }
}

const MESSAGES: Record<number, string> = {
  401: 'Bad credentials',
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  500: 'Server Error',
};

function errorBody(status: number, operationId: string): Json {
  return {
    message: MESSAGES[status] ?? `HTTP ${status}`,
    documentation_url: `https://docs.github.com/rest#${operationId.replace('/', '-')}`,
    status: String(status),
  };
}

function send(
  res: ServerResponse,
  status: number,
  json: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(json);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-github-media-type': 'github.v3; format=json',
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
