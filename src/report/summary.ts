/** The job summary: the same markdown as results.md, appended to $GITHUB_STEP_SUMMARY. */
import * as core from '@actions/core';
import type { Logger } from '../log.js';
import { renderMarkdown } from './markdown.js';
import type { MarkdownVariant } from './markdown.js';
import type { RunResults } from './model.js';

/** The runner refuses a step summary larger than 1 MiB. */
export const MAX_SUMMARY_BYTES = 1024 * 1024;

/**
 * Append the results to the job summary. Falls back to shorter variants when
 * the full one is over the runner's limit. Returns the variant written, or
 * undefined when there is no summary file (outside Actions) or writing failed
 * (a warning: the summary never fails a run).
 */
export async function writeJobSummary(
  results: RunResults,
  options: { logger: Logger; runUrl?: string },
): Promise<MarkdownVariant | undefined> {
  // @actions/core reads the path from process.env (and keeps it for the process)
  if (!process.env.GITHUB_STEP_SUMMARY) {
    options.logger.debug('GITHUB_STEP_SUMMARY is not set; no job summary written.');
    return undefined;
  }
  for (const variant of ['full', 'comment', 'brief'] as const) {
    const markdown = renderMarkdown(results, {
      variant,
      ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    });
    if (Buffer.byteLength(markdown) > MAX_SUMMARY_BYTES) continue;
    try {
      await core.summary.addRaw(markdown, true).write();
      return variant;
    } catch (e) {
      core.summary.emptyBuffer();
      options.logger.warn(
        `could not write the job summary: ${e instanceof Error ? e.message : String(e)}`,
      );
      return undefined;
    }
  }
  options.logger.warn('the results are too long for a job summary even in brief; see results.md.');
  return undefined;
}
