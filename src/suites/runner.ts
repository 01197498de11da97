/**
 * The suites, over the Fabric seam:
 *
 * - connectivity: every client pod → every service and every backend pod of
 *   every other site (so both directions); each must connect, and the echo
 *   reply must name the expected backend.
 * - isolation: for each mode, apply the mode's configuration on every site,
 *   then probe every (client, target) pair within and across sites and compare
 *   with the expected verdict (expected.ts).
 *
 * Probing: bounded concurrency, a connect timeout per probe (2 s) and a wall
 * deadline per probe call. A probe that fails itself (did not start, did not
 * answer in time) is an infrastructure `error`: probed again, and if it never
 * answers the check is `error`, never a deny or a fail. A discrepancy is
 * probed once more. A check expected to be blocked is never retried into a
 * pass (a leak is a leak, even once); a check that passes only on the second
 * probe is `flaky`.
 */
import type { IsolationMode, SuiteName } from '../config/types.js';
import { InfraError } from '../errors.js';
import type {
  DenyKind,
  Fabric,
  FabricContext,
  FabricSite,
  PodInfo,
  ProbeOutcome,
  ProbeResult,
  ServiceInfo,
  Workloads,
} from '../fabric/fabric.js';
import { formatElapsed, systemClock, type Clock } from '../health/clock.js';
import type { CheckRecord, Verdict } from '../report/model.js';
import { expectedMatrix, type TargetEndpoint } from './expected.js';
import { isolationConfig } from './isolationConfig.js';
import { renderTruthTableText, truthTables } from './truthTable.js';
import { matchesLabels } from '../fabric/workloads.js';
import { unlessAborted } from '../pipeline/abort.js';

export interface SuiteOptions {
  suites: readonly SuiteName[];
  modes: readonly IsolationMode[];
  /** the run's test namespaces, in the site file's order */
  namespaces: readonly string[];
  /** probe calls in flight at once, across all sites (default 8) */
  concurrency?: number;
  /** send each client's probes in one call (default true; false is the benchmark's baseline) */
  batchProbes?: boolean;
  /** connect timeout handed to each probe (default: the fabric's, else 2000 ms) */
  probeTimeoutMs?: number;
  /** wall time allowed for one probe call, e.g. a kubectl exec (default 2 × timeout + 15 s) */
  probeDeadlineMs?: number;
  /** called with the checks of each suite (and isolation mode) as it completes, so a cancel keeps them */
  onChecks?: (checks: readonly CheckRecord[]) => void;
  /** log the truth tables (default true); false when the caller prints them itself */
  logTables?: boolean;
  clock?: Clock;
}

export interface SuiteRun {
  world: Workloads;
  checks: CheckRecord[];
  /** the truth tables as printed, one per suite (and mode) */
  tables: string[];
}

interface Target extends TargetEndpoint {
  ip: string;
  port: number;
  /** names the echo reply may carry */
  backends: string[];
}

export const pathOf = (x: { site: string; namespace: string; name: string }): string =>
  `${x.site}/${x.namespace}/${x.name}`;

/** Deploy the test workloads on every site (concurrently) and merge what they report. */
export async function deployAll(
  fabric: Fabric,
  sites: readonly FabricSite[],
  namespaces: readonly string[],
  ctx: FabricContext,
): Promise<Workloads> {
  const parts = await Promise.all(
    sites.map((s) => fabric.deployWorkloads(s, [...namespaces], ctx)),
  );
  return {
    pods: parts.flatMap((p) => p.pods),
    services: parts.flatMap((p) => p.services),
  };
}

function backendsOf(service: ServiceInfo, world: Workloads): PodInfo[] {
  return world.pods.filter(
    (p) =>
      p.role === 'backend' &&
      p.site === service.site &&
      p.namespace === service.namespace &&
      matchesLabels(p.labels, service.selector),
  );
}

