/**
 * The contract kit's fixture for `local`: the world is this host, seen the
 * way an operator sees it (ip netns, ip link, /proc, /run/tungsten-e2e),
 * independently of the provider's own sweep code. Local has no cloud tags, so
 * the inventory derives the canonical ones from what it finds, as the kit
 * documents:
 *
 * - run id: in every name (namespaces te-<id>-…, links te<id>…, paths
 *   /run/tungsten-e2e/<id>/…, the block reservation's target);
 * - site: from the host in the name (te-<id>-<site>-master, the host
 *   directory, a root link's alias te-<id>-<host>-public); run-wide objects
 *   (the run directory, the WAN namespace, the public bridge, the block
 *   reservation) carry the run's first site, by name order;
 * - expires-at and repo: from the run's marker (run.json);
 * - Name: the object's own name (a root link's alias, a process's program and
 *   run file), run-wide objects noting the site they were given.
 *
 * The host is shared with other runs (other tests, other people's work), so
 * the fixture's world is the runs its providers provisioned: the provider it
 * hands out records their ids, and the janitor's answer is narrowed to them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { memoryLogger } from '../../../src/log.js';
import { formatIp, mustParseCidr, networkOf, nthAddress, parseIp } from '../../../src/net/cidr.js';
import { InfraError } from '../../../src/errors.js';
import { LocalProvider } from '../../../src/providers/local/index.js';
import { hostSys } from '../../../src/providers/local/sys.js';
import type { Sys, SysOptions, SysResult } from '../../../src/providers/local/sys.js';
import type { RunMarker } from '../../../src/providers/local/marker.js';
import { hostDir, RUN_ROOT, runDir } from '../../../src/providers/local/naming.js';
import type { Provider } from '../../../src/providers/provider.js';
import {
  TAG_EXPIRES_AT,
  TAG_NAME,
  TAG_REPO,
  TAG_RUN_ID,
  TAG_SITE,
} from '../../../src/providers/cloud/tags.js';
import type { InventoryItem, ProviderFixture } from '../contract.js';

const sh = (argv: string[]): string =>
  execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** "east" of east-master, east-worker-1, east-edge, east-pod-tenant-a-echo-east-tenant-a. */
function siteOfHost(host: string): string | undefined {
  return /^(.+?)-(master|edge|worker-\d+|pod-.+)$/.exec(host)?.[1];
}

function addressesIn(
  netns: string,
): { ifname: string; addr_info: { local: string; prefixlen: number }[] }[] {
  return JSON.parse(sh(['ip', '-n', netns, '-j', '-4', 'addr', 'show']));
}

interface Found {
  kind: string;
  id: string;
  name: string;
  /** undefined: run-wide */
  site?: string;
}

function processesOf(runId: string): Found[] {
  const dir = `${runDir(runId)}/`;
  const out: Found[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let raw: string;
    try {
      raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone
    }
    // sshd rewrites its title into one string ("sshd: /usr/sbin/sshd -D … [listener] …")
    const words = raw
      .split('\0')
      .flatMap((a) => a.split(/\s+/))
      .filter(Boolean);
    const file = words.find((w) => w.includes(dir));
    if (!file) continue;
    const program = basename(words[0]!.replace(/:$/, ''));
    const host = file.slice(dir.length).split('/')[0]!;
    out.push({
      kind: 'process',
      id: `${program} ${pid} ${file}`,
      name: `${program} ${file}`,
      site: siteOfHost(host),
    });
  }
  return out;
}

function namespacesOf(runId: string): Found[] {
  const prefix = `te-${runId}-`;
  return sh(['ip', 'netns', 'list'])
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(prefix))
    .map((n) => ({ kind: 'netns', id: n, name: n, site: siteOfHost(n.slice(prefix.length)) }));
}

function rootLinksOf(runId: string): Found[] {
  const links = JSON.parse(sh(['ip', '-j', 'link', 'show'])) as {
    ifname: string;
    ifalias?: string;
  }[];
  const prefix = `te-${runId}-`;
  return links
    .filter((l) => l.ifname.startsWith(`te${runId}`))
    .map((l) => {
      const alias = l.ifalias ?? '';
      const host = alias.startsWith(prefix)
        ? alias.slice(prefix.length).replace(/-public$/, '')
        : '';
      return { kind: 'link', id: l.ifname, name: alias || l.ifname, site: siteOfHost(host) };
    });
}

