/**
 * The first step of a teardown, while the run's key still opens the
 * machines: on every site whose machines outlive the run (a provider that
 * keepsMachines: static), the fabric undoes what the run made on the cluster
 * (Fabric.cleanup: test namespaces, BGP peers, route targets). Only for runs
 * that got as far as connecting; a site that cannot be cleaned is a
 * remaining entry, so the teardown says so and a later `down` tries again.
 */
import { join } from 'node:path';
import type { Fabric, FabricContext, FabricSite, RemoteRunner } from '../fabric/fabric.js';
import type { Logger } from '../log.js';
import type { Plan } from '../plan/types.js';
import type { DestroyReport, Provider } from '../providers/provider.js';
import type { ProviderName } from '../config/types.js';
import { HostKeyStore } from '../remote/hostKeys.js';
import { loadRunKey } from '../remote/keys.js';
import { RemotePool } from '../remote/pool.js';
import type { RunState } from '../state/runState.js';
import { abortableRemote } from './abort.js';

export interface ClusterCleanupOptions {
  state: Readonly<RunState>;
  plan: Plan | undefined;
  stateDir: string;
  knownHostsFile: string;
  providers: (name: ProviderName) => Promise<Provider>;
  makeFabric: (remote: RemoteRunner) => Fabric;
  logger: Logger;
  signal: AbortSignal;
  /** what a user does by hand when a site cannot be cleaned */
  howToDelete: string;
}

export async function cleanKeptClusters(
  o: ClusterCleanupOptions,
): Promise<DestroyReport['remaining']> {
  const { state, plan, logger } = o;
  if (!plan || !state.keyFile) return [];
  if (!state.phases.some((p) => p.name === 'connect' || p.name === 'test')) return [];
  const kept: FabricSite[] = [];
  for (const p of plan.sites) {
    const recorded = state.sites.find((s) => s.name === p.name);
    if (!recorded || !(await o.providers(p.provider)).keepsMachines) continue;
    kept.push({ plan: p, machines: { name: p.name, provider: p.provider, hosts: recorded.hosts } });
  }
  if (kept.length === 0) return [];
  const key = await loadRunKey(state.keyFile).catch(() => undefined);
  if (!key) {
    logger.warn(
      `teardown ${state.runId}: the run's key is gone; the kept clusters are not cleaned`,
    );
    return [];
  }
  const pool = new RemotePool({
    privateKey: key.privateKey,
    hostKeys: await HostKeyStore.load(join(o.stateDir, o.knownHostsFile), logger),
    logger,
  });
  const remaining: DestroyReport['remaining'] = [];
  try {
    const fabric = o.makeFabric(abortableRemote(pool, o.signal));
    if (!fabric.cleanup) return [];
    const ctx: FabricContext = { plan, logger, signal: o.signal };
    for (const site of kept) {
      try {
        const removed = await fabric.cleanup(site, ctx);
        logger.info(
          `teardown ${state.runId}: ${site.plan.name}: ${removed.length ? `removed ${removed.join(', ')}` : "nothing of the run's was left on the cluster"}`,
        );
      } catch (e) {
        remaining.push({
          resource: {
            provider: site.plan.provider,
            site: site.plan.name,
            kind: 'cluster objects',
            id: 'test namespaces and BGP peers',
          },
          error: e instanceof Error ? e.message : String(e),
          howToDelete: o.howToDelete,
        });
      }
    }
  } finally {
    await pool.close();
  }
  return remaining;
}
