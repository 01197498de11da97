/**
 * The `static` provider: machines the user already has, listed under `hosts:`
 * in the site file. The private key comes from the `ssh-private-key` input or
 * the TUNGSTEN_E2E_SSH_KEY environment variable, never from the site file.
 *
 * preflight/provision reach every host over SSH and check its facts (kernel,
 * memory, root filesystem) against the profile's minimums, refusing with the
 * host's real figures. Provision then installs the run's public key (so the
 * rest of the run uses the run key like on any other provider) and a run
 * directory listing what the run installed; teardown removes exactly that,
 * never the machines.
 */
import { UserError, UserErrors } from '../../errors.js';
import type { Logger } from '../../log.js';
import { secrets } from '../../log.js';
import type { HostPlan, Plan, SitePlan } from '../../plan/types.js';
import { RemoteError, SshConnectError } from '../../remote/errors.js';
import { HostKeyStore } from '../../remote/hostKeys.js';
import { fingerprintOf } from '../../remote/keys.js';
import { RemotePool } from '../../remote/pool.js';
import { describeHost } from '../../remote/target.js';
import type { RemoteHost } from '../../remote/target.js';
import type { Profile } from '../../config/profile.js';
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
import { describeFacts, FACTS_SCRIPT, factsProblem, parseFacts } from './facts.js';
import { EDGE_FILES, tunnelDevicePrefix } from '../../tunnel/wireguard.js';
import type { HostFacts } from './facts.js';
import {
  DEFAULT_AUTHORIZED_KEYS,
  DEFAULT_MARKER_ROOT,
  INSTALL_SCRIPT,
  keyMarker,
  LIST_SCRIPT,
  REMOVE_SCRIPT,
  runDir,
  TUNNEL_REMOVE_SCRIPT,
  runKeyLine,
  shArgs,
} from './installed.js';

export const STATIC_KEY_ENV = 'TUNGSTEN_E2E_SSH_KEY';

/** The static hosts' private key: the action input, else the environment variable. */
export function staticPrivateKey(
  input: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const key = input?.trim() ? input : env[STATIC_KEY_ENV];
  if (!key?.trim()) return undefined;
  const text = key.trim() + '\n';
  secrets.add(text);
  return text;
}

export interface StaticProviderOptions {
  /** the private key that logs in to the hosts (see staticPrivateKey) */
  privateKey?: string;
  /** the run's static sites as planned; their hosts come from the site file */
  sites: SitePlan[];
  /** the run directories' parent on each host; relative paths are under the login user's home */
  markerRoot?: string | ((host: HostPlan) => string);
  /** the login user's authorized_keys file for a host (default ~/.ssh/authorized_keys) */
  authorizedKeysFile?: (host: HostPlan) => string;
  /** pins of host keys across calls (default: pinned on first contact, kept in memory) */
  hostKeys?: HostKeyStore;
  /** tests only: where an edge keeps its WireGuard keys (default EDGE_FILES.keyDir) */
  edgeKeyDir?: (host: HostPlan) => string;
  /** how long a host may take to answer SSH (default 60 s) */
  reachMs?: number;
  connectTimeoutMs?: number;
}

interface SiteHosts {
  site: SitePlan;
  remote: Map<string, RemoteHost>;
}

export class StaticProvider implements Provider {
  readonly name = 'static' as const;
  readonly keepsMachines = true;
  private readonly hostKeys: HostKeyStore;
  private readonly facts = new Map<string, HostFacts>();

  constructor(private readonly options: StaticProviderOptions) {
    this.hostKeys = options.hostKeys ?? new HostKeyStore();
  }

  private root(host: HostPlan): string {
    const r = this.options.markerRoot;
    return (typeof r === 'function' ? r(host) : r) ?? DEFAULT_MARKER_ROOT;
  }

  private pool(logger: Logger): RemotePool {
    if (!this.options.privateKey) {
      throw new UserError(
        `static sites need the SSH private key that logs in to their hosts: set the ssh-private-key input or the ${STATIC_KEY_ENV} environment variable (never the site file).`,
      );
    }
    return new RemotePool({
      privateKey: this.options.privateKey,
      hostKeys: this.hostKeys,
      logger,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 15_000,
    });
  }

