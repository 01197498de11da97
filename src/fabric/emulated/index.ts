/**
 * Fabric `emulated`: TF's roles played by real components on the local
 * provider's machines, installed over SSH like the real fabric (see
 * layout.ts for the mapping). Its durable state lives on the nodes (the
 * control node's configuration in control.json on the master, the workloads
 * in cluster.json), as TF keeps it in its config database, so a new process
 * can pick a run up.
 */
import { POD_MTU } from '../../tunnel/wireguard.js';
import { InfraError } from '../../errors.js';
import type { SitePlan } from '../../plan/types.js';
import type { RemoteHost } from '../../remote/target.js';
import { remoteHostsOf } from '../../providers/remoteHosts.js';
import type {
  BgpSession,
  Fabric,
  FabricTimings,
  FabricContext,
  FabricSite,
  IsolationConfig,
  PodInfo,
  PodRef,
  ProbeOutcome,
  ProbeResult,
  ProbeTarget,
  RemediationAction,
  RemoteRunner,
  ServiceInfo,
  Workloads,
} from '../fabric.js';
import { fabricStep, PROBE_RESULTS } from '../fabric.js';
import type { ControlPeer } from './bird.js';
import { MASTER_AGENT_LINK, renderAgentConfig, renderControlConfig, TUNED_TIMERS } from './bird.js';
import type { PodIdentity } from './isolation.js';
import { podRules } from './isolation.js';
import type { NodeLayout, PodPlacement, ServicePlacement, SiteFabricLayout } from './layout.js';
import {
  BACKEND_PORT,
  backendsOf,
  siteFabricLayout,
  siteWorkloadLayout,
  tunnelEnd,
  VXLAN_PORT,
} from './layout.js';
import { renderIsolation, renderServices } from './nft.js';
import { ECHO_SERVER, PROBE } from './programs.js';
import { prelude, sh, showProtocols, splitSections, writeFileLine } from './scripts.js';
import { parseProtocols, peerSessions, renderStatus } from './status.js';

export interface EmulatedFabricOptions {
  runId: string;
  remote: RemoteRunner;
  /** the directory of a host's files (configs, sockets, logs), which its provider set aside for the run */
  hostDir: (host: string) => string;
  /** the node binary the pods' programs run with (this host's) */
  nodePath?: string;
  /** per remote command */
  commandTimeoutMs?: number;
  /** BGP timers of every BIRD; default TUNED_TIMERS (the benchmark compares BIRD's defaults) */
  bgpTimers?: readonly string[];
}

/** The control node's desired configuration, kept on the master. */
export interface ControlState {
  selfConfigured: boolean;
  peers: ControlPeer[];
}

/** The prober's JSON line, if it is one outcome per target. */
function parseOutcomes(stdout: string, count: number): ProbeOutcome[] | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
    if (!Array.isArray(parsed) || parsed.length !== count) return undefined;
    const ok = parsed.every(
      (o: Partial<ProbeOutcome> | null) =>
        typeof o === 'object' &&
        o !== null &&
        PROBE_RESULTS.includes(o.result as ProbeResult) &&
        typeof o.detail === 'string' &&
        typeof o.durationMs === 'number',
    );
    return ok ? (parsed as ProbeOutcome[]) : undefined;
  } catch {
    return undefined;
  }
}

interface Registry {
  pods: PodPlacement[];
  services: ServicePlacement[];
}

const CONTROL = 'control';
const AGENT = 'agent';

/** the pod MTU across sites (the emulation's overlay is VXLAN) */
export const OVERLAY_MTU = POD_MTU;

export class EmulatedFabric implements Fabric {
  readonly name = 'emulated' as const;
  /**
   * Pods on one host connect in well under a millisecond, so 1 s is a wide
   * margin, and the prober decides a timeout only after polling once more
   * (programs.ts), so a starved prober does not see a drop that was not.
   */
  readonly probeTimeoutMs = 1_000;
  readonly timings: FabricTimings = {
    readyDeadlineMs: 90_000,
    raceGraceMs: 3_000,
    pollIntervalMs: 200,
    progressEveryMs: 2_000,
  };
  private readonly runId: string;
  private readonly remote: RemoteRunner;
  private readonly hostDir: (host: string) => string;
  private readonly nodePath: string;
  private readonly timeoutMs: number;
  private readonly timers: readonly string[];
  private readonly sites = new Map<string, FabricSite>();
  private readonly registries = new Map<string, Registry>();

