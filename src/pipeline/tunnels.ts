/**
 * The end of the provision phase: the WireGuard tunnel on every site's edge
 * (one named step per site), then a wait for every handshake; the sites'
 * underlays reach each other only through it. The connect phase reads the
 * tunnels again (blockedPairs): a pair whose tunnel never shook hands is
 * named, and its BGP session is not waited for, since nothing can cross it.
 */
import type { FabricContext, FabricSite, RemoteRunner, StepRunner } from '../fabric/fabric.js';
import type { ProvisionedSite } from '../providers/provider.js';
import { InfraError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { quoteArg } from '../remote/quote.js';
import { remoteHostsOf } from '../providers/remoteHosts.js';
import { hostDir } from '../providers/local/naming.js';
import type { StateStore } from '../state/runState.js';
import {
  edgeEndpoints,
  makeTunnels,
  readLinks,
  setUpTunnel,
  tunnelStates,
  waitHandshakes,
  type TunnelLink,
} from '../tunnel/edges.js';
import { WIREGUARD_PORT, type EdgeFiles } from '../tunnel/wireguard.js';

export interface JoinOptions {
  runId: string;
  plan: Plan;
  remote: RemoteRunner;
  store: StateStore;
  step: StepRunner;
  /** how long the handshakes may take once every edge is configured */
  handshakeDeadlineMs: number;
  /** runs the sites' work together, stopping the rest at the first failure */
  allSites: (fn: (site: ProvisionedSite) => Promise<void>) => Promise<void>;
  /**
   * 'plain-routes': no tunnel, each edge routes the other underlays to the
   * other edges' tunnel addresses in the clear. Only the local benchmark's
   * baseline (how sites were joined before WireGuard); never on a cloud.
   */
  join?: 'wireguard' | 'plain-routes';
  /** tests only: where a non-local edge keeps its key (default EDGE_FILES) */
  edgeFiles?: (site: ProvisionedSite, host: string) => EdgeFiles | undefined;
}

/** The benchmark's baseline: plain routes between the edges (local sites only). */
async function plainRoutes(
  machines: readonly ProvisionedSite[],
  edges: readonly { site: string; host: string; address: string }[],
  o: JoinOptions,
): Promise<void> {
  const hosts = remoteHostsOf(machines.flatMap((m) => m.hosts));
  await o.allSites(async (site) => {
    const me = edges.find((e) => e.site === site.name)!;
    const lines = edges
      .filter((e) => e.site !== site.name)
      .map(
        (e) =>
          `ip route replace ${quoteArg(o.plan.sites.find((p) => p.name === e.site)!.cidrs.underlay)} via ${quoteArg(e.address)}`,
      );
    const r = await o.remote.exec(
      hosts.get(me.host)!,
      { script: lines.join('\n') },
      { sudo: true },
    );
    if (r.code !== 0) throw new InfraError(`${me.host}: plain routes failed: ${r.stderr.trim()}`);
  });
}

/** Tunnels between every pair of sites; returns the pairs without a handshake. */
export async function joinSites(
  machines: readonly ProvisionedSite[],
  ctx: Pick<FabricContext, 'logger' | 'signal'>,
  o: JoinOptions,
): Promise<TunnelLink[]> {
  // the local provider's edges share this host's disk: their keys stay in the run's directory
  const edges = edgeEndpoints(machines, (site, host) =>
    site.provider === 'local'
      ? { keyDir: hostDir(o.runId, host), stageDir: hostDir(o.runId, host) }
      : o.edgeFiles?.(site, host),
  );
  if (!edges || machines.length < 2) {
    if (machines.length > 1) ctx.logger.warn('provision: a site has no edge host: no tunnels');
    return [];
  }
  if (o.join === 'plain-routes') {
    if (machines.some((m) => m.provider !== 'local')) {
      throw new InfraError("plain routes between edges are the local benchmark's baseline only");
    }
    await plainRoutes(machines, edges, o);
    return [];
  }
  const tunnels = makeTunnels(o.runId, o.plan, edges);
  const states = tunnelStates(tunnels);
  await o.store.update((st) => {
    st.tunnels = states;
  });
  await o.allSites((site) =>
    o.step(site.name, 'WireGuard tunnel', () =>
      setUpTunnel(
        o.remote,
        machines,
        tunnels.find((t) => t.site === site.name)!,
        ctx,
      ),
    ),
  );
  const links = await waitHandshakes(o.remote, machines, states, o.handshakeDeadlineMs, ctx.signal);
  const silent = links.filter((l) => !l.handshake);
  for (const l of silent) {
    ctx.logger.warn(
      `provision: the WireGuard tunnel ${l.a} ↔ ${l.b} has no handshake after ${Math.round(o.handshakeDeadlineMs / 1000)} s: its keys do not match, or UDP ${WIREGUARD_PORT} between the edges is blocked`,
    );
  }
  for (const l of links.filter((x) => x.handshake)) {
    ctx.logger.info(`provision: the WireGuard tunnel ${l.a} ↔ ${l.b} is up`);
  }
  return silent;
}

/**
 * The connect phase's look at the tunnels: each one's handshake and bytes
 * logged; the pairs without a handshake returned as BGP sessions that cannot
 * come up, with the cause.
 */
export async function blockedPairs(
  remote: RemoteRunner,
  sites: readonly FabricSite[],
  store: StateStore,
  ctx: Pick<FabricContext, 'logger'>,
): Promise<{ a: string; b: string; cause: string }[]> {
  const links = await tunnelLinks(remote, sites, store);
  for (const l of links) {
    const counters = `${l.rxBytes} bytes in, ${l.txBytes} out`;
    if (l.handshake)
      ctx.logger.info(`connect: tunnel ${l.a} ↔ ${l.b}: handshake done, ${counters}`);
    else ctx.logger.warn(`connect: tunnel ${l.a} ↔ ${l.b}: no handshake, ${counters}`);
  }
  return links
    .filter((l) => !l.handshake)
    .map((l) => ({
      a: l.a,
      b: l.b,
      cause: `the WireGuard tunnel ${l.a} ↔ ${l.b} has no handshake`,
    }));
}

/** The tunnels' counters now (results.json `tunnels`); none when the run has none. */
export function tunnelLinks(
  remote: RemoteRunner,
  sites: readonly FabricSite[],
  store: StateStore,
): Promise<TunnelLink[]> {
  const states = store.state.tunnels ?? [];
  if (states.length === 0) return Promise.resolve([]);
  return readLinks(
    remote,
    sites.map((s) => s.machines),
    states,
  );
}
