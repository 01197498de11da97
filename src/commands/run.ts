import type { ConfigOverrides } from '../config/load.js';
import type { TeardownPolicy } from '../config/types.js';
import { run } from '../pipeline.js';
import type { PipelineEnv, RunOutcome } from '../pipeline.js';
import type { CommandIO } from './io.js';

export interface RunCommandOptions {
  sites: string;
  stateDir?: string;
  teardown?: TeardownPolicy;
  overrides?: ConfigOverrides;
}

/** up, (the suites, once they exist), down. */
export async function runCommand(
  options: RunCommandOptions,
  io: CommandIO,
  env: Omit<PipelineEnv, 'logger'> = {},
): Promise<RunOutcome> {
  const outcome = await run(
    {
      sites: options.sites,
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      ...(options.teardown ? { teardown: options.teardown } : {}),
      ...(options.overrides ? { overrides: options.overrides } : {}),
    },
    { ...env, logger: io.logger },
  );
  io.stdout(
    `run ${outcome.runId}: ${outcome.kept ? `kept (tungsten-e2e down --state ${outcome.stateDir})` : 'torn down'}\n`,
  );
  return outcome;
}