  constructor(options: EmulatedFabricOptions) {
    this.runId = options.runId;
    this.remote = options.remote;
    this.hostDir = options.hostDir;
    this.nodePath = options.nodePath ?? process.execPath;
    this.timeoutMs = options.commandTimeoutMs ?? 60_000;
    this.timers = options.bgpTimers ?? TUNED_TIMERS;
  }

  async install(site: FabricSite, ctx: FabricContext): Promise<void> {
    this.sites.set(site.plan.name, site);
    const name = site.plan.name;
    const layout = siteFabricLayout(site.plan);
    const control: ControlState = {
      selfConfigured: !site.plan.faults.includes('control-race'),
      peers: [],
    };
    if (!control.selfConfigured) {
      ctx.logger.warn(
        `install ${name}: fault control-race: the control node starts without its own BGP configuration`,
      );
    }
    const onNodes = (
      nodes: readonly NodeLayout[],
      what: string,
      body: (node: NodeLayout) => string[],
    ) =>
      Promise.all(
        nodes.map((node) =>
          this.run(site, node.host, [prelude(this.dir(node.host)), ...body(node)].join('\n'), what),
        ),
      );
    await fabricStep(ctx, name, 'control node', async () => {
      const dir = this.dir(layout.master.host);
      ctx.logger.info(
        `install ${name}: ${layout.master.host}: control node (BIRD, AS${layout.asn})`,
      );
      await onNodes([layout.master], 'install control node', () => [
        writeFileLine(`${dir}/control.json`, `${JSON.stringify(control)}\n`),
        writeFileLine(`${dir}/control.conf`, this.controlConfig(site.plan, layout, control)),
        'start_bird control',
      ]);
    });
    await fabricStep(ctx, name, 'pod network', async () => {
      const podHosts = layout.nodes.filter((n) => n.hostsPods);
      ctx.logger.info(
        `install ${name}: pod network on ${podHosts.map((n) => n.host).join(', ')} (gateway, services and isolation tables, pod programs)`,
      );
      await onNodes(podHosts, 'install pod network', (node) => {
        const dir = this.dir(node.host);
        return [
          writeFileLine(`${dir}/echo.mjs`, ECHO_SERVER),
          writeFileLine(`${dir}/probe.mjs`, PROBE),
          sh('ip', 'addr', 'replace', `${node.podGateway}/32`, 'dev', 'lo'),
          `${sh('nft', '-f', '-')} <<'EOF'\n${renderServices(this.runId, [])}${renderIsolation(this.runId, [])}EOF`,
        ];
      });
    });
    await fabricStep(ctx, name, 'vrouter agents', async () => {
      ctx.logger.info(
        `install ${name}: vrouter agent on ${layout.nodes.map((n) => n.host).join(', ')}`,
      );
      await onNodes(layout.nodes, 'install vrouter agent', (node) => [
        writeFileLine(
          `${this.dir(node.host)}/agent.conf`,
          this.agentConfig(site.plan, layout, node, []),
        ),
        'start_bird agent',
      ]);
    });
  }

  async status(site: FabricSite, ctx: FabricContext): Promise<Record<string, string>> {
    this.sites.set(site.plan.name, site);
    const layout = siteFabricLayout(site.plan);
    const out: Record<string, string> = {};
    await Promise.all(
      layout.nodes.map(async (node) => {
        const hasControl = node.role === 'master';
        const names = hasControl ? [CONTROL, AGENT] : [AGENT];
        const text = await this.run(
          site,
          node.host,
          `${prelude(this.dir(node.host))}${showProtocols(names)}`,
          'status',
        );
        const sections = splitSections(text);
        out[node.host] = renderStatus({
          hasControl,
          control: hasControl ? parseProtocols(sections.get(CONTROL) ?? '') : undefined,
          agent: parseProtocols(sections.get(AGENT) ?? ''),
          controlAddress: layout.routerId,
        });
      }),
    );
    ctx.logger.debug(`status ${site.plan.name}: ${Object.keys(out).join(', ')}`);
    return out;
  }

