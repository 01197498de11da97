/**
 * The AWS (EC2) provider: per site a VPC on the underlay range, subnet,
 * internet gateway, route table, security groups, the cluster nodes and one
 * edge VM; everything tagged with the run id and expiry, deleted by tag.
 */
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
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
import { expiryOf, resourceName, TAG_EXPIRES_AT, TAG_RUN_ID, TAG_SITE } from '../cloud/tags.js';
import { Ec2Api } from './api.js';
import { bootDiskGiB, checkAwsSite } from './catalogue.js';
import { ec2ClientFactory } from './client.js';
import type { AwsKeys, Ec2ClientFactory } from './client.js';
import { resolveImage } from './image.js';
import type { AwsImage } from './image.js';
import { consoleHostKeys, launch, makeEdgeRouter, waitRunning } from './instances.js';
import type { Launched } from './instances.js';
import { authorize, createSiteNetwork, edgeIngress } from './network.js';
import { findTagged, removeAll, runFilter, runFilterByName, tagKeyFilter } from './teardown.js';
import type { Found } from './teardown.js';
import { SSH_USER } from './userData.js';

export type { SshWaiter } from '../cloud/hosts.js';

export interface AwsWaits {
  /** until every instance is running */
  runningMs: number;
  /** how long to look for host keys in the console before trusting on first contact */
  hostKeysMs: number;
  /** until SSH answers on every host */
  sshMs: number;
  /** until terminated instances are gone during teardown */
  terminateMs: number;
}

export const DEFAULT_AWS_WAITS: AwsWaits = {
  runningMs: 10 * 60_000,
  hostKeysMs: 3 * 60_000,
  sshMs: 10 * 60_000,
  terminateMs: 10 * 60_000,
};

export interface AwsProviderOptions extends CloudProviderOptions<AwsWaits> {
  /** the action's key inputs; without them the SDK's default chain is used */
  keys?: AwsKeys;
  /** EC2 clients per region (tests pass clients with a mocked transport) */
  clients?: Ec2ClientFactory;
  /** regions the janitor searches when it is given none */
  janitorRegions?: string[];
}

export class AwsProvider implements Provider {
  readonly name = 'aws' as const;
  private readonly clients: Ec2ClientFactory;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly waits: AwsWaits;
  /** preflight results per site, so provision does not ask twice */
  private readonly checked = new SiteChecks<AwsImage>();

  constructor(private readonly options: AwsProviderOptions = {}) {
    this.clients = options.clients ?? ec2ClientFactory(options.keys);
    this.clock = options.clock ?? systemClock;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.waits = { ...DEFAULT_AWS_WAITS, ...options.waits };
  }

  private api(region: string, ctx: ProviderOpContext): Ec2Api {
    return new Ec2Api(this.clients(region), region, {
      clock: this.clock,
      policy: this.policy,
      logger: ctx.logger,
      signal: ctx.signal,
    });
  }

  async preflight(sites: SitePlan[], plan: Plan, ctx: ProviderOpContext): Promise<void> {
    const mine = sites.filter((s) => s.provider === 'aws');
    for (const s of mine) regionOf(s);
    await preflightEach(mine, (site) => this.check(site, plan, ctx));
  }

  /** Each role's instance type against the minimums, from DescribeInstanceTypes; never throws for size. */
  sizes(site: SitePlan, plan: Plan, ctx: ProviderOpContext): Promise<SizeCheck[]> {
    return checkAwsSite(this.api(regionOf(site), ctx), site, plan);
  }

  /** Sizes against the minimums and the image, from EC2's catalogue; nothing is created. */
  check(site: SitePlan, plan: Plan, ctx: ProviderOpContext): Promise<SiteCheck<AwsImage>> {
    return this.checked.check(
      site,
      () => this.sizes(site, plan, ctx),
      async () => {
        const api = this.api(regionOf(site), ctx);
        const image = await resolveImage(api, site, plan.profile, new Date(this.clock.now()));
        if (image.deprecated) {
          ctx.logger.warn(
            `aws site "${site.name}": image ${image.imageId} (${image.name ?? 'no name'}) is deprecated; it may disappear, so consider setting sites[${site.index}].image to an image you maintain.`,
          );
        }
        return image;
      },
    );
  }

