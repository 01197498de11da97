/**
 * One sticky results comment per pull request, site set and profile. It is
 * found again by a hidden marker naming the sites and the profile (so matrix
 * legs with different sites, or the same sites under different profiles,
 * keep their own comments) and by its author being this token's user; it is
 * updated in place on re-runs and created otherwise. A comment with the
 * marker of earlier versions (sites only) is taken over when there is no
 * comment with the new one. A failing API is a warning: the comment never
 * fails a run.
 */
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import type { ProxyAgent } from 'undici';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import { apiUrlFromEnv, commentTargetFromEnv, runUrlFromEnv } from './githubContext.js';
import type { CommentTarget } from './githubContext.js';
import { renderMarkdown } from './markdown.js';
import type { RunResults } from './model.js';

/**
 * GET /user answers 403 "Resource not accessible by integration" to GitHub App
 * installation tokens, and the workflow's GITHUB_TOKEN is one: the comments it
 * writes are authored by the GitHub Actions app's bot user.
 */
export const GITHUB_ACTIONS_BOT = 'github-actions[bot]';

/** GitHub refuses comment bodies longer than this. */
export const MAX_COMMENT_CHARS = 65_536;

export type CommentResult =
  | { status: 'created' | 'updated'; url: string; id: number }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

const markerWord = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * The hidden marker: `<!-- tungsten-e2e:sites=east,west profile=tf-2018 -->`
 * (site names sorted). Without a profile, the marker of earlier versions.
 */
export function commentMarker(sites: readonly string[], profile?: string): string {
  const names = [...new Set(sites.map(markerWord))].sort();
  return `<!-- tungsten-e2e:sites=${names.join(',')}${profile ? ` profile=${markerWord(profile)}` : ''} -->`;
}

/**
 * The comment's body: the marker, then the results in the `comment` variant,
 * or the `brief` one when that is too long, cut at the limit as a last resort.
 */
export function renderCommentBody(
  results: RunResults,
  options: { sites?: readonly string[]; runUrl?: string } = {},
): string {
  const marker = commentMarker(options.sites ?? results.sites.map((s) => s.name), results.profile);
  for (const variant of ['comment', 'brief'] as const) {
    const body = `${marker}\n${renderMarkdown(results, { variant, ...(options.runUrl ? { runUrl: options.runUrl } : {}) })}`;
    if (body.length <= MAX_COMMENT_CHARS) return body;
  }
  const note =
    '\n\n… cut here: the results are longer than a comment may be; see the job summary.\n';
  const brief = renderMarkdown(results, { variant: 'brief' });
  return `${marker}\n${brief.slice(0, MAX_COMMENT_CHARS - marker.length - 1 - note.length)}${note}`;
}

export interface UpsertCommentOptions {
  token: string;
  target: CommentTarget;
  /** the site set the marker names */
  sites: readonly string[];
  /** the version profile the marker names */
  profile: string;
  /** the body (see {@link renderCommentBody}); the marker is put first when it is missing */
  body: string;
  logger: Logger;
  /** REST base URL; default https://api.github.com (GitHub Enterprise Server: GITHUB_API_URL) */
  apiUrl?: string;
  /** whose comments count as ours when the token cannot call GET /user; default github-actions[bot] */
  appLogin?: string;
  /** per request; default 30 s */
  timeoutMs?: number;
  /** where HTTP(S)_PROXY and NO_PROXY are read (the runner's proxy settings); default none */
  proxyEnv?: NodeJS.ProcessEnv;
}

/**
 * The runner's proxy for a URL, as the toolkit's clients honour it:
 * HTTPS_PROXY for https URLs, HTTP_PROXY for http (upper or lower case), none
 * for a host NO_PROXY names (a host, a `.domain` suffix, or `*`).
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const proxy =
    url.protocol === 'https:'
      ? env.HTTPS_PROXY || env.https_proxy
      : env.HTTP_PROXY || env.http_proxy;
  if (!proxy) return undefined;
  const host = url.hostname.toLowerCase();
  const bypass = (env.NO_PROXY || env.no_proxy || '')
    .split(',')
    .map((e) => e.trim().toLowerCase().replace(/:\d+$/, ''))
    .filter((e) => e !== '');
  const skip = bypass.some(
    (e) =>
      e === '*' || host === e.replace(/^\./, '') || host.endsWith(e.startsWith('.') ? e : `.${e}`),
  );
  return skip ? undefined : proxy;
}

const GitHub = Octokit.plugin(paginateRest);
export type GitHubClient = InstanceType<typeof GitHub>;

/** What a client is made with: the token, where the API is, and the runner's proxy settings. */
export type GitHubClientOptions = Pick<
  UpsertCommentOptions,
  'token' | 'logger' | 'apiUrl' | 'timeoutMs' | 'proxyEnv' | 'appLogin'
>;

/** Update our marked comment on the PR, or create it. Never throws: failures come back as `failed`. */
export async function upsertPrComment(o: UpsertCommentOptions): Promise<CommentResult> {
  const { owner, repo, issueNumber } = o.target;
  const where = `${owner}/${repo}#${issueNumber}`;
  const marker = commentMarker(o.sites, o.profile);
  const body = o.body.includes(marker) ? o.body : `${marker}\n${o.body}`;
  const octokit = githubClient(o);
  try {
    const login = await tokenLogin(octokit, o);
    const existing = await findComment(octokit, o.target, marker, commentMarker(o.sites), login);
    if (existing) {
      const { data } = await octokit.request(
        'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
        { owner, repo, comment_id: existing, body },
      );
      o.logger.info(`Updated the results comment on ${where}: ${data.html_url}`);
      return { status: 'updated', url: data.html_url, id: Number(data.id) };
    }
    const { data } = await octokit.request(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { owner, repo, issue_number: issueNumber, body },
    );
    o.logger.info(`Posted the results comment on ${where}: ${data.html_url}`);
    return { status: 'created', url: data.html_url, id: Number(data.id) };
  } catch (e) {
    const reason = `could not post the results comment on ${where}: ${describe(e)}`;
    o.logger.warn(reason);
    return { status: 'failed', reason };
  }
}

