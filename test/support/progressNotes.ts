/**
 * The last progress line of each run a test started (a pipeline in this
 * process through testLogger, a bundled CLI or action step through its
 * output), for timeoutPhase.ts to print when the test times out. No vitest
 * import: helpers that import this also run outside vitest.
 */

const lastLines = new Map<string, string>();

/** Remember the last line a run (named by `source`) printed. */
export function noteProgress(source: string, text: string): void {
  const line = text
    .trimEnd()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .at(-1);
  if (line) lastLines.set(source, line.slice(0, 300));
}

/** The lines remembered so far, one per source; forgets them. */
export function takeProgress(): string[] {
  const lines = [...lastLines].map(([source, line]) => `${source}: ${line}`);
  lastLines.clear();
  return lines;
}
