/**
 * Which provider serves a site and which fabric a plan gets. Providers and
 * fabrics not built yet are refused with a user error before anything runs.
 */
import type { ProviderName } from '../config/types.js';
import { UserError } from '../errors.js';
import type { RemoteRunner } from '../fabric/emulated/index.js';
import { EmulatedFabric } from '../fabric/emulated/index.js';
import type { Fabric } from '../fabric/fabric.js';
import type { Plan } from '../plan/types.js';
import { CLOUD_LOADERS, isCloud, lazyProvider } from '../providers/cloudProviders.js';
import type { CloudCredentials } from '../providers/cloudProviders.js';
import { LocalProvider } from '../providers/local/index.js';
import type { Provider } from '../providers/provider.js';
import { VERSION } from '../version.js';

export type ProviderFactory = (name: ProviderName) => Provider;
/** Chooses (and validates) the fabric for a plan up front; makes it once machines exist. */
export type FabricFactory = (
  plan: Plan,
) => (run: { runId: string; remote: RemoteRunner }) => Fabric;

/**
 * One instance per provider name for the life of a pipeline. Cloud providers
 * are loaded (with their SDKs) on first use only.
 */
export function providerRegistry(credentials: CloudCredentials = {}): ProviderFactory {
  const made = new Map<ProviderName, Provider>();
  return (name) => {
    let p = made.get(name);
    if (!p) {
      if (name === 'local') p = new LocalProvider();
      else if (isCloud(name)) p = lazyProvider(name, () => CLOUD_LOADERS[name](credentials));
      else {
        throw new UserError(
          `provider "${name}" is not available yet in version ${VERSION}; today sites can use provider: local, aws, gcp or azure (see examples/).`,
        );
      }
      made.set(name, p);
    }
    return p;
  };
}

/** Local sites get the emulated fabric; the rest would get real TF, which must not be mixed with it. */
export const defaultFabric: FabricFactory = (plan) => {
  const local = plan.sites.filter((s) => s.provider === 'local');
  if (local.length === plan.sites.length) {
    return (run) => new EmulatedFabric({ runId: run.runId, remote: run.remote });
  }
  if (local.length > 0) {
    throw new UserError(
      `sites ${local.map((s) => `"${s.name}"`).join(', ')} use provider local, which runs the emulated fabric on this host, and cannot be joined with cloud sites; make every site local or none.`,
    );
  }
  throw new UserError(
    `the tungsten fabric (real TF on cloud machines) is not available yet in version ${VERSION}; use provider: local for every site.`,
  );
};