/** A REST client as the toolkit's: our user agent, a timeout per request, the runner's proxy. */
export function githubClient(o: GitHubClientOptions): GitHubClient {
  const timeoutMs = o.timeoutMs ?? 30_000;
  // undici (for its ProxyAgent) is loaded only when a proxy is set
  const agents = new Map<string, { agent: ProxyAgent; fetch: typeof fetch }>();
  const viaProxy = async (url: string | URL | Request) => {
    const proxy = o.proxyEnv
      ? proxyFor(new URL(url instanceof Request ? url.url : url), o.proxyEnv)
      : undefined;
    if (!proxy) return undefined;
    if (!agents.has(proxy)) {
      const undici = await import('undici');
      agents.set(proxy, {
        agent: new undici.ProxyAgent(proxy),
        fetch: undici.fetch as unknown as typeof fetch,
      });
    }
    return agents.get(proxy);
  };
  return new GitHub({
    auth: o.token,
    baseUrl: (o.apiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: `tungsten-e2e/${VERSION}`,
    log: {
      debug: (m: string) => o.logger.debug(m),
      info: (m: string) => o.logger.debug(m),
      warn: (m: string) => o.logger.warn(m),
      error: (m: string) => o.logger.error(m),
    },
    request: {
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        const signal = init?.signal
          ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs);
        // through the runner's proxy when one is set (undici's fetch takes a dispatcher)
        const proxied = await viaProxy(url);
        return proxied
          ? proxied.fetch(url, { ...init, signal, dispatcher: proxied.agent } as RequestInit)
          : fetch(url, { ...init, signal });
      },
    },
  });
}

/** The login whose comments are ours: the token's user, or the app's bot for app tokens. */
export async function tokenLogin(octokit: GitHubClient, o: GitHubClientOptions): Promise<string> {
  try {
    const { data } = await octokit.request('GET /user');
    return data.login;
  } catch (e) {
    if (statusOf(e) !== 403) throw e;
    const login = o.appLogin ?? GITHUB_ACTIONS_BOT;
    o.logger.debug(
      `The token cannot call GET /user (an app installation token such as GITHUB_TOKEN); taking what ${login} wrote as ours.`,
    );
    return login;
  }
}

/**
 * The oldest comment on the PR that is ours and carries the marker, else the
 * oldest of ours with the earlier versions' marker (`legacy`); every page is
 * read until the marker is found.
 */
async function findComment(
  octokit: GitHubClient,
  t: CommentTarget,
  marker: string,
  legacy: string,
  login: string,
): Promise<number | undefined> {
  const pages = octokit.paginate.iterator(
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
    { owner: t.owner, repo: t.repo, issue_number: t.issueNumber, per_page: 100 },
  );
  let old: number | undefined;
  for await (const page of pages) {
    for (const c of page.data) {
      if (c.user?.login.toLowerCase() !== login.toLowerCase()) continue;
      if (c.body?.includes(marker)) return Number(c.id);
      if (old === undefined && c.body?.includes(legacy)) old = Number(c.id);
    }
  }
  return old;
}

export function statusOf(e: unknown): number | undefined {
  const status = (e as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function describe(e: unknown): string {
  const status = statusOf(e);
  const message = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
  if (status === undefined) return `${message}${cause}`;
  const hint =
    status === 403 || status === 401
      ? "; the token needs 'pull-requests: write' in the workflow's permissions, and pull requests from forks only get a read-only GITHUB_TOKEN"
      : status === 404
        ? '; check pr-number and that the token can see the repository'
        : '';
  return `HTTP ${status}: ${message}${hint}`;
}

export interface ResultsCommentOptions {
  /** the github-token input; no token, no comment */
  token?: string;
  /** the `comment` input; default true */
  enabled?: boolean;
  /** the `pr-number` input, for events that are not pull requests */
  prNumber?: number;
  logger: Logger;
  /** the runner's environment (GITHUB_REPOSITORY, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_API_URL, ...) */
  env?: NodeJS.ProcessEnv;
  /** the site set for the marker; default the results' sites */
  sites?: readonly string[];
  appLogin?: string;
  timeoutMs?: number;
}

/** Post or update the results comment when there is a pull request to post it on. */
export async function postResultsComment(
  results: RunResults,
  o: ResultsCommentOptions,
): Promise<CommentResult> {
  const env = o.env ?? process.env;
  if (o.enabled === false) return { status: 'skipped', reason: 'comment is false' };
  if (!o.token) return { status: 'skipped', reason: 'no github-token was given' };
  const lookup = commentTargetFromEnv(env, o.prNumber);
  if ('skip' in lookup) return { status: 'skipped', reason: lookup.skip };
  const sites = o.sites ?? results.sites.map((s) => s.name);
  const runUrl = runUrlFromEnv(env);
  return upsertPrComment({
    token: o.token,
    target: lookup.target,
    sites,
    profile: results.profile,
    body: renderCommentBody(results, { sites, ...(runUrl ? { runUrl } : {}) }),
    logger: o.logger,
    apiUrl: apiUrlFromEnv(env),
    proxyEnv: env,
    ...(o.appLogin ? { appLogin: o.appLogin } : {}),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  });
}