/** Probe targets: every backend pod and every service, each with the names its reply may carry. */
export function targetsOf(world: Workloads): Target[] {
  const services: Target[] = world.services.map((s) => ({
    site: s.site,
    namespace: s.namespace,
    name: s.name,
    kind: 'service',
    ip: s.ip,
    port: s.port,
    backends: backendsOf(s, world).map((p) => p.name),
  }));
  const pods: Target[] = world.pods
    .filter((p) => p.role === 'backend')
    .map((p) => {
      const port =
        p.port ??
        // the service's port is the pod's only where the fabric maps port to the same port
        world.services.find((s) => backendsOf(s, world).includes(p))?.port;
      if (port === undefined) {
        throw new InfraError(
          `the fabric reported backend pod ${pathOf(p)} with no port, and no service selects it`,
        );
      }
      return {
        site: p.site,
        namespace: p.namespace,
        name: p.name,
        kind: 'pod',
        ip: p.ip,
        port,
        backends: [p.name],
      };
    });
  return [...pods, ...services];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Does the echo reply name one of the backends (as a whole word)? */
export function replyNames(reply: string, backends: readonly string[]): string | undefined {
  return backends.find((b) =>
    new RegExp(`(^|[^A-Za-z0-9_.-])${escapeRe(b)}($|[^A-Za-z0-9_.-])`).test(reply),
  );
}

interface Observation {
  verdict: Verdict | 'error';
  result: ProbeResult;
  /** connected, but the reply named none of the expected backends */
  wrongBackend: boolean;
  text: string;
}

function observe(outcome: ProbeOutcome, target: Target): Observation {
  const detail = outcome.detail.trim().replace(/\s+/g, ' ').slice(0, 200);
  const seen = { result: outcome.result, wrongBackend: false };
  switch (outcome.result) {
    case 'connected': {
      const named = replyNames(outcome.detail, target.backends);
      return named
        ? { ...seen, verdict: 'allow', text: `reply from ${named}` }
        : {
            ...seen,
            verdict: 'allow',
            wrongBackend: true,
            text: detail
              ? `connected, but the reply did not name ${target.backends.join(' or ') || 'any backend'}: "${detail}"`
              : 'connected, but the connection closed without a reply',
          };
    }
    case 'refused':
    case 'timeout':
    case 'unreachable':
      return {
        ...seen,
        verdict: 'deny',
        text: `${outcome.result}${detail ? `: ${detail}` : ''} (${outcome.durationMs} ms)`,
      };
    case 'error':
      return { ...seen, verdict: 'error', text: `probe error: ${detail}` };
  }
}

/** A deny must be of the kind the mode gives (TF drops: a reset is something else saying no). */
const matches = (o: Observation, spec: Pick<CheckSpec, 'expected' | 'denyKind'>) =>
  spec.expected === 'allow'
    ? o.verdict === 'allow' && !o.wrongBackend
    : o.verdict === 'deny' && (spec.denyKind === undefined || o.result === spec.denyKind);

interface CheckSpec {
  suite: SuiteName;
  mode: IsolationMode | null;
  from: PodInfo;
  to: Target;
  expected: Verdict;
  denyKind?: DenyKind;
}

/** a fabric's connect timeout unless it declares its own */
export const DEFAULT_PROBE_TIMEOUT_MS = 2_000;

/** probe calls per observation while the probe itself fails (an infrastructure error) */
export const INFRA_ATTEMPTS = 3;

interface Queued {
  to: Target;
  resolve: (o: ProbeOutcome) => void;
}

/**
 * Gathers the probes asked for in one turn of the event loop and sends them
 * per client, many targets in one fabric call (one exec on real TF), with at
 * most `concurrency` calls in flight. With `batch` off every call carries one
 * target (the benchmark's baseline).
 */
class ProbeBatcher {
  private readonly queue = new Map<string, { from: PodInfo; items: Queued[] }>();
  private flushing = false;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly fabric: Fabric,
    private readonly ctx: FabricContext,
    private readonly timeoutMs: number,
    private readonly deadlineMs: number,
    private readonly concurrency: number,
    private readonly batch: boolean,
  ) {}

  probe(from: PodInfo, to: Target): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const key = pathOf(from);
      const entry = this.queue.get(key) ?? { from, items: [] };
      entry.items.push({ to, resolve });
      this.queue.set(key, entry);
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushing = false;
    const groups = [...this.queue.values()];
    this.queue.clear();
    for (const { from, items } of groups) {
      const calls = this.batch ? [items] : items.map((i) => [i]);
      for (const call of calls) void this.call(from, call);
    }
  }

  private async slot(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private async call(from: PodInfo, items: readonly Queued[]): Promise<void> {
    const failAll = (detail: string, durationMs: number) =>
      items.map((): ProbeOutcome => ({ result: 'error', detail, durationMs }));
    let outcomes: ProbeOutcome[];
    await this.slot();
    const deadline = AbortSignal.timeout(this.deadlineMs);
    const signal = AbortSignal.any([this.ctx.signal, deadline]);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<ProbeOutcome[]>((resolve) => {
      timer = setTimeout(
        () =>
          resolve(
            failAll(`no answer from the probe within ${this.deadlineMs} ms`, this.deadlineMs),
          ),
        this.deadlineMs,
      );
    });
    try {
      const answered = await Promise.race([
        this.fabric.probe(
          { site: from.site, namespace: from.namespace, name: from.name },
          items.map((i) => ({ ip: i.to.ip, port: i.to.port })),
          this.timeoutMs,
          { ...this.ctx, signal },
        ),
        late,
      ]);
      outcomes =
        answered.length === items.length
          ? answered
          : failAll(`the fabric answered ${answered.length} probes for ${items.length} targets`, 0);
    } catch (e) {
      outcomes = failAll(e instanceof Error ? e.message : String(e), 0);
    } finally {
      clearTimeout(timer);
      this.release();
    }
    items.forEach((item, i) => item.resolve(outcomes[i]!));
  }
}