  private siteHosts(name: string): SiteHosts {
    const site = this.options.sites.find((s) => s.name === name);
    if (!site) {
      throw new UserError(
        `static site "${name}" is not in the site file any more; run teardown with the site file the run used.`,
      );
    }
    return { site, remote: remoteHostsOf(site) };
  }

  async preflight(sites: SitePlan[], plan: Plan, ctx: ProviderOpContext): Promise<void> {
    const mine = sites.filter((s) => s.provider === 'static');
    if (mine.length === 0) return;
    const pool = this.pool(ctx.logger);
    try {
      const problems: string[] = [];
      for (const site of mine) {
        const { remote } = this.siteHosts(site.name);
        const found = await Promise.all(
          site.hosts.map((h) => this.checkHost(pool, h, remote.get(h.name)!, plan.profile, ctx)),
        );
        problems.push(...found.filter((p): p is string => Boolean(p)));
      }
      for (const site of mine) this.noteTrustedOnFirstUse(site, ctx);
      if (problems.length === 1) throw new UserError(problems[0]!);
      if (problems.length > 1) throw new UserErrors(problems.map((p) => new UserError(p)));
    } finally {
      await pool.close();
    }
  }

  /**
   * Say which hosts' keys were trusted on first use (no host-key in the site
   * file): the key they presented, and the line that pins it next time.
   */
  private noteTrustedOnFirstUse(site: SitePlan, ctx: ProviderOpContext): void {
    for (const [j, h] of site.hosts.entries()) {
      if (h.ssh?.hostKey) continue;
      const key = pinnedKeys(this.hostKeys, h.name)[0];
      if (!key) continue;
      ctx.logger.warn(
        `static ${h.name}: no host-key in the site file, so its key was trusted on first use (${key.split(' ')[0]} ${fingerprintOf(key)}); to pin it, add to sites[${site.index}].hosts[${j}]: host-key: "${key}"`,
      );
    }
  }

  /** Reach the host and read its facts; returns why it cannot serve, or undefined. */
  private async checkHost(
    pool: RemotePool,
    host: HostPlan,
    remote: RemoteHost,
    profile: Profile,
    ctx: ProviderOpContext,
  ): Promise<string | undefined> {
    let facts = this.facts.get(host.name);
    if (!facts) {
      try {
        await pool.waitForSsh(remote, Date.now() + (this.options.reachMs ?? 60_000));
        const out = await pool.run(remote, shArgs(FACTS_SCRIPT, []), { timeoutMs: 30_000 });
        facts = parseFacts(out.stdout);
      } catch (e) {
        if (e instanceof RemoteError || e instanceof SshConnectError) {
          return `static host ${host.name} (${describeHost(remote)}) cannot be reached over SSH: ${e.message}; check its address, port, user and the ssh-private-key.`;
        }
        throw e;
      }
      if (!facts) {
        return `static host ${host.name} (${describeHost(remote)}) did not report its kernel, memory and disk (uname, /proc/meminfo, df); is it a Linux machine?`;
      }
      this.facts.set(host.name, facts);
      ctx.logger.info(`static ${host.name}: ${describeFacts(facts)}`);
    }
    return factsProblem(host, describeHost(remote), facts, profile);
  }

  async provision(site: SitePlan, plan: Plan, ctx: ProviderContext): Promise<ProvisionedSite> {
    await this.preflight([site], plan, ctx);
    const { remote } = this.siteHosts(site.name);
    const pool = this.pool(ctx.logger);
    try {
      const line = runKeyLine(ctx.sshPublicKey, ctx.runId);
      const hosts = await Promise.all(
        site.hosts.map(async (h) => {
          const target = remote.get(h.name)!;
          const dir = runDir(this.root(h), ctx.runId);
          await pool.run(
            target,
            shArgs(INSTALL_SCRIPT, [
              dir,
              this.authorizedKeys(h),
              line,
              ctx.expiresAt.toISOString(),
              site.name,
              ctx.repo ?? '',
            ]),
            { timeoutMs: 30_000 },
          );
          await ctx.recordResource({
            provider: 'static',
            site: site.name,
            kind: 'run-dir',
            id: `${h.name}:${dir}`,
          });
          return this.hostOf(site, h, target);
        }),
      );
      return { name: site.name, provider: 'static', hosts };
    } finally {
      await pool.close();
    }
  }

