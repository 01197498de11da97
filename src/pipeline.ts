/**
 * The pipeline: one run as a straight line of phases, each recorded in the
 * run state the moment it starts and ends, with every resource saved as it is
 * made, so `down` always sees everything.
 *
 *   load → plan → provision → install → ready → connect → (test → report) … teardown
 *
 * `up` runs the phases up to connect and hands back the live run; `attach`
 * hands back the same live run from its state directory, in a later process;
 * `down` tears a run down from its state directory (idempotent, also after
 * `up` died half way); `run` is up, then whatever runs between (the suites
 * and the report: pipeline/testRun.ts), then down.
 */
import { cleanKeptClusters } from './pipeline/clusterCleanup.js';
import { readDoc } from './docs/readDoc.js';
import { docSteps, type DocStep } from './docs/steps.js';
import { stat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigOverrides } from './config/load.js';
import { loadSiteFile, runnableErrors } from './config/load.js';
import type { ProviderName, TeardownPolicy } from './config/types.js';
import { InfraError, UserError, UserErrors } from './errors.js';
import type { Fabric, FabricContext, FabricCredentials, FabricSite } from './fabric/fabric.js';
import type { Logger } from './log.js';
import { buildPlanFromConfig } from './plan/plan.js';
import type { Plan } from './plan/types.js';
import { DEFAULT_RACE_RETRIES, waitReady } from './health/waitReady.js';
import type { ConnectReport } from './pipeline/connect.js';
import { connectSites, waitPeered } from './pipeline/connect.js';
import { tunnelLinks, type JoinOptions } from './pipeline/tunnels.js';
import { provisionSites } from './pipeline/provision.js';
import type { TunnelLink } from './tunnel/edges.js';
import { abortableRemote, runSignal } from './pipeline/abort.js';
import { CANCEL_GRACE_MS, phase } from './pipeline/phase.js';
import { elapsedLogger, formatSeconds } from './pipeline/progress.js';
import type { FabricFactory, ProviderFactory, RegistryOptions } from './pipeline/registry.js';
import { defaultFabric, providerRegistry } from './pipeline/registry.js';
import { writeDiagnostics } from './pipeline/diagnostics.js';
import { allOrStop, InFlight, SETTLE_MS } from './pipeline/together.js';
import type {
  CreatedResource,
  DestroyReport,
  ProviderContext,
  TeardownTarget,
} from './providers/provider.js';
import { HostKeyStore } from './remote/hostKeys.js';
import { generateRunKey, loadRunKey } from './remote/keys.js';
import { RemotePool } from './remote/pool.js';
import type { PhaseRecord } from './report/model.js';
import { destroyEach } from './state/destroyEach.js';
import { withStateLock } from './state/lock.js';
import { downCommandLine, remainingLine, remainingText } from './state/messages.js';
import type { RunState } from './state/runState.js';
import { newRunId, STATE_FILE, StateStore } from './state/runState.js';

export interface PipelineEnv {
  logger: Logger;
  signal?: AbortSignal;
  /** default: the registry (pipeline/registry.ts) made with the run's plan and `credentials` */
  providers?: ProviderFactory;
  fabric?: FabricFactory;
  /** what the providers log in with: the ssh-private-key input (static), AWS keys */
  credentials?: Pick<
    RegistryOptions,
    'sshPrivateKey' | 'awsKeys' | 'gcpCredentials' | 'azureCredentials'
  > &
    FabricCredentials;
  /** ready: how long a site may take to become healthy; default 90 s (emulated), 30 min (TF) */
  readyDeadlineMs?: number;
  /** how long the control-node race may show before a remediation step; default 3 s (emulated), 2 min (TF) */
  raceGraceMs?: number;
  /** remediation steps allowed per site (race-retries); default DEFAULT_RACE_RETRIES */
  raceRetries?: number;
  /** connect: how long BGP sessions may take to establish; default 30 s */
  connectDeadlineMs?: number;
  /** provision: how long the tunnels' handshakes may take; default 5 s locally, 60 s on clouds */
  handshakeDeadlineMs?: number;
  /** where the profile's pinned downloads are kept between runs (default: the user's cache directory) */
  artifactCacheDir?: string;
  /** the local benchmark's baseline only: join local sites by plain routes instead of WireGuard */
  siteJoin?: 'wireguard' | 'plain-routes';
  /** tests only: where a non-local edge keeps its WireGuard key (default /etc/tungsten-e2e/wireguard) */
  edgeFiles?: JoinOptions['edgeFiles'];
  /** after one site failed: how long the other sites' work may take to stop; default 30 s */
  settleMs?: number;
}