class Prober {
  constructor(
    private readonly batcher: ProbeBatcher,
    private readonly ctx: FabricContext,
  ) {}

  private async probeOnce(spec: CheckSpec): Promise<Observation> {
    const outcome = await unlessAborted(this.batcher.probe(spec.from, spec.to), this.ctx.signal);
    // a probe cut short by a cancel says nothing about the network
    this.ctx.signal.throwIfAborted();
    return observe(outcome, spec.to);
  }

  /**
   * Probe until the probe itself gives an answer about the network: an
   * `error` (it did not start, did not answer in time, a kubectl exec that
   * failed) says nothing about the network, so it is probed again, up to
   * INFRA_ATTEMPTS calls. Returns the last observation and how many calls
   * were repeated for that reason.
   */
  async settle(spec: CheckSpec): Promise<{ seen: Observation; reprobes: number }> {
    let reprobes = 0;
    let seen = await this.probeOnce(spec);
    while (seen.verdict === 'error' && reprobes < INFRA_ATTEMPTS - 1) {
      reprobes++;
      seen = await this.probeOnce(spec);
    }
    return { seen, reprobes };
  }

  async check(spec: CheckSpec): Promise<CheckRecord> {
    const first = await this.settle(spec);
    const base = {
      suite: spec.suite,
      mode: spec.mode,
      from: pathOf(spec.from),
      to: pathOf(spec.to),
      toKind: spec.to.kind,
      expected: spec.expected,
      ...(spec.denyKind ? { expectedDeny: spec.denyKind } : {}),
    };
    const counted = (reprobes: number) => (reprobes > 0 ? { reprobes } : {});
    if (first.seen.verdict === 'error') {
      // never a deny and never a pass: the network was not asked
      return {
        ...base,
        actual: 'error',
        observed: first.seen.result,
        attempts: first.reprobes + 1,
        status: 'error',
        detail: first.seen.text,
        ...counted(first.reprobes),
      };
    }
    if (matches(first.seen, spec)) {
      return {
        ...base,
        actual: first.seen.verdict,
        observed: first.seen.result,
        attempts: first.reprobes + 1,
        status: 'pass',
        detail: first.seen.text,
        ...counted(first.reprobes),
      };
    }
    const second = await this.settle(spec);
    const reprobes = first.reprobes + second.reprobes;
    const attempts = reprobes + 2;
    const detail = `attempt 1: ${first.seen.text}; attempt 2: ${second.seen.text}`;
    if (spec.expected === 'deny') {
      // a leak is a leak: an allowed first probe fails the check whatever the second says
      if (first.seen.verdict === 'allow') {
        return {
          ...base,
          actual: 'allow',
          observed: first.seen.result,
          attempts,
          status: 'fail',
          detail,
          ...counted(reprobes),
        };
      }
    }
    // the second probe decides between flaky and fail; if it could not ask the network, the
    // wrong verdict the first one saw stands
    const last = second.seen.verdict === 'error' ? first.seen : second.seen;
    const status = matches(second.seen, spec) ? 'flaky' : 'fail';
    return {
      ...base,
      actual: last.verdict,
      observed: last.result,
      attempts,
      status,
      detail,
      ...counted(reprobes),
    };
  }
}

