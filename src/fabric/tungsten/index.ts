/**
 * Fabric `tungsten`: real Kubernetes and TF on the provider's machines over
 * SSH. Built so far: `install` (the steps of install/steps.ts in order, each a
 * named step; on every host it belongs to at once, files uploaded first; a
 * failed step tried once more, since every script converges; the pinned
 * kernel's reboot through the remote layer; the master's join command copied
 * to the workers; the rendered TF manifest uploaded), `status`
 * (contrail-status on every node) and `remediate` (the race's ladder on the
 * master: delete the control pod; create the control node's own bgp-router
 * through the config API), `peer` (peering.ts, through the config API over
 * an SSH port forward), `peerStatus` (the control node's introspect),
 * `deployWorkloads`, `applyIsolation` and `probe` (kubectl on the master).
 * test/fabric/tungsten/staticRun.test.ts runs all of it through `run`.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InfraError } from '../../errors.js';
import { secrets } from '../../log.js';
import { renderSiteManifest } from '../../plan/render/site.js';
import type { HostPlan, Plan } from '../../plan/types.js';
import type { RemoteHost } from '../../remote/target.js';
import { remoteHostsOf } from '../../providers/remoteHosts.js';
import { quoteArg } from '../../remote/quote.js';
import type {
  ProbeTarget,
  PodRef,
  IsolationConfig,
  BgpSession,
  Fabric,
  FabricContext,
  FabricCredentials,
  FabricSite,
  FabricTimings,
  ProbeOutcome,
  RemediationAction,
  RemoteRunner,
  Workloads,
} from '../fabric.js';
import { fabricStep } from '../fabric.js';
import { NODE_ARTIFACT_DIR, type ArtifactCache, type CachedArtifact } from './artifacts.js';
import { manifestImages, nodeImageLayout } from './images/layout.js';
import { RegistryClient } from './images/registry.js';
import { BLOB_DIR, type ImageStore, type StoredImage } from './images/store.js';
import { ConfigApi, httpOver } from './configApi.js';
import {
  configurePeering,
  neighborSessions,
  parseBgpNeighbors,
  peeringSpec,
  sharedRouteTarget,
  unconfigurePeering,
  waitIsolation,
} from './peering.js';
import {
  bgpRouterBody,
  contrailStatusCommand,
  deleteControlPodCommand,
  deleteWorkloadNamespacesCommand,
  deletePoliciesCommand,
  interpretBgpRouterResponse,
  kubectlApplyCommand,
  parseProbeBatch,
  parseWorkloads,
  PROBE_EXEC_SLACK_S,
  probeBatchCommand,
  provisionBgpRouterCommand,
  workloadsQueryCommand,
} from './commands.js';
import { ECHO_IMAGE, isolationObjects, renderYaml, workloadObjects } from './manifests.js';
import { docStepCommand, docStepHosts, docStepName, type DocStep } from '../../docs/steps.js';
import {
  IMAGE_DIR,
  installSteps,
  JOIN_FILE,
  manifestPath,
  REBOOT_EXIT,
  STATE_DIR,
  stepHosts,
  type InstallStep,
  type StepFile,
} from './install/steps.js';

export interface TungstenFabricOptions {
  runId: string;
  remote: RemoteRunner;
  credentials: FabricCredentials;
  /** the profile's TF manifest text (default: downloaded from the profile's URL) */
  manifestText?: (plan: Plan) => Promise<string>;
  /** the runner's cache of the profile's pinned downloads, pushed to the nodes; none: nodes download */
  artifacts?: ArtifactCache;
  /** the runner's image store, used when the plan has the runner pull (registry.images: runner) */
  images?: ImageStore;
  /** the test pods' image; default busybox from Docker Hub (ECHO_IMAGE) */
  workloadImage?: string;
  /** how long the test pods may take to run (image pulls); default 10 min */
  workloadDeadlineMs?: number;
  /** how long kube-manager may take to reflect a mode in the config API; default 3 min */
  isolationDeadlineMs?: number;
  /** between polls of kubectl and the config API; default 5 s */
  pollMs?: number;
  /** tests only: the directory each host's install is placed under */
  rootOf?: (host: string) => string;
  /** per step and host; default 20 min (image pulls, kubeadm init) */
  stepTimeoutMs?: number;
  /** how long a reboot may take; default 10 min */
  rebootDeadlineMs?: number;
  /** tries per step and host (the scripts converge, so a retry is safe); default 2 */
  tries?: number;
  /** a transcript per host goes here: each step's exit, time and output tail */
  transcriptDir?: string;
  /** a doc's marked install steps (run --doc), run instead of the built-in TF manifest step */
  docSteps?: readonly DocStep[];
  /**
   * Where a master's config API and control introspect answer, as seen from
   * the master itself (reached over an SSH port forward). Default: its
   * underlay address, ports 8082 and 8083.
   */
  endpoints?: (master: HostPlan) => ApiEndpoints;
}

