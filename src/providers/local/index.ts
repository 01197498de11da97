/**
 * Provider `local`: each site's machines are network namespaces on this host,
 * each with its own real sshd, wired as in topology.ts. Everything carries the
 * run id (naming.ts); destroy and listExpired work from the id alone.
 */
import { resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { InfraError } from '../../errors.js';
import type { Plan, SitePlan } from '../../plan/types.js';
import { startSshd } from '../../remote/sshd.js';
import type {
  CreatedResource,
  DestroyReport,
  ExpiredRun,
  Host,
  Provider,
  ProviderContext,
  ProviderOpContext,
  ProvisionedSite,
  TeardownTarget,
} from '../provider.js';
import { readMarker, readMarkers, reserveBlock, runIdsOnHost, writeMarker } from './marker.js';
import { hostDir, processResourceId, runDir } from './naming.js';
import { preflightLocal } from './preflight.js';
import type { HostCapacity } from './capacity.js';
import { findRunResources, listNetns, runIdsOfProcesses, sweepRun } from './sweep.js';
import { deadOwner } from '../../state/lock.js';
import type { Sys } from './sys.js';
import { hostSys, ipBatch } from './sys.js';
import type { LocalSiteLayout, PublicNetwork } from './topology.js';
import {
  blockInUse,
  PUBLIC_BLOCKS,
  publicNetwork,
  runNetworkBatch,
  siteBatches,
  siteLayout,
} from './topology.js';

export const SSH_PORT = 22;
export const SSH_USER = 'root';

export interface LocalProviderOptions {
  sys?: Sys;
  /** choose the public block (tests); default: random among the free ones */
  pickBlock?: (free: number[]) => number;
  /** this host's cores and memory (tests); default: read from the host */
  capacity?: () => Promise<HostCapacity>;
}

const ROUTE_TYPES = new Set([
  'local',
  'broadcast',
  'unicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'multicast',
  'anycast',
  'nat',
]);

/** Destination prefixes of every IPv4 route and address on this host (root namespace). */
export async function hostPrefixes(sys: Sys): Promise<string[]> {
  const routes = await sys.run(['ip', '-4', '-o', 'route', 'show', 'table', 'all'], {
    allowFail: true,
  });
  const addrs = await sys.run(['ip', '-4', '-o', 'addr', 'show'], { allowFail: true });
  const out: string[] = [];
  for (const line of routes.stdout.split('\n')) {
    const words = line.trim().split(/\s+/);
    const dest = ROUTE_TYPES.has(words[0] ?? '') ? words[1] : words[0];
    if (dest && dest !== 'default') out.push(dest);
  }
  for (const line of addrs.stdout.split('\n')) {
    const m = /\binet (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

export class LocalProvider implements Provider {
  readonly name = 'local' as const;
  private readonly sys: Sys;
  private readonly capacity: (() => Promise<HostCapacity>) | undefined;
  private readonly pickBlock: (free: number[]) => number;
  private readonly runs = new Map<string, Promise<PublicNetwork>>();

  constructor(options: LocalProviderOptions = {}) {
    this.sys = options.sys ?? hostSys;
    this.capacity = options.capacity;
    this.pickBlock =
      options.pickBlock ?? ((free) => free[Math.floor(Math.random() * free.length)]!);
  }

  async preflight(sites: SitePlan[], plan: Plan, ctx: ProviderOpContext): Promise<void> {
    await preflightLocal(this.sys, plan, this.capacity ? await this.capacity() : undefined);
    await this.noteOrphans(ctx);
  }

  /** Runs on this host whose up or run was killed: they hold addresses and CPU until deleted. */
  private async noteOrphans(ctx: ProviderOpContext): Promise<void> {
    const orphans = (await this.listExpired(new Date(), ctx)).filter((r) => r.orphaned);
    if (orphans.length === 0) return;
    ctx.logger.warn(
      `this host has ${orphans.length} orphaned local run${orphans.length === 1 ? '' : 's'} (${orphans.map((r) => r.runId).join(', ')}): the ${orphans[0]!.orphaned!.command} that started ${orphans.length === 1 ? 'it' : 'them'} was killed; "tungsten-e2e janitor" deletes them.`,
    );
  }

  async provision(site: SitePlan, plan: Plan, ctx: ProviderContext): Promise<ProvisionedSite> {
    const net = await this.runNetwork(plan, ctx);
    ctx.signal.throwIfAborted();
    const layout = siteLayout(ctx.runId, net, plan, site);
    const record = (kind: string, id: string) =>
      ctx.recordResource({ provider: 'local', site: site.name, kind, id });
    const batches = siteBatches(layout, net);

    ctx.logger.info(`provision ${site.name}: ${layout.hosts.length} namespaces and their links`);
    try {
      await ipBatch(this.sys, batches.root);
    } finally {
      // record whatever exists, also when the batch stopped half way
      const existing = new Set(await listNetns(this.sys));
      for (const h of layout.hosts) if (existing.has(h.netns)) await record('netns', h.netns);
    }
    for (const h of layout.hosts) if (h.public) await record('link', h.public.b.name);
    await Promise.all([...batches.perNetns].map(([ns, lines]) => ipBatch(this.sys, lines, ns)));
    await ipBatch(this.sys, batches.rootAfter);
    await Promise.all(layout.hosts.map((h) => this.routerSysctls(h.netns)));
    ctx.signal.throwIfAborted();

    const hosts = await Promise.all(
      layout.hosts.map(async (h): Promise<Host> => {
        ctx.logger.info(`provision ${site.name}: ${h.name}: sshd in ${h.netns}`);
        const sshd = await startSshd({
          dir: hostDir(ctx.runId, h.name),
          tag: `${ctx.runId}-${h.name}`,
          authorizedKeys: [ctx.sshPublicKey],
          listenAddress: '0.0.0.0',
          port: SSH_PORT,
          netns: h.netns,
          logger: ctx.logger,
        });
        await record(
          'process',
          processResourceId(ctx.runId, sshd.pid, ['sshd', sshd.files.config]),
        );
        const host: Host = {
          name: h.name,
          site: site.name,
          role: h.role,
          privateAddress: h.address,
          ssh: h.public
            ? { host: h.public.address, port: SSH_PORT, user: SSH_USER }
            : { host: h.address, port: SSH_PORT, user: SSH_USER, jumpHost: masterOf(layout) },
          hostKeys: sshd.hostPublicKeys,
        };
        if (h.public) host.publicAddress = h.public.address;
        // the site-to-site tunnel runs over the WAN namespace, not the public bridge
        if (h.role === 'edge') host.tunnelAddress = layout.wan.address;
        return host;
      }),
    );
    return { name: site.name, provider: 'local', hosts };
  }

  async destroy(target: TeardownTarget, ctx: ProviderOpContext): Promise<DestroyReport> {
    this.runs.delete(target.runId);
    return sweepRun(
      target.runId,
      target.sites.map((s) => s.name),
      this.sys,
      ctx.logger,
    );
  }

  async listExpired(now: Date, _ctx: ProviderOpContext): Promise<ExpiredRun[]> {
    const expired = new Map<string, Date>();
    const created = new Map<string, Date>();
    const stateDirs = new Map<string, string>();
    const markers = await readMarkers();
    const orphans = new Map<string, { command: string; pid: number }>();
    for (const m of markers) {
      if (m.stateDir) stateDirs.set(m.runId, m.stateDir);
      const dead = m.stateDir ? deadOwner(m.stateDir) : undefined;
      if (dead) {
        orphans.set(m.runId, dead);
        if (!expired.has(m.runId)) expired.set(m.runId, new Date(m.expiresAt));
      }
      const at = new Date(m.expiresAt);
      if (!(at.getTime() > now.getTime())) expired.set(m.runId, at);
      const since = new Date(m.createdAt);
      if (!Number.isNaN(since.getTime())) created.set(m.runId, since);
    }
    // a run's namespaces without its directory: a teardown that stopped half way
    const withDir = new Set(await runIdsOnHost());
    for (const ns of await listNetns(this.sys)) {
      const id = /^te-([a-z][a-z0-9]{5})-/.exec(ns)?.[1];
      if (id && !withDir.has(id) && !expired.has(id)) expired.set(id, new Date(0));
    }
    // processes naming a run whose directory is gone: they outlived its teardown
    for (const id of await runIdsOfProcesses()) {
      if (!withDir.has(id) && !expired.has(id)) expired.set(id, new Date(0));
    }
    const out: ExpiredRun[] = [];
    for (const [runId, expiresAt] of expired) {
      const found = await findRunResources(runId, this.sys);
      const resources: CreatedResource[] = [
        ...found.netns.map((id) => ({ provider: 'local' as const, site: '', kind: 'netns', id })),
        ...found.links.map((id) => ({ provider: 'local' as const, site: '', kind: 'link', id })),
        ...found.processes.map((p) => ({
          provider: 'local' as const,
          site: '',
          kind: 'process',
          id: processResourceId(runId, p.pid, p.argv),
        })),
        ...(found.dir
          ? [{ provider: 'local' as const, site: '', kind: 'dir', id: found.dir }]
          : []),
      ];
      const createdAt = created.get(runId);
      const stateDir = stateDirs.get(runId);
      const orphaned = orphans.get(runId);
      out.push({
        ...(orphaned ? { orphaned } : {}),
        runId,
        expiresAt,
        ...(createdAt ? { createdAt } : {}),
        ...(stateDir ? { stateDir } : {}),
        resources,
      });
    }
    return out.sort((a, b) => a.runId.localeCompare(b.runId));
  }

  /** The run's marker, public bridge and WAN: made once per run, by the first site to need them. */
  private runNetwork(plan: Plan, ctx: ProviderContext): Promise<PublicNetwork> {
    let made = this.runs.get(ctx.runId);
    if (!made) {
      made = this.makeRunNetwork(plan, ctx);
      this.runs.set(ctx.runId, made);
      made.catch(() => this.runs.delete(ctx.runId));
    }
    return made;
  }

  private async makeRunNetwork(plan: Plan, ctx: ProviderContext): Promise<PublicNetwork> {
    // the run directory first: it marks a block reservation of this run as live
    await mkdir(runDir(ctx.runId), { recursive: true, mode: 0o755 });
    const existing = await readMarker(ctx.runId);
    const block = existing?.publicBlock ?? (await this.chooseBlock(plan, ctx.runId));
    // the marker comes first: from here on the janitor can find the run
    await writeMarker({
      runId: ctx.runId,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
      expiresAt: ctx.expiresAt.toISOString(),
      ...(ctx.repo ? { repo: ctx.repo } : {}),
      stateDir: resolve(ctx.stateDir),
      publicBlock: block,
    });
    await ctx.recordResource({ provider: 'local', site: '', kind: 'dir', id: runDir(ctx.runId) });
    const net = publicNetwork(ctx.runId, block);
    ctx.logger.info(
      `provision: public network ${net.cidr} on bridge ${net.bridge}, WAN ${net.wanCidr} in ${net.wanNetns}`,
    );
    const batch = runNetworkBatch(net);
    await ipBatch(this.sys, batch.root);
    await ctx.recordResource({ provider: 'local', site: '', kind: 'netns', id: net.wanNetns });
    await ctx.recordResource({ provider: 'local', site: '', kind: 'link', id: net.bridge });
    await ipBatch(this.sys, batch.wan, net.wanNetns);
    return net;
  }

  private async chooseBlock(plan: Plan, runId: string): Promise<number> {
    const used = [
      ...(await hostPrefixes(this.sys)),
      ...plan.sites.flatMap((s) => [
        s.cidrs.underlay,
        s.cidrs.pod,
        s.cidrs.service,
        s.cidrs.ipFabric,
      ]),
    ];
    const taken = new Set((await readMarkers()).map((m) => m.publicBlock));
    const free: number[] = [];
    for (let b = 0; b < PUBLIC_BLOCKS; b++) {
      if (!taken.has(b) && !blockInUse(b, used)) free.push(b);
    }
    while (free.length > 0) {
      const block = this.pickBlock(free);
      if (await reserveBlock(block, runId)) return block;
      free.splice(free.indexOf(block), 1);
    }
    throw new InfraError(
      'no free /23 left in 198.18.0.0/15 for the run\'s public network (every block is routed on this host or used by another run); run "tungsten-e2e janitor" or free some of that range.',
    );
  }

  private async routerSysctls(netns: string): Promise<void> {
    await this.sys.run([
      'ip',
      'netns',
      'exec',
      netns,
      'sysctl',
      '-qw',
      'net.ipv4.ip_forward=1',
      'net.ipv4.conf.all.rp_filter=0',
      'net.ipv4.conf.default.rp_filter=0',
    ]);
  }
}

function masterOf(layout: LocalSiteLayout): string {
  return layout.hosts.find((h) => h.role === 'master')!.name;
}
