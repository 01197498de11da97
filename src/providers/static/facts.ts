/**
 * A static host's facts (kernel, memory, root filesystem) and whether they
 * meet the profile's minimums. MemTotal is what the kernel leaves after its
 * own reservations, so a 32 GiB machine reports about 31 GiB; a host passes
 * with at least 90 % of the minimum in MemTotal, and likewise for the root
 * filesystem (partitions and filesystem overhead take a few percent).
 */
import type { Profile } from '../../config/profile.js';
import type { HostPlan } from '../../plan/types.js';

export const FACTS_SCRIPT = [
  'uname -r',
  "awk '/^MemTotal:/ {print $2}' /proc/meminfo",
  "df -Pk / | awk 'NR==2 {print $2}'",
  'if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then echo root-ok; else echo no-sudo; fi',
].join('\n');

export const TOLERANCE = 0.9;

export interface HostFacts {
  kernel: string;
  memTotalKiB: number;
  rootFsKiB: number;
  /** root, or passwordless sudo: what the install phases need */
  canBecomeRoot: boolean;
}

export function parseFacts(stdout: string): HostFacts | undefined {
  const [kernel, mem, disk, root] = stdout
    .trim()
    .split('\n')
    .map((l) => l.trim());
  const memTotalKiB = Number(mem);
  const rootFsKiB = Number(disk);
  if (!kernel || !Number.isFinite(memTotalKiB) || !Number.isFinite(rootFsKiB)) return undefined;
  if (memTotalKiB <= 0 || rootFsKiB <= 0) return undefined;
  if (root !== 'root-ok' && root !== 'no-sudo') return undefined;
  return { kernel, memTotalKiB, rootFsKiB, canBecomeRoot: root === 'root-ok' };
}

const gib = (kib: number) => {
  const v = kib / 1024 / 1024;
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} GiB`;
};

export function describeFacts(f: HostFacts): string {
  return `kernel ${f.kernel}, ${gib(f.memTotalKiB)} of memory (MemTotal ${f.memTotalKiB} kB), a ${gib(f.rootFsKiB)} root filesystem`;
}

/** One sentence naming the host's real figures, or undefined when it is big enough. */
export function factsProblem(
  host: HostPlan,
  where: string,
  facts: HostFacts,
  profile: Profile,
): string | undefined {
  if (!facts.canBecomeRoot) {
    return `static host ${host.name} (${where}): the user is not root and "sudo -n true" fails; give ${host.ssh?.user ?? 'the user'} passwordless sudo or log in as root.`;
  }
  const min = profile.minimums[host.role];
  const memOk = facts.memTotalKiB >= min['memory-gib'] * 1024 * 1024 * TOLERANCE;
  const diskOk = facts.rootFsKiB >= min['disk-gib'] * 1024 * 1024 * TOLERANCE;
  if (memOk && diskOk) return undefined;
  const short = [
    memOk ? undefined : `${gib(facts.memTotalKiB)} of memory (MemTotal ${facts.memTotalKiB} kB)`,
    diskOk ? undefined : `a ${gib(facts.rootFsKiB)} root filesystem`,
  ].filter(Boolean);
  return `static host ${host.name} (${where}) has ${short.join(' and ')}, but profile ${profile.name} needs a ${host.role} with at least ${min['memory-gib']} GiB of memory and ${min['disk-gib']} GiB of disk (${TOLERANCE * 100} % of that is accepted, for what the kernel and filesystem keep); use a larger machine for this role.`;
}