/** below the state directory: a transcript per host of what the fabric ran there */
export const TRANSCRIPTS = 'transcripts';

/** The fabric's share of the run's credentials (the providers get theirs through the registry). */
function fabricCredentials(env: PipelineEnv): FabricCredentials {
  const password = env.credentials?.registryPassword;
  return password ? { registryPassword: password } : {};
}

export interface UpOptions {
  /** site file path or inline YAML */
  sites: string;
  sitesLabel?: string;
  overrides?: ConfigOverrides;
  /** default .tungsten-e2e/<runid> */
  stateDir?: string;
  /** "owner/name", carried by cloud tags */
  repo?: string;
  /** default: a new one */
  runId?: string;
  /** stop after this phase (default: connect, the last one up runs) */
  until?: UpPhase;
  /** after a failed install, ready or connect: each host's diagnostics go here */
  diagnosticsDir?: string;
  /** a Markdown doc whose marked install steps replace the built-in TF apply (docs/steps.ts) */
  doc?: string;
}

export type UpPhase = 'provision' | 'install' | 'ready' | 'connect';
const UP_PHASES: UpPhase[] = ['provision', 'install', 'ready', 'connect'];

/** A run that is up: what the suites need, and close() for its SSH connections. */
export interface LiveRun {
  runId: string;
  stateDir: string;
  plan: Plan;
  sites: FabricSite[];
  fabric: Fabric;
  store: StateStore;
  /** a context for fabric calls (logger, signal, plan) */
  ctx: FabricContext;
  connect: ConnectReport;
  /** each site pair's WireGuard tunnel now: handshake and byte counters */
  tunnels(): Promise<TunnelLink[]>;
  close(): Promise<void>;
}

/** A live run: its parts, and its tunnels read over the run's pool (cancelled with the run). */
function liveRun(parts: Omit<LiveRun, 'tunnels'>, pool: RemotePool, signal: AbortSignal): LiveRun {
  return {
    ...parts,
    tunnels: () => tunnelLinks(abortableRemote(pool, signal), parts.sites, parts.store),
  };
}

export const KNOWN_HOSTS = 'known_hosts';

/** how often a running teardown says it is still at work */
export const TEARDOWN_HEARTBEAT_MS = 5_000;

const ID = /^[a-z][a-z0-9]{5}$/;

const providersOfPlan = (plan: Plan): ProviderName[] => [
  ...new Set(plan.sites.map((s) => s.provider)),
];

const providersOfState = (state: Readonly<RunState>): ProviderName[] => [
  ...new Set([...state.sites.map((s) => s.provider), ...state.resources.map((r) => r.provider)]),
];

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The doc's steps, before anything exists: a doc without steps, or local sites, is bad input. */
async function readDocSteps(file: string, plan: Plan): Promise<DocStep[]> {
  const local = plan.sites.filter((s) => s.provider === 'local');
  if (local.length > 0) {
    throw new UserError(
      `--doc ${file}: a doc's install steps run on real machines, but site "${local[0]!.name}" is local (the emulated fabric installs nothing); use cloud or static sites.`,
    );
  }
  return docSteps(await readDoc(file), file);
}

