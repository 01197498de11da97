import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const BUNDLE = resolve('.test-dist');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a bundled entry point (cli, main, post) as a separate process. */
export function runBundle(
  entry: 'cli' | 'main' | 'post',
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  cwd = process.cwd(),
): RunResult {
  const r = spawnSync(process.execPath, [resolve(BUNDLE, `${entry}.js`), ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
