/**
 * The real-TF fabric, as far as it exists: status, the remediation ladder and
 * probes run the commands of commands.ts through a shell on the site's hosts.
 * Install, peering, workloads and isolation are not built yet and say so
 * (InfraError, exit 3) instead of pretending.
 */
import type { Profile } from '../../config/profile.js';
import { InfraError } from '../../errors.js';
import type { HostPlan } from '../../plan/types.js';
import type {
  Fabric,
  FabricContext,
  FabricSite,
  PodRef,
  ProbeOutcome,
  ProbeTarget,
  RemediationAction,
  Workloads,
} from '../fabric.js';
import {
  bgpRouterBody,
  contrailStatusCommand,
  deleteControlPodCommand,
  interpretBgpRouterResponse,
  parseProbeResult,
  probeCommand,
  provisionBgpRouterCommand,
  type CommandResult,
} from './commands.js';

/** How the fabric reaches a host: the remote layer, adapted (argv is quoted there). */
export interface TungstenShell {
  run(
    host: string,
    argv: string[],
    options: { sudo?: boolean; timeoutMs: number; signal: AbortSignal },
  ): Promise<CommandResult>;
}

const notYet = (what: string) =>
  Promise.reject(
    new InfraError(
      `the tungsten fabric cannot ${what} yet (not available yet); use the emulated fabric with provider local`,
    ),
  );

export class TungstenFabric implements Fabric {
  readonly name = 'tungsten' as const;

  constructor(
    private readonly shell: TungstenShell,
    private readonly profile: Profile,
  ) {}

  install(): Promise<void> {
    return notYet('install Kubernetes and TF');
  }

  peer(): Promise<void> {
    return notYet('peer control nodes across sites');
  }

  deployWorkloads(): Promise<Workloads> {
    return notYet('deploy the test workloads');
  }

  applyIsolation(): Promise<void> {
    return notYet('apply an isolation mode');
  }

  private master(site: FabricSite | string, ctx: FabricContext): HostPlan {
    const plan = typeof site === 'string' ? ctx.plan.sites.find((s) => s.name === site) : site.plan;
    const master = plan?.hosts.find((h) => h.role === 'master');
    if (!master)
      throw new InfraError(
        `site ${String(typeof site === 'string' ? site : site.plan.name)} has no master host`,
      );
    return master;
  }

  async status(site: FabricSite, ctx: FabricContext): Promise<Record<string, string>> {
    const hosts = site.plan.hosts.filter((h) => h.role !== 'edge');
    const texts = await Promise.all(
      hosts.map(async (h) => {
        const r = await this.shell.run(h.name, contrailStatusCommand(), {
          sudo: true,
          timeoutMs: 60_000,
          signal: ctx.signal,
        });
        // a failing contrail-status still says why; the parser keeps what it cannot read
        const text = r.exitCode === 0 ? r.stdout : `${r.stdout}\n${r.stderr}`.trim();
        return [h.name, text] as const;
      }),
    );
    return Object.fromEntries(texts);
  }

  async remediate(site: FabricSite, action: RemediationAction, ctx: FabricContext): Promise<void> {
    const master = this.master(site, ctx);
    const opts = { timeoutMs: 120_000, signal: ctx.signal };
    if (action === 'delete-control-pod') {
      const r = await this.shell.run(master.name, deleteControlPodCommand(this.profile), opts);
      if (r.exitCode !== 0) {
        throw new InfraError(
          `site ${site.plan.name}: deleting the control pod failed: ${r.stderr.trim()}`,
        );
      }
      return;
    }
    // the control node finds "self" by its hostname (INFERENCE from the 2018 containers: nodemgr
    // provisions the bgp-router under the hostname that resolves from the control IP)
    const h = await this.shell.run(master.name, ['hostname', '-s'], opts);
    const hostname = h.stdout.trim();
    if (h.exitCode !== 0 || !hostname) {
      throw new InfraError(
        `site ${site.plan.name}: could not read the control node's hostname: ${h.stderr.trim()}`,
      );
    }
    const body = bgpRouterBody({ name: hostname, address: site.plan.routerId, asn: site.plan.asn });
    const r = await this.shell.run(
      master.name,
      provisionBgpRouterCommand(master.privateAddress, body),
      opts,
    );
    const response = interpretBgpRouterResponse(r);
    if (response.outcome === 'failed') {
      throw new InfraError(
        `site ${site.plan.name}: provisioning bgp-router ${hostname} failed${response.httpStatus ? ` (HTTP ${response.httpStatus})` : ''}: ${response.body}`,
      );
    }
    ctx.logger.info(
      `ready: ${site.plan.name}: bgp-router ${hostname} ${response.outcome === 'created' ? 'created' : 'already present'}`,
    );
  }

  async probe(
    from: PodRef,
    to: ProbeTarget,
    timeoutMs: number,
    ctx: FabricContext,
  ): Promise<ProbeOutcome> {
    const master = this.master(from.site, ctx);
    const argv = probeCommand(from, to, timeoutMs);
    const r = await this.shell.run(master.name, argv, {
      timeoutMs: timeoutMs + 20_000,
      signal: ctx.signal,
    });
    return parseProbeResult(r);
  }
}