export interface ApiEndpoints {
  address: string;
  configPort: number;
  introspectPort: number;
}

/** output lines kept per step in a transcript */
const TRANSCRIPT_LINES = 40;

const tail = (text: string, lines = 5) => text.trim().split('\n').slice(-lines).join(' / ');

async function download(plan: Plan): Promise<string> {
  const url = plan.profile.tf.manifest.url;
  const r = await fetch(url, { signal: AbortSignal.timeout(60_000) }).catch((e: unknown) => {
    throw new InfraError(
      `the TF manifest ${url} could not be downloaded: ${e instanceof Error ? e.message : String(e)}`,
    );
  });
  if (!r.ok) throw new InfraError(`the TF manifest ${url} answered HTTP ${r.status}`);
  return r.text();
}

const sleepFor = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    signal.throwIfAborted();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
      },
      { once: true },
    );
  });

export class TungstenFabric implements Fabric {
  readonly name = 'tungsten' as const;
  /** image pulls, kubeadm and TF's start: minutes per site */
  readonly timings: FabricTimings = {
    readyDeadlineMs: 1_800_000,
    raceGraceMs: 120_000,
    pollIntervalMs: 5_000,
    progressEveryMs: 30_000,
  };
  private readonly remote: RemoteRunner;
  private readonly options: TungstenFabricOptions;
  private manifest: Promise<string> | undefined;
  /** the profile's downloads, resolved once per fabric */
  private cached: Promise<CachedArtifact[]> | undefined;
  /** the images pulled into the runner's store, per list of references */
  private readonly pulled = new Map<string, Promise<StoredImage[]>>();
  /** the sites whose workloads this fabric deployed (probes find their master here) */
  private readonly sites = new Map<string, FabricSite>();

  private get workloadImage(): string {
    return this.options.workloadImage ?? ECHO_IMAGE;
  }

  constructor(options: TungstenFabricOptions) {
    this.options = options;
    this.remote = options.remote;
  }