export async function up(options: UpOptions, env: PipelineEnv): Promise<LiveRun> {
  const started = Date.now();
  const logger = elapsedLogger(env.logger, started);
  const signal = runSignal(env.signal);

  const loadStart = new Date().toISOString();
  const config = await loadSiteFile(options.sites, options.overrides, options.sitesLabel);
  const unrunnable = runnableErrors(config);
  if (unrunnable.length > 0) throw new UserErrors(unrunnable);
  const planStart = new Date().toISOString();
  const plan = buildPlanFromConfig(config);
  for (const w of plan.warnings) logger.warn(w);
  const docSteps = options.doc ? await readDocSteps(options.doc, plan) : undefined;
  const planEnd = new Date().toISOString();

  const runId = options.runId ?? newRunId();
  if (!ID.test(runId)) throw new UserError(`run id ${runId} is not valid: it must match ${ID}.`);
  const stateDir = options.stateDir ?? join('.tungsten-e2e', runId);
  const makeFabric = (env.fabric ?? defaultFabric)(plan);
  // the run's SSH identity; the pool connects to nothing until provisioning is done
  const key = generateRunKey(`tungsten-e2e-${runId}`);
  const pool = new RemotePool({
    privateKey: key.privateKey,
    hostKeys: new HostKeyStore({ file: join(stateDir, KNOWN_HOSTS), logger }),
    logger,
  });
  const close = () => pool.close();
  const providers = env.providers ?? providerRegistry({ ...env.credentials, plan, ssh: pool });
  const byProvider = new Map<ProviderName, typeof plan.sites>();
  for (const s of plan.sites)
    byProvider.set(s.provider, [...(byProvider.get(s.provider) ?? []), s]);
  for (const [name, sites] of byProvider) {
    await (await providers(name)).preflight(sites, plan, { logger, signal });
  }

  if (await exists(join(stateDir, STATE_FILE))) {
    const old = await StateStore.open(stateDir);
    if (!old.state.teardown?.complete) {
      throw new UserError(
        `${stateDir} holds run ${old.state.runId}, which is not torn down; run "${downCommandLine(stateDir, providersOfState(old.state))}" first, or pass another --state directory.`,
      );
    }
  }
  const expiresAt = new Date(Date.now() + plan.ttlSeconds * 1000);
  const store = await StateStore.create(stateDir, {
    runId,
    createdAt: new Date(started).toISOString(),
    expiresAt: expiresAt.toISOString(),
    source: {
      sites: options.sites,
      ...(options.sitesLabel ? { label: options.sitesLabel } : {}),
      overrides: options.overrides ?? {},
    },
  });
  await store.update((s) => {
    s.phases.push(
      { name: 'load', startedAt: loadStart, endedAt: planStart, status: 'ok' },
      { name: 'plan', startedAt: planStart, endedAt: planEnd, status: 'ok' },
    );
  });
  logger.info(
    `run ${runId}: ${plan.sites.length} sites (${plan.sites.map((s) => `${s.name}/${s.provider}`).join(', ')}), state in ${stateDir}, expires ${expiresAt.toISOString()}`,
  );

  const keyFile = await key.writePrivateKey(stateDir);
  await store.update((s) => {
    s.keyFile = keyFile;
  });

  // the work's signal: the run's, and aborted too when one site fails, so the others stop
  const stop = new AbortController();
  const work = runSignal(stop.signal);
  const follow = () => stop.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  const inFlight = new InFlight();
  const together = { stop, inFlight, settleMs: env.settleMs ?? SETTLE_MS };
  // set once machines exist: what diagnostics after a failed phase need
  let made: FabricSite[] | undefined;
  try {
    const providerCtx: ProviderContext = {
      runId,
      expiresAt,
      ...(options.repo ? { repo: options.repo } : {}),
      sshPublicKey: key.publicKey,
      stateDir,
      logger,
      signal: work,
      recordResource: (r: CreatedResource) => store.recordResource(r),
    };
    const provisioned = await phase(store, 'provision', logger, signal, (step) =>
      provisionSites({
        plan,
        providers,
        providerCtx,
        store,
        together,
        join: {
          runId,
          plan,
          remote: abortableRemote(pool, work),
          store,
          step,
          handshakeDeadlineMs:
            env.handshakeDeadlineMs ??
            (plan.sites.every((s) => s.provider === 'local') ? 5_000 : 60_000),
          ...(env.siteJoin ? { join: env.siteJoin } : {}),
          ...(env.edgeFiles ? { edgeFiles: env.edgeFiles } : {}),
        },
      }),
    );

    const sites: FabricSite[] = plan.sites.map((p, i) => ({ plan: p, machines: provisioned[i]! }));
    made = sites;
    const fabric = makeFabric({
      runId,
      remote: abortableRemote(pool, work),
      credentials: fabricCredentials(env),
      transcriptDir: join(stateDir, TRANSCRIPTS),
      ...(env.artifactCacheDir ? { artifactDir: env.artifactCacheDir } : {}),
      ...(docSteps ? { docSteps } : {}),
    });
    const ctx: FabricContext = { plan, logger, signal };
    const workCtx: FabricContext = { plan, logger, signal: work };

    const remote = abortableRemote(pool, work);
    const live = (connect: ConnectReport): LiveRun =>
      liveRun({ runId, stateDir, plan, sites, fabric, store, ctx, connect, close }, pool, signal);
    const last = UP_PHASES.indexOf(options.until ?? 'connect');
    const notConnected: ConnectReport = { established: [], down: [] };
    if (last < UP_PHASES.indexOf('install')) return live(notConnected);
    await phase(store, 'install', logger, signal, (step) =>
      allOrStop(sites, (s) => fabric.install(s, { ...workCtx, step }), together),
    );
    if (last < UP_PHASES.indexOf('ready')) return live(notConnected);
    const timings = fabric.timings;
    await phase(store, 'ready', logger, signal, () =>
      inFlight.track(
        waitReady(fabric, sites, workCtx, {
          timeoutMs: env.readyDeadlineMs ?? timings.readyDeadlineMs,
          raceRetries: env.raceRetries ?? DEFAULT_RACE_RETRIES,
          raceGraceMs: env.raceGraceMs ?? timings.raceGraceMs,
          pollIntervalMs: timings.pollIntervalMs,
          progressEveryMs: timings.progressEveryMs,
          onRemediation: (r) => store.update((st) => st.remediations.push(r)),
        }),
      ),
    );
    if (last < UP_PHASES.indexOf('connect')) return live(notConnected);
    const connect = await phase(store, 'connect', logger, signal, (step) =>
      connectSites({
        fabric,
        sites,
        remote,
        store,
        ctx: { ...workCtx, step },
        together,
        deadlineMs: env.connectDeadlineMs ?? 30_000,
      }),
    );
    logger.info(`run ${runId} is up in ${formatSeconds(Date.now() - started)}`);
    return live(connect);
  } catch (e) {
    // nothing of this run may still be creating things when teardown starts
    if (!stop.signal.aborted) stop.abort(e);
    const waitMs = signal.aborted ? CANCEL_GRACE_MS : together.settleMs;
    const still = await inFlight.settle(waitMs);
    if (made && options.diagnosticsDir && !signal.aborted) {
      // the work's runner stopped with the run: a fresh fabric on the run's own signal asks
      const asker = makeFabric({
        runId,
        remote: abortableRemote(pool, signal),
        credentials: fabricCredentials(env),
      });
      await writeDiagnostics(asker, made, { plan, logger, signal }, options.diagnosticsDir);
    }
    // teardown opens the state itself; what this run's work still records goes on top of it
    store.handOff();
    if (still > 0) {
      logger.warn(
        `run ${runId}: ${still} provider or fabric calls still run ${formatSeconds(waitMs)} after the run stopped; what they make after teardown is not deleted by it: when they end, run "${downCommandLine(stateDir, providersOfPlan(plan))}" again`,
      );
    }
    await close();
    logger.error(
      `run ${runId} stopped; what it made is recorded in ${stateDir}: tear it down with "${downCommandLine(stateDir, providersOfPlan(plan))}"`,
    );
    throw e;
  }
}

