/**
 * The benchmarks' command lines: a bad argument is one sentence naming the
 * flag, exit 2, before anything is started; and `npm run bench -- ssh` runs
 * from the repository with one command and ends with the ratio line (a tiny
 * run: a smoke test of the script, not a measurement); and an interrupted
 * benchmark leaves nothing behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/state/runState.js';
import { IS_ROOT, leftovers, NOTHING, sleep } from '../local/helpers.js';
import { skipReason } from '../remote/harness.js';

const ROOT = resolve(import.meta.dirname, '../..');

function bench(...args: string[]) {
  const r = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['bench/index.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sshProcessesOf(tag: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(tag)) out.push(cmd.split('\0').join(' '));
    } catch {
      // gone
    }
  }
  return out;
}

describe('benchmark arguments', () => {
  it.each([
    [
      ['ssh', '--count', '0'],
      /^npm run bench -- ssh: --count must be a positive integer, got "0"\n$/,
    ],
    [['ssh', '--concurrency'], /--concurrency must be a positive integer, got ""/],
    [['ssh', '--count', '2x'], /--count must be a positive integer, got "2x"/],
    [['ssh', '--cuont', '5'], /unknown argument "--cuont"/],
    [
      ['local', '--reps', 'three'],
      /^npm run bench -- local: --reps must be a positive integer, got "three"\n$/,
    ],
    [
      ['local', '--sizes', '2,x'],
      /--sizes must be a comma-separated list of site counts from 1 to \d+, got "2,x"/,
    ],
    [['local', '--sizes', '2,0'], /got "2,0"/],
    [['local', '--baseline'], /unknown argument "--baseline"/],
    [
      ['docs', '--files', '0'],
      /^npm run bench -- docs: unknown or bad argument "--files"; it takes --files N and --reps N\n$/,
    ],
  ])('%j is refused in one sentence, exit 2', (args, message) => {
    const r = bench(...args);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it.skipIf(skipReason !== undefined)(
    'the control: valid arguments run the ssh benchmark to its ratio line, leaving no sshd behind',
    { timeout: 120_000 },
    () => {
      const r = bench('ssh', '--count', '2', '--concurrency', '2');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(
        lines.filter((l) => /2 commands in +\d+\.\d+ s = +\d+\.\d ms\/command$/.test(l)),
      ).toHaveLength(8);
      expect(lines.at(-1)).toMatch(/^ssh-pool speedup: \d+\.\dx$/);
      // the benchmark's sshd is tagged bench<pid>; its pid is gone now, so look for the directory
      expect(sshProcessesOf('tungsten-e2e-bench-ssh-')).toEqual([]);
    },
  );
});

/** Start a benchmark, interrupt it with `signal` once `ready()` holds; resolves with its exit. */
async function interrupt(
  args: string[],
  signal: NodeJS.Signals,
  ready: () => boolean,
  via: 'tsx' | 'npm run' = 'tsx',
): Promise<{ code: number | null; stderr: string }> {
  const [command, ...argv] =
    via === 'tsx'
      ? [join(ROOT, 'node_modules/.bin/tsx'), 'bench/index.ts', ...args]
      : ['npm', 'run', '-s', 'bench', '--', ...args];
  const child = spawn(command!, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  try {
    while (!ready()) {
      if (child.exitCode !== null) throw new Error(`the benchmark ended first:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`the benchmark never got going:\n${stderr}`);
      await sleep(20);
    }
    child.kill(signal);
    return { code: await exited, stderr };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const tmpEntries = (prefix: string) =>
  new Set(readdirSync(tmpdir()).filter((f) => f.startsWith(prefix)));

describe('npm run bench -- docs', () => {
  it('lints a generated tree through the bundled CLI and prints its time beside the parse baseline (a tiny run)', () => {
    const r = bench('docs', '--files', '20', '--reps', '1');
    expect(r.code, r.stderr).toBe(0);
    const [found, times] = r.stdout.trim().split('\n');
    // one page in ten carries an eaten {{ K8S_MASTER_IP }}
    expect(found).toBe('lint-docs: 2 findings in 20 files');
    expect(times).toMatch(
      /^lint-docs on 20 files \(median of 1\): \d+\.\d\ds, process start included; baseline, reading and parsing each file once in-process: \d+\.\d\ds$/,
    );
  });
});

describe('an interrupted benchmark leaves nothing behind', () => {
  it.skipIf(skipReason !== undefined).each(['tsx', 'npm run'] as const)(
    'ssh: SIGTERM mid-run (to %s) stops its sshd and removes its directory, exit 130',
    { timeout: 90_000 },
    async (via) => {
      const before = tmpEntries('tungsten-e2e-bench-ssh-');
      const mine = () => [...tmpEntries('tungsten-e2e-bench-ssh-')].filter((f) => !before.has(f));
      let dir = '';
      let poolSince = 0;
      const r = await interrupt(
        ['ssh', '--count', '100000'],
        'SIGTERM',
        () => {
          dir = mine()[0] ?? '';
          if (!dir) return false;
          const log = readdirSync(join(tmpdir(), dir)).find((f) => f.endsWith('.log'));
          if (!log) return false;
          // interrupted in the first figure (the warm-up ssh, then the pool): a login
          // shell cut off while it starts could leave this host's rc files half done
          const logins = readFileSync(join(tmpdir(), dir, log), 'utf8').split('Accepted publickey');
          if (logins.length - 1 < 2) return false;
          poolSince ||= Date.now();
          return Date.now() - poolSince > 500;
        },
        via,
      );
      expect(r.stderr).toContain('SIGTERM: stopping its sshd');
      // npm reports the script's exit its own way; the script itself exits 130
      if (via === 'tsx') expect(r.code).toBe(130);
      else expect(r.code).not.toBe(0);
      expect(existsSync(join(tmpdir(), dir))).toBe(false);
      // its sshd is gone; an ssh client it had started ends with its connection
      let left = sshProcessesOf(join(tmpdir(), dir));
      for (let i = 0; i < 100 && left.length > 0; i++) {
        await sleep(50);
        left = sshProcessesOf(join(tmpdir(), dir));
      }
      expect(left).toEqual([]);
    },
  );

  it.skipIf(!IS_ROOT)(
    'local: Ctrl-C during up stops it, tears the run down, removes its files, exit 130',
    { timeout: 120_000 },
    async () => {
      const before = tmpEntries('te-bench-state-');
      let stateDir = '';
      let runId = '';
      const r = await interrupt(
        ['local', '--sizes', '2', '--reps', '1', '--no-baseline'],
        'SIGINT',
        () => {
          const dir = [...tmpEntries('te-bench-state-')].find((f) => !before.has(f));
          if (!dir) return false;
          stateDir = join(tmpdir(), dir, 'state');
          try {
            const state = JSON.parse(
              readFileSync(join(stateDir, 'state.json'), 'utf8'),
            ) as RunState;
            runId = state.runId;
            // half way: an sshd of the run exists
            return state.resources.some((x) => x.kind === 'process');
          } catch {
            return false;
          }
        },
      );
      expect(r.stderr).toContain('SIGINT: stopping and tearing the current run down');
      expect(r.code).toBe(130);
      expect(runId).not.toBe('');
      expect(leftovers(runId)).toEqual(NOTHING);
      expect(existsSync(stateDir)).toBe(false);
    },
  );
});