  private authorizedKeys(h: HostPlan): string {
    return this.options.authorizedKeysFile?.(h) ?? DEFAULT_AUTHORIZED_KEYS;
  }

  private hostOf(site: SitePlan, h: HostPlan, target: RemoteHost): Host {
    const ssh = h.ssh!;
    const host: Host = {
      name: h.name,
      site: site.name,
      role: h.role,
      privateAddress: h.privateAddress,
      ssh: {
        host: ssh.address,
        port: ssh.port,
        user: ssh.user,
        ...(target.jump ? { jumpHost: target.jump.name } : {}),
      },
    };
    if (!target.jump && ssh.address !== h.privateAddress) host.publicAddress = ssh.address;
    const keys = pinnedKeys(this.hostKeys, h.name);
    if (keys.length) host.hostKeys = keys;
    return host;
  }

  async destroy(target: TeardownTarget, ctx: ProviderOpContext): Promise<DestroyReport> {
    const report: DestroyReport = { deleted: [], remaining: [] };
    const pool = this.pool(ctx.logger);
    try {
      const jobs = target.sites.flatMap((s) => {
        const { site, remote } = this.siteHosts(s.name);
        return site.hosts.map((h) => ({ site, h, r: remote.get(h.name)! }));
      });
      const results = await Promise.all(
        jobs.map(async ({ site, h, r }) => {
          const tunnel =
            h.role === 'edge'
              ? await this.removeTunnel(pool, site, h, r, target.runId)
              : { deleted: [], remaining: [] };
          const run = await this.removeRun(pool, site, h, r, target.runId);
          return {
            deleted: [...tunnel.deleted, ...run.deleted],
            remaining: [...tunnel.remaining, ...run.remaining],
          };
        }),
      );
      for (const r of results) {
        report.deleted.push(...r.deleted);
        report.remaining.push(...r.remaining);
      }
    } finally {
      await pool.close();
    }
    return report;
  }

  /** The run's WireGuard devices and key files on an edge, found by the run id in their names. */
  private async removeTunnel(
    pool: RemotePool,
    site: SitePlan,
    h: HostPlan,
    r: RemoteHost,
    runId: string,
  ): Promise<DestroyReport> {
    const out: DestroyReport = { deleted: [], remaining: [] };
    const prefix = tunnelDevicePrefix(runId);
    const keyDir = this.options.edgeKeyDir?.(h) ?? EDGE_FILES.keyDir;
    try {
      const res = await pool.run(r, shArgs(TUNNEL_REMOVE_SCRIPT, [prefix, keyDir]), {
        sudo: true,
        timeoutMs: 60_000,
      });
      for (const { kind, what } of removedLines(res.stdout)) {
        out.deleted.push({ provider: 'static', site: site.name, kind, id: `${h.name}:${what}` });
      }
    } catch (e) {
      out.remaining.push({
        resource: { provider: 'static', site: site.name, kind: 'link', id: `${h.name}:${prefix}*` },
        error: (e as Error).message,
        howToDelete: `on ${describeHost(r)}: sudo ip link delete dev <each ${prefix}* device>; sudo rm -f ${keyDir}/${prefix}*.key`,
      });
    }
    return out;
  }

