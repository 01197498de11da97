/** The action's main step: inputs → the shared commands → outputs and annotations. */
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planCommand } from '../commands/plan.js';
import { ExitCode, InfraError, isUserError, UserError, userErrorsOf } from '../errors.js';
import type { ExitCodeValue } from '../errors.js';
import { actionLogger } from './logger.js';
import { maskCredentialInputs, readInputs } from './inputs.js';

export async function runMain(): Promise<ExitCodeValue> {
  maskCredentialInputs();
  const logger = actionLogger();
  try {
    const inputs = readInputs();
    if (inputs.command === 'plan') {
      const json = await planCommand(
        {
          sites: inputs.sites,
          sitesLabel: "action input 'sites'",
          overrides: {
            ...(inputs.profile ? { profile: inputs.profile } : {}),
            ...(inputs.ttl ? { ttl: inputs.ttl } : {}),
            ...(inputs.suites ? { suites: inputs.suites } : {}),
          },
        },
        { logger, stdout: (t) => core.info(t.replace(/\n$/, '')) },
      );
      await mkdir(inputs.resultsDir, { recursive: true });
      const path = join(inputs.resultsDir, 'plan.json');
      await writeFile(path, `${JSON.stringify(json, null, 2)}\n`);
      core.setOutput('plan-json', path);
      core.setOutput('passed', 'true');
      return ExitCode.ok;
    }
    throw new UserError(
      `action command '${inputs.command}' is not available yet in this version; use command: plan for now.`,
    );
  } catch (e) {
    return fail(e);
  }
}

function fail(e: unknown): ExitCodeValue {
  core.setOutput('passed', 'false');
  if (isUserError(e)) {
    const errors = userErrorsOf(e);
    for (const err of errors) {
      const p = err.position;
      core.error(
        err.message,
        p
          ? {
              file: p.file,
              startLine: p.line,
              startColumn: p.col,
              title: 'tungsten-e2e: bad input',
            }
          : { title: 'tungsten-e2e: bad input' },
      );
    }
    core.setFailed(
      errors.length === 1
        ? errors[0]!.message
        : `${errors.length} problems in the input (see the errors above).`,
    );
    return ExitCode.badInput;
  }
  const message =
    e instanceof InfraError
      ? e.message
      : `unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  core.setFailed(message);
  return ExitCode.infrastructure;
}
