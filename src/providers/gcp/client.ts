/**
 * Compute Engine clients for one project, from the `gcp-credentials` input
 * (a service-account key or workload-identity JSON, passed in explicitly) or
 * Application Default Credentials (what google-github-actions/auth exports).
 * The SDK is imported only when the first client is made.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { secrets } from '../../log.js';
import { jsonInput } from '../cloud/jsonInput.js';
import type * as Sdk from './sdk.js';

export type ComputeSdk = typeof Sdk;

export interface GcpClients {
  project: string;
  instances: InstanceType<ComputeSdk['InstancesClient']>;
  disks: InstanceType<ComputeSdk['DisksClient']>;
  networks: InstanceType<ComputeSdk['NetworksClient']>;
  subnetworks: InstanceType<ComputeSdk['SubnetworksClient']>;
  firewalls: InstanceType<ComputeSdk['FirewallsClient']>;
  routes: InstanceType<ComputeSdk['RoutesClient']>;
  machineTypes: InstanceType<ComputeSdk['MachineTypesClient']>;
  images: InstanceType<ComputeSdk['ImagesClient']>;
  zoneOperations: InstanceType<ComputeSdk['ZoneOperationsClient']>;
  regionOperations: InstanceType<ComputeSdk['RegionOperationsClient']>;
  globalOperations: InstanceType<ComputeSdk['GlobalOperationsClient']>;
  close(): Promise<void>;
}

/** The parsed `gcp-credentials` input. */
export interface GcpKey {
  json: Record<string, unknown>;
  projectId?: string;
}

export interface GcpClientOptions {
  key?: GcpKey;
  /** the project; else the key's project_id, else GOOGLE_CLOUD_PROJECT & co., else ADC's */
  project?: string;
  /** tests: a ready auth client and where the Compute API answers */
  authClient?: unknown;
  apiEndpoint?: string;
  port?: number;
  protocol?: 'http' | 'https';
  env?: NodeJS.ProcessEnv;
}

export type GcpClientFactory = () => Promise<GcpClients>;

const PROJECT_VARS = [
  'GOOGLE_CLOUD_PROJECT',
  'GCLOUD_PROJECT',
  'CLOUDSDK_CORE_PROJECT',
  'CLOUDSDK_PROJECT',
];

/** The `gcp-credentials` input: JSON with a type; its secrets are masked at once. */
export function keyFromInput(text: string | undefined): GcpKey | undefined {
  const json = jsonInput(
    text,
    `action input 'gcp-credentials' is not JSON; pass a service-account key file's content (or leave it empty and use google-github-actions/auth).`,
  );
  if (json === undefined) return undefined;
  if (!json || typeof json !== 'object' || typeof (json as { type?: unknown }).type !== 'string') {
    throw new UserError(
      `action input 'gcp-credentials' has no "type" field; pass a service-account key (type service_account) or a workload identity configuration (type external_account).`,
    );
  }
  const obj = json as Record<string, unknown>;
  for (const k of ['private_key', 'private_key_id', 'client_secret', 'refresh_token']) {
    if (typeof obj[k] === 'string') secrets.add(obj[k]);
  }
  const projectId =
    typeof obj.project_id === 'string'
      ? obj.project_id
      : typeof obj.quota_project_id === 'string'
        ? obj.quota_project_id
        : undefined;
  return { json: obj, ...(projectId ? { projectId } : {}) };
}

/** One set of clients per provider, made on first use, sharing one auth. */
export function gcpClientFactory(options: GcpClientOptions = {}): GcpClientFactory {
  let made: Promise<GcpClients> | undefined;
  return () => (made ??= makeClients(options));
}

async function makeClients(options: GcpClientOptions): Promise<GcpClients> {
  const sdk: ComputeSdk = await import('./sdk.js');
  const endpoint = {
    ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.protocol ? { protocol: options.protocol } : {}),
    fallback: true as const,
  };
  const first = new sdk.InstancesClient({
    ...endpoint,
    ...(options.authClient ? { authClient: options.authClient as never } : {}),
    ...(options.key ? { credentials: options.key.json as never } : {}),
  });
  const shared = { ...endpoint, auth: first.auth };
  const project = await projectOf(options, () => first.getProjectId());
  const clients: GcpClients = {
    project,
    instances: first,
    disks: new sdk.DisksClient(shared),
    networks: new sdk.NetworksClient(shared),
    subnetworks: new sdk.SubnetworksClient(shared),
    firewalls: new sdk.FirewallsClient(shared),
    routes: new sdk.RoutesClient(shared),
    machineTypes: new sdk.MachineTypesClient(shared),
    images: new sdk.ImagesClient(shared),
    zoneOperations: new sdk.ZoneOperationsClient(shared),
    regionOperations: new sdk.RegionOperationsClient(shared),
    globalOperations: new sdk.GlobalOperationsClient(shared),
    close: async () => {
      for (const c of Object.values(clients)) {
        if (c && typeof c === 'object' && 'close' in c)
          await (c as { close(): Promise<void> }).close();
      }
    },
  };
  return clients;
}

async function projectOf(
  options: GcpClientOptions,
  fromAdc: () => Promise<string>,
): Promise<string> {
  if (options.project) return options.project;
  if (options.key?.projectId) return options.key.projectId;
  const env = options.env ?? process.env;
  for (const v of PROJECT_VARS) if (env[v]) return env[v]!;
  try {
    return await fromAdc();
  } catch (e) {
    throw new UserError(
      `no GCP project: the credentials name none and GOOGLE_CLOUD_PROJECT is not set (${(e as Error).message.split('\n')[0]}); set GOOGLE_CLOUD_PROJECT, or use a service-account key that has project_id (docs/gcp.md).`,
    );
  }
}

/**
 * Where credentials would come from, judged without a network call (so an
 * offline plan never waits on the metadata server); undefined when none.
 */
export function gcpCredentialSource(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
  key?: GcpKey,
): string | undefined {
  if (key) return 'the gcp-credentials input';
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (file && existsSync(file)) return `GOOGLE_APPLICATION_CREDENTIALS (${file})`;
  const adc = join(
    env.CLOUDSDK_CONFIG ?? join(home, '.config', 'gcloud'),
    'application_default_credentials.json',
  );
  return existsSync(adc) ? adc : undefined;
}
