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
  RUN_ROOT,
  runDir,
  ownsWireguardSocket,
  WIREGUARD_SOCKET_DIR,
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
  /** wireguard-go's control sockets of the run's tunnels (left when it was killed) */
  sockets: string[];
  /** the run directory, when it exists */
  dir?: string;
}

async function wireguardSockets(runId: string): Promise<string[]> {
  const names = await readdir(WIREGUARD_SOCKET_DIR).catch(() => [] as string[]);
  return names
    .filter((n) => ownsWireguardSocket(runId, n))
    .map((n) => `${WIREGUARD_SOCKET_DIR}/${n}`);
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

/** Live processes of the run: argv naming its directory, or living in one of its namespaces. */
export async function findRunProcesses(
  runId: string,
  sys: Sys,
  netns: readonly string[],
): Promise<RunProcess[]> {
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
  return processes;
}

/**
 * Run ids that live processes name in their argv (a file below the run root),
 * for the janitor: processes can outlive their run's directory and namespaces
 * (a daemon started while a teardown ran), and then nothing else names them.
 */
export async function runIdsOfProcesses(): Promise<string[]> {
  const ids = new Set<string>();
  const pattern = new RegExp(
    `${RUN_ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([a-z][a-z0-9]{5})/`,
  );
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const argv = await commandLine(Number(entry));
    for (const a of argv ?? []) {
      const id = pattern.exec(a)?.[1];
      if (id) ids.add(id);
    }
  }
  return [...ids].sort();
}

export async function findRunResources(runId: string, sys: Sys): Promise<RunResources> {
  const netns = (await listNetns(sys)).filter((n) => ownsNetns(runId, n));
  const links = (await listRootLinks(sys)).filter((n) => ownsLink(runId, n));
  const processes = await findRunProcesses(runId, sys, netns);
  const dir = runDir(runId);
  const hasDir = await stat(dir).then(
    () => true,
    () => false,
  );
  const sockets = await wireguardSockets(runId);
  return { processes, netns, links, sockets, ...(hasDir ? { dir } : {}) };
}

export function isEmpty(r: RunResources): boolean {
  return (
    r.processes.length === 0 &&
    r.netns.length === 0 &&
    r.links.length === 0 &&
    r.sockets.length === 0 &&
    !r.dir
  );
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

/** how many times teardown looks again for processes that started while it stopped others */
const PROCESS_ROUNDS = 10;

/**
 * Stop the run's processes (TERM, a grace period, KILL), then look again:
 * work of the run that was still starting processes (a daemon forking away
 * from a command) may have started more meanwhile. Returns once a scan finds
 * none, or after PROCESS_ROUNDS rounds (what is still there then is reported
 * as remaining); the number stopped.
 */
async function stopUntilNoneLeft(
  runId: string,
  sys: Sys,
  netns: readonly string[],
  first: readonly RunProcess[],
  report: DestroyReport,
): Promise<number> {
  let stopped = 0;
  let found = first.length > 0 ? [...first] : await findRunProcesses(runId, sys, netns);
  for (let round = 1; found.length > 0; round++) {
    const left = await stopProcesses(found);
    for (const p of found) {
      const r: CreatedResource = {
        provider: 'local',
        site: '',
        kind: 'process',
        id: processResourceId(runId, p.pid, p.argv),
      };
      if (!left.includes(p)) {
        report.deleted.push(r);
        stopped++;
      } else if (round === PROCESS_ROUNDS) {
        report.remaining.push({
          resource: r,
          error: 'still running after SIGKILL',
          howToDelete: `sudo kill -9 ${p.pid}`,
        });
      }
    }
    if (round === PROCESS_ROUNDS) break;
    found = await findRunProcesses(runId, sys, netns);
  }
  return stopped;
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
  const stopped = await stopUntilNoneLeft(runId, sys, found.netns, found.processes, report);
  if (stopped > 0) logger.info(`teardown ${runId}: stopped ${stopped} processes`);

  const nsPrefix = netnsPrefix(runId);
  let lastNote = Date.now();
  for (const [n, ns] of found.netns.entries()) {
    if (Date.now() - lastNote >= 5_000) {
      logger.info(`teardown ${runId}: deleted ${n} of ${found.netns.length} network namespaces`);
      lastNote = Date.now();
    }
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
    // gone meanwhile: a veth goes with its peer's namespace, which the kernel cleans up later
    if (r.code === 0 || /Cannot find device|No such device/.test(r.stderr))
      report.deleted.push(res);
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

  // a process that a command of the run was starting when its namespace went (a daemon
  // forking away): its argv still names the run's directory
  const late = await stopUntilNoneLeft(runId, sys, [], [], report);
  if (late > 0)
    logger.info(`teardown ${runId}: stopped ${late} processes that started during teardown`);

  // after its process: wireguard-go removes its socket when it stops, not when it is killed
  for (const socket of await wireguardSockets(runId)) {
    await rm(socket, { force: true });
    report.deleted.push(resource('socket', socket));
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
