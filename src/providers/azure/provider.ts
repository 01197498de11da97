/**
 * The Azure provider: one resource group per site per run, tagged with the
 * run id and expiry; inside it the NSG, route table, VNet/subnet, and per
 * host a public IP, NIC and VM. Teardown deletes the groups (checked gone)
 * and sweeps anything else carrying the run's tag.
 */
import { InfraError, UserError } from '../../errors.js';
import type { Plan, SitePlan } from '../../plan/types.js';
import type {
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
import { expiryOf, TAG_EXPIRES_AT, TAG_RUN_ID } from '../cloud/tags.js';
import { AzureApi } from './api.js';
import { checkAzureSite, osDiskGiB } from './catalogue.js';
import { azureClientFactory } from './client.js';
import type { AzureClientFactory, AzureClientOptions } from './client.js';
import { resolveImage } from './image.js';
import type { AzureImage } from './image.js';
import { armId, authorizeEdgeRules, createGroup, createSiteNetwork, groupName } from './network.js';
import { resourceName } from '../cloud/tags.js';
import {
  removeGroups,
  resourceOf,
  resourceOfGroup,
  sweep,
  taggedGroups,
  taggedResources,
} from './teardown.js';
import { bootLogHostKeys, createVm, SSH_USER } from './vms.js';
import type { Created } from './vms.js';

export type { SshWaiter } from '../cloud/hosts.js';

export interface AzureWaits {
  operationMs: number;
  hostKeysMs: number;
  sshMs: number;
}

export const DEFAULT_AZURE_WAITS: AzureWaits = {
  operationMs: 15 * 60_000,
  hostKeysMs: 3 * 60_000,
  sshMs: 10 * 60_000,
};

export interface AzureProviderOptions extends AzureClientOptions, CloudProviderOptions<AzureWaits> {
  clients?: AzureClientFactory;
}

export class AzureProvider implements Provider {
  readonly name = 'azure' as const;
  private readonly clients: AzureClientFactory;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly waits: AzureWaits;
  private readonly checked = new SiteChecks<AzureImage>();

  constructor(private readonly options: AzureProviderOptions = {}) {
    this.clients = options.clients ?? azureClientFactory(options);
    this.clock = options.clock ?? systemClock;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.waits = { ...DEFAULT_AZURE_WAITS, ...options.waits };
  }

  private async api(ctx: ProviderOpContext): Promise<AzureApi> {
    return new AzureApi(await this.clients(), {
      clock: this.clock,
      policy: this.policy,
      logger: ctx.logger,
      signal: ctx.signal,
      operationMs: this.waits.operationMs,
    });
  }

  async preflight(sites: SitePlan[], plan: Plan, ctx: ProviderOpContext): Promise<void> {
    const mine = sites.filter((s) => s.provider === 'azure');
    for (const s of mine) locationOf(s);
    await preflightEach(mine, (site) => this.check(site, plan, ctx));
  }

  /** Each role's VM size against the minimums, from the Resource SKUs API; never throws for size. */
  async sizes(site: SitePlan, plan: Plan, ctx: ProviderOpContext): Promise<SizeCheck[]> {
    return checkAzureSite(await this.api(ctx), site, plan, locationOf(site));
  }

  check(site: SitePlan, plan: Plan, ctx: ProviderOpContext): Promise<SiteCheck<AzureImage>> {
    return this.checked.check(
      site,
      () => this.sizes(site, plan, ctx),
      async () => resolveImage(await this.api(ctx), site, plan.profile, locationOf(site)),
    );
  }

  async provision(site: SitePlan, plan: Plan, ctx: ProviderContext): Promise<ProvisionedSite> {
    const location = locationOf(site);
    const { image } = await this.check(site, plan, ctx);
    const api = await this.api(ctx);
    ctx.logger.info(
      `azure site "${site.name}" in ${location}: image ${image.publisher}:${image.offer}:${image.sku}:${image.version}${image.plan ? ' (Marketplace plan)' : ''}, ${site.hosts.length} VMs`,
    );
    const group = await createGroup(api, site, location, ctx);
    const net = await createSiteNetwork(api, site, plan, group, location, ctx);
    const record = (type: string, kind: string, name: string) =>
      ctx.recordResource({
        provider: 'azure',
        site: site.name,
        kind,
        id: armId(api.subscriptionId, group, type, name),
        region: location,
      });
    const created: Created[] = [];
    for (const host of site.hosts) {
      const c = await createVm(
        api,
        net,
        ctx,
        {
          host,
          site: site.name,
          image,
          osDiskGiB: osDiskGiB(plan, host.role),
          spot: site.spot,
          sshPublicKey: ctx.sshPublicKey,
        },
        record,
      );
      ctx.logger.info(`azure site "${site.name}": created ${host.name} as ${c.vm} (${c.publicIp})`);
      created.push(c);
    }
    const hosts: Host[] = created.map((c) => ({
      name: c.host.name,
      site: site.name,
      role: c.host.role,
      privateAddress: c.host.privateAddress,
      publicAddress: c.publicIp,
      ssh: { host: c.publicIp, port: 22, user: SSH_USER },
    }));
    await hostsReady(
      this.options.ssh,
      hosts,
      (i) => bootLogHostKeys(api, group, created[i]!.vm, location),
      {
        provider: 'azure',
        owner: 'AzureProvider',
        source: 'serial log',
        clock: this.clock,
        waits: this.waits,
      },
      ctx,
    );
    return { name: site.name, provider: 'azure', hosts };
  }

  async authorizeEdges(site: SitePlan, peers: PeerEdge[], ctx: ProviderContext): Promise<void> {
    const edge = site.hosts.find((h) => h.role === 'edge');
    if (!edge) {
      throw new InfraError(`azure site "${site.name}" has no edge VM to authorize WireGuard to.`);
    }
    const api = await this.api(ctx);
    await authorizeEdgeRules(
      api,
      groupName(ctx.runId, site.name),
      resourceName(ctx.runId, site.name, 'nsg'),
      edge.privateAddress,
      peers,
      locationOf(site),
    );
  }

  async destroy(target: TeardownTarget, ctx: ProviderOpContext): Promise<DestroyReport> {
    const api = await this.api(ctx);
    const report: DestroyReport = { deleted: [], remaining: [] };
    const groups = await removeGroups(api, target.runId);
    const swept = await sweep(api, target.runId);
    for (const r of [groups, swept]) {
      report.deleted.push(...r.deleted);
      report.remaining.push(...r.failed);
    }
    if (report.deleted.length || report.remaining.length) {
      ctx.logger.info(
        `azure: deleted ${report.deleted.filter((d) => d.kind === 'resource-group').length} resource groups of run ${target.runId} and ${report.deleted.length} resources in all`,
      );
      // the verification pass: nothing tagged with the run may be left
      const failed = new Set(report.remaining.map((r) => r.resource.id.toLowerCase()));
      const left = [
        ...(await taggedGroups(api, TAG_RUN_ID, target.runId)).map(resourceOfGroup),
        ...(await taggedResources(api, TAG_RUN_ID, target.runId)).map((r) => resourceOf(r)),
      ];
      for (const l of left) {
        if (failed.has(l.id.toLowerCase())) continue;
        report.remaining.push({
          resource: l,
          error: `still tagged with run ${target.runId} after teardown`,
          howToDelete: `run "tungsten-e2e down" again, or az resource delete --ids ${l.id}`,
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
    const add = (
      tags: Record<string, string> | undefined,
      resource: ReturnType<typeof resourceOf>,
    ) => {
      const runId = tags?.[TAG_RUN_ID];
      const expiry = tags ? expiryOf(tags) : undefined;
      if (runId && expiry) runs.add(runId, expiry, resource);
    };
    for (const g of await taggedGroups(api, TAG_EXPIRES_AT)) add(g.tags, resourceOfGroup(g));
    for (const r of await taggedResources(api, TAG_EXPIRES_AT)) add(r.tags, resourceOf(r));
    return runs.before(now);
  }
}

export function locationOf(site: SitePlan): string {
  if (!site.region) {
    throw new UserError(
      `sites[${site.index}].region is missing for azure site "${site.name}"; set it to an Azure location, e.g. region: westeurope.`,
    );
  }
  return site.region;
}
