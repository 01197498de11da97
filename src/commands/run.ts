import type { ConfigOverrides } from '../config/load.js';
import type { TeardownPolicy } from '../config/types.js';
import type { PipelineEnv } from '../pipeline.js';
import { runAndReport, runResultsDir } from '../pipeline/testRun.js';
import { newRunId } from '../state/runState.js';
import type { RunReport } from '../pipeline/testRun.js';
import { downCommandLine } from '../state/messages.js';
import { resultsText } from './results.js';
import type { CommandIO } from './io.js';

export interface RunCommandOptions {
  sites: string;
  /** default: a new one */
  runId?: string;
  stateDir?: string;
  /** default tungsten-e2e-results/<run id> */
  resultsDir?: string;
  teardown?: TeardownPolicy;
  overrides?: ConfigOverrides;
  /** a Markdown doc whose marked install steps run instead of the built-in TF apply */
  doc?: string;
}

/** up, test, report, down; the exit code comes from the results. */
export async function runCommand(
  options: RunCommandOptions,
  io: CommandIO,
  env: Omit<PipelineEnv, 'logger'> = {},
): Promise<RunReport> {
  const runId = options.runId ?? newRunId();
  const report = await runAndReport(
    {
      sites: options.sites,
      resultsDir: options.resultsDir ?? runResultsDir(runId),
      runId,
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      ...(options.teardown ? { teardown: options.teardown } : {}),
      ...(options.overrides ? { overrides: options.overrides } : {}),
      ...(options.doc ? { doc: options.doc } : {}),
    },
    { ...env, logger: io.logger },
  );
  io.stdout(resultsText(report));
  const down = downCommandLine(
    report.stateDir,
    report.results.sites.map((s) => s.provider),
  );
  io.stdout(
    `run ${report.runId}: ${!report.teardown ? `kept (${down})` : report.teardown.complete ? 'torn down' : `teardown incomplete (${down})`}${report.cancelled ? ' after a cancel' : ''}\n`,
  );
  return report;
}
