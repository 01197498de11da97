/**
 * Finding and deleting everything of a run by its id alone: processes (argv
 * naming the run's directory, or living in one of its namespaces), network
 * namespaces, root-namespace links, and the run directory. Idempotent: what is
 * already gone is not an error, so it works on half-made runs, after a SIGKILL
 * and a second time.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import type { Logger } from '../../log.js';
import type { CreatedResource, DestroyReport } from '../provider.js';
import { blocksOf } from './marker.js';
import {
  linkPrefix,
  netnsPrefix,
  ownsCommandLine,
  ownsLink,
  ownsNetns,
  processResourceId,
  runDir,
} from './naming.js';
import type { Sys } from './sys.js';

export interface RunProcess {
  pid: number;
  argv: string[];
}

export interface RunResources {
  processes: RunProcess[];
  netns: string[];
  links: string[];
  /** the run directory, when it exists */
  dir?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function commandLine(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

/** Live (not zombie) pids. */
async function alive(pid: number): Promise<boolean> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function listNetns(sys: Sys): Promise<string[]> {
  const r = await sys.run(['ip', 'netns', 'list'], { allowFail: true });
  // "name (id: 3)" or "name"
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

export async function listRootLinks(sys: Sys): Promise<string[]> {
  const r = await sys.run(['ip', '-o', 'link', 'show'], { allowFail: true });
  // "7: name@peer: <…>" or "7: name: <…>"
  return r.stdout
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

export async function findRunResources(runId: string, sys: Sys): Promise<RunResources> {
  const netns = (await listNetns(sys)).filter((n) => ownsNetns(runId, n));
  const links = (await listRootLinks(sys)).filter((n) => ownsLink(runId, n));
  const pids = new Set<number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await commandLine(Number(entry));
    if (argv && ownsCommandLine(runId, argv)) pids.add(Number(entry));
  }
  for (const ns of netns) {
    const r = await sys.run(['ip', 'netns', 'pids', ns], { allowFail: true });
    for (const p of r.stdout.split(/\s+/)) if (/^\d+$/.test(p)) pids.add(Number(p));
  }
  for (const self of [process.pid, process.ppid]) pids.delete(self);
  const processes: RunProcess[] = [];
  for (const pid of [...pids].sort((a, b) => a - b)) {
    if (!(await alive(pid))) continue;
    processes.push({ pid, argv: (await commandLine(pid)) ?? [] });
  }
  const dir = runDir(runId);
  const hasDir = await stat(dir).then(
    () => true,
    () => false,
  );
  return { processes, netns, links, ...(hasDir ? { dir } : {}) };
}

export function isEmpty(r: RunResources): boolean {
  return r.processes.length === 0 && r.netns.length === 0 && r.links.length === 0 && !r.dir;
}

async function stopProcesses(procs: readonly RunProcess[]): Promise<RunProcess[]> {
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  };
  for (const p of procs) signal(p.pid, 'SIGTERM');
  let left = [...procs];
  for (const [sig, waitMs] of [
    [undefined, 1500],
    ['SIGKILL', 2000],
  ] as const) {
    if (sig) for (const p of left) signal(p.pid, sig);
    const deadline = Date.now() + waitMs;
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(20);
      const still: RunProcess[] = [];
      for (const p of left) if (await alive(p.pid)) still.push(p);
      left = still;
    }
  }
  return left;
}

function siteOf(name: string, prefix: string, sites: readonly string[]): string {
  const rest = name.startsWith(prefix) ? name.slice(prefix.length) : name;
  const match = [...sites]
    .sort((a, b) => b.length - a.length)
    .find((s) => rest === s || rest.startsWith(`${s}-`));
  return match ?? '';
}

/** Delete every resource of the run; report what was deleted and what could not be. */
export async function sweepRun(
  runId: string,
  sites: readonly string[],
  sys: Sys,
  logger: Logger,
): Promise<DestroyReport> {
  const report: DestroyReport = { deleted: [], remaining: [] };
  const resource = (kind: string, id: string, site = ''): CreatedResource => ({
    provider: 'local',
    site,
    kind,
    id,
  });
  const found = await findRunResources(runId, sys);

  if (found.processes.length > 0) {
    logger.info(`teardown ${runId}: stopping ${found.processes.length} processes`);
    const left = await stopProcesses(found.processes);
    for (const p of found.processes) {
      const r = resource('process', processResourceId(runId, p.pid, p.argv));
      if (left.includes(p)) {
        report.remaining.push({
          resource: r,
          error: 'still running after SIGKILL',
          howToDelete: `sudo kill -9 ${p.pid}`,
        });
      } else {
        report.deleted.push(r);
      }
    }
  }

  const nsPrefix = netnsPrefix(runId);
  for (const ns of found.netns) {
    const r = await sys.run(['ip', 'netns', 'delete', ns], { allowFail: true });
    const res = resource('netns', ns, siteOf(ns, nsPrefix, sites));
    if (r.code === 0 || /No such file/.test(r.stderr)) report.deleted.push(res);
    else
      report.remaining.push({
        resource: res,
        error: r.stderr.trim(),
        howToDelete: `sudo ip netns delete ${ns}`,
      });
  }
  if (found.netns.length > 0)
    logger.info(`teardown ${runId}: deleted ${found.netns.length} network namespaces`);

  // veth ends in the root namespace die with their peer's namespace; what is left is ours to delete
  const links = (await listRootLinks(sys)).filter((n) => ownsLink(runId, n));
  for (const link of links) {
    const r = await sys.run(['ip', 'link', 'delete', link], { allowFail: true });
    const res = resource('link', link);
    if (r.code === 0 || /Cannot find device/.test(r.stderr)) report.deleted.push(res);
    else
      report.remaining.push({
        resource: res,
        error: r.stderr.trim(),
        howToDelete: `sudo ip link delete ${link}`,
      });
  }
  for (const link of found.links.filter((l) => !links.includes(l))) {
    report.deleted.push(resource('link', link));
  }

  for (const link of await blocksOf(runId)) {
    await rm(link, { force: true });
    report.deleted.push(resource('reservation', link));
  }
  if (found.dir) {
    try {
      await rm(found.dir, { recursive: true, force: true });
      report.deleted.push(resource('dir', found.dir));
    } catch (e) {
      report.remaining.push({
        resource: resource('dir', found.dir),
        error: (e as Error).message,
        howToDelete: `sudo rm -rf ${found.dir}`,
      });
    }
  }
  logger.debug(
    `teardown ${runId}: ${report.deleted.length} deleted, ${report.remaining.length} left (links ${linkPrefix(runId)}*, netns ${nsPrefix}*)`,
  );
  return report;
}