  async install(site: FabricSite, ctx: FabricContext): Promise<void> {
    const hosts = remoteHostsOf(site.machines.hosts);
    for (const host of site.plan.hosts.filter((h) => h.role !== 'edge')) {
      if (!hosts.has(host.name)) {
        throw new InfraError(`site ${site.plan.name}: no machine named ${host.name}`);
      }
    }
    const name = site.plan.name;
    // the same steps for every host, but rendered under each host's root (tests)
    const stepsFor = (host: string) =>
      installSteps(
        ctx.plan,
        site.plan,
        {
          ...(this.options.credentials.registryPassword !== undefined
            ? { registryPassword: this.options.credentials.registryPassword }
            : {}),
        },
        this.options.rootOf ? { root: this.options.rootOf(host) } : {},
      );
    // rendered once per host, before the first step runs
    const nodes = site.plan.hosts.filter((h) => h.role !== 'edge');
    const perHost = new Map(nodes.map((h) => [h.name, stepsFor(h.name)]));
    const order = perHost.get(nodes[0]!.name)!;
    for (const [index, step] of order.entries()) {
      if (step.name === 'tf manifest' && this.options.docSteps?.length) {
        await this.runDocSteps(site, hosts, this.options.docSteps, ctx);
        continue;
      }
      await fabricStep(ctx, name, step.name, async () => {
        const on = stepHosts(site.plan, step);
        if (step.name === 'join') await this.copyJoinCommand(site, hosts);
        if (step.name === 'kubernetes') await this.pushArtifacts(ctx, on, hosts);
        if (step.name === 'images') await this.pushImages(ctx, site, on, hosts);
        const extra =
          step.name === 'tf manifest' ? await this.manifestFile(ctx.plan, site) : undefined;
        await Promise.all(
          on.map((h) => {
            const own = perHost.get(h.name)![index]!;
            return this.runOnHost(hosts.get(h.name)!, h, own, extra, ctx);
          }),
        );
      });
    }
  }

  /**
   * The profile's pinned downloads from the runner's cache onto each host,
   * before the step that installs them (which takes a pushed file whose
   * checksum matches, and downloads otherwise).
   */
  private async pushArtifacts(
    ctx: FabricContext,
    on: HostPlan[],
    hosts: Map<string, RemoteHost>,
  ): Promise<void> {
    const cache = this.options.artifacts;
    if (!cache) return;
    this.cached ??= cache.resolveAll(ctx.plan);
    const files = await this.cached;
    if (files.length === 0) return;
    const data = await Promise.all(files.map((f) => readFile(f.path)));
    await Promise.all(
      on.map(async (h) => {
        for (const [i, f] of files.entries()) {
          await this.put(
            hosts.get(h.name)!,
            this.at(h.name, `${NODE_ARTIFACT_DIR}/${f.name}`),
            data[i]!,
            0o755,
          );
        }
      }),
    );
    ctx.logger.info(
      `install: pushed ${files.map((f) => `${f.name} (${f.hit ? 'cached' : 'downloaded'})`).join(', ')} to ${on.map((h) => h.name).join(', ')}`,
    );
  }

  /**
   * The images the site's nodes will run, pulled once into the runner's
   * store (from the store when it has them) and pushed to each node: only
   * the blobs the node does not hold yet, then each image's small files and
   * the list the `images` step loads from.
   */
  private async pushImages(
    ctx: FabricContext,
    site: FabricSite,
    on: HostPlan[],
    hosts: Map<string, RemoteHost>,
  ): Promise<void> {
    const store = this.options.images;
    if (!store || ctx.plan.registry.images !== 'runner') return;
    const refs = manifestImages(await this.manifestFile(ctx.plan, site), [this.workloadImage]);
    const key = refs.join('\n');
    if (!this.pulled.has(key)) {
      const password = this.options.credentials.registryPassword;
      const user = ctx.plan.registry.username;
      const client = new RegistryClient(
        user && password !== undefined
          ? { host: ctx.plan.versions.tfRegistry.split('/')[0]!, username: user, password }
          : undefined,
      );
      this.pulled.set(
        key,
        store.resolveAll(refs, client, (image, done, of) => {
          if (image.hit) return;
          const mib = image.layers.reduce((n, l) => n + l.size, 0) / 2 ** 20;
          ctx.logger.info(
            `install: images: pulled ${image.ref} (${done}/${of}, ${mib.toFixed(1)} MiB)`,
          );
        }),
      );
    }
    const images = await this.pulled.get(key)!;
    const layout = nodeImageLayout(images, store);
    const root = (host: string) => this.at(host, IMAGE_DIR);
    const pushed = await Promise.all(
      on.map(async (h) => {
        const host = hosts.get(h.name)!;
        // every directory at once, and which blobs the node holds already
        const dirs = new Set(
          [...layout.blobs.map((b) => b.remote), ...layout.files.map((f) => f.path)].map(
            (p) => `${root(h.name)}/${dirname(p)}`,
          ),
        );
        const there = await this.remote.exec(
          host,
          {
            script: `mkdir -p ${[...dirs].map(quoteArg).join(' ')} && ls ${quoteArg(`${root(h.name)}/${BLOB_DIR}`)}`,
          },
          { sudo: true, timeoutMs: 60_000 },
        );
        if (there.code !== 0) {
          throw new InfraError(`${h.name}: cannot make ${root(h.name)}: ${tail(there.stderr)}`);
        }
        const held = new Set(there.stdout.split('\n').map((l) => l.trim()));
        const missing = layout.blobs.filter((b) => !held.has(basename(b.remote)));
        const at = (path: string) => `${root(h.name)}/${path}`;
        for (const b of missing)
          await this.put(host, at(b.remote), { local: b.local }, 0o644, true);
        for (const f of layout.files) await this.put(host, at(f.path), f.content, 0o644, true);
        const bytes = missing.reduce((n, b) => n + b.size, 0);
        return `${h.name} ${missing.length} blobs (${(bytes / 2 ** 20).toFixed(1)} MiB)`;
      }),
    );
    const fromStore = images.filter((i) => i.hit).length;
    ctx.logger.info(
      `install: images: ${images.length} (${fromStore} from the runner's store, ${images.length - fromStore} pulled); pushed ${pushed.join(', ')}`,
    );
  }

