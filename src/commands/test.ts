import { attach } from '../pipeline.js';
import type { PipelineEnv } from '../pipeline.js';
import { elapsedLogger } from '../pipeline/progress.js';
import { runResultsDir, testAndReport } from '../pipeline/testRun.js';
import type { TestOptions, TestReport } from '../pipeline/testRun.js';
import { withStateLock } from '../state/lock.js';
import { resultsText } from './results.js';
import type { CommandIO } from './io.js';

export interface TestCommandOptions {
  stateDir: string;
  /** default tungsten-e2e-results/<run id> */
  resultsDir?: string;
  probing?: TestOptions['probing'];
}

/** The suites against a run that is up, from its state directory; the results files; the tables printed. */
export function testCommand(
  options: TestCommandOptions,
  io: CommandIO,
  env: Omit<PipelineEnv, 'logger'> = {},
): Promise<TestReport> {
  return withStateLock(options.stateDir, 'test', () => testLocked(options, io, env), {
    create: false,
  });
}

async function testLocked(
  options: TestCommandOptions,
  io: CommandIO,
  env: Omit<PipelineEnv, 'logger'>,
): Promise<TestReport> {
  const logger = elapsedLogger(io.logger, Date.now());
  const live = await attach(options.stateDir, { ...env, logger });
  try {
    const report = await testAndReport(live, {
      resultsDir: options.resultsDir ?? runResultsDir(live.runId),
      ...(options.probing ? { probing: options.probing } : {}),
    });
    io.stdout(resultsText(report));
    return report;
  } finally {
    await live.close();
  }
}
