/**
 * The provision phase's work: every site's machines from its provider (each
 * recorded in the state as soon as it exists), then, with every edge address
 * known, each site's edge opened to the others, then the sites joined through
 * their edges' tunnels.
 */
import type { ProviderName } from '../config/types.js';
import type { Plan } from '../plan/types.js';
import type { Provider, ProviderContext, ProvisionedSite } from '../providers/provider.js';
import type { StateStore } from '../state/runState.js';
import { allOrStop, type TogetherOptions } from './together.js';
import { joinSites, type JoinOptions } from './tunnels.js';

export interface ProvisionOptions {
  plan: Plan;
  providers: (name: ProviderName) => Promise<Provider>;
  providerCtx: ProviderContext;
  store: StateStore;
  together: TogetherOptions;
  /** how the sites are joined (allSites is filled in here) */
  join: Omit<JoinOptions, 'allSites'>;
}

/** The sites' machines, in the plan's order. */
export async function provisionSites(o: ProvisionOptions): Promise<ProvisionedSite[]> {
  const { plan, providers, providerCtx, store, together } = o;
  const made = await allOrStop(
    plan.sites,
    async (site): Promise<ProvisionedSite> => {
      const machines = await (await providers(site.provider)).provision(site, plan, providerCtx);
      await store.recordSite({
        name: site.name,
        provider: site.provider,
        ...(site.region ? { region: site.region } : {}),
        ...(site.zone ? { zone: site.zone } : {}),
        hosts: machines.hosts,
      });
      return machines;
    },
    together,
  );
  // every edge address is known now: let each site's edge accept WireGuard from the others
  const edges = made.flatMap((m) =>
    m.hosts
      .filter((h) => h.role === 'edge' && h.publicAddress)
      .map((h) => ({ site: m.name, publicAddress: h.publicAddress! })),
  );
  for (const site of plan.sites) {
    const peers = edges.filter((e) => e.site !== site.name);
    const provider = await providers(site.provider);
    if (peers.length && provider.authorizeEdges) {
      await together.inFlight.track(provider.authorizeEdges(site, peers, providerCtx));
    }
  }
  // the sites' underlays reach each other through the edges' tunnels, and only so
  await together.inFlight.track(
    joinSites(made, providerCtx, {
      ...o.join,
      allSites: (fn) => allOrStop(made, fn, together).then(() => {}),
    }),
  );
  return made;
}