  /** The master's join command (written by kubeadm init), as a 0600 file on each worker. */
  private async copyJoinCommand(site: FabricSite, hosts: Map<string, RemoteHost>): Promise<void> {
    const master = site.plan.hosts.find((h) => h.role === 'master')!;
    const path = (host: string) => `${this.options.rootOf?.(host) ?? ''}${JOIN_FILE}`;
    const r = await this.remote.exec(hosts.get(master.name)!, ['cat', path(master.name)], {
      sudo: true,
      timeoutMs: 30_000,
    });
    if (r.code !== 0 || !/kubeadm join /.test(r.stdout)) {
      throw new InfraError(
        `${master.name}: no join command in ${path(master.name)} (exit ${r.code}): ${tail(r.stderr || r.stdout)}`,
      );
    }
    await Promise.all(
      site.plan.hosts
        .filter((h) => h.role === 'worker')
        .map((h) => this.put(hosts.get(h.name)!, path(h.name), r.stdout, 0o600)),
    );
  }

  /** The rendered manifest, for the master's files. */
  private async manifestFile(plan: Plan, site: FabricSite): Promise<string> {
    this.manifest ??= (this.options.manifestText ?? download)(plan);
    return renderSiteManifest(await this.manifest, plan.profile.tf.manifest.url, plan, site.plan);
  }

