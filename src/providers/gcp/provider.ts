/**
 * The GCP (Compute Engine) provider: per site a custom-mode network with one
 * subnetwork on the underlay range in the site's region, firewall rules, the
 * cluster nodes and one edge VM (IP forwarding on, routes for the other
 * sites' underlays through it); everything labelled or described with the
 * run id and expiry, and deleted by name filter and tags.
 */
import { InfraError, UserError } from '../../errors.js';
import type { Plan, SitePlan } from '../../plan/types.js';
import type {
  CreatedResource,
  DestroyReport,
  ExpiredRun,
  Host,
  PeerEdge,
  Provider,
  ProviderContext,
  ProviderOpContext,
  ProvisionedSite,
  TeardownTarget,
} from '../provider.js';
import type { Clock } from '../cloud/clock.js';
import { systemClock } from '../cloud/clock.js';
import { hostsReady } from '../cloud/hosts.js';
import type { CloudProviderOptions } from '../cloud/options.js';
import { ExpiredRuns } from '../cloud/expiredRuns.js';
import { DEFAULT_RETRY_POLICY } from '../cloud/retry.js';
import type { RetryPolicy } from '../cloud/retry.js';
import type { SizeCheck } from '../cloud/sizes.js';
import { preflightEach, SiteChecks } from '../cloud/siteCheck.js';
import type { SiteCheck } from '../cloud/siteCheck.js';
import { expiryOf, TAG_RUN_ID, TAG_SITE } from '../cloud/tags.js';
import { GcpApi } from './api.js';
import { bootDiskGiB, checkGcpSite } from './catalogue.js';
import { gcpClientFactory } from './client.js';
import type { GcpClientFactory, GcpClientOptions } from './client.js';
import { resolveImage } from './image.js';
import type { GcpImage } from './image.js';
import { edgeRoutes, guestHostKeys, launch, SSH_USER, waitRunning } from './instances.js';
import type { Launched } from './instances.js';
import { createSiteNetwork, edgeFirewall, insertFirewall, networkUrl } from './network.js';
import { findTagged, nameFilter, removeAll } from './teardown.js';
import type { Found } from './teardown.js';
import { resourceName } from '../cloud/tags.js';

export type { SshWaiter } from '../cloud/hosts.js';

export interface GcpWaits {
  /** one long-running operation */
  operationMs: number;
  /** until every instance is RUNNING */
  runningMs: number;
  /** how long to look for host keys in the guest attributes before trusting on first contact */
  hostKeysMs: number;
  /** until SSH answers on every host */
  sshMs: number;
}

export const DEFAULT_GCP_WAITS: GcpWaits = {
  operationMs: 10 * 60_000,
  runningMs: 10 * 60_000,
  hostKeysMs: 3 * 60_000,
  sshMs: 10 * 60_000,
};

export interface GcpProviderOptions extends GcpClientOptions, CloudProviderOptions<GcpWaits> {
  /** the clients (tests pass ones pointed at a fake endpoint) */
  clients?: GcpClientFactory;
}

export interface GcpPlace {
  region: string;
  zone: string;
}

export class GcpProvider implements Provider {
  readonly name = 'gcp' as const;
  private readonly clients: GcpClientFactory;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly waits: GcpWaits;
  private readonly checked = new SiteChecks<GcpImage>();

  constructor(private readonly options: GcpProviderOptions = {}) {
    this.clients = options.clients ?? gcpClientFactory(options);
    this.clock = options.clock ?? systemClock;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.waits = { ...DEFAULT_GCP_WAITS, ...options.waits };
  }

  private async api(ctx: ProviderOpContext): Promise<GcpApi> {
    return new GcpApi(await this.clients(), {
      clock: this.clock,
      policy: this.policy,
      logger: ctx.logger,
      signal: ctx.signal,
      operationMs: this.waits.operationMs,
    });
  }

  async preflight(sites: SitePlan[], plan: Plan, ctx: ProviderOpContext): Promise<void> {
    const mine = sites.filter((s) => s.provider === 'gcp');
    for (const s of mine) placeOf(s);
    await preflightEach(mine, (site) => this.check(site, plan, ctx));
  }

  /** Each role's machine type against the minimums, from machineTypes.get; never throws for size. */
  async sizes(site: SitePlan, plan: Plan, ctx: ProviderOpContext): Promise<SizeCheck[]> {
    return checkGcpSite(await this.api(ctx), site, plan, placeOf(site).zone);
  }

  check(site: SitePlan, plan: Plan, ctx: ProviderOpContext): Promise<SiteCheck<GcpImage>> {
    return this.checked.check(
      site,
      () => this.sizes(site, plan, ctx),
      async () => {
        const image = await resolveImage(await this.api(ctx), site, plan.profile);
        if (image.deprecated) {
          ctx.logger.warn(
            `gcp site "${site.name}": image ${image.name} is deprecated; consider setting sites[${site.index}].image to an image family you maintain.`,
          );
        }
        return image;
      },
    );
  }

