/**
 * The connect phase's wait: every BGP session whose two ends are configured
 * must reach Established (an end that is not configured never will, so it is
 * reported at once instead of waited for).
 */
import type {
  BgpSession,
  Fabric,
  FabricContext,
  FabricSite,
  RemoteRunner,
} from '../fabric/fabric.js';
import type { StateStore } from '../state/runState.js';
import { allOrStop, type TogetherOptions } from './together.js';
import { blockedPairs } from './tunnels.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    signal.throwIfAborted();
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

export interface ConnectReport {
  established: { a: string; b: string }[];
  /** pairs that never came up, with each end's state */
  down: { a: string; b: string; state: string }[];
}

/**
 * Wait until every peering whose two ends are configured is Established (an
 * end reporting "not configured" can never come up, so it is reported at
 * once instead of waited for).
 */
export async function waitPeered(
  fabric: Fabric,
  sites: readonly FabricSite[],
  pairs: readonly { a: string; b: string }[],
  ctx: FabricContext,
  options: {
    deadlineMs: number;
    pollMs?: number;
    /** pairs that cannot come up, with why (a tunnel without a handshake): reported, not waited for */
    blocked?: readonly { a: string; b: string; cause: string }[];
  },
): Promise<ConnectReport> {
  const started = Date.now();
  if (!fabric.peerStatus) {
    ctx.logger.warn(`connect: the ${fabric.name} fabric cannot report BGP sessions; not waiting`);
    return { established: [], down: [] };
  }
  for (;;) {
    const sessions = new Map<string, BgpSession[]>();
    await Promise.all(
      sites.map(async (s) => sessions.set(s.plan.name, await fabric.peerStatus!(s, ctx))),
    );
    const state = (from: string, to: string) =>
      sessions.get(from)?.find((x) => x.site === to) ?? {
        site: to,
        state: 'unknown',
        established: false,
      };
    const report: ConnectReport = { established: [], down: [] };
    let waiting = false;
    for (const { a, b } of pairs) {
      const ab = state(a, b);
      const ba = state(b, a);
      if (ab.established && ba.established) {
        report.established.push({ a, b });
        continue;
      }
      const cause = options.blocked?.find(
        (x) => (x.a === a && x.b === b) || (x.a === b && x.b === a),
      )?.cause;
      const hopeless =
        ab.state === 'not configured' || ba.state === 'not configured' || cause !== undefined;
      if (!hopeless) waiting = true;
      report.down.push({
        a,
        b,
        state: `${a}: ${ab.state}, ${b}: ${ba.state}${cause ? `; ${cause}` : ''}`,
      });
    }
    if (!waiting || Date.now() - started > options.deadlineMs) return report;
    await sleep(options.pollMs ?? 200, ctx.signal);
  }
}

export interface ConnectOptions {
  fabric: Fabric;
  sites: readonly FabricSite[];
  remote: RemoteRunner;
  store: StateStore;
  ctx: FabricContext;
  together: TogetherOptions;
  /** how long BGP sessions may take to establish */
  deadlineMs: number;
}

/**
 * The connect phase's work: every site's control node peered with the
 * others, then the sessions waited for (a pair whose tunnel is known to be
 * down is reported at once, with the tunnel as the cause).
 */
export async function connectSites(o: ConnectOptions): Promise<ConnectReport> {
  const { fabric, sites, ctx } = o;
  const blocked = await blockedPairs(o.remote, sites, o.store, ctx);
  await allOrStop(sites, (s) => fabric.peer(s, [...sites], ctx), o.together);
  const report = await o.together.inFlight.track(
    waitPeered(fabric, sites, ctx.plan.peerings, ctx, { deadlineMs: o.deadlineMs, blocked }),
  );
  for (const p of report.established) ctx.logger.info(`connect: ${p.a} ↔ ${p.b}: BGP established`);
  for (const p of report.down)
    ctx.logger.warn(`connect: ${p.a} ↔ ${p.b}: BGP not established (${p.state})`);
  return report;
}
