import * as core from '@actions/core';
import { secrets } from '../log.js';
import type { Logger } from '../log.js';

/** Logger over the runner's workflow commands; text is redacted before it reaches them. */
export function actionLogger(): Logger {
  return {
    info: (m) => core.info(secrets.redact(m)),
    warn: (m) => core.warning(secrets.redact(m)),
    error: (m) => core.error(secrets.redact(m)),
    debug: (m) => core.debug(secrets.redact(m)),
    // each phase folds in the job's log; warnings and errors are annotations, seen outside the folds
    group: (t) => core.startGroup(secrets.redact(t)),
    groupEnd: () => core.endGroup(),
    errorAt: (m, where) =>
      core.error(secrets.redact(m), { file: where.file, startLine: where.line }),
  };
}