  private async runOnHost(
    host: RemoteHost,
    hostPlan: HostPlan,
    step: InstallStep,
    manifest: string | undefined,
    ctx: FabricContext,
  ): Promise<void> {
    const files: StepFile[] = step
      .files(hostPlan)
      .map((f) =>
        manifest !== undefined && f.path.endsWith(manifestPath(ctx.plan))
          ? { ...f, content: manifest }
          : f,
      );
    const tries = this.options.tries ?? 2;
    let last = { code: 0, out: '' };
    for (let attempt = 1; attempt <= tries; attempt++) {
      ctx.signal.throwIfAborted();
      for (const f of files) await this.put(host, f.path, f.content, f.mode);
      let r = await this.exec(host, hostPlan, step);
      if (r.code === REBOOT_EXIT && step.mayReboot) {
        ctx.logger.info(`install: ${host.name}: ${step.name}: rebooting (${tail(r.stdout, 1)})`);
        await this.remote.reboot(host, this.options.rebootDeadlineMs ?? 600_000);
        r = await this.exec(host, hostPlan, step);
        if (r.code === REBOOT_EXIT) {
          throw new InfraError(
            `${host.name}: still asks for a reboot after one (${tail(r.stdout, 1)})`,
          );
        }
      }
      if (r.code === 0) {
        for (const line of r.stdout
          .split('\n')
          .filter((l) => / already |from the runner's (artifact cache|image store)/.test(l))) {
          ctx.logger.info(`install: ${host.name}: ${line.trim()}`);
        }
        return;
      }
      last = { code: r.code, out: r.stderr.trim() || r.stdout.trim() };
      if (attempt < tries) {
        ctx.logger.warn(
          `install: ${host.name}: ${step.name} failed (exit ${r.code}): ${tail(last.out, 2)}; trying again`,
        );
      }
    }
    throw new InfraError(`${host.name}: exit ${last.code}: ${tail(last.out)}`);
  }

  /**
   * A file where only root may write: as root straight there; otherwise into
   * the login user's own 0600 file first, then moved into place with sudo.
   */
  private async put(
    host: RemoteHost,
    path: string,
    /** the bytes, or a local file streamed there */
    content: string | Buffer | { local: string },
    mode: number,
    /** the caller made the directory already (root hosts skip their mkdir) */
    dirMade = false,
  ): Promise<void> {
    const upload = (to: string, m: number) =>
      typeof content === 'object' && 'local' in content
        ? this.remote.uploadFile(host, to, content.local, m)
        : this.remote.upload(host, to, content, m);
    if (host.user === 'root') {
      if (!dirMade) {
        await this.remote.exec(host, ['mkdir', '-p', dirname(path)], { timeoutMs: 30_000 });
      }
      await upload(path, mode);
      return;
    }
    // /var/tmp is on disk everywhere (/tmp may be a small tmpfs, and image layers are large)
    const staged = `/var/tmp/tungsten-e2e-${this.options.runId}-${randomBytes(6).toString('hex')}`;
    await upload(staged, 0o600);
    const r = await this.remote.exec(
      host,
      ['install', '-D', '-m', mode.toString(8), staged, path],
      { sudo: true, timeoutMs: 30_000 },
    );
    await this.remote.exec(host, ['rm', '-f', staged], { timeoutMs: 30_000 });
    if (r.code !== 0) throw new InfraError(`${host.name}: cannot write ${path}: ${tail(r.stderr)}`);
  }

  private async exec(host: RemoteHost, hostPlan: HostPlan, step: InstallStep) {
    const started = Date.now();
    const r = await this.remote.exec(
      host,
      { script: step.script(hostPlan) },
      { sudo: true, timeoutMs: this.options.stepTimeoutMs ?? 1_200_000 },
    );
    await this.transcribe(host.name, `install / ${step.name}`, r, Date.now() - started);
    return r;
  }

  /**
   * The doc's steps in its order, each a named step on the hosts it marks,
   * as its readers would run them (no retry: a doc's commands need not be
   * idempotent), stopping at the first failing command of a block. A
   * failure names the doc's file and line, with the output's tail, and is an
   * annotation on that line in Actions.
   */
  private async runDocSteps(
    site: FabricSite,
    hosts: Map<string, RemoteHost>,
    steps: readonly DocStep[],
    ctx: FabricContext,
  ): Promise<void> {
    for (const [i, step] of steps.entries()) {
      const where = `${step.file}:${step.line}`;
      await fabricStep(ctx, site.plan.name, docStepName(step, i), async () => {
        const on = docStepHosts(site.plan.hosts, step);
        const script = docStepCommand(step, site.plan);
        await Promise.all(
          on.map(async (h) => {
            const started = Date.now();
            const r = await this.remote.exec(
              hosts.get(h.name)!,
              { script },
              { sudo: true, timeoutMs: this.options.stepTimeoutMs ?? 1_200_000 },
            );
            await this.transcribe(h.name, `install / doc step ${where}`, r, Date.now() - started);
            if (r.code !== 0) {
              const message = `${where}: the doc's step failed on ${h.name} (exit ${r.code}): ${tail(r.stderr.trim() || r.stdout.trim())}`;
              ctx.logger.errorAt?.(message, { file: step.file, line: step.line });
              throw new InfraError(message);
            }
          }),
        );
      });
    }
  }

  /** One entry of the host's transcript (0600, secrets masked): what a failed nightly is read from. */
  private async transcribe(
    host: string,
    /** e.g. "install / kernel" */
    what: string,
    r: { code: number; stdout: string; stderr: string },
    ms: number,
  ): Promise<void> {
    const dir = this.options.transcriptDir;
    if (!dir) return;
    const lines = (text: string) => text.trimEnd().split('\n').slice(-TRANSCRIPT_LINES).join('\n');
    const entry = [
      `=== ${new Date().toISOString()} ${what}: exit ${r.code} in ${(ms / 1000).toFixed(1)}s`,
      ...(r.stdout.trim() ? [`--- stdout (last ${TRANSCRIPT_LINES} lines)`, lines(r.stdout)] : []),
      ...(r.stderr.trim() ? [`--- stderr (last ${TRANSCRIPT_LINES} lines)`, lines(r.stderr)] : []),
      '',
    ].join('\n');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await appendFile(join(dir, `${host}.log`), `${secrets.redact(entry)}\n`, { mode: 0o600 });
  }

  async status(site: FabricSite, _ctx: FabricContext): Promise<Record<string, string>> {
    const hosts = remoteHostsOf(site.machines.hosts);
    const out: Record<string, string> = {};
    await Promise.all(
      site.plan.hosts
        .filter((h) => h.role !== 'edge')
        .map(async (h) => {
          const r = await this.remote.exec(hosts.get(h.name)!, contrailStatusCommand(), {
            sudo: true,
            timeoutMs: 60_000,
          });
          // a status that could not be read is shown as such (the ladder reads it as not ready)
          out[h.name] =
            r.code === 0
              ? r.stdout
              : `contrail-status: exit ${r.code}: ${tail(r.stderr || r.stdout)}`;
        }),
    );
    return out;
  }

  /**
   * The race's ladder on the site's master: delete the control pod (its
   * DaemonSet starts a new one, which looks for its bgp-router again), or
   * create the control node's own bgp-router through the config API, as
   * provision_control.py does (an existing one is fine).
   */
  async remediate(site: FabricSite, action: RemediationAction, ctx: FabricContext): Promise<void> {
    const master = site.plan.hosts.find((h) => h.role === 'master')!;
    const host = remoteHostsOf(site.machines.hosts).get(master.name)!;
    const started = Date.now();
    const argv =
      action === 'delete-control-pod'
        ? deleteControlPodCommand(ctx.plan.profile)
        : provisionBgpRouterCommand(
            master.privateAddress,
            bgpRouterBody({
              name: master.name,
              address: master.privateAddress,
              asn: site.plan.asn,
            }),
          );
    const r = await this.remote.exec(host, argv, { sudo: true, timeoutMs: 60_000 });
    await this.transcribe(master.name, `remediate / ${action}`, r, Date.now() - started);
    if (action === 'delete-control-pod') {
      if (r.code !== 0) {
        throw new InfraError(
          `${master.name}: deleting the control pod failed (exit ${r.code}): ${tail(r.stderr || r.stdout)}`,
        );
      }
      return;
    }
    const answer = interpretBgpRouterResponse({
      exitCode: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: Date.now() - started,
    });
    if (answer.outcome === 'failed') {
      throw new InfraError(
        `${master.name}: the config API did not create bgp-router ${master.name}${answer.httpStatus ? ` (HTTP ${answer.httpStatus})` : ''}: ${tail(answer.body)}`,
      );
    }
    ctx.logger.info(
      `remediate: ${master.name}: bgp-router ${master.name} ${answer.outcome === 'created' ? 'created' : 'exists already'}`,
    );
  }

  private endpointsOf(site: FabricSite): { master: HostPlan; host: RemoteHost; at: ApiEndpoints } {
    const master = site.plan.hosts.find((h) => h.role === 'master')!;
    const host = remoteHostsOf(site.machines.hosts).get(master.name);
    if (!host) throw new InfraError(`site ${site.plan.name}: no machine named ${master.name}`);
    const at = this.options.endpoints?.(master) ?? {
      address: master.privateAddress,
      configPort: 8082,
      introspectPort: 8083,
    };
    return { master, host, at };
  }

  /** The site's config API, over a port forward from its master. */
  configApi(site: FabricSite): ConfigApi {
    const { master, host, at } = this.endpointsOf(site);
    return new ConfigApi(
      () => this.remote.forward(host, at.configPort, at.address),
      `the config API of ${master.name}`,
    );
  }

  /** BGP to every peer the plan names: global ASN, peer bgp-routers with sessions, shared route target. */
  async peer(site: FabricSite, _all: FabricSite[], ctx: FabricContext): Promise<void> {
    await fabricStep(ctx, site.plan.name, 'BGP peers', async () => {
      const changed = await configurePeering(
        this.configApi(site),
        peeringSpec(ctx.plan, site.plan.name),
      );
      ctx.logger.info(
        `connect ${site.plan.name}: ${changed.length ? changed.join('; ') : 'BGP peering already in place'}`,
      );
    });
  }

  async cleanup(site: FabricSite, ctx: FabricContext): Promise<string[]> {
    const { master, host } = this.endpointsOf(site);
    const r = await this.remote.exec(host, deleteWorkloadNamespacesCommand(), {
      sudo: true,
      timeoutMs: 330_000,
    });
    if (r.code !== 0) {
      throw new InfraError(
        `${master.name}: the test namespaces could not be deleted (exit ${r.code}): ${tail(r.stderr || r.stdout)}`,
      );
    }
    const namespaces = [...r.stdout.matchAll(/^namespace "([^"]+)" deleted$/gm)].map(
      (m) => `namespace ${m[1]!}`,
    );
    const peering = await unconfigurePeering(
      this.configApi(site),
      peeringSpec(ctx.plan, site.plan.name),
    );
    return [...namespaces, ...peering];
  }