/** The run's plan again, from the site file and overrides its state names. */
export async function replan(state: Readonly<RunState>): Promise<Plan> {
  const { sites, overrides, label } = state.source;
  return buildPlanFromConfig(await loadSiteFile(sites, overrides, label));
}

/**
 * The live run of a state directory whose `up` finished, in this process: the
 * plan again from the site file, the hosts from the state, SSH with the run's
 * key and the host keys pinned by `up`. One poll of the BGP sessions fills
 * `connect`. Close it when done.
 */
export async function attach(stateDir: string, env: PipelineEnv): Promise<LiveRun> {
  const store = await StateStore.open(stateDir);
  const state = store.state;
  const runId = state.runId;
  if (state.teardown) {
    throw new UserError(
      state.teardown.complete
        ? `${stateDir}: run ${runId} was torn down at ${state.teardown.at}; start a new one with "up" or "run".`
        : `${stateDir}: run ${runId} was torn down in part at ${state.teardown.at}; finish with "${downCommandLine(stateDir, providersOfState(state))}", then start a new one.`,
    );
  }
  const connected = state.phases.some(
    (p) => p.name === 'connect' && p.status === 'ok' && p.endedAt,
  );
  if (!connected) {
    const done = state.phases.map((p) => `${p.name} ${p.endedAt ? p.status : 'running'}`);
    throw new UserError(
      `${stateDir}: run ${runId} is not up (phases: ${done.join(', ')}); run "${downCommandLine(stateDir, providersOfState(state))}", then "up" again.`,
    );
  }
  const plan = await replan(state);
  const siteStates = new Map(state.sites.map((s) => [s.name, s]));
  const sites: FabricSite[] = plan.sites.map((p) => {
    const recorded = siteStates.get(p.name);
    const planned = p.hosts.map((h) => h.name).sort();
    const hosts = recorded?.hosts.map((h) => h.name).sort() ?? [];
    if (!recorded || recorded.provider !== p.provider || planned.join() !== hosts.join()) {
      throw new UserError(
        `${state.source.label ?? state.source.sites}: site "${p.name}" is not the one run ${runId} stood up (the site file changed since "up"); restore the file, or tear the run down and start again.`,
      );
    }
    return { plan: p, machines: { name: p.name, provider: p.provider, hosts: recorded.hosts } };
  });
  if (!state.keyFile) throw new InfraError(`${store.file}: the run's key file is not recorded`);
  const key = await loadRunKey(state.keyFile).catch((e: unknown) => {
    throw new InfraError(
      `${state.keyFile}: the run's SSH key cannot be read (${e instanceof Error ? e.message : String(e)})`,
    );
  });
  const logger = env.logger;
  const signal = runSignal(env.signal);
  const pool = new RemotePool({
    privateKey: key.privateKey,
    hostKeys: await HostKeyStore.load(join(stateDir, KNOWN_HOSTS), logger),
    logger,
  });
  const fabric = (env.fabric ?? defaultFabric)(plan)({
    runId,
    remote: abortableRemote(pool, signal),
    credentials: fabricCredentials(env),
    transcriptDir: join(stateDir, TRANSCRIPTS),
    ...(env.artifactCacheDir ? { artifactDir: env.artifactCacheDir } : {}),
  });
  const ctx: FabricContext = { plan, logger, signal };
  try {
    const connect = await waitPeered(fabric, sites, plan.peerings, ctx, { deadlineMs: 0 });
    const close = () => pool.close();
    return liveRun(
      { runId, stateDir, plan, sites, fabric, store, ctx, connect, close },
      pool,
      signal,
    );
  } catch (e) {
    await pool.close();
    throw e;
  }
}

