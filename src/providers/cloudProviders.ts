/**
 * The cloud providers as the pipeline gets them: each one's module (and its
 * SDK) is imported only when a site uses that cloud, so a run on one cloud
 * does not pay the start-up of the others. Credentials come from the
 * action's inputs when given, else each SDK's default chain.
 */
import type { ProviderName } from '../config/types.js';
import type { Provider } from './provider.js';

/** The action's credential inputs, by input name ("gcp-credentials", …). */
export type CloudCredentials = Partial<
  Record<
    | 'aws-access-key-id'
    | 'aws-secret-access-key'
    | 'aws-session-token'
    | 'gcp-credentials'
    | 'azure-credentials',
    string
  >
>;

export type CloudName = Extract<ProviderName, 'aws' | 'gcp' | 'azure'>;

export const CLOUD_LOADERS: Record<
  CloudName,
  (credentials: CloudCredentials) => Promise<Provider>
> = {
  aws: async (c) => {
    const [{ AwsProvider }, { keysFromInputs }] = await Promise.all([
      import('./aws/provider.js'),
      import('./aws/client.js'),
    ]);
    const keys = keysFromInputs(c);
    return new AwsProvider(keys ? { keys } : {});
  },
  gcp: async (c) => {
    const [{ GcpProvider }, { keyFromInput }] = await Promise.all([
      import('./gcp/provider.js'),
      import('./gcp/client.js'),
    ]);
    const key = keyFromInput(c['gcp-credentials']);
    return new GcpProvider(key ? { key } : {});
  },
  azure: async (c) => {
    const [{ AzureProvider }, { keyFromInput }] = await Promise.all([
      import('./azure/provider.js'),
      import('./azure/client.js'),
    ]);
    const key = keyFromInput(c['azure-credentials']);
    return new AzureProvider(key ? { key } : {});
  },
};

export function isCloud(name: ProviderName): name is CloudName {
  return name === 'aws' || name === 'gcp' || name === 'azure';
}

/**
 * A Provider whose implementation is loaded on its first call. Providers
 * without `authorizeEdges` keep it a no-op here.
 */
export function lazyProvider(name: ProviderName, load: () => Promise<Provider>): Provider {
  let loaded: Promise<Provider> | undefined;
  const get = () => (loaded ??= load());
  return {
    name,
    preflight: async (sites, plan, ctx) => (await get()).preflight(sites, plan, ctx),
    provision: async (site, plan, ctx) => (await get()).provision(site, plan, ctx),
    authorizeEdges: async (site, peers, ctx) => (await get()).authorizeEdges?.(site, peers, ctx),
    destroy: async (target, ctx) => (await get()).destroy(target, ctx),
    listExpired: async (now, ctx) => (await get()).listExpired(now, ctx),
  };
}
