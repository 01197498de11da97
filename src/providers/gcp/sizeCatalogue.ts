/** Compute Engine's catalogue for `plan --check-cloud` (loaded only when a site uses GCP). */
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
    retry: { deadlineMs: 60_000 },
  });
  return {
    provider: 'gcp',
    credentialSource: () => gcpCredentialSource(options.env, options.home, options.key),
    credentialsHint:
      'set GOOGLE_APPLICATION_CREDENTIALS, run gcloud auth application-default login, or use google-github-actions/auth',
    async check(sites, plan, ctx) {
      const rows = [];
      for (const site of sites.filter((s) => s.provider === 'gcp')) {
        rows.push(...(await provider.sizes(site, plan, ctx)));
      }
      return rows;
    },
  };
}