  async remediate(site: FabricSite, action: RemediationAction, ctx: FabricContext): Promise<void> {
    this.sites.set(site.plan.name, site);
    const layout = siteFabricLayout(site.plan);
    const master = layout.master.host;
    const control = await this.controlState(site);
    control.selfConfigured = true;
    const dir = this.dir(master);
    const write = [
      writeFileLine(`${dir}/control.json`, `${JSON.stringify(control)}\n`),
      writeFileLine(`${dir}/control.conf`, this.controlConfig(site.plan, layout, control)),
    ];
    if (action === 'delete-control-pod') {
      ctx.logger.info(
        `remediate ${site.plan.name}: deleting the control pod (restart with full configuration)`,
      );
      await this.run(
        site,
        master,
        [prelude(dir), ...write, 'stop_bird control', 'start_bird control'].join('\n'),
        action,
      );
    } else {
      ctx.logger.info(
        `remediate ${site.plan.name}: provisioning the control node's own bgp-router`,
      );
      await this.run(
        site,
        master,
        [prelude(dir), ...write, 'start_bird control'].join('\n'),
        action,
      );
    }
  }

  async peer(site: FabricSite, all: FabricSite[], ctx: FabricContext): Promise<void> {
    this.sites.set(site.plan.name, site);
    for (const s of all) this.sites.set(s.plan.name, s);
    await fabricStep(ctx, site.plan.name, 'VXLAN and BGP peers', () => this.peerSite(site, ctx));
  }

  private async peerSite(site: FabricSite, ctx: FabricContext): Promise<void> {
    if (site.plan.faults.includes('no-bgp')) {
      ctx.logger.warn(`connect ${site.plan.name}: fault no-bgp: BGP peering is not configured`);
      return;
    }
    const layout = siteFabricLayout(site.plan);
    const master = layout.master.host;
    const dir = this.dir(master);
    const lines = [prelude(dir)];
    const peers: ControlPeer[] = [];
    for (const p of site.plan.peers) {
      const other = ctx.plan.sites.find((s) => s.name === p.site);
      if (!other)
        throw new InfraError(`site ${site.plan.name}: peer site ${p.site} is not in the plan`);
      const t = tunnelEnd(this.runId, site.plan, other);
      ctx.logger.info(
        `connect ${site.plan.name}: ${master}: VXLAN ${t.vni} to ${p.site} (${t.remote}), eBGP AS${layout.asn} ↔ AS${p.asn} at ${p.address}`,
      );
      lines.push(
        `${sh('ip', 'link', 'del', t.device)} 2>/dev/null || true`,
        sh(
          'ip',
          'link',
          'add',
          t.device,
          // inside the sites' tunnel: what fits once WireGuard and VXLAN took theirs
          'mtu',
          String(OVERLAY_MTU),
          'type',
          'vxlan',
          'id',
          String(t.vni),
          'local',
          t.local,
          'remote',
          t.remote,
          'dstport',
          String(VXLAN_PORT),
        ),
        sh('ip', 'addr', 'add', `${t.address}/31`, 'dev', t.device),
        sh('ip', 'link', 'set', t.device, 'up'),
      );
      peers.push({ site: p.site, asn: p.asn, address: p.address, nextHop: t.address });
    }
    const control = await this.controlState(site);
    control.peers = peers;
    lines.push(
      writeFileLine(`${dir}/control.json`, `${JSON.stringify(control)}\n`),
      writeFileLine(`${dir}/control.conf`, this.controlConfig(site.plan, layout, control)),
      'start_bird control',
    );
    await this.run(site, master, lines.join('\n'), 'peer');
  }

  /** The control node's BGP sessions to the other sites (used to wait for "connect"). */
  async peerStatus(site: FabricSite, _ctx: FabricContext): Promise<BgpSession[]> {
    this.sites.set(site.plan.name, site);
    const master = siteFabricLayout(site.plan).master.host;
    const text = await this.run(
      site,
      master,
      `${prelude(this.dir(master))}${showProtocols([CONTROL])}`,
      'peer status',
    );
    return peerSessions(
      parseProtocols(splitSections(text).get(CONTROL) ?? ''),
      site.plan.peers.map((p) => p.site),
    );
  }

