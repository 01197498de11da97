/**
 * Where the results go at the end of a run: results.json, results.md and
 * junit.xml in the results directory, the job summary, the PR comment, and
 * the action's outputs (passed, results-json, results-markdown, comment-url).
 */
import * as core from '@actions/core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secrets } from '../log.js';
import { handToSudoUser, makeDirs } from '../state/owner.js';
import type { Logger } from '../log.js';
import { runUrlFromEnv } from './githubContext.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { MarkdownVariant } from './markdown.js';
import type { RunResults } from './model.js';
import { postResultsComment } from './prComment.js';
import type { CommentResult, ResultsCommentOptions } from './prComment.js';
import { redactResults } from './redact.js';
import { writeJobSummary } from './summary.js';

export const RESULT_FILES = {
  json: 'results.json',
  markdown: 'results.md',
  junit: 'junit.xml',
} as const;

export interface ResultFiles {
  json: string;
  markdown: string;
  junit: string;
}

/** results.json as written: the redacted results, pretty-printed. */
export function renderResultsJson(results: RunResults): string {
  return `${secrets.redact(JSON.stringify(redactResults(results), null, 2))}\n`;
}

/**
 * Write results.json, results.md and junit.xml into `dir` (created if
 * missing); returns their paths. Under sudo they belong to the user who ran
 * it (the artifact uploader runs as that user).
 */
export async function writeResultsFiles(
  dir: string,
  results: RunResults,
  options: { runUrl?: string } = {},
): Promise<ResultFiles> {
  const made = await makeDirs(dir);
  const files: ResultFiles = {
    json: join(dir, RESULT_FILES.json),
    markdown: join(dir, RESULT_FILES.markdown),
    junit: join(dir, RESULT_FILES.junit),
  };
  await writeFile(files.json, renderResultsJson(results));
  await writeFile(
    files.markdown,
    renderMarkdown(results, {
      variant: 'full',
      ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    }),
  );
  await writeFile(files.junit, renderJunit(results));
  await handToSudoUser([...made, files.json, files.markdown, files.junit]);
  return files;
}

/** The action's result outputs; comment-url only when a comment was posted. */
export function setResultOutputs(o: {
  passed: boolean;
  files?: ResultFiles;
  commentUrl?: string;
}): void {
  core.setOutput('passed', o.passed ? 'true' : 'false');
  if (o.files) {
    core.setOutput('results-json', secrets.redact(o.files.json));
    core.setOutput('results-markdown', secrets.redact(o.files.markdown));
  }
  if (o.commentUrl) core.setOutput('comment-url', secrets.redact(o.commentUrl));
}

export interface PublishOptions {
  resultsDir: string;
  logger: Logger;
  /** the PR comment's inputs (token, comment, pr-number); logger and env are taken from here */
  comment: Omit<ResultsCommentOptions, 'logger' | 'env'>;
  env?: NodeJS.ProcessEnv;
}

export interface PublishReport {
  files: ResultFiles;
  /** the variant the job summary got, if one was written */
  summary?: MarkdownVariant;
  comment: CommentResult;
}

/**
 * Everything the report phase does in the action. Only writing the results
 * files can throw (the caller reports it as an infrastructure failure); the
 * summary and the comment warn and go on.
 */
export async function publishResults(
  results: RunResults,
  o: PublishOptions,
): Promise<PublishReport> {
  const env = o.env ?? process.env;
  const runUrl = runUrlFromEnv(env);
  const files = await writeResultsFiles(o.resultsDir, results, runUrl ? { runUrl } : {});
  o.logger.info(`Results: ${files.json}, ${files.markdown}, ${files.junit}`);
  const summary = await writeJobSummary(results, {
    logger: o.logger,
    ...(runUrl ? { runUrl } : {}),
  });
  const comment = await postResultsComment(results, { ...o.comment, logger: o.logger, env });
  if (comment.status === 'skipped') {
    // turning the comment off is a choice, not news; anything else gets a notice on the run
    if (o.comment.enabled === false) o.logger.info(`No PR comment: ${comment.reason}.`);
    else core.notice(`tungsten-e2e: no PR comment: ${comment.reason}.`);
  }
  setResultOutputs({
    passed: results.passed,
    files,
    ...(comment.status === 'created' || comment.status === 'updated'
      ? { commentUrl: comment.url }
      : {}),
  });
  return { files, ...(summary ? { summary } : {}), comment };
}
