import { join } from 'node:path';
import type { ConfigOverrides } from '../config/load.js';
import { up } from '../pipeline.js';
import { DIAGNOSTICS } from '../pipeline/testRun.js';
import type { LiveRun, PipelineEnv } from '../pipeline.js';
import { downCommandLine } from '../state/messages.js';
import { withStateLock } from '../state/lock.js';
import { StateStore } from '../state/runState.js';
import { downCommand } from './down.js';
import type { CommandIO } from './io.js';

async function hasRun(stateDir: string): Promise<boolean> {
  const store = await StateStore.open(stateDir).catch(() => undefined);
  return store !== undefined && !store.state.teardown?.complete;
}

export interface UpCommandOptions {
  sites: string;
  stateDir: string;
  overrides?: ConfigOverrides;
}

/** What `up` prints: where each site's machines are and how to take them down. */
export function upSummary(live: LiveRun): string {
  const lines = [`run ${live.runId} is up (state: ${live.stateDir})`];
  for (const s of live.sites) {
    lines.push(
      `site ${s.plan.name}: AS${s.plan.asn}, router id ${s.plan.routerId}, pods ${s.plan.cidrs.pod}, services ${s.plan.cidrs.service}`,
    );
    for (const h of s.machines.hosts) {
      const via = h.ssh.jumpHost ? ` via ${h.ssh.jumpHost}` : '';
      lines.push(
        `  ${h.name.padEnd(20)} ${h.role.padEnd(7)} ${h.privateAddress.padEnd(15)} ssh ${h.ssh.user}@${h.ssh.host}:${h.ssh.port}${via}`,
      );
    }
  }
  for (const p of live.connect.established) lines.push(`bgp ${p.a} <-> ${p.b}: established`);
  for (const p of live.connect.down)
    lines.push(`bgp ${p.a} <-> ${p.b}: not established (${p.state})`);
  lines.push(
    `tear down: ${downCommandLine(
      live.stateDir,
      live.sites.map((s) => s.plan.provider),
    )}`,
  );
  return `${lines.join('\n')}\n`;
}

export function upCommand(
  options: UpCommandOptions,
  io: CommandIO,
  env: Omit<PipelineEnv, 'logger'> = {},
): Promise<LiveRun> {
  return withStateLock(options.stateDir, 'up', () => upLocked(options, io, env));
}

async function upLocked(
  options: UpCommandOptions,
  io: CommandIO,
  env: Omit<PipelineEnv, 'logger'>,
): Promise<LiveRun> {
  let live: LiveRun;
  try {
    live = await up(
      {
        sites: options.sites,
        stateDir: options.stateDir,
        // beside the state: the results directory belongs to `test`
        diagnosticsDir: join(options.stateDir, DIAGNOSTICS),
        ...(options.overrides ? { overrides: options.overrides } : {}),
      },
      { ...env, logger: io.logger },
    );
  } catch (e) {
    // interrupted: what up made so far is of no use to anyone, so it goes
    if (env.signal?.aborted && (await hasRun(options.stateDir))) {
      io.logger.warn(`up was interrupted: tearing down what it made`);
      await downCommand({ stateDir: options.stateDir }, io);
    }
    throw e;
  }
  await live.close();
  io.stdout(upSummary(live));
  return live;
}
