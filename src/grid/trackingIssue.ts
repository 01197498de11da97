/**
 * One tracking issue for the nightly grid: when a cell turns red, the open
 * issue this token wrote with the marker is updated (the grid in its body, a
 * comment naming tonight's newly red cells); only when there is none is one
 * opened. Never a second one: it is found again by its marker and author.
 */
import type { Logger } from '../log.js';
import { githubClient, statusOf, tokenLogin, type GitHubClient } from '../report/prComment.js';
import { newlyRed, type Grid, type GridCell } from './grid.js';
import { cellWords, gridMarkdown } from './render.js';

export const TRACKING_MARKER = '<!-- tungsten-e2e:compatibility-grid -->';
export const TRACKING_TITLE = 'Compatibility grid: cells turned red';

export type TrackingResult =
  | { status: 'created' | 'updated'; url: string; number: number }
  | { status: 'skipped'; reason: string };

export interface TrackingOptions {
  token: string;
  /** "owner/name" */
  repository: string;
  grid: Grid;
  logger: Logger;
  apiUrl?: string;
  /** the workflow run that made the grid, linked from the comment */
  runUrl?: string;
  proxyEnv?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

function cellLine(c: GridCell): string {
  const links = c.legs.filter((l) => l.url).map((l) => ` ([run](${l.url}))`);
  return `- **${c.profile}** × **${c.pair}**: ${cellWords(c)}${links.join('')}`;
}

async function findOpen(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  login: string,
): Promise<number | undefined> {
  const pages = octokit.paginate.iterator('GET /repos/{owner}/{repo}/issues', {
    owner,
    repo,
    state: 'open',
    creator: login,
    per_page: 100,
  });
  for await (const page of pages) {
    for (const issue of page.data) {
      if (issue.pull_request) continue;
      if (issue.body?.includes(TRACKING_MARKER)) return issue.number;
    }
  }
  return undefined;
}

/** Update the tracking issue, or open it, when a cell turned red; throws when the API fails. */
export async function upsertTrackingIssue(o: TrackingOptions): Promise<TrackingResult> {
  const red = newlyRed(o.grid);
  if (red.length === 0) return { status: 'skipped', reason: 'no cell turned red' };
  const [owner, repo] = o.repository.split('/') as [string, string];
  const octokit = githubClient(o);
  const body = `${TRACKING_MARKER}\n${gridMarkdown(o.grid)}\nThis issue is updated by the nightly workflow whenever a cell turns red; close it once they are green again.\n`;
  const tonight = [
    `Newly red in the grid of ${o.grid.generatedAt}${o.runUrl ? ` ([workflow run](${o.runUrl}))` : ''}:`,
    '',
    ...red.map(cellLine),
    '',
  ].join('\n');
  try {
    const login = await tokenLogin(octokit, o);
    const existing = await findOpen(octokit, owner, repo, login);
    if (existing !== undefined) {
      const { data } = await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo,
        issue_number: existing,
        body,
      });
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: existing,
        body: tonight,
      });
      o.logger.info(`Updated the tracking issue: ${data.html_url}`);
      return { status: 'updated', url: data.html_url, number: data.number };
    }
    const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues', {
      owner,
      repo,
      title: TRACKING_TITLE,
      body: `${body}\n${tonight}`,
    });
    o.logger.info(`Opened the tracking issue: ${data.html_url}`);
    return { status: 'created', url: data.html_url, number: data.number };
  } catch (e) {
    const status = statusOf(e);
    const hint =
      status === 401 || status === 403 ? "; the workflow's token needs 'issues: write'" : '';
    throw new Error(
      `could not open or update the tracking issue in ${o.repository}: ${e instanceof Error ? e.message : String(e)}${hint}`,
      { cause: e },
    );
  }
}