export interface DownOptions {
  stateDir: string;
  /** how often a running teardown says it is still at work (default TEARDOWN_HEARTBEAT_MS) */
  heartbeatMs?: number;
}

export interface DownResult {
  runId: string;
  /** true when an earlier down had already removed everything */
  alreadyDown: boolean;
  deleted: CreatedResource[];
  remaining: DestroyReport['remaining'];
}

/** Sweeps at most, while the run's late work keeps recording resources during teardown. */
const MAX_SWEEPS = 3;

/**
 * Which providers to ask, and each one for which of the run's sites: a
 * provider is told only its own sites (AWS must not search Azure's
 * "westeurope" for EC2 resources).
 */
function teardownScope(
  state: Readonly<RunState>,
  plan: Plan | undefined,
): { providers: ProviderName[]; target: (provider: ProviderName) => TeardownTarget } {
  const names = new Set<ProviderName>(providersOfState(state));
  if (names.size === 0) {
    // up stopped before it recorded anything: the site file says which providers to sweep
    for (const s of plan?.sites ?? []) names.add(s.provider);
    if (names.size === 0) names.add('local');
  }
  const siteNames = new Set([
    ...state.sites.map((s) => s.name),
    ...state.resources.map((r) => r.site),
  ]);
  const sites = [...siteNames]
    .filter((n) => n !== '')
    .map((name) => {
      const s = state.sites.find((x) => x.name === name);
      // a site whose provisioning was cut short has resources, with their region, but no site record yet
      const resource = state.resources.find((r) => r.site === name && r.region);
      const region = s?.region ?? resource?.region;
      const provider =
        s?.provider ??
        state.resources.find((r) => r.site === name)?.provider ??
        plan?.sites.find((p) => p.name === name)?.provider;
      return {
        provider,
        site: { name, ...(region ? { region } : {}), ...(s?.zone ? { zone: s.zone } : {}) },
      };
    });
  return {
    providers: [...names],
    target: (provider) => ({
      runId: state.runId,
      // a site whose provider is not known is offered to every provider rather than missed
      sites: sites.filter((s) => s.provider === provider || !s.provider).map((s) => s.site),
    }),
  };
}

