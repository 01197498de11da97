/**
 * The janitor: find the resources of any run past its expiry (or, with
 * --older-than, created longer ago than that) and delete them, with each
 * provider's own listExpired and destroy, by the run tags alone: no state
 * file is needed, so it also cleans up after jobs that were killed, runs kept
 * on purpose and forgotten, and teardowns that failed.
 *
 * Which providers it asks:
 *   local   always (this host: network namespaces, links, processes, files)
 *   aws     when credentials are visible (the action's key inputs, or the
 *           SDK's default chain: environment, profile, OIDC web identity),
 *           in the regions given (--region), else the regions of the site
 *           file's aws sites (--sites / the action's sites input), else
 *           AWS_REGION / AWS_DEFAULT_REGION; skipped with a notice otherwise
 *   gcp     when credentials are visible (the gcp-credentials input,
 *           GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default
 *           credentials): the whole project
 *   azure   when credentials are visible (the azure-credentials input,
 *           AZURE_CLIENT_ID with a secret or a federated token, an Azure CLI
 *           login): the whole subscription
 *   static  only with a site file naming static sites (their hosts are the
 *           only place to look)
 */
import type { ProviderName } from '../config/types.js';
import type { Logger } from '../log.js';
import type { ProviderFactory, RegistryOptions } from '../pipeline/registry.js';
import { providerRegistry } from '../pipeline/registry.js';
import type { Plan } from '../plan/types.js';
import { awsCredentialSource } from '../providers/aws/credentials.js';
import {
  azureCredentialSource,
  keyFromInput as azureKeyFromInput,
} from '../providers/azure/client.js';
import { gcpCredentialSource, keyFromInput as gcpKeyFromInput } from '../providers/gcp/client.js';
import type { CreatedResource, DestroyReport, ExpiredRun } from '../providers/provider.js';
import { forgetRunKey } from './runState.js';

export interface JanitorOptions {
  /** default: now */
  now?: Date;
  /** also delete runs created longer ago than this, expired or not */
  olderThanSeconds?: number;
  /** list what would be deleted, delete nothing */
  dryRun?: boolean;
  /** AWS regions to search (see the module comment for the default) */
  regions?: string[];
  /** a site file's plan: its aws regions, its static hosts */
  plan?: Plan;
}

export interface JanitorEnv {
  logger: Logger;
  signal?: AbortSignal;
  /** default: the registry made with the plan and `credentials` */
  providers?: ProviderFactory;
  credentials?: Pick<
    RegistryOptions,
    'sshPrivateKey' | 'awsKeys' | 'gcpCredentials' | 'azureCredentials'
  >;
  /** where credentials and regions are looked up; default process.env */
  env?: NodeJS.ProcessEnv;
  /** default: the user's home directory (AWS shared files) */
  home?: string;
}

export interface JanitorRun {
  provider: ProviderName;
  runId: string;
  expiresAt: Date;
  createdAt?: Date;
  /** why it goes: past its expiry, older than --older-than, or its starting command was killed */
  why: 'expired' | 'older' | 'orphaned';
  /** for an orphan: the command that was killed */
  orphanedBy?: { command: string; pid: number };
  resources: CreatedResource[];
  deleted: CreatedResource[];
  remaining: DestroyReport['remaining'];
}

export interface JanitorReport {
  dryRun: boolean;
  runs: JanitorRun[];
  /** providers not asked, and why (no credentials, no regions, no site file) */
  skipped: { provider: ProviderName; reason: string }[];
  /** providers that could not list their runs */
  failed: { provider: ProviderName; error: string }[];
}

/** Later than any expiry: listExpired at this instant lists every run a provider knows. */
const END_OF_TIME = new Date(8_640_000_000_000_000);

interface Sweep {
  provider: ProviderName;
  regions?: string[];
}

