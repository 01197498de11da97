/**
 * The tunnels on the edges, over SSH: set up (the private key uploaded as the
 * login user's 0600 file, the script moving it into place with sudo), wait for
 * every handshake, read each peer's handshake and byte counters. What is kept
 * in the run state (TunnelState) holds no private key, so `test` on a run
 * that `up` made can still read the counters.
 */
import { randomBytes } from 'node:crypto';
import { InfraError } from '../errors.js';
import type { FabricContext, RemoteRunner } from '../fabric/fabric.js';
import { secrets } from '../log.js';
import type { ProvisionedSite } from '../providers/provider.js';
import type { RemoteHost } from '../remote/target.js';
import { remoteHostsOf } from '../providers/remoteHosts.js';
import {
  edgeScript,
  parseStatus,
  planTunnels,
  statusScript,
  type EdgeEndpoint,
  type EdgeFiles,
  type EdgeTunnel,
} from './wireguard.js';
import type { Plan } from '../plan/types.js';
import type { TunnelRecord } from '../report/model.js';

/** One edge's tunnel as the run state keeps it: no private key. */
export interface TunnelState {
  site: string;
  host: string;
  device: string;
  publicKey: string;
  peers: { site: string; publicKey: string }[];
}

/** One site pair's tunnel, from the first site's edge (results.json `tunnels`). */
export type TunnelLink = TunnelRecord;

/**
 * Where each site's edge takes the tunnel; undefined when a site has no edge
 * to run one. `filesOf` says where an edge keeps its key (default EDGE_FILES).
 */
export function edgeEndpoints(
  sites: readonly ProvisionedSite[],
  filesOf: (site: ProvisionedSite, host: string) => EdgeFiles | undefined = () => undefined,
): EdgeEndpoint[] | undefined {
  const out: EdgeEndpoint[] = [];
  for (const s of sites) {
    const edge = s.hosts.find((h) => h.role === 'edge');
    const address = edge?.tunnelAddress ?? edge?.publicAddress;
    if (!edge || !address) return undefined;
    const files = filesOf(s, edge.name);
    out.push({ site: s.name, host: edge.name, address, ...(files ? { files } : {}) });
  }
  return out;
}

export function tunnelStates(tunnels: readonly EdgeTunnel[]): TunnelState[] {
  return tunnels.map((t) => ({
    site: t.site,
    host: t.host,
    device: t.device,
    publicKey: t.keys.publicKey,
    peers: t.peers.map((p) => ({ site: p.site, publicKey: p.publicKey })),
  }));
}

const hostsOf = (sites: readonly ProvisionedSite[]) => remoteHostsOf(sites.flatMap((s) => s.hosts));

function hostFor(hosts: Map<string, RemoteHost>, name: string): RemoteHost {
  const h = hosts.get(name);
  if (!h) throw new InfraError(`no machine named ${name} for the tunnel`);
  return h;
}

/** Plan every edge's tunnel and register the private keys with the log's masking. */
export function makeTunnels(
  runId: string,
  plan: Pick<Plan, 'sites'>,
  edges: EdgeEndpoint[],
): EdgeTunnel[] {
  const tunnels = planTunnels(runId, plan, edges);
  for (const t of tunnels) secrets.add(t.keys.privateKey);
  return tunnels;
}

/** Set up one edge's tunnel. */
export async function setUpTunnel(
  remote: RemoteRunner,
  sites: readonly ProvisionedSite[],
  t: EdgeTunnel,
  ctx: Pick<FabricContext, 'logger'>,
): Promise<void> {
  const host = hostFor(hostsOf(sites), t.host);
  const staged = `${t.files.stageDir}/tungsten-e2e-${t.device}-${randomBytes(4).toString('hex')}.key`;
  await remote.upload(host, staged, `${t.keys.privateKey}\n`, 0o600);
  const r = await remote.exec(
    host,
    { script: edgeScript(t, staged) },
    { sudo: true, timeoutMs: 300_000 },
  );
  if (r.code !== 0) {
    throw new InfraError(
      `${t.host}: the WireGuard tunnel ${t.device} could not be set up (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' / ')}`,
    );
  }
  ctx.logger.info(
    `connect ${t.site}: ${t.host}: ${r.stdout.trim().split('\n').at(-1) ?? t.device}; peers ${t.peers.map((p) => `${p.site} at ${p.endpoint}`).join(', ')}`,
  );
}

/** Every pair's tunnel as its first site's edge sees it now. */
export async function readLinks(
  remote: RemoteRunner,
  sites: readonly ProvisionedSite[],
  states: readonly TunnelState[],
): Promise<TunnelLink[]> {
  const hosts = hostsOf(sites);
  const links: TunnelLink[] = [];
  await Promise.all(
    states.map(async (t, i) => {
      const later = t.peers.filter((p) => states.findIndex((x) => x.site === p.site) > i);
      if (later.length === 0) return;
      const r = await remote.exec(
        hostFor(hosts, t.host),
        { script: statusScript(t.device) },
        {
          sudo: true,
          timeoutMs: 30_000,
        },
      );
      if (r.code !== 0) {
        throw new InfraError(
          `${t.host}: cannot read the tunnel ${t.device} (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`,
        );
      }
      const stats = parseStatus(r.stdout);
      for (const p of later) {
        const s = stats.find((x) => x.publicKey === p.publicKey);
        links.push({
          a: t.site,
          b: p.site,
          handshake: (s?.latestHandshake ?? 0) > 0,
          rxBytes: s?.rxBytes ?? 0,
          txBytes: s?.txBytes ?? 0,
        });
      }
    }),
  );
  const order = (site: string) => states.findIndex((x) => x.site === site);
  return links.sort((x, y) => order(x.a) - order(y.a) || order(x.b) - order(y.b));
}

/** Wait until every tunnel has a handshake, or the deadline; returns every link as last read. */
export async function waitHandshakes(
  remote: RemoteRunner,
  sites: readonly ProvisionedSite[],
  states: readonly TunnelState[],
  deadlineMs: number,
  signal: AbortSignal,
): Promise<TunnelLink[]> {
  const started = Date.now();
  for (;;) {
    const links = await readLinks(remote, sites, states);
    if (links.every((l) => l.handshake) || Date.now() - started >= deadlineMs) return links;
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, 200));
  }
}