/** Tear a run down from its state directory; safe to repeat, and after `up` died half way. */
/** "install east: vrouter agents (failed)": the last step the run recorded, if any. */
export function lastStep(state: Readonly<RunState>): string | undefined {
  for (const p of [...state.phases].reverse()) {
    const st = p.steps?.at(-1);
    if (st) return `${p.name} ${st.site}: ${st.name} (${st.endedAt ? st.status : 'running'})`;
  }
  return undefined;
}

export function down(options: DownOptions, env: PipelineEnv): Promise<DownResult> {
  return withStateLock(options.stateDir, 'down', () => downLocked(options, env), {
    create: false,
  });
}

async function downLocked(options: DownOptions, env: PipelineEnv): Promise<DownResult> {
  const started = Date.now();
  const logger = elapsedLogger(env.logger, started);
  const signal = env.signal ?? new AbortController().signal;
  const store = await StateStore.open(options.stateDir);
  const state = store.state;
  const runId = state.runId;
  if (!ID.test(runId)) throw new UserError(`${store.file}: run id ${runId} is not valid.`);
  const alreadyDown = state.teardown?.complete === true;
  logger.info(
    alreadyDown
      ? `teardown ${runId}: already torn down at ${state.teardown!.at}; checking nothing is left`
      : `teardown ${runId}: deleting everything carrying the run id`,
  );
  const reached = lastStep(state);
  if (!alreadyDown && reached) logger.info(`teardown ${runId}: the run got as far as ${reached}`);

  // the plan again, from the site file the run used: static serves the hosts it lists
  const plan = await replan(state).catch(() => undefined);
  const providers =
    env.providers ?? providerRegistry({ ...env.credentials, ...(plan ? { plan } : {}) });
  if (providersOfState(state).length === 0 && !plan) {
    logger.warn(
      `teardown ${runId}: the site file ${state.source.sites} cannot be read; sweeping the local provider only`,
    );
  }
  const record: PhaseRecord = {
    name: 'teardown',
    startedAt: new Date().toISOString(),
    status: 'ok',
  };
  const result: DownResult = { runId, alreadyDown, deleted: [], remaining: [] };
  // the user's own machines keep their cluster: undo what the run made there first
  const uncleaned = alreadyDown
    ? []
    : await cleanKeptClusters({
        state,
        plan,
        stateDir: options.stateDir,
        knownHostsFile: KNOWN_HOSTS,
        providers,
        makeFabric: (remote) =>
          (env.fabric ?? defaultFabric)(plan!)({
            runId,
            remote,
            credentials: fabricCredentials(env),
          }),
        logger,
        signal,
        howToDelete:
          "on the site's master: kubectl delete namespace -l tungsten-e2e.io/workload=true, and delete the bgp-routers of vendor tungsten-fabric (the peers the run made) in the config API",
      });
  const sweep = (now: Readonly<RunState>) => {
    const scope = teardownScope(now, plan);
    return destroyEach(scope.providers, {
      providers,
      target: scope.target,
      ctx: { logger, signal },
      recorded: now.resources,
      howToDelete: (name) =>
        `${downCommandLine(options.stateDir, [name])} (again, once the cause is fixed)`,
    });
  };
  let swept: Awaited<ReturnType<typeof sweep>>;
  let latest = store;
  logger.group?.('tungsten-e2e: teardown');
  try {
    // a teardown of many sites takes a while: say it is still at work, never silent for long
    const heartbeat = setInterval(
      () =>
        logger.info(
          `teardown ${runId}: still deleting (${state.resources.length} resources recorded, ${formatSeconds(Date.now() - started)} so far)`,
        ),
      options.heartbeatMs ?? TEARDOWN_HEARTBEAT_MS,
    );
    try {
      swept = await sweep(state);
    } finally {
      clearInterval(heartbeat);
    }
    // the run's work that had not stopped yet may record resources while teardown runs:
    // the state on disk is the truth, and what was added to it is swept again
    for (let pass = 1; ; pass++) {
      const now = await StateStore.open(options.stateDir);
      const added = now.state.resources.slice(latest.state.resources.length);
      latest = now;
      if (added.length === 0) break;
      if (pass === MAX_SWEEPS) {
        for (const resource of added) {
          swept.remaining.push({
            resource,
            error: 'recorded while teardown ran, after its last sweep',
            howToDelete: downCommandLine(options.stateDir, [resource.provider]),
          });
        }
        break;
      }
      logger.warn(
        `teardown ${runId}: ${added.length} resources were recorded while teardown ran; sweeping again`,
      );
      const again = await sweep(now.state);
      swept = {
        deleted: [...swept.deleted, ...again.deleted],
        remaining: again.remaining,
        ...(again.userError !== undefined || swept.userError !== undefined
          ? { userError: swept.userError ?? again.userError }
          : {}),
      };
    }
  } finally {
    logger.groupEnd?.();
  }
  result.deleted.push(...swept.deleted);
  result.remaining.push(...uncleaned, ...swept.remaining);
  if (state.keyFile) await rm(state.keyFile, { force: true });
  await rm(join(options.stateDir, KNOWN_HOSTS), { force: true });
  record.endedAt = new Date().toISOString();
  if (result.remaining.length > 0) {
    record.status = 'failed';
    record.error = remainingText(runId, result.remaining);
  }
  // a repeated down that found nothing leaves the state as the first one wrote it
  const unchanged = alreadyDown && result.deleted.length === 0 && result.remaining.length === 0;
  // through the state as it is on disk now, so nothing recorded meanwhile is lost
  if (!unchanged)
    await latest.update((s) => {
      s.phases.push(record);
      s.teardown = {
        at: record.endedAt!,
        complete: result.remaining.length === 0,
        remaining: result.remaining.map(remainingLine),
      };
    });
  if (result.remaining.length > 0) {
    if (swept.userError !== undefined) {
      logger.warn(remainingText(runId, result.remaining));
      throw swept.userError;
    }
    throw new InfraError(remainingText(runId, result.remaining));
  }
  logger.info(
    result.deleted.length === 0
      ? `teardown ${runId}: nothing left to delete`
      : `teardown ${runId}: deleted ${result.deleted.length} resources in ${formatSeconds(Date.now() - started)}`,
  );
  return result;
}

