/**
 * Helpers of the local end-to-end tests: they run as root (network
 * namespaces, sshd, BIRD, nftables for real); otherwise they are skipped and
 * say why, except in CI, where they fail (support/requirements.ts). Every run they start is torn down in afterAll/afterEach, also
 * when a test fails.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryLogger } from '../../src/log.js';
import type { Logger } from '../../src/log.js';
import { down, up } from '../../src/pipeline.js';
import type { LiveRun, PipelineEnv, UpOptions } from '../../src/pipeline.js';
import { hostDir, RUN_ROOT } from '../../src/providers/local/naming.js';
import { tempDir } from '../helpers.js';
import { needsRoot } from '../support/requirements.js';
import { noteProgress } from '../support/progressNotes.js';

export { IS_ROOT, ROOT_REASON as SKIP_REASON } from '../support/requirements.js';

/** Say that `suite` is skipped without root, and why; in CI, fail instead (support/requirements.ts). */
export function noteSkip(suite: string): void {
  needsRoot(suite);
}

export interface SiteSpec {
  name: string;
  workers?: number;
  faults?: string[];
}

const scratchDirs: string[] = [];

/** A temporary directory removed by removeScratch() (call it in afterAll, after teardown). */
export function scratch(prefix: string): string {
  const dir = tempDir(prefix);
  scratchDirs.push(dir);
  return dir;
}

export function removeScratch(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function siteFile(sites: readonly SiteSpec[], extra = ''): string {
  const text = [
    'ttl: 1h',
    extra,
    'sites:',
    ...sites.flatMap((s) => [
      `  - name: ${s.name}`,
      '    provider: local',
      `    nodes: { workers: ${s.workers ?? 1} }`,
      ...(s.faults?.length ? [`    faults: [${s.faults.join(', ')}]`] : []),
    ]),
    '',
  ].join('\n');
  const path = join(scratch('te-local-'), 'sites.yml');
  writeFileSync(path, text);
  return path;
}

/** A logger that keeps lines and echoes warnings (helps when a test fails). */
export function testLogger(): Logger & { lines: string[] } {
  const mem = memoryLogger();
  const source = `pipeline ${Math.random().toString(36).slice(2, 6)}`;
  return {
    ...mem,
    warn: (m) => {
      noteProgress(source, m);
      mem.warn(m);
      if (process.env.TE_TEST_VERBOSE) console.warn(m);
    },
    info: (m) => {
      noteProgress(source, m);
      mem.info(m);
      if (process.env.TE_TEST_VERBOSE) console.info(m);
    },
  };
}

export interface Started {
  live: LiveRun;
  logger: Logger & { lines: string[] };
}

/** Up (in process), remembering the state directory for teardown even when up throws. */
export class Runs {
  private readonly dirs: string[] = [];

  async up(
    sites: string,
    options: Partial<UpOptions> = {},
    env: Partial<PipelineEnv> = {},
  ): Promise<Started> {
    const stateDir = options.stateDir ?? join(scratch('te-state-'), 'state');
    this.dirs.push(stateDir);
    const logger = testLogger();
    const live = await up({ sites, stateDir, ...options }, { logger, ...env });
    return { live, logger };
  }

  track(stateDir: string): void {
    this.dirs.push(stateDir);
  }

  /** Down every run started (idempotent; errors are collected, not thrown early). */
  async downAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const stateDir of this.dirs.splice(0)) {
      try {
        await down({ stateDir }, { logger: testLogger() });
      } catch (e) {
        if (!/no run state here/.test(String(e))) errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

export interface Leftovers {
  netns: string[];
  links: string[];
  processes: string[];
  files: string[];
}

function sh(argv: string[]): string {
  // ip netns list complains on stderr about namespaces other tests delete meanwhile
  return execFileSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function findPaths(dir: string, needle: string, out: string[], depth = 0): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e);
    if (e.includes(needle)) out.push(path);
    if (depth < 4 && !['proc', 'sys'].includes(e)) {
      try {
        if (readlinkSync(path)) continue;
      } catch {
        // not a symlink: descend
      }
      findPaths(path, needle, out, depth + 1);
    }
  }
}

/** Everything on this host that still carries the run id. */
export function leftovers(runId: string): Leftovers {
  const netns = sh(['ip', 'netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.includes(runId));
  const links = sh(['ip', '-o', 'link', 'show'])
    .split('\n')
    .filter((l) => l.includes(runId))
    .map((l) => l.split(':')[1]!.trim());
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(runId)) processes.push(`${pid} ${cmd}`);
    } catch {
      // gone
    }
  }
  const files: string[] = [];
  findPaths('/run', runId, files);
  findPaths('/tmp', runId, files);
  for (const e of readdirSync(RUN_ROOT, { withFileTypes: true })) {
    if (e.isSymbolicLink() && readlinkSync(join(RUN_ROOT, e.name)) === runId) {
      files.push(join(RUN_ROOT, e.name));
    }
  }
  return { netns, links, processes, files };
}

export const NOTHING: Leftovers = { netns: [], links: [], processes: [], files: [] };

/** birdc against one of a run's BIRD instances ("control" or "agent" of a host). */
export function birdc(runId: string, host: string, instance: string, ...command: string[]): string {
  return sh(['birdc', '-s', `${hostDir(runId, host)}/${instance}.ctl`, ...command]);
}

export function ipIn(netns: string, ...args: string[]): string {
  return sh(['ip', '-n', netns, ...args]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll fn until it returns true or the deadline passes; returns the last value. */
export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await sleep(200);
  }
}
