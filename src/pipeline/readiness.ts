/**
 * The ready and connect waits, kept simple until the health module (issue 5)
 * replaces the first: poll contrail-status until every service is active or
 * backup; when a control node shows the known race past a grace period,
 * delete its control pod once and record it. Connect waits for every BGP
 * session whose two ends are both configured.
 */
import { InfraError } from '../errors.js';
import type { BgpSession, Fabric, FabricContext, FabricSite } from '../fabric/fabric.js';
import type { RemediationRecord } from '../report/model.js';
import { formatSeconds } from './progress.js';

export interface ServiceLine {
  host: string;
  service: string;
  state: string;
  detail?: string;
}

/** `service: state (detail)` lines of contrail-status texts (section headers skipped). */
export function serviceLines(status: Record<string, string>): ServiceLine[] {
  const out: ServiceLine[] = [];
  for (const [host, text] of Object.entries(status)) {
    for (const line of text.split('\n')) {
      const m = /^([a-z][a-z0-9-]*): (\S+)(?: \((.*)\))?$/.exec(line.trim());
      if (m) out.push({ host, service: m[1]!, state: m[2]!, ...(m[3] ? { detail: m[3] } : {}) });
    }
  }
  return out;
}

export function notReady(status: Record<string, string>): ServiceLine[] {
  return serviceLines(status).filter((l) => l.state !== 'active' && l.state !== 'backup');
}

export function showsControlRace(lines: readonly ServiceLine[]): boolean {
  return lines.some(
    (l) => l.service === 'control' && /No BGP configuration for self/.test(l.detail ?? ''),
  );
}

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

export interface ReadyOptions {
  deadlineMs: number;
  /** how long the race may show before the control pod is deleted */
  raceGraceMs: number;
  pollMs?: number;
  onRemediation?: (r: RemediationRecord) => Promise<void>;
}

export async function waitSiteReady(
  fabric: Fabric,
  site: FabricSite,
  ctx: FabricContext,
  options: ReadyOptions,
): Promise<void> {
  const started = Date.now();
  let raceSince: number | undefined;
  let attempts = 0;
  let lastReport = 0;
  for (;;) {
    const status = await fabric.status(site, ctx);
    const pending = notReady(status);
    if (pending.length === 0) {
      ctx.logger.info(
        `ready ${site.plan.name}: every service active (${formatSeconds(Date.now() - started)})`,
      );
      return;
    }
    const now = Date.now();
    if (showsControlRace(pending)) {
      raceSince ??= now;
      if (now - raceSince >= options.raceGraceMs && attempts === 0) {
        attempts++;
        const problem = pending.find((l) => l.service === 'control')!;
        ctx.logger.warn(
          `ready ${site.plan.name}: ${problem.host}: control: ${problem.state} (${problem.detail}) for ${formatSeconds(now - raceSince)}: deleting the control pod`,
        );
        await fabric.remediate(site, 'delete-control-pod', ctx);
        await options.onRemediation?.({
          site: site.plan.name,
          problem: `control: ${problem.state} (${problem.detail})`,
          action: 'delete control pod',
          attempt: attempts,
          at: new Date().toISOString(),
          resolved: true,
        });
      }
    }
    if (now - started > options.deadlineMs) {
      throw new InfraError(
        `site ${site.plan.name} is not ready after ${formatSeconds(now - started)}: ${pending
          .map((l) => `${l.host} ${l.service}: ${l.state}${l.detail ? ` (${l.detail})` : ''}`)
          .join('; ')}`,
      );
    }
    if (now - lastReport > 2000) {
      lastReport = now;
      const first = pending[0]!;
      ctx.logger.info(
        `ready ${site.plan.name}: waiting for ${first.host} ${first.service} (${first.state}${first.detail ? `: ${first.detail}` : ''})${pending.length > 1 ? ` and ${pending.length - 1} more` : ''}, ${formatSeconds(now - started)}`,
      );
    }
    await sleep(options.pollMs ?? 200, ctx.signal);
  }
}

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
  options: { deadlineMs: number; pollMs?: number },
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
      const hopeless = ab.state === 'not configured' || ba.state === 'not configured';
      if (!hopeless) waiting = true;
      report.down.push({ a, b, state: `${a}: ${ab.state}, ${b}: ${ba.state}` });
    }
    if (!waiting || Date.now() - started > options.deadlineMs) return report;
    await sleep(options.pollMs ?? 200, ctx.signal);
  }
}