export interface RunOptions extends UpOptions {
  teardown?: TeardownPolicy;
  /** what runs while the sites are up (the suites and the report, once they exist) */
  between?: (live: LiveRun) => Promise<boolean>;
  /**
   * After the signal aborted: `teardown` (the CLI: tear down now, default) or
   * `leave` (the action: the post step tears down, main must exit at once).
   */
  onCancel?: 'teardown' | 'leave';
}

export interface RunOutcome {
  runId: string;
  stateDir: string;
  /** what `between` reported; true when nothing ran */
  passed: boolean;
  teardown?: DownResult;
  /** kept on purpose by the teardown policy */
  kept?: boolean;
  /** cancelled, and left standing for someone else to tear down (onCancel: leave) */
  left?: boolean;
}

/** How a run ended, as the teardown policy sees it. */
export type RunEnd = 'passed' | 'failed' | 'cancelled';

/**
 * Whether the teardown policy keeps a run: `never` keeps every run,
 * `on-success` keeps a run that failed (to debug it), but not one that was
 * cancelled or killed: a cancel is not a failure of what was tested.
 */
export function keepsRun(policy: TeardownPolicy, end: RunEnd): boolean {
  return policy === 'never' || (policy === 'on-success' && end === 'failed');
}

/** up, then `between`, then down (per the teardown policy); errors surface after teardown. */
export function run(options: RunOptions, env: PipelineEnv): Promise<RunOutcome> {
  const runId = options.runId ?? newRunId();
  const stateDir = options.stateDir ?? join('.tungsten-e2e', runId);
  return withStateLock(stateDir, 'run', () => runLocked({ ...options, runId, stateDir }, env));
}