  async deployWorkloads(
    site: FabricSite,
    namespaces: string[],
    ctx: FabricContext,
  ): Promise<Workloads> {
    this.sites.set(site.plan.name, site);
    const layout = siteFabricLayout(site.plan);
    const wl = siteWorkloadLayout(this.runId, site.plan, layout, namespaces);
    await fabricStep(ctx, site.plan.name, 'pods and services', () =>
      this.startPods(site, layout, wl, ctx),
    );
    if (site.plan.faults.includes('dead-backend')) await this.stopOneBackend(site, wl.pods, ctx);
    const registry: Registry = { pods: wl.pods, services: wl.services };
    this.registries.set(site.plan.name, registry);
    const master = layout.master.host;
    await fabricStep(ctx, site.plan.name, 'workload registry', () =>
      this.run(
        site,
        master,
        [
          prelude(this.dir(master)),
          writeFileLine(`${this.dir(master)}/cluster.json`, `${JSON.stringify(registry)}\n`),
        ].join('\n'),
        'record workloads',
      ),
    );
    return {
      pods: wl.pods.map((p): PodInfo => ({
        site: p.site,
        namespace: p.namespace,
        name: p.name,
        role: p.role,
        ip: p.ip,
        labels: { ...p.labels },
        ...(p.role === 'backend' ? { port: BACKEND_PORT } : {}),
      })),
      services: wl.services.map((s): ServiceInfo => ({
        site: s.site,
        namespace: s.namespace,
        name: s.name,
        ip: s.ip,
        port: s.port,
        selector: { ...s.selector },
      })),
    };
  }

  private async startPods(
    site: FabricSite,
    layout: SiteFabricLayout,
    wl: { pods: PodPlacement[]; services: ServicePlacement[] },
    ctx: FabricContext,
  ): Promise<void> {
    await Promise.all(
      layout.compute.map(async (node) => {
        const pods = wl.pods.filter((p) => p.node === node.host);
        ctx.logger.info(
          `workloads ${site.plan.name}: ${node.host}: ${pods.map((p) => `${p.namespace}/${p.name}`).join(', ') || 'no pods'}`,
        );
        await this.run(
          site,
          node.host,
          this.podsProgram(site.plan, layout, node, pods, wl),
          'deploy workloads',
        );
      }),
    );
  }

  async applyIsolation(
    site: FabricSite,
    config: IsolationConfig,
    world: Workloads,
    ctx: FabricContext,
  ): Promise<void> {
    this.sites.set(site.plan.name, site);
    if (site.plan.faults.includes('leak-isolation')) {
      ctx.logger.warn(
        `isolation ${site.plan.name}: fault leak-isolation: the ${config.mode} mode's rules are not applied`,
      );
      return;
    }
    const layout = siteFabricLayout(site.plan);
    const registry = await this.registry(site);
    const sources: PodIdentity[] = world.pods;
    await Promise.all(
      layout.compute.map(async (node) => {
        const here = registry.pods.filter((p) => p.node === node.host);
        const rules = here.map((p) => ({
          pod: `${p.namespace}/${p.name}`,
          link: p.nodeLink,
          rules: podRules(p, config, sources),
        }));
        ctx.logger.debug(
          `isolation ${site.plan.name}: ${node.host}: ${config.mode}: ${JSON.stringify(rules)}`,
        );
        await this.run(
          site,
          node.host,
          `${prelude(this.dir(node.host))}${sh('nft', '-f', '-')} <<'EOF'\n${renderIsolation(this.runId, rules)}EOF`,
          `isolation ${config.mode}`,
        );
      }),
    );
  }

  async probe(
    from: PodRef,
    targets: readonly ProbeTarget[],
    timeoutMs: number,
    _ctx: FabricContext,
  ): Promise<ProbeOutcome[]> {
    const everyTarget = (detail: string, durationMs = 0): ProbeOutcome[] =>
      targets.map(() => ({ result: 'error', detail, durationMs }));
    if (targets.length === 0) return [];
    const site = this.sites.get(from.site);
    if (!site)
      throw new InfraError(
        `probe from ${from.site}/${from.namespace}/${from.name}: site ${from.site} is unknown to the fabric`,
      );
    const pod = (await this.registry(site)).pods.find(
      (p) => p.namespace === from.namespace && p.name === from.name,
    );
    if (!pod) return everyTarget(`no pod ${from.site}/${from.namespace}/${from.name}`);
    const started = Date.now();
    const host = this.host(site, pod.node);
    const r = await this.remote
      .exec(
        host,
        [
          'ip',
          'netns',
          'exec',
          pod.netns,
          this.nodePath,
          `${this.dir(pod.node)}/probe.mjs`,
          String(timeoutMs),
          ...targets.map((t) => `${t.ip}:${t.port}`),
        ],
        // connect and reply each have timeoutMs; the rest is node starting on a busy host
        { timeoutMs: 2 * timeoutMs + 10_000 },
      )
      .catch((e: unknown) => ({
        code: -1,
        stdout: '',
        stderr: e instanceof Error ? e.message : String(e),
      }));
    const outcomes = parseOutcomes(r.stdout, targets.length);
    return (
      outcomes ??
      everyTarget(
        `the prober did not run (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`,
        Date.now() - started,
      )
    );
  }

