/**
 * The runner's file commands as real files: GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY in a temp directory, set in process.env for
 * @actions/core, and a reader for the output file's heredoc format.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

export interface ActionFiles {
  dir: string;
  output: string;
  summary: string;
  /** empty both files (between tests) */
  reset(): void;
  /** restore the environment and delete the files */
  dispose(): void;
}

const KEYS = ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY'] as const;

/**
 * @actions/core keeps the first summary path it sees for the life of the
 * process, so a test file sets these up once (beforeAll) and resets between tests.
 */
export function actionFiles(): ActionFiles {
  const dir = tempDir('te-action-files-');
  const output = join(dir, 'github_output');
  const summary = join(dir, 'step_summary');
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  const reset = () => {
    writeFileSync(output, '');
    writeFileSync(summary, '');
  };
  reset();
  process.env.GITHUB_OUTPUT = output;
  process.env.GITHUB_STEP_SUMMARY = summary;
  return {
    dir,
    output,
    summary,
    reset,
    dispose: () => {
      for (const k of KEYS) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** name<<DELIMITER / value lines / DELIMITER, as @actions/core writes GITHUB_OUTPUT. */
export function readOutputs(path: string): Record<string, string> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) {
      if (lines[i]) throw new Error(`unexpected line in GITHUB_OUTPUT: ${lines[i]}`);
      continue;
    }
    const end = lines.indexOf(m[2]!, i + 1);
    if (end < 0) throw new Error(`unterminated output ${m[1]}`);
    out[m[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

/** Everything written to stdout while fn runs (workflow commands like ::notice::). */
export async function captureStdout<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; stdout: string }> {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await fn(), stdout: chunks.join('') };
  } finally {
    process.stdout.write = original;
  }
}