  async provision(site: SitePlan, plan: Plan, ctx: ProviderContext): Promise<ProvisionedSite> {
    const region = regionOf(site);
    const api = this.api(region, ctx);
    const { image } = await this.check(site, plan, ctx);
    ctx.logger.info(
      `aws site "${site.name}" in ${region}: image ${image.imageId}${image.name ? ` (${image.name})` : ''}, ${site.hosts.length} instances`,
    );

    const net = await createSiteNetwork(api, site, plan, ctx);
    const launched: Launched[] = [];
    for (const host of site.hosts) {
      const l = await launch(api, net, ctx, {
        host,
        site: site.name,
        imageId: image.imageId,
        rootDeviceName: image.rootDeviceName,
        rootGiB: bootDiskGiB(plan, host.role, image.rootSnapshotGiB),
        spot: site.spot,
        sshPublicKey: ctx.sshPublicKey,
      });
      await ctx.recordResource({
        provider: 'aws',
        site: site.name,
        kind: 'instance',
        id: l.instanceId,
        region,
      });
      ctx.logger.info(`aws site "${site.name}": launched ${host.name} as ${l.instanceId}`);
      launched.push(l);
    }
    const edge = launched.find((l) => l.host.role === 'edge');
    if (edge) {
      const others = plan.sites
        .filter((s) => s.name !== site.name)
        .map((s) => ({ site: s.name, cidr: s.cidrs.underlay }));
      await makeEdgeRouter(api, net, edge, others);
    }

    const running = await waitRunning(
      api,
      launched,
      this.clock,
      this.clock.now() + this.waits.runningMs,
      ctx.signal,
    );
    const hosts: Host[] = launched.map((l) => {
      const instance = running.get(l.instanceId)!;
      if (instance.PrivateIpAddress !== l.host.privateAddress) {
        throw new InfraError(
          `aws instance ${l.host.name} (${l.instanceId}) got private address ${instance.PrivateIpAddress}, not the planned ${l.host.privateAddress}.`,
        );
      }
      if (!instance.PublicIpAddress) {
        throw new InfraError(
          `aws instance ${l.host.name} (${l.instanceId}) in ${region} has no public address although one was requested.`,
        );
      }
      return {
        name: l.host.name,
        site: site.name,
        role: l.host.role,
        privateAddress: instance.PrivateIpAddress,
        publicAddress: instance.PublicIpAddress,
        ssh: { host: instance.PublicIpAddress, port: 22, user: SSH_USER },
      };
    });

    await hostsReady(
      this.options.ssh,
      hosts,
      (i) => consoleHostKeys(api, launched[i]!.instanceId, launched[i]!.host.name),
      {
        provider: 'aws',
        owner: 'AwsProvider',
        source: 'console output',
        clock: this.clock,
        waits: this.waits,
      },
      ctx,
    );
    return { name: site.name, provider: 'aws', hosts };
  }

  async authorizeEdges(site: SitePlan, peers: PeerEdge[], ctx: ProviderContext): Promise<void> {
    const api = this.api(regionOf(site), ctx);
    const groupName = resourceName(ctx.runId, site.name, 'edge');
    const out = await api.send(
      new DescribeSecurityGroupsCommand({ Filters: runFilterByName(ctx.runId, groupName) }),
      `security group ${groupName}`,
    );
    const groupId = out.SecurityGroups?.[0]?.GroupId;
    if (!groupId) {
      throw new InfraError(
        `aws security group ${groupName} of site "${site.name}" was not found in ${api.region}; provision the site first.`,
      );
    }
    // one call per peer: EC2 applies a batch all or nothing, and a duplicate fails the batch
    for (const peer of peers) {
      await authorize(api, ctx, site.name, groupId, groupName, edgeIngress([peer]));
    }
  }

  async destroy(target: TeardownTarget, ctx: ProviderOpContext): Promise<DestroyReport> {
    const report: DestroyReport = { deleted: [], remaining: [] };
    for (const region of regionsOf(target.sites)) {
      const api = this.api(region, ctx);
      const result = await removeAll(
        api,
        runFilter(target.runId),
        {
          clock: this.clock,
          terminateDeadline: this.clock.now() + this.waits.terminateMs,
          signal: ctx.signal,
        },
        (items) =>
          ctx.logger.info(
            `aws ${region}: deleting ${items.length} ${items[0]!.kind} of run ${target.runId}: ${items.map((i) => i.id).join(', ')}`,
          ),
      );
      report.deleted.push(...result.deleted.map((f) => resourceOf(f, region)));
      report.remaining.push(
        ...result.failed.map((f) => ({
          resource: resourceOf(f.item, region),
          error: f.error,
          howToDelete: f.howToDelete,
        })),
      );
      if (result.deleted.length || result.failed.length) {
        const failedIds = new Set(result.failed.map((f) => f.item.id));
        for (const left of await findTagged(api, runFilter(target.runId))) {
          if (failedIds.has(left.id)) continue;
          report.remaining.push({
            resource: resourceOf(left, region),
            error: `still tagged with run ${target.runId} after teardown`,
            howToDelete: `run "tungsten-e2e down" again, or delete ${left.kind} ${left.id} in ${region} by hand`,
          });
        }
      }
    }
    return report;
  }

  async listExpired(
    now: Date,
    ctx: ProviderOpContext & { regions?: string[] },
  ): Promise<ExpiredRun[]> {
    const regions = ctx.regions?.length
      ? ctx.regions
      : (this.options.janitorRegions ?? envRegions());
    if (regions.length === 0) {
      throw new UserError(
        'the AWS janitor needs to know which regions to search; pass them (e.g. --region us-east-1) or set AWS_REGION.',
      );
    }
    const runs = new ExpiredRuns();
    for (const region of [...new Set(regions)]) {
      const api = this.api(region, ctx);
      for (const f of await findTagged(api, tagKeyFilter(TAG_EXPIRES_AT))) {
        const runId = f.tags[TAG_RUN_ID];
        const expiry = expiryOf(f.tags);
        if (runId && expiry) runs.add(runId, expiry, resourceOf(f, region));
      }
    }
    return runs.before(now);
  }
}

function regionOf(site: SitePlan): string {
  if (!site.region) {
    throw new UserError(
      `sites[${site.index}].region is missing for aws site "${site.name}"; set it, e.g. region: us-east-1.`,
    );
  }
  return site.region;
}

function regionsOf(sites: TeardownTarget['sites']): string[] {
  const missing = sites.filter((s) => !s.region);
  if (missing.length) {
    throw new UserError(
      `aws teardown needs the region of site(s) ${missing.map((s) => `"${s.name}"`).join(', ')}; the site file must name it.`,
    );
  }
  return [...new Set(sites.map((s) => s.region!))];
}

function envRegions(): string[] {
  const r = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return r ? [r] : [];
}

function resourceOf(f: Found, region: string): CreatedResource {
  return { provider: 'aws', site: f.tags[TAG_SITE] ?? '', kind: f.kind, id: f.id, region };
}