/** Which providers to ask, and where; the rest are skipped with the reason. */
export function janitorProviders(
  options: JanitorOptions,
  env: JanitorEnv,
): { sweeps: Sweep[]; skipped: JanitorReport['skipped'] } {
  const sweeps: Sweep[] = [{ provider: 'local' }];
  const skipped: JanitorReport['skipped'] = [];
  const vars = env.env ?? process.env;
  const credentials = awsCredentialSource(vars, env.home, env.credentials?.awsKeys);
  const siteRegions = (options.plan?.sites ?? [])
    .filter((s) => s.provider === 'aws' && s.region)
    .map((s) => s.region!);
  const envRegion = vars.AWS_REGION || vars.AWS_DEFAULT_REGION;
  const regions = [
    ...new Set(
      options.regions?.length
        ? options.regions
        : siteRegions.length
          ? siteRegions
          : envRegion
            ? [envRegion]
            : [],
    ),
  ];
  if (!credentials) {
    skipped.push({
      provider: 'aws',
      reason:
        'no AWS credentials found (give the aws-access-key-id and aws-secret-access-key inputs, AWS_ACCESS_KEY_ID, a profile, or OIDC via aws-actions/configure-aws-credentials)',
    });
  } else if (regions.length === 0) {
    skipped.push({
      provider: 'aws',
      reason: `AWS credentials found (${credentials}) but no region to search; pass --region, a site file with aws sites, or set AWS_REGION`,
    });
  } else {
    sweeps.push({ provider: 'aws', regions });
  }
  const gcp = gcpCredentialSource(vars, env.home, gcpKeyFromInput(env.credentials?.gcpCredentials));
  if (gcp) sweeps.push({ provider: 'gcp' });
  else {
    skipped.push({
      provider: 'gcp',
      reason:
        'no GCP credentials found (give the gcp-credentials input, GOOGLE_APPLICATION_CREDENTIALS, or OIDC via google-github-actions/auth)',
    });
  }
  const azure = azureCredentialSource(
    vars,
    env.home,
    azureKeyFromInput(env.credentials?.azureCredentials),
  );
  if (azure) sweeps.push({ provider: 'azure' });
  else {
    skipped.push({
      provider: 'azure',
      reason:
        'no Azure credentials found (give the azure-credentials input, AZURE_CLIENT_ID with a secret or a federated token, or OIDC via azure/login)',
    });
  }
  if (options.plan?.sites.some((s) => s.provider === 'static')) sweeps.push({ provider: 'static' });
  return { sweeps, skipped };
}

export async function janitor(options: JanitorOptions, env: JanitorEnv): Promise<JanitorReport> {
  const now = options.now ?? new Date();
  const signal = env.signal ?? new AbortController().signal;
  const ctx = { logger: env.logger, signal };
  const providers =
    env.providers ??
    providerRegistry({ ...env.credentials, ...(options.plan ? { plan: options.plan } : {}) });
  const { sweeps, skipped } = janitorProviders(options, env);
  const report: JanitorReport = { dryRun: options.dryRun === true, runs: [], skipped, failed: [] };
  const olderThan =
    options.olderThanSeconds !== undefined
      ? now.getTime() - options.olderThanSeconds * 1000
      : undefined;

  for (const sweep of sweeps) {
    let listed: ExpiredRun[];
    try {
      const provider = await providers(sweep.provider);
      listed = await provider.listExpired(olderThan === undefined ? now : END_OF_TIME, {
        ...ctx,
        ...(sweep.regions ? { regions: sweep.regions } : {}),
      });
    } catch (e) {
      report.failed.push({
        provider: sweep.provider,
        error: e instanceof Error ? e.message : String(e),
      });
      continue;
    }
    for (const run of listed) {
      const expired = run.expiresAt.getTime() <= now.getTime();
      const older =
        olderThan !== undefined &&
        run.createdAt !== undefined &&
        run.createdAt.getTime() <= olderThan;
      if (!expired && !older && !run.orphaned) continue;
      const entry: JanitorRun = {
        provider: sweep.provider,
        runId: run.runId,
        expiresAt: run.expiresAt,
        ...(run.createdAt ? { createdAt: run.createdAt } : {}),
        why: expired ? 'expired' : older ? 'older' : 'orphaned',
        ...(run.orphaned && !expired && !older ? { orphanedBy: run.orphaned } : {}),
        resources: run.resources,
        deleted: [],
        remaining: [],
      };
      report.runs.push(entry);
      if (options.dryRun) continue;
      signal.throwIfAborted();
      const provider = await providers(sweep.provider);
      const regions = [...new Set(run.resources.map((r) => r.region).filter((r) => r))];
      const sites = regions.length
        ? regions.map((region) => ({ name: `janitor-${region}`, region: region! }))
        : [];
      try {
        const r = await provider.destroy({ runId: run.runId, sites }, ctx);
        entry.deleted = r.deleted;
        entry.remaining = r.remaining;
        if (r.remaining.length === 0 && run.stateDir) {
          const key = await forgetRunKey(run.stateDir, run.runId);
          if (key) entry.deleted.push({ provider: sweep.provider, site: '', kind: 'key', id: key });
        }
      } catch (e) {
        entry.remaining = run.resources.map((resource) => ({
          resource,
          error: e instanceof Error ? e.message : String(e),
          howToDelete: `run "tungsten-e2e janitor" again, or delete it by hand`,
        }));
      }
    }
  }
  return report;
}
