/**
 * Setup file: when a test times out, say where its run was (the last line each
 * of its runs printed, progressNotes.ts). A bare "Test timed out in 120000ms"
 * sends the reader to guess.
 */
import { afterEach } from 'vitest';
import { takeProgress } from './progressNotes.js';

afterEach(({ task }) => {
  const lines = takeProgress();
  const timedOut = task.result?.errors?.some((e) => /timed out in \d+ms/i.test(e.message ?? ''));
  if (!timedOut) return;
  console.error(
    `"${task.name}" timed out; the last thing its runs said:\n${lines.map((l) => `  ${l}`).join('\n') || '  (nothing: no run had printed a line)'}`,
  );
});