  /** The control node's BGP neighbors, from its introspect. */
  async peerStatus(site: FabricSite, _ctx: FabricContext): Promise<BgpSession[]> {
    const { master, host, at } = this.endpointsOf(site);
    const path = '/Snh_BgpNeighborReq?search_string=';
    const a = await httpOver(
      () => this.remote.forward(host, at.introspectPort, at.address),
      'GET',
      path,
      undefined,
      30_000,
    ).catch((e: unknown) => {
      throw new InfraError(
        `${master.name}: the control node's introspect did not answer: ${e instanceof Error ? e.message : String(e)}`,
      );
    });
    if (a.status !== 200) {
      throw new InfraError(
        `${master.name}: the control node's introspect answered HTTP ${a.status}`,
      );
    }
    return neighborSessions(parseBgpNeighbors(a.body), site.plan.peers);
  }

  /** The test workloads from the manifests for Kubernetes 1.10, applied on the master, waited for. */
  async deployWorkloads(
    site: FabricSite,
    namespaces: string[],
    ctx: FabricContext,
  ): Promise<Workloads> {
    this.sites.set(site.plan.name, site);
    return fabricStep(ctx, site.plan.name, 'pods and services', async () => {
      const { master, host } = this.endpointsOf(site);
      const path = this.at(master.name, `${STATE_DIR}/workloads.yaml`);
      await this.put(
        host,
        path,
        renderYaml(workloadObjects(namespaces, { image: this.workloadImage })),
        0o644,
      );
      await this.kubectl(host, master.name, kubectlApplyCommand(path));
      const deadline = Date.now() + (this.options.workloadDeadlineMs ?? 600_000);
      for (;;) {
        const r = await this.kubectl(host, master.name, workloadsQueryCommand());
        const w = parseWorkloads(site.plan.name, r.stdout);
        const complete =
          w.pending.length === 0 &&
          w.pods.length >= namespaces.length * 2 &&
          w.services.length >= namespaces.length;
        if (complete) return { pods: w.pods, services: w.services };
        if (Date.now() > deadline) {
          throw new InfraError(
            `site ${site.plan.name}: the test workloads are not running after ${Math.round((this.options.workloadDeadlineMs ?? 600_000) / 1000)} s: ${w.pending.length ? `pending ${w.pending.join(', ')}` : `${w.pods.length} pods and ${w.services.length} services of ${namespaces.length * 2} and ${namespaces.length}`}`,
          );
        }
        await sleepFor(this.options.pollMs ?? 5_000, ctx.signal);
      }
    });
  }