async function runLocked(
  options: RunOptions & { runId: string; stateDir: string },
  env: PipelineEnv,
): Promise<RunOutcome> {
  const policy = options.teardown ?? 'always';
  const { runId, stateDir } = options;
  let live: LiveRun | undefined;
  let failure: unknown;
  let passed = false;
  try {
    live = await up({ ...options, runId, stateDir }, env);
    passed = options.between ? await options.between(live) : true;
  } catch (e) {
    failure = e;
  } finally {
    await live?.close();
  }
  const outcome: RunOutcome = { passed, runId, stateDir };
  const cancelled = env.signal?.aborted === true;
  const end: RunEnd = cancelled
    ? 'cancelled'
    : failure === undefined && passed
      ? 'passed'
      : 'failed';
  const keep = keepsRun(policy, end);
  const leave = options.onCancel === 'leave' && cancelled;
  // a state file for this run id means up made (or tried to make) something
  const made = (await exists(join(stateDir, STATE_FILE)))
    ? await StateStore.open(stateDir).then((s) =>
        s.state.runId === runId ? { providers: providersOfState(s.state) } : undefined,
      )
    : undefined;
  if (made) {
    if (leave) {
      outcome.left = true;
      env.logger.warn(
        `run ${runId} was cancelled: leaving its teardown to the post step (or "${downCommandLine(stateDir, made.providers)}")`,
      );
    } else if (keep) {
      outcome.kept = true;
      env.logger.warn(
        `teardown ${policy}: keeping the run; delete it with "${downCommandLine(stateDir, made.providers)}"`,
      );
    } else {
      try {
        outcome.teardown = await down(
          { stateDir },
          { ...env, signal: new AbortController().signal },
        );
      } catch (e) {
        failure ??= e;
      }
    }
  }
  if (failure !== undefined) throw failure;
  return outcome;
}