const byPath = (a: CheckRecord, b: CheckRecord) =>
  a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.toKind.localeCompare(b.toKind);

function summary(title: string, checks: readonly CheckRecord[], ms: number): string {
  const count = (s: CheckRecord['status']) => checks.filter((c) => c.status === s).length;
  return `${title}: ${checks.length} checks in ${formatElapsed(ms)}: ${count('pass')} pass, ${count('fail')} fail, ${count('flaky')} flaky`;
}

async function applyEverywhere(
  fabric: Fabric,
  sites: readonly FabricSite[],
  mode: IsolationMode,
  namespaces: readonly string[],
  world: Workloads,
  ctx: FabricContext,
): Promise<void> {
  const config = isolationConfig(mode, namespaces);
  await Promise.all(sites.map((s) => fabric.applyIsolation(s, config, world, ctx)));
}

function batcher(fabric: Fabric, ctx: FabricContext, options: SuiteOptions): ProbeBatcher {
  const timeoutMs = options.probeTimeoutMs ?? fabric.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  return new ProbeBatcher(
    fabric,
    ctx,
    timeoutMs,
    options.probeDeadlineMs ?? 2 * timeoutMs + 15_000,
    options.concurrency ?? 8,
    options.batchProbes ?? true,
  );
}

const prober = (fabric: Fabric, ctx: FabricContext, options: SuiteOptions) =>
  new Prober(batcher(fabric, ctx, options), ctx);

/** Connectivity: with no isolation applied, every client reaches every other site's services and backends. */
export async function runConnectivity(
  fabric: Fabric,
  sites: readonly FabricSite[],
  world: Workloads,
  ctx: FabricContext,
  options: SuiteOptions,
): Promise<CheckRecord[]> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  await applyEverywhere(fabric, sites, 'default', options.namespaces, world, ctx);
  const clients = world.pods.filter((p) => p.role === 'client');
  const targets = targetsOf(world);
  const specs: CheckSpec[] = clients.flatMap((from) =>
    targets
      .filter((to) => to.site !== from.site)
      .map((to) => ({ suite: 'connectivity' as const, mode: null, from, to, expected: 'allow' })),
  );
  ctx.logger.info(`test: connectivity: ${specs.length} probes across ${sites.length} sites`);
  const p = prober(fabric, ctx, options);
  const checks = (await Promise.all(specs.map((s) => p.check(s)))).sort(byPath);
  ctx.logger.info(summary('test: connectivity', checks, clock.now() - started));
  options.onChecks?.(checks);
  return checks;
}

/** Isolation: per mode, apply it everywhere, probe every pair within and across sites. */
export async function runIsolation(
  fabric: Fabric,
  sites: readonly FabricSite[],
  world: Workloads,
  ctx: FabricContext,
  options: SuiteOptions,
): Promise<CheckRecord[]> {
  const clock = options.clock ?? systemClock;
  const clients = world.pods.filter((p) => p.role === 'client');
  const targets = targetsOf(world);
  const targetByPath = new Map(targets.map((t) => [`${t.kind}:${pathOf(t)}`, t]));
  const clientByPath = new Map(clients.map((c) => [pathOf(c), c]));
  const p = prober(fabric, ctx, options);
  const all: CheckRecord[] = [];
  for (const mode of options.modes) {
    const started = clock.now();
    ctx.logger.info(`test: isolation / ${mode}: applying on ${sites.length} sites`);
    await applyEverywhere(fabric, sites, mode, options.namespaces, world, ctx);
    const specs: CheckSpec[] = expectedMatrix(mode, options.namespaces, clients, targets).map(
      (cell) => ({
        suite: 'isolation',
        mode,
        from: clientByPath.get(pathOf(cell.from))!,
        to: targetByPath.get(`${cell.to.kind}:${pathOf(cell.to)}`)!,
        expected: cell.expected,
        ...(cell.denyKind ? { denyKind: cell.denyKind } : {}),
      }),
    );
    ctx.logger.info(`test: isolation / ${mode}: ${specs.length} probes`);
    const checks = (await Promise.all(specs.map((s) => p.check(s)))).sort(byPath);
    ctx.logger.info(summary(`test: isolation / ${mode}`, checks, clock.now() - started));
    options.onChecks?.(checks);
    all.push(...checks);
  }
  return all;
}

