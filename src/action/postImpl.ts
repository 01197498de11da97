/** The action's post step (post-if: always()): tear down what main saved in its state. */
import * as core from '@actions/core';
import { ExitCode } from '../errors.js';
import type { ExitCodeValue } from '../errors.js';
import { actionLogger } from './logger.js';
import { maskCredentialInputs } from './inputs.js';

export const STATE_DIR_KEY = 'state-dir';

export async function runPost(): Promise<ExitCodeValue> {
  maskCredentialInputs();
  const logger = actionLogger();
  const stateDir = core.getState(STATE_DIR_KEY);
  if (!stateDir) {
    logger.info('tungsten-e2e post: main created nothing, so there is nothing to tear down.');
    return ExitCode.ok;
  }
  core.setFailed(
    `tungsten-e2e post: state ${stateDir} was saved but teardown is not available yet in this version.`,
  );
  return ExitCode.infrastructure;
}
