import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { noteProgress } from './support/progressNotes.js';

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

/**
 * runBundle without blocking the event loop, so tests of one file can run
 * their CLI processes side by side (describe.concurrent).
 */
export function runBundleAsync(
  entry: 'cli' | 'main' | 'post',
  args: string[] = [],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; bundle?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [resolve(options.bundle ?? BUNDLE, `${entry}.js`), ...args],
      {
        cwd: options.cwd ?? process.cwd(),
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      noteProgress(`${entry} ${child.pid}`, stdout.slice(-1000));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