  async provision(site: SitePlan, plan: Plan, ctx: ProviderContext): Promise<ProvisionedSite> {
    const { region, zone } = placeOf(site);
    const { image } = await this.check(site, plan, ctx);
    const api = await this.api(ctx);
    ctx.logger.info(
      `gcp site "${site.name}" in ${zone} (project ${api.project}): image ${image.name}, ${site.hosts.length} instances`,
    );
    const net = await createSiteNetwork(api, site, plan, region, ctx);
    const launched: Launched[] = [];
    for (const host of site.hosts) {
      const l = await launch(api, net, ctx, {
        host,
        site: site.name,
        zone,
        imageUrl: image.selfLink,
        bootGiB: bootDiskGiB(plan, host.role, image.diskSizeGb),
        spot: site.spot,
        sshPublicKey: ctx.sshPublicKey,
      });
      await ctx.recordResource({
        provider: 'gcp',
        site: site.name,
        kind: 'instance',
        id: l.name,
        region: zone,
      });
      ctx.logger.info(`gcp site "${site.name}": created ${host.name} as ${l.name}`);
      launched.push(l);
    }
    const edge = launched.find((l) => l.host.role === 'edge');
    if (edge) {
      const others = plan.sites
        .filter((s) => s.name !== site.name)
        .map((s) => ({ site: s.name, cidr: s.cidrs.underlay }));
      await edgeRoutes(api, ctx, site.name, net, edge, others, (name) =>
        ctx.recordResource({ provider: 'gcp', site: site.name, kind: 'route', id: name }),
      );
    }
    const running = await waitRunning(
      api,
      launched,
      this.clock,
      this.clock.now() + this.waits.runningMs,
      ctx.signal,
    );
    const hosts: Host[] = launched.map((l) => {
      const nic = running.get(l.name)?.networkInterfaces?.[0];
      const publicAddress = nic?.accessConfigs?.[0]?.natIP ?? undefined;
      if (nic?.networkIP !== l.host.privateAddress) {
        throw new InfraError(
          `gcp instance ${l.host.name} (${l.name}) got private address ${nic?.networkIP}, not the planned ${l.host.privateAddress}.`,
        );
      }
      if (!publicAddress) {
        throw new InfraError(
          `gcp instance ${l.host.name} (${l.name}) in ${zone} has no external address although one was requested.`,
        );
      }
      return {
        name: l.host.name,
        site: site.name,
        role: l.host.role,
        privateAddress: nic.networkIP,
        publicAddress,
        ssh: { host: publicAddress, port: 22, user: SSH_USER },
      };
    });
    await hostsReady(
      this.options.ssh,
      hosts,
      (i) => guestHostKeys(api, launched[i]!),
      {
        provider: 'gcp',
        owner: 'GcpProvider',
        source: 'guest attributes',
        clock: this.clock,
        waits: this.waits,
      },
      ctx,
    );
    return { name: site.name, provider: 'gcp', hosts };
  }

  async authorizeEdges(site: SitePlan, peers: PeerEdge[], ctx: ProviderContext): Promise<void> {
    const api = await this.api(ctx);
    const network = networkUrl(api.project, resourceName(ctx.runId, site.name, 'vpc'));
    for (const peer of peers) {
      const fw = edgeFirewall(site.name, peer, ctx, network);
      await insertFirewall(api, fw);
      await ctx.recordResource({
        provider: 'gcp',
        site: site.name,
        kind: 'firewall',
        id: fw.name!,
      });
    }
  }

  async destroy(target: TeardownTarget, ctx: ProviderOpContext): Promise<DestroyReport> {
    const api = await this.api(ctx);
    const report: DestroyReport = { deleted: [], remaining: [] };
    const result = await removeAll(api, target.runId, (items) =>
      ctx.logger.info(
        `gcp ${api.project}: deleting ${items.length} ${items[0]!.kind} of run ${target.runId}: ${items.map((i) => i.id).join(', ')}`,
      ),
    );
    report.deleted.push(...result.deleted.map(resourceOf));
    report.remaining.push(
      ...result.failed.map((f) => ({
        resource: resourceOf(f.item),
        error: f.error,
        howToDelete: f.howToDelete,
      })),
    );
    if (result.deleted.length || result.failed.length) {
      // the verification pass: nothing of the run may be left
      const failed = new Set(result.failed.map((f) => `${f.item.kind}/${f.item.id}`));
      for (const left of await findTagged(api, nameFilter(target.runId), target.runId)) {
        if (failed.has(`${left.kind}/${left.id}`)) continue;
        report.remaining.push({
          resource: resourceOf(left),
          error: `still there after teardown of run ${target.runId}`,
          howToDelete: `run "tungsten-e2e down" again, or delete ${left.kind} ${left.id} in project ${api.project} by hand`,
        });
      }
    }
    return report;
  }

  async listExpired(
    now: Date,
    ctx: ProviderOpContext & { regions?: string[] },
  ): Promise<ExpiredRun[]> {
    const api = await this.api(ctx);
    const runs = new ExpiredRuns();
    for (const f of await findTagged(api, nameFilter())) {
      const expiry = expiryOf(f.tags);
      if (expiry) runs.add(f.tags[TAG_RUN_ID]!, expiry, resourceOf(f));
    }
    return runs.before(now);
  }
}

/** Region and zone of a site: the zone defaults to the region's "-b" zone, which every region has. */
export function placeOf(site: SitePlan): GcpPlace {
  const zone = site.zone ?? (site.region ? `${site.region}-b` : undefined);
  if (!zone) {
    throw new UserError(
      `sites[${site.index}].zone is missing for gcp site "${site.name}"; set zone (e.g. zone: europe-west1-b) or region.`,
    );
  }
  const region = zone.replace(/-[a-z]$/, '');
  if (site.region && site.region !== region) {
    throw new UserError(
      `sites[${site.index}].zone ${zone} is not in sites[${site.index}].region ${site.region} for gcp site "${site.name}"; make them agree.`,
    );
  }
  return { region, zone };
}

function resourceOf(f: Found): CreatedResource {
  const where = 'zone' in f.scope ? f.scope.zone : 'region' in f.scope ? f.scope.region : undefined;
  return {
    provider: 'gcp',
    site: f.tags[TAG_SITE] ?? '',
    kind: f.kind,
    id: f.id,
    ...(where ? { region: where } : {}),
  };
}
