/** Compute Engine's catalogue for `plan --check-cloud` (loaded only when a site uses GCP). */
import { CATALOGUE_RETRY, providerSizeCatalogue } from '../cloud/sizes.js';
import type { SizeCatalogue } from '../cloud/sizes.js';
import { gcpCredentialSource } from './client.js';
import type { GcpClientFactory, GcpKey } from './client.js';
import { GcpProvider } from './provider.js';

export interface GcpCatalogueOptions {
  key?: GcpKey;
  clients?: GcpClientFactory;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export function gcpSizeCatalogue(options: GcpCatalogueOptions = {}): SizeCatalogue {
  const provider = new GcpProvider({
    ...(options.key ? { key: options.key } : {}),
    ...(options.clients ? { clients: options.clients } : {}),
    retry: CATALOGUE_RETRY,
  });
  return providerSizeCatalogue('gcp', provider, {
    credentialSource: () => gcpCredentialSource(options.env, options.home, options.key),
    credentialsHint:
      'set GOOGLE_APPLICATION_CREDENTIALS, run gcloud auth application-default login, or use google-github-actions/auth',
  });
}