/**
 * What the fabric did not report: per site and test namespace, a client pod,
 * a backend pod and a service. A missing one would not fail any check, it
 * would only take that site's checks away, so the suites refuse to start.
 */
export function missingWorkloads(
  world: Workloads,
  sites: readonly string[],
  namespaces: readonly string[],
): string[] {
  const missing: string[] = [];
  for (const site of sites) {
    for (const namespace of namespaces) {
      const here = (x: { site: string; namespace: string }) =>
        x.site === site && x.namespace === namespace;
      const lacks = [
        world.pods.some((p) => here(p) && p.role === 'client') ? [] : ['client pod'],
        world.pods.some((p) => here(p) && p.role === 'backend') ? [] : ['backend pod'],
        world.services.some(here) ? [] : ['service'],
      ].flat();
      if (lacks.length) missing.push(`${site}/${namespace}: no ${lacks.join(', no ')}`);
    }
  }
  return missing;
}

/**
 * Before any verdict counts: with no isolation applied, every backend pod and
 * service answers the client of its own namespace and site. Otherwise a dead
 * backend would pass every cell that expects a deny; it is an infrastructure
 * error naming the backend instead.
 */
export async function reachabilityBaseline(
  fabric: Fabric,
  sites: readonly FabricSite[],
  world: Workloads,
  ctx: FabricContext,
  options: SuiteOptions,
): Promise<void> {
  await applyEverywhere(fabric, sites, 'default', options.namespaces, world, ctx);
  const clients = world.pods.filter((p) => p.role === 'client');
  const specs: CheckSpec[] = targetsOf(world).flatMap((to) => {
    const from = clients.find((c) => c.site === to.site && c.namespace === to.namespace);
    return from
      ? [{ suite: 'connectivity' as const, mode: null, from, to, expected: 'allow' as const }]
      : [];
  });
  const p = prober(fabric, ctx, options);
  const seen = await Promise.all(
    specs.map(async (spec) => {
      let last = await p.settle(spec);
      // a busy host may miss once; a dead backend misses every time
      if (!matches(last.seen, spec)) last = await p.settle(spec);
      return { spec, seen: last.seen };
    }),
  );
  const silent = seen.filter((x) => !matches(x.seen, x.spec));
  if (silent.length > 0) {
    throw new InfraError(
      `reachability baseline: ${silent.length} of ${specs.length} backends and services did not answer the client of their own namespace, so no isolation verdict would mean anything: ${silent
        .map(
          (x) =>
            `${x.spec.to.kind} ${pathOf(x.spec.to)} (${x.spec.to.ip}:${x.spec.to.port}) from ${x.spec.from.name}: ${x.seen.text}`,
        )
        .join('; ')}`,
    );
  }
  ctx.logger.info(
    `test: baseline: all ${specs.length} backends and services answer from their own namespace`,
  );
}

/** Deploy the workloads, run the suites the options name, print their truth tables. */
export async function runSuites(
  fabric: Fabric,
  sites: readonly FabricSite[],
  ctx: FabricContext,
  options: SuiteOptions,
): Promise<SuiteRun> {
  const world = await deployAll(fabric, sites, options.namespaces, ctx);
  const missing = missingWorkloads(
    world,
    sites.map((s) => s.plan.name),
    options.namespaces,
  );
  if (missing.length > 0) {
    throw new InfraError(
      `the fabric did not report every test workload, so some checks could not run: ${missing.join('; ')}`,
    );
  }
  const names = world.pods.filter((p) => p.role === 'backend').map((p) => p.name);
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (repeated.length > 0) {
    ctx.logger.warn(
      `test: backend pod names repeat across sites (${repeated.join(', ')}); an echo reply naming one cannot prove which site answered`,
    );
  }
  await reachabilityBaseline(fabric, sites, world, ctx, options);
  const checks: CheckRecord[] = [];
  if (options.suites.includes('connectivity')) {
    checks.push(...(await runConnectivity(fabric, sites, world, ctx, options)));
  }
  if (options.suites.includes('isolation')) {
    checks.push(...(await runIsolation(fabric, sites, world, ctx, options)));
  }
  const tables = truthTables(checks).map(renderTruthTableText);
  if (options.logTables !== false) for (const t of tables) ctx.logger.info(t);
  return { world, checks, tables };
}
