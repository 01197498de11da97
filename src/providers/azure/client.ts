/**
 * ARM clients for one subscription, from the `azure-credentials` input
 * ({clientId, clientSecret, tenantId, subscriptionId}, passed in explicitly)
 * or DefaultAzureCredential (environment, workload identity — what azure/login
 * with OIDC sets up — or an Azure CLI login). The SDKs are imported only when
 * the first client is made; their own retries are off (every call goes
 * through AzureApi's retry).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { UserError } from '../../errors.js';
import { secrets } from '../../log.js';
import { jsonInput } from '../cloud/jsonInput.js';
import type * as Sdk from './sdk.js';

export type AzureSdk = typeof Sdk;

export interface AzureClients {
  subscriptionId: string;
  resources: InstanceType<AzureSdk['ResourceManagementClient']>;
  network: InstanceType<AzureSdk['NetworkManagementClient']>;
  compute: InstanceType<AzureSdk['ComputeManagementClient']>;
  /** plain HTTPS through the same transport: the boot diagnostics blob */
  fetchText(url: string): Promise<{ status: number; text: string }>;
}

/** The parsed `azure-credentials` input. */
export interface AzureKey {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  subscriptionId: string;
}

export interface AzureClientOptions {
  key?: AzureKey;
  /** else the key's, else AZURE_SUBSCRIPTION_ID */
  subscriptionId?: string;
  /** tests: a credential and the transport the fake answers on */
  credential?: TokenCredential;
  httpClient?: HttpClient;
  env?: NodeJS.ProcessEnv;
}

export type AzureClientFactory = () => Promise<AzureClients>;

const KEY_FIELDS = ['clientId', 'clientSecret', 'tenantId', 'subscriptionId'] as const;

/** The `azure-credentials` input (the JSON azure/login's creds input takes); its secret is masked at once. */
export function keyFromInput(text: string | undefined): AzureKey | undefined {
  const json = jsonInput(
    text,
    `action input 'azure-credentials' is not JSON; pass {"clientId", "clientSecret", "tenantId", "subscriptionId"} (or leave it empty and use azure/login with OIDC).`,
  );
  if (json === undefined) return undefined;
  const obj = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const missing = KEY_FIELDS.filter((k) => typeof obj[k] !== 'string' || !obj[k]);
  if (missing.length) {
    throw new UserError(
      `action input 'azure-credentials' lacks ${missing.join(', ')}; it needs clientId, clientSecret, tenantId and subscriptionId (docs/azure.md).`,
    );
  }
  secrets.add(obj.clientSecret as string);
  return Object.fromEntries(KEY_FIELDS.map((k) => [k, obj[k] as string])) as unknown as AzureKey;
}

export function azureClientFactory(options: AzureClientOptions = {}): AzureClientFactory {
  let made: Promise<AzureClients> | undefined;
  return () => (made ??= makeClients(options));
}

async function makeClients(options: AzureClientOptions): Promise<AzureClients> {
  const env = options.env ?? process.env;
  const subscriptionId =
    options.subscriptionId ?? options.key?.subscriptionId ?? env.AZURE_SUBSCRIPTION_ID;
  if (!subscriptionId) {
    throw new UserError(
      'no Azure subscription: set the azure-credentials input (with subscriptionId) or the AZURE_SUBSCRIPTION_ID environment variable (docs/azure.md).',
    );
  }
  const sdk: AzureSdk = await import('./sdk.js');
  const credential =
    options.credential ??
    (options.key
      ? new sdk.ClientSecretCredential(
          options.key.tenantId,
          options.key.clientId,
          options.key.clientSecret,
        )
      : new sdk.DefaultAzureCredential());
  const httpClient = options.httpClient ?? sdk.createDefaultHttpClient();
  const common = { httpClient, retryOptions: { maxRetries: 0 } };
  return {
    subscriptionId,
    resources: new sdk.ResourceManagementClient(credential, subscriptionId, common),
    network: new sdk.NetworkManagementClient(credential, subscriptionId, common),
    compute: new sdk.ComputeManagementClient(credential, subscriptionId, common),
    fetchText: async (url) => {
      const res = await httpClient.sendRequest(sdk.createPipelineRequest({ url, method: 'GET' }));
      return { status: res.status, text: res.bodyAsText ?? '' };
    },
  };
}

/**
 * Where credentials would come from, judged without a network call; undefined
 * when none is visible.
 */
export function azureCredentialSource(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
  key?: AzureKey,
): string | undefined {
  if (key) return 'the azure-credentials input';
  if (env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID && env.AZURE_CLIENT_SECRET)
    return 'AZURE_CLIENT_SECRET';
  if (env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID && env.AZURE_FEDERATED_TOKEN_FILE)
    return 'AZURE_FEDERATED_TOKEN_FILE (workload identity)';
  const profile = join(env.AZURE_CONFIG_DIR ?? join(home, '.azure'), 'azureProfile.json');
  return existsSync(profile) ? `the Azure CLI login (${profile})` : undefined;
}