  /**
   * A mode as TF's kube-manager reads it: the namespaces' annotations and the
   * NetworkPolicies (the previous mode's deleted first), then a wait until
   * the config API shows kube-manager made them (an isolated namespace's own
   * networks, a firewall policy per NetworkPolicy); an isolated namespace's
   * networks get the run's shared route target, as the cluster's do.
   */
  async applyIsolation(
    site: FabricSite,
    config: IsolationConfig,
    _world: Workloads,
    ctx: FabricContext,
  ): Promise<void> {
    this.sites.set(site.plan.name, site);
    await fabricStep(ctx, site.plan.name, `isolation ${config.mode}`, async () => {
      const { master, host } = this.endpointsOf(site);
      for (const ns of config.namespaces) {
        await this.kubectl(host, master.name, deletePoliciesCommand(ns.name));
      }
      const path = this.at(master.name, `${STATE_DIR}/isolation.yaml`);
      await this.put(host, path, renderYaml(isolationObjects(config)), 0o644);
      await this.kubectl(host, master.name, kubectlApplyCommand(path));
      await waitIsolation(this.configApi(site), config, sharedRouteTarget(ctx.plan), {
        deadlineMs: this.options.isolationDeadlineMs ?? 180_000,
        pollMs: this.options.pollMs ?? 5_000,
        signal: ctx.signal,
        where: `site ${site.plan.name}`,
      });
    });
  }