  private async removeRun(
    pool: RemotePool,
    site: SitePlan,
    h: HostPlan,
    r: RemoteHost,
    runId: string,
  ): Promise<DestroyReport> {
    const out: DestroyReport = { deleted: [], remaining: [] };
    const dir = runDir(this.root(h), runId);
    const keys = this.authorizedKeys(h);
    const resource: CreatedResource = {
      provider: 'static',
      site: site.name,
      kind: 'run-dir',
      id: `${h.name}:${dir}`,
    };
    try {
      const res = await pool.run(r, shArgs(REMOVE_SCRIPT, [dir, keys, keyMarker(runId)]), {
        timeoutMs: 60_000,
      });
      for (const { kind, what } of removedLines(res.stdout)) {
        out.deleted.push(
          kind === 'run-dir' ? resource : { ...resource, kind, id: `${h.name}:${what}` },
        );
      }
    } catch (e) {
      out.remaining.push({
        resource,
        error: (e as Error).message,
        howToDelete: `on ${describeHost(r)}: remove the lines ending in "${keyMarker(runId)}" from ${keys}, undo what ${dir}/installed lists, then rm -rf ${dir}`,
      });
    }
    return out;
  }

  async listExpired(now: Date, ctx: ProviderOpContext): Promise<ExpiredRun[]> {
    const runs = new Map<string, ExpiredRun>();
    const pool = this.pool(ctx.logger);
    try {
      const hosts = this.options.sites.flatMap((site) => {
        const remote = remoteHostsOf(site);
        return site.hosts.map((h) => ({ site, h, r: remote.get(h.name)! }));
      });
      const listings = await Promise.all(
        hosts.map(async ({ site, h, r }) => {
          const out = await pool.run(r, shArgs(LIST_SCRIPT, [this.root(h)]), {
            timeoutMs: 30_000,
          });
          return { site, h, lines: out.stdout.split('\n') };
        }),
      );
      for (const { site, h, lines } of listings) {
        for (const l of lines) {
          const [runId, expires, siteName] = l.split('\t');
          const expiresAt = new Date(expires ?? '');
          if (!runId || Number.isNaN(expiresAt.getTime()) || expiresAt >= now) continue;
          const run = runs.get(runId) ?? { runId, expiresAt, resources: [] };
          run.resources.push({
            provider: 'static',
            site: siteName || site.name,
            kind: 'run-dir',
            id: `${h.name}:${runDir(this.root(h), runId)}`,
          });
          runs.set(runId, run);
        }
      }
    } finally {
      await pool.close();
    }
    return [...runs.values()];
  }
}

/**
 * The site's hosts as SSH targets. A host's `jump:` names the address of
 * another host of the same site (the master, usually), which it is reached
 * through.
 */
export function remoteHostsOf(site: SitePlan): Map<string, RemoteHost> {
  const out = new Map<string, RemoteHost>();
  const direct = (h: HostPlan): RemoteHost => ({
    name: h.name,
    host: h.ssh!.address,
    port: h.ssh!.port,
    user: h.ssh!.user,
    ...(h.ssh!.hostKey ? { hostKeys: [h.ssh!.hostKey] } : {}),
  });
  for (const h of site.hosts) {
    if (!h.ssh) throw new Error(`static host ${h.name} has no ssh endpoint in the plan`);
    out.set(h.name, direct(h));
  }
  for (const [i, h] of site.hosts.entries()) {
    const jump = h.ssh!.jump;
    if (!jump) continue;
    const via = site.hosts.filter((o) => o !== h && o.ssh!.address === jump && !o.ssh!.jump);
    const chosen = via.find((o) => o.role === 'master') ?? via[0];
    if (!chosen) {
      throw new UserError(
        `sites[${site.index}].hosts[${i}].jump ${jump} is not the address of another host of site "${site.name}" reached directly; list the jump host under hosts (usually the master) or remove jump.`,
      );
    }
    out.get(h.name)!.jump = out.get(chosen.name)!;
  }
  return out;
}

/** "type base64" of the keys pinned for a host, for Host.hostKeys. */
function pinnedKeys(store: HostKeyStore, name: string): string[] {
  return store
    .knownHosts()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p.length >= 4 && p[3] === name)
    .map((p) => `${p[1]} ${p[2]}`);
}

/** The `removed<TAB>kind<TAB>what` lines the removal scripts print. */
function removedLines(stdout: string): { kind: string; what: string }[] {
  return stdout.split('\n').flatMap((l) => {
    const [word, kind, what] = l.split('\t');
    return word === 'removed' && kind && what ? [{ kind, what }] : [];
  });
}
