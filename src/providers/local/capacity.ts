/**
 * Can this host carry the local sites of a plan? Every local host is a
 * network namespace with its own sshd and BIRD, and every test namespace an
 * echo backend (a node process) per site; the probes add a node process per
 * client and round. The figures below were measured (RSS with ps on a 2-site
 * run after `test`, and whole runs of growing size on 2 cores); the check
 * refuses a plan that needs more memory than the host has available, or more
 * hosts per core than the largest run measured to pass, or more neighbour
 * (ARP) entries than the kernel keeps, before anything is created.
 *
 * The neighbour table is one per kernel, shared by every network namespace,
 * and capped by net.ipv4.neigh.default.gc_thresh3 (1024 by default). Every
 * edge sees every other edge on the WAN bridge and every master has a tunnel
 * neighbour per other site, so the entries grow with the square of the site
 * count: 20 sites need about 1040, and past the cap the last paths made are
 * silently dropped (measured: a 20-site run lost every connection among
 * sites 15 to 19, with "neighbor table overflow" in the kernel log).
 */
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { UserError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';

/**
 * Resident memory, MiB, measured with ps on a 2-site run and rounded up: per
 * host its sshd (9) with the run's connection to it (two session sshd and a
 * shell, 16); per BIRD 3; per echo backend and per prober (node) 43; the
 * runner itself 150.
 */
export const RSS_MIB = { host: 25, bird: 3, echo: 45, prober: 45, runner: 150 } as const;
/** probe calls in flight at once at most (the suites' default concurrency) */
const PROBERS = 8;
/** the largest run measured to pass on 2 cores: 40 sites, 120 hosts (a master, a worker, an edge each) */
export const MEASURED = { sites: 40, hosts: 120, cores: 2 } as const;
/** leave this share of the available memory to everything else */
const MEMORY_HEADROOM = 0.8;
/** and this share of the neighbour table to the host's own entries */
const NEIGHBOUR_SHARE = 0.9;

export interface LocalNeed {
  sites: number;
  hosts: number;
  /** neighbour (ARP) entries across the run's namespaces */
  neighbours: number;
  /** BIRD instances: an agent per node, a control node per master */
  birds: number;
  backends: number;
  mib: number;
}

export function localNeed(plan: Pick<Plan, 'sites' | 'tests'>): LocalNeed {
  const local = plan.sites.filter((s) => s.provider === 'local');
  const hosts = local.reduce((n, s) => n + s.hosts.length, 0);
  const nodes = local.reduce((n, s) => n + s.hosts.filter((h) => h.role !== 'edge').length, 0);
  const birds = nodes + local.length;
  const backends = local.length * plan.tests.namespaces.length;
  const n = local.length;
  const workers = nodes - n;
  const pods = 2 * backends;
  // edges: each other edge and their master; masters: a tunnel per other site, their
  // workers and edge; workers: their master and pods; each pod its gateway; the root
  // namespace: each edge on the WAN bridge
  const neighbours = n * n + (n * (n - 1) + workers + n) + (workers + pods) + pods + n;
  // one prober per client in flight: a client per site and namespace
  const probers = Math.min(PROBERS, backends);
  const mib =
    hosts * RSS_MIB.host +
    birds * RSS_MIB.bird +
    backends * RSS_MIB.echo +
    probers * RSS_MIB.prober +
    RSS_MIB.runner;
  return { sites: local.length, hosts, birds, backends, mib, neighbours };
}

/** MemAvailable from /proc/meminfo, in MiB; undefined where it cannot be read. */
export async function availableMib(file = '/proc/meminfo'): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const m = /^MemAvailable:\s+(\d+)\s+kB$/m.exec(text);
  return m ? Math.floor(Number(m[1]) / 1024) : undefined;
}

export interface HostCapacity {
  cores: number;
  /** net.ipv4.neigh.default.gc_thresh3; undefined where it cannot be read */
  neighbourLimit?: number | undefined;
  /** undefined where /proc/meminfo cannot be read */
  availableMib: number | undefined;
}

/** One sentence per limit the plan passes, naming the measured figure. */
export function capacityErrors(need: LocalNeed, host: HostCapacity): UserError[] {
  const errors: UserError[] = [];
  if (need.sites === 0) return errors;
  const perCore = MEASURED.hosts / MEASURED.cores;
  const maxHosts = Math.floor(perCore * host.cores);
  if (need.hosts > maxHosts) {
    errors.push(
      new UserError(
        `the ${need.sites} local sites need ${need.hosts} hosts (each a namespace with sshd and BIRD), and this machine has ${host.cores} CPU core${host.cores === 1 ? '' : 's'}: the largest run measured to pass had ${MEASURED.hosts} hosts (${MEASURED.sites} sites) on ${MEASURED.cores} cores, so at most ${maxHosts} hosts here; remove sites or workers, or run on a machine with more cores.`,
      ),
    );
  }
  if (
    host.neighbourLimit !== undefined &&
    need.neighbours > host.neighbourLimit * NEIGHBOUR_SHARE
  ) {
    const enough = 2 ** Math.ceil(Math.log2(need.neighbours / NEIGHBOUR_SHARE));
    errors.push(
      new UserError(
        `the ${need.sites} local sites need about ${need.neighbours} neighbour (ARP) entries across their namespaces, and this kernel keeps at most ${host.neighbourLimit} for all namespaces together (net.ipv4.neigh.default.gc_thresh3); past it the last paths made are dropped. Raise it with "sudo sysctl -w net.ipv4.neigh.default.gc_thresh3=${enough} net.ipv4.neigh.default.gc_thresh2=${enough / 2}", or remove sites.`,
      ),
    );
  }
  if (host.availableMib !== undefined) {
    const usable = Math.floor(host.availableMib * MEMORY_HEADROOM);
    if (need.mib > usable) {
      errors.push(
        new UserError(
          `the ${need.sites} local sites need about ${need.mib} MiB (measured: ${RSS_MIB.host} MiB per host for sshd and its session, ${RSS_MIB.bird} MiB per BIRD, ${RSS_MIB.echo} MiB per echo backend and per prober in flight, ${RSS_MIB.runner} MiB for tungsten-e2e), and this machine has ${host.availableMib} MiB available, of which ${Math.round(MEMORY_HEADROOM * 100)}% may be used; remove sites, workers or test namespaces, or free memory.`,
        ),
      );
    }
  }
  return errors;
}

/** net.ipv4.neigh.default.gc_thresh3, the kernel's cap on neighbour entries. */
export async function neighbourLimit(
  file = '/proc/sys/net/ipv4/neigh/default/gc_thresh3',
): Promise<number | undefined> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** This host's cores, available memory and neighbour table cap. */
export async function hostCapacity(): Promise<HostCapacity> {
  return {
    cores: availableParallelism(),
    availableMib: await availableMib(),
    neighbourLimit: await neighbourLimit(),
  };
}