  /** Many TCP probes from one client pod in one kubectl exec on its site's master. */
  async probe(
    from: PodRef,
    targets: readonly ProbeTarget[],
    timeoutMs: number,
    _ctx: FabricContext,
  ): Promise<ProbeOutcome[]> {
    const site = this.sites.get(from.site);
    if (!site) throw new InfraError(`no workloads were deployed on site ${from.site}`);
    const { host } = this.endpointsOf(site);
    const started = Date.now();
    const argv = probeBatchCommand(from, targets, timeoutMs);
    const r = await this.remote.exec(host, argv, {
      sudo: true,
      timeoutMs: (Math.ceil(timeoutMs / 1000) + PROBE_EXEC_SLACK_S + 5) * 1000,
    });
    return parseProbeBatch(
      { exitCode: r.code, stdout: r.stdout, stderr: r.stderr, durationMs: Date.now() - started },
      targets,
    );
  }

  /** A path on a host, under its test root when there is one. */
  private at(host: string, path: string): string {
    return `${this.options.rootOf?.(host) ?? ''}${path}`;
  }

  /** kubectl on the master as root; a failure names the host and the command. */
  private async kubectl(host: RemoteHost, name: string, argv: string[]) {
    const r = await this.remote.exec(host, argv, { sudo: true, timeoutMs: 120_000 });
    if (r.code !== 0) {
      throw new InfraError(
        `${name}: ${argv.slice(0, 4).join(' ')} failed (exit ${r.code}): ${tail(r.stderr || r.stdout)}`,
      );
    }
    return r;
  }
}
