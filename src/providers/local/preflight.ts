/**
 * What the local provider needs before it creates anything: root, the tools,
 * and a kernel with network namespaces, veth, bridges and VXLAN. Each missing
 * piece is one sentence saying exactly what to install or how to run.
 */
import { accessSync, constants } from 'node:fs';
import { processAlive } from '../../pids.js';
import { delimiter, join } from 'node:path';
import { UserError, UserErrors } from '../../errors.js';
import { randomBytes } from 'node:crypto';
import type { Sys } from './sys.js';
import { isRoot } from './sys.js';
import { MAX_LOCAL_SITES } from './topology.js';
import type { Plan } from '../../plan/types.js';
import { capacityErrors, hostCapacity, localNeed, type HostCapacity } from './capacity.js';

export const REQUIRED_TOOLS = [
  { tool: 'ip', pkg: 'iproute2' },
  { tool: 'sshd', pkg: 'openssh-server' },
  { tool: 'ssh-keygen', pkg: 'openssh-client' },
  { tool: 'bird', pkg: 'bird2' },
  { tool: 'birdc', pkg: 'bird2' },
  { tool: 'nft', pkg: 'nftables' },
  // the sites' tunnel: the kernel's WireGuard is not assumed, the userspace one is
  { tool: 'wireguard-go', pkg: 'wireguard-go' },
  { tool: 'wg', pkg: 'wireguard-tools' },
] as const;

export const APT_LINE =
  'sudo apt-get install -y bird2 openssh-server openssh-client nftables iproute2 wireguard-go wireguard-tools';

const SBIN = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findTool(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...SBIN]) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function missingTools(find: (name: string) => string | undefined = findTool) {
  return REQUIRED_TOOLS.filter((t) => find(t.tool) === undefined);
}

export function missingToolsError(missing: readonly { tool: string; pkg: string }[]): UserError {
  const tools = missing.map((m) => m.tool);
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const list =
    tools.length === 1 ? tools[0]! : `${tools.slice(0, -1).join(', ')} and ${tools.at(-1)!}`;
  return new UserError(
    `the local provider needs ${list}, which ${tools.length === 1 ? 'is' : 'are'} not installed; install ${pkgs.length === 1 ? 'it' : 'them'} with: sudo apt-get install -y ${pkgs.join(' ')}`,
  );
}

export const NOT_ROOT =
  'the local provider creates network namespaces and needs root: run the command with sudo (for example "sudo tungsten-e2e up --sites examples/local.yml --state .tungsten-e2e") or as root.';

/** Root, tools, site count, this host's cores and memory, kernel features. Throws UserError(s). */
export async function preflightLocal(
  sys: Sys,
  plan: Pick<Plan, 'sites' | 'tests'>,
  host?: HostCapacity,
): Promise<void> {
  const siteCount = plan.sites.filter((s) => s.provider === 'local').length;
  const errors: UserError[] = [];
  if (!isRoot()) errors.push(new UserError(NOT_ROOT));
  const missing = missingTools();
  if (missing.length > 0) errors.push(missingToolsError(missing));
  if (siteCount > MAX_LOCAL_SITES) {
    errors.push(
      new UserError(
        `the local provider runs at most ${MAX_LOCAL_SITES} sites on one host, and the site file has ${siteCount}; remove some.`,
      ),
    );
  } else errors.push(...capacityErrors(localNeed(plan), host ?? (await hostCapacity())));
  if (errors.length > 0) throw errors.length === 1 ? errors[0]! : new UserErrors(errors);
  await kernelCheck(sys);
}

/**
 * The kernel check's throwaway namespace: tepf-<pid>-<random>. Outside the
 * run naming scheme (te-<runid>-…) on purpose, so no janitor or teardown
 * ever takes it for a run's; the pid says whose it is, so a probe whose
 * process died before deleting it is removed by the next preflight.
 */
export const PROBE_PREFIX = 'tepf-';

export function probeNetns(pid = process.pid): string {
  return `${PROBE_PREFIX}${pid}-${randomBytes(3).toString('hex')}`;
}

function probeOwner(ns: string): number | undefined {
  const m = /^tepf-(\d+)-[0-9a-f]{6}$/.exec(ns);
  return m ? Number(m[1]) : undefined;
}

/** Delete the probe namespaces whose preflight died before it could. */
export async function removeStaleProbes(sys: Sys): Promise<string[]> {
  const list = await sys.run(['ip', 'netns', 'list'], { allowFail: true });
  const removed: string[] = [];
  for (const line of list.stdout.split('\n')) {
    const ns = line.trim().split(/\s+/)[0] ?? '';
    const pid = probeOwner(ns);
    if (pid === undefined || processAlive(pid)) continue;
    const r = await sys.run(['ip', 'netns', 'delete', ns], { allowFail: true });
    if (r.code === 0) removed.push(ns);
  }
  return removed;
}

/** A throwaway namespace proves namespaces, veth, bridges and VXLAN work on this kernel. */
async function kernelCheck(sys: Sys): Promise<void> {
  await removeStaleProbes(sys);
  const ns = probeNetns();
  const lines = [
    'link add tepfbr type bridge',
    'link add tepfa type veth peer name tepfb',
    'link add tepfvx type vxlan id 42 local 192.0.2.1 remote 192.0.2.2 dstport 4789',
  ];
  const made = await sys.run(['ip', 'netns', 'add', ns], { allowFail: true });
  if (made.code !== 0) {
    throw new UserError(
      `cannot create a network namespace here (${made.stderr.trim()}); the local provider needs a Linux host (or VM) where "sudo ip netns add" works, not an unprivileged container.`,
    );
  }
  try {
    for (const line of lines) {
      const r = await sys.run(['ip', '-n', ns, ...line.split(' ')], { allowFail: true });
      if (r.code !== 0) {
        const kind = line.split(' ')[4];
        throw new UserError(
          `this kernel cannot create ${kind} links ("${r.stderr.trim()}"); load the module with "sudo modprobe ${kind === 'veth' ? 'veth' : kind === 'bridge' ? 'bridge' : 'vxlan'}" or use a kernel that has it.`,
        );
      }
    }
  } finally {
    await sys.run(['ip', 'netns', 'delete', ns], { allowFail: true });
  }
}
