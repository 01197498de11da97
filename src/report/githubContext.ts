/**
 * What the runner tells about the workflow run, read from its environment
 * variables and event payload file (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, ...).
 */
import { readFileSync } from 'node:fs';

export const DEFAULT_API_URL = 'https://api.github.com';

export interface CommentTarget {
  owner: string;
  repo: string;
  /** the pull request's number (PRs are issues to the comments API) */
  issueNumber: number;
}

export type TargetLookup = { target: CommentTarget } | { skip: string };

/**
 * The pull request to comment on: the `pr-number` input when given, else the
 * PR of a pull_request(-like) event or of an issue_comment on a PR.
 */
export function commentTargetFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  prNumber?: number,
): TargetLookup {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo || rest.length) {
    return { skip: 'GITHUB_REPOSITORY is not set, so there is no repository to comment on' };
  }
  if (prNumber !== undefined) return { target: { owner, repo, issueNumber: prNumber } };
  const event = env.GITHUB_EVENT_NAME ?? '';
  const number = prNumberFromEvent(event, env.GITHUB_EVENT_PATH);
  if (number === undefined) {
    return {
      skip: `the event is ${event ? `'${event}'` : 'unknown'}, not a pull request, and no pr-number was given`,
    };
  }
  return { target: { owner, repo, issueNumber: number } };
}

function prNumberFromEvent(event: string, path: string | undefined): number | undefined {
  if (!path) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const p = payload as {
    pull_request?: { number?: unknown };
    issue?: { number?: unknown; pull_request?: unknown };
  };
  const candidates = [
    event.startsWith('pull_request') ? p.pull_request?.number : undefined,
    event === 'issue_comment' && p.issue?.pull_request ? p.issue.number : undefined,
  ];
  return candidates.find((n): n is number => Number.isInteger(n) && (n as number) > 0);
}

/** The REST API's base URL: GITHUB_API_URL on GitHub Enterprise Server, api.github.com otherwise. */
export function apiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
}

/** https://github.com/OWNER/REPO/actions/runs/ID (with the attempt when there was a re-run). */
export function runUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  if (!server || !repo || !id) return undefined;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT);
  return `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${id}${attempt > 1 ? `/attempts/${attempt}` : ''}`;
}
