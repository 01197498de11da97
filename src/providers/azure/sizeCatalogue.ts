/** Azure's Resource SKUs for `plan --check-cloud` (loaded only when a site uses Azure). */
import { CATALOGUE_RETRY, providerSizeCatalogue } from '../cloud/sizes.js';
import type { SizeCatalogue } from '../cloud/sizes.js';
import { azureCredentialSource } from './client.js';
import type { AzureClientFactory, AzureKey } from './client.js';
import { AzureProvider } from './provider.js';

export interface AzureCatalogueOptions {
  key?: AzureKey;
  clients?: AzureClientFactory;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export function azureSizeCatalogue(options: AzureCatalogueOptions = {}): SizeCatalogue {
  const provider = new AzureProvider({
    ...(options.key ? { key: options.key } : {}),
    ...(options.clients ? { clients: options.clients } : {}),
    ...(options.env ? { env: options.env } : {}),
    retry: CATALOGUE_RETRY,
  });
  return providerSizeCatalogue('azure', provider, {
    credentialSource: () => azureCredentialSource(options.env, options.home, options.key),
    credentialsHint:
      'set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or log in with az login), and AZURE_SUBSCRIPTION_ID',
  });
}