function filesOf(runId: string): Found[] {
  const out: Found[] = [];
  const dir = runDir(runId);
  if (existsSync(dir)) {
    out.push({ kind: 'dir', id: dir, name: dir });
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        out.push({
          kind: 'dir',
          id: hostDir(runId, e.name),
          name: hostDir(runId, e.name),
          site: siteOfHost(e.name),
        });
      }
    }
  }
  for (const e of existsSync(RUN_ROOT) ? readdirSync(RUN_ROOT) : []) {
    const path = join(RUN_ROOT, e);
    let target: string | undefined;
    try {
      target = readlinkSync(path);
    } catch {
      continue; // not a symlink
    }
    if (target === runId) out.push({ kind: 'reservation', id: path, name: `${path} -> ${runId}` });
  }
  return out;
}

/**
 * A command this host answers with a failure instead of running it (the
 * kernel refusing), or runs in part first: undefined lets it run as usual.
 */
type Fault = (argv: readonly string[], options: SysOptions) => Promise<SysResult> | undefined;

/** The failure as hostSys reports it: the result when allowed to fail, else its InfraError. */
function failed(argv: readonly string[], options: SysOptions, r: SysResult): SysResult {
  if (r.code === 0 || options.allowFail) return r;
  throw new InfraError(`${argv.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
}

/** hostSys, with the fault (if any) in front of it. */
function faultySys(fault: () => Fault | undefined): Sys {
  return {
    run: async (argv, options = {}) => {
      const answer = fault()?.(argv, options);
      return answer ? failed(argv, options, await answer) : hostSys.run(argv, options);
    },
  };
}

export async function localFixture(): Promise<ProviderFixture> {
  const runIds = new Set<string>();
  const markers = new Map<string, RunMarker>();
  let fault: Fault | undefined;

  const inventoryNow = (): InventoryItem[] => {
    const items: InventoryItem[] = [];
    for (const runId of runIds) {
      try {
        markers.set(runId, JSON.parse(readFileSync(join(runDir(runId), 'run.json'), 'utf8')));
      } catch {
        // gone with the run directory: the last one read still holds the tags
      }
      const marker = markers.get(runId);
      const found = [
        ...namespacesOf(runId),
        ...rootLinksOf(runId),
        ...processesOf(runId),
        ...filesOf(runId),
      ];
      const sites = [...new Set(found.flatMap((f) => (f.site ? [f.site] : [])))].sort();
      for (const f of found) {
        const site = f.site ?? sites[0] ?? '';
        items.push({
          kind: f.kind,
          id: f.id,
          tags: {
            [TAG_RUN_ID]: runId,
            [TAG_SITE]: site,
            [TAG_NAME]: f.site ? f.name : `${f.name} (run-wide; site ${site})`,
            ...(marker ? { [TAG_EXPIRES_AT]: marker.expiresAt } : {}),
            ...(marker?.repo ? { [TAG_REPO]: marker.repo } : {}),
          },
        });
      }
    }
    return items;
  };

  /** A LocalProvider whose runs are this fixture's world. */
  const provider = (): Provider => {
    const inner = new LocalProvider({ sys: faultySys(() => fault) });
    return {
      name: 'local',
      preflight: (sites, plan, ctx) => inner.preflight(sites, plan, ctx),
      provision: (site, plan, ctx) => {
        runIds.add(ctx.runId);
        return inner.provision(site, plan, ctx);
      },
      destroy: (target, ctx) => inner.destroy(target, ctx),
      listExpired: async (now, ctx) =>
        (await inner.listExpired(now, ctx)).filter((r) => runIds.has(r.runId)),
    };
  };

  let lastState = '';
  const changes: string[] = [];

  return {
    provider,
    site: () => ({ provider: 'local' }),
    inventory: async () => inventoryNow(),
    // the host has no API to log calls: its changes, seen between two calls
    mutations: () => {
      const h = createHash('sha256').update(JSON.stringify(inventoryNow())).digest('hex');
      if (h !== lastState) {
        if (lastState) changes.push('state changed');
        lastState = h;
      }
      return changes;
    },
    // nothing on this host refuses a deletion because something depends on it
    orderViolations: () => [],
    vanishOnNextDelete: () => {
      // a worker's namespace disappears behind the provider's back (its sshd lives on)
      const victim = [...runIds]
        .flatMap((id) => namespacesOf(id))
        .find((n) => /-worker-\d+$/.test(n.id));
      if (victim) sh(['ip', 'netns', 'del', victim.id]);
    },
    routes: async (runId, site) => {
      // each host's addresses, and each site's underlay (its edge's bridge address is the gateway)
      const owner = new Map<string, string>();
      const underlays = new Map<string, string>();
      const prefix = `te-${runId}-`;
      for (const ns of namespacesOf(runId).filter((n) => !n.id.includes('-pod-'))) {
        const host = ns.id.slice(prefix.length);
        for (const link of addressesIn(ns.id)) {
          for (const a of link.addr_info) {
            owner.set(a.local, host);
            if (host.endsWith('-edge') && link.ifname.startsWith(`te${runId}b`)) {
              underlays.set(
                ns.site!,
                `${formatIp(networkOf(parseIp(a.local)!, a.prefixlen))}/${a.prefixlen}`,
              );
            }
          }
        }
      }
      // where the site's master sends a packet for each other site's underlay
      const out: Record<string, string> = {};
      for (const [other, cidr] of underlays) {
        if (other === site) continue;
        const [route] = JSON.parse(
          sh([
            'ip',
            '-n',
            `${prefix}${site}-master`,
            '-j',
            'route',
            'get',
            nthAddress(mustParseCidr(cidr), 10),
          ]),
        ) as { gateway?: string; dev: string }[];
        out[cidr] = route?.gateway
          ? (owner.get(route.gateway) ?? route.gateway)
          : `direct via ${route?.dev}`;
      }
      return out;
    },
    hostKeysOf: (runId, host) => {
      const dir = hostDir(runId, host);
      if (!existsSync(dir)) return undefined;
      return readdirSync(dir)
        .filter((f) => /-host-[a-z0-9]+\.pub$/.test(f))
        .map((f) => readFileSync(join(dir, f), 'utf8').trim());
    },
    // the kernel's limit on network namespaces (user.max_net_namespaces) is reached at
    // the run's second machine: the site's batch made the first, then stopped
    quotaOnSecondInstance: () => {
      let refused: string | undefined;
      fault = (argv, options) => {
        const lines = (options.stdin ?? '').split('\n').filter(Boolean);
        const adds = lines.flatMap((l, i) =>
          /^netns add te-[a-z0-9]+-.+-(master|worker-\d+|edge)$/.test(l) ? [i] : [],
        );
        if (argv.join(' ') !== 'ip -batch -' || adds.length < 2 || refused) return undefined;
        const at = adds[1]!;
        refused = lines[at]!.split(' ')[2]!;
        return (async () => {
          const before = await hostSys.run(argv, {
            ...options,
            stdin: `${lines.slice(0, at).join('\n')}\n`,
          });
          if (before.code !== 0) return before;
          return {
            code: 1,
            stdout: '',
            stderr: `Failed to create a new network namespace "${refused}": No space left on device\nCommand failed -:${at + 1}\n`,
          };
        })();
      };
      return {
        mentions: ['netns add', '-worker-1', 'No space left on device'],
        heal: () => {
          fault = undefined;
        },
      };
    },
    // half way through the second site, the kernel refuses the edge's links every time
    persistentServerError: () => {
      fault = (argv) =>
        /^ip -n te-[a-z0-9]+-west-edge -batch -$/.test(argv.join(' '))
          ? Promise.resolve({
              code: 2,
              stdout: '',
              stderr: 'RTNETLINK answers: No buffer space available\nCommand failed -:1\n',
            })
          : undefined;
      return {
        mentions: ['west-edge', 'RTNETLINK answers: No buffer space available'],
        heal: () => {
          fault = undefined;
        },
      };
    },
    notApplicable: {
      throttle: 'local has no cloud API to throttle',
      catalogue: 'local has no instance types; its preflight checks root and the tools instead',
      firewall:
        "local has no cloud firewall: the run is reachable from this host only, and isolation is the fabric's nftables",
    },
    cleanup: async () => {
      const ctx = { logger: memoryLogger(), signal: new AbortController().signal };
      for (const runId of runIds) await new LocalProvider().destroy({ runId, sites: [] }, ctx);
    },
  };
}