  /** BIRD's protocols and routes, its logs, the nft ruleset and the addresses and routes of every node. */
  async collectLogs(site: FabricSite, _ctx: FabricContext): Promise<Record<string, string>> {
    this.sites.set(site.plan.name, site);
    const layout = siteFabricLayout(site.plan);
    const out: Record<string, string> = {};
    const section = (title: string, command: string) =>
      `echo ${sh(`### ${title}`)}; ${command} 2>&1 || true`;
    await Promise.all(
      layout.nodes.map(async (node) => {
        const birds = node.role === 'master' ? [CONTROL, AGENT] : [AGENT];
        const lines = [
          `dir=${sh(this.dir(node.host))}`,
          'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          ...birds.flatMap((b) => [
            section(
              `birdc ${b}: show protocols all`,
              `birdc -s "$dir/${b}.ctl" show protocols all`,
            ),
            section(`birdc ${b}: show route all`, `birdc -s "$dir/${b}.ctl" show route all`),
            section(`${b}.log (last 200 lines)`, `tail -n 200 "$dir/${b}.log"`),
          ]),
          section('nft list ruleset', 'nft list ruleset'),
          section('ip addr', 'ip addr'),
          section('ip route', 'ip route show table all'),
        ];
        const r = await this.remote
          .exec(this.host(site, node.host), { script: lines.join('\n') }, { timeoutMs: 15_000 })
          .catch(() => undefined);
        if (r) out[node.host] = r.stdout;
      }),
    );
    return out;
  }

  /** fault dead-backend: the site's first echo backend dies after it was deployed (a crashed pod) */
  private async stopOneBackend(
    site: FabricSite,
    pods: readonly PodPlacement[],
    ctx: FabricContext,
  ): Promise<void> {
    const victim = pods.find((p) => p.role === 'backend');
    if (!victim) return;
    ctx.logger.warn(
      `workloads ${site.plan.name}: fault dead-backend: stopping the echo backend ${site.plan.name}/${victim.namespace}/${victim.name}`,
    );
    const ready = `${this.dir(victim.node)}/${victim.namespace}-${victim.name}.ready`;
    await this.run(
      site,
      victim.node,
      `pid=$(cat ${sh(ready)}) && kill -9 "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done`,
      'fault dead-backend',
    );
  }

  private dir(host: string): string {
    return this.hostDir(host);
  }

  private host(site: FabricSite, name: string): RemoteHost {
    const host = remoteHostsOf(site.machines.hosts).get(name);
    if (!host) throw new InfraError(`site ${site.plan.name}: no machine named ${name}`);
    return host;
  }

  private async run(
    site: FabricSite,
    hostName: string,
    script: string,
    what: string,
  ): Promise<string> {
    const host = this.host(site, hostName);
    const r = await this.remote.exec(host, { script }, { timeoutMs: this.timeoutMs });
    if (r.code !== 0) {
      throw new InfraError(
        `${what} on ${hostName} failed (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join(' / ')}`,
      );
    }
    return r.stdout;
  }

  private async controlState(site: FabricSite): Promise<ControlState> {
    const master = siteFabricLayout(site.plan).master.host;
    const text = await this.run(
      site,
      master,
      sh('cat', `${this.dir(master)}/control.json`),
      'read control state',
    );
    return JSON.parse(text) as ControlState;
  }

  private async registry(site: FabricSite): Promise<Registry> {
    const known = this.registries.get(site.plan.name);
    if (known) return known;
    const master = siteFabricLayout(site.plan).master.host;
    const r = await this.remote.exec(
      this.host(site, master),
      ['cat', `${this.dir(master)}/cluster.json`],
      {
        timeoutMs: this.timeoutMs,
      },
    );
    const registry: Registry =
      r.code === 0 ? (JSON.parse(r.stdout) as Registry) : { pods: [], services: [] };
    this.registries.set(site.plan.name, registry);
    return registry;
  }

  private controlConfig(plan: SitePlan, layout: SiteFabricLayout, control: ControlState): string {
    return renderControlConfig({
      title: `tungsten-e2e ${this.runId}: emulated TF control node of site ${plan.name}`,
      asn: plan.asn,
      routerId: plan.routerId,
      logFile: `${this.dir(layout.master.host)}/control.log`,
      selfConfigured: control.selfConfigured,
      aggregates: [plan.cidrs.pod, plan.cidrs.service],
      agents: layout.nodes
        .filter((n) => n.role === 'worker')
        .map((n) => ({ host: n.host, address: n.address })),
      peers: control.peers,
      tunnelPattern: `te${this.runId}t*`,
      timers: this.timers,
    });
  }

  private agentConfig(
    plan: SitePlan,
    layout: SiteFabricLayout,
    node: NodeLayout,
    vips: string[],
  ): string {
    const onMaster = node.role === 'master';
    return renderAgentConfig({
      title: `tungsten-e2e ${this.runId}: emulated vrouter agent of ${node.host}`,
      asn: plan.asn,
      routerId: onMaster ? MASTER_AGENT_LINK.agent : node.address,
      logFile: `${this.dir(node.host)}/agent.log`,
      control: onMaster ? MASTER_AGENT_LINK.control : layout.routerId,
      local: onMaster ? MASTER_AGENT_LINK.agent : node.address,
      statusOnly: onMaster,
      announce: onMaster ? [] : [node.podSlice, ...vips.map((v) => `${v}/32`)],
      timers: this.timers,
    });
  }

  /** Create this node's pods, start the backends, program its services and announce their VIPs. */
  private podsProgram(
    plan: SitePlan,
    layout: SiteFabricLayout,
    node: NodeLayout,
    pods: readonly PodPlacement[],
    wl: { pods: PodPlacement[]; services: ServicePlacement[] },
  ): string {
    const dir = this.dir(node.host);
    const lines = [prelude(dir)];
    for (const p of pods) {
      lines.push(
        // a pod made before (deployWorkloads again) goes with its processes
        `if [ -e ${sh(`/run/netns/${p.netns}`)} ]; then for q in $(ip netns pids ${sh(p.netns)}); do kill -9 "$q" 2>/dev/null || true; done; ip netns del ${sh(p.netns)}; fi`,
        `${sh('ip', 'link', 'del', p.nodeLink)} 2>/dev/null || true`,
        sh('ip', 'netns', 'add', p.netns),
        sh(
          'ip',
          'link',
          'add',
          p.nodeLink,
          'type',
          'veth',
          'peer',
          'name',
          p.podLink,
          'netns',
          p.netns,
        ),
        sh('ip', 'link', 'set', p.nodeLink, 'up'),
        sh('ip', 'route', 'replace', `${p.ip}/32`, 'dev', p.nodeLink),
        sh('ip', '-n', p.netns, 'link', 'set', 'lo', 'up'),
        sh('ip', '-n', p.netns, 'addr', 'add', `${p.ip}/32`, 'dev', p.podLink),
        sh('ip', '-n', p.netns, 'link', 'set', p.podLink, 'up'),
        sh('ip', '-n', p.netns, 'route', 'add', p.gateway, 'dev', p.podLink),
        sh('ip', '-n', p.netns, 'route', 'add', 'default', 'via', p.gateway, 'dev', p.podLink),
      );
      if (p.role === 'backend') {
        const ready = `${dir}/${p.namespace}-${p.name}.ready`;
        const port =
          wl.services.find((s) => s.namespace === p.namespace)?.targetPort ?? BACKEND_PORT;
        lines.push(
          sh('rm', '-f', ready),
          `${sh('ip', 'netns', 'exec', p.netns, 'setsid', '-f', this.nodePath, `${dir}/echo.mjs`, p.name, String(port), ready)} >>${sh(`${dir}/${p.namespace}-${p.name}.log`)} 2>&1 </dev/null`,
          `i=0; while [ ! -s ${sh(ready)} ] && [ $i -lt 200 ]; do sleep 0.025; i=$((i+1)); done; [ -s ${sh(ready)} ] || { echo ${sh(`echo backend ${p.namespace}/${p.name} did not start`)} >&2; exit 1; }`,
        );
      }
    }
    const services = wl.services.map((s) => ({
      vip: s.ip,
      port: s.port,
      targetPort: s.targetPort,
      backends: backendsOf(s, wl.pods)
        .filter((b) => b.node === node.host)
        .map((b) => b.ip),
    }));
    const vips = services.filter((s) => s.backends.length > 0).map((s) => s.vip);
    lines.push(
      `${sh('nft', '-f', '-')} <<'EOF'\n${renderServices(this.runId, services)}EOF`,
      writeFileLine(`${dir}/agent.conf`, this.agentConfig(plan, layout, node, vips)),
      'start_bird agent',
    );
    return lines.join('\n');
  }
}
