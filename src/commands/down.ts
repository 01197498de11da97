import { down } from '../pipeline.js';
import type { DownResult, PipelineEnv } from '../pipeline.js';
import type { CommandIO } from './io.js';

export async function downCommand(
  options: { stateDir: string },
  io: CommandIO,
  env: Omit<PipelineEnv, 'logger'> = {},
): Promise<DownResult> {
  const result = await down({ stateDir: options.stateDir }, { ...env, logger: io.logger });
  io.stdout(
    result.deleted.length === 0
      ? `run ${result.runId}: nothing left to delete\n`
      : `run ${result.runId}: deleted ${result.deleted.length} resources (${summarize(result)})\n`,
  );
  return result;
}

function summarize(r: DownResult): string {
  const counts = new Map<string, number>();
  for (const d of r.deleted) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}
