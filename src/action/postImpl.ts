/**
 * The action's post step (post-if: always()): whatever main did — finished,
 * was cancelled, was killed — tear down from the state main saved, then
 * sweep by the run id; keep the run when the teardown policy says so and
 * print the exact command that deletes it. A teardown that leaves something
 * fails the step, naming each resource and how to delete it.
 */
import * as core from '@actions/core';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { reexecAsRoot, shouldReexecAsRoot } from '../commands/root.js';
import { INLINE_SITES_LABEL, looksInline } from '../config/load.js';
import { TEARDOWN_POLICIES } from '../config/schema.js';
import type { TeardownPolicy } from '../config/types.js';
import { ExitCode } from '../errors.js';
import type { ExitCodeValue } from '../errors.js';
import { STATE_FILE } from '../state/runState.js';
import { postTeardown } from '../state/teardown.js';
import type { SavedRun } from '../state/teardown.js';
import { actionLogger } from './logger.js';
import { maskCredentialInputs, providerCredentials, readCredentialInputs } from './inputs.js';
import { SAVED } from './saved.js';

function savedRun(): SavedRun {
  const get = (name: string) => core.getState(name) || undefined;
  const decision = get(SAVED.decision);
  return {
    ...(get(SAVED.stateDir) ? { stateDir: get(SAVED.stateDir)! } : {}),
    ...(get(SAVED.runId) ? { runId: get(SAVED.runId)! } : {}),
    ...(decision === 'done' || decision === 'kept' ? { decision } : {}),
    ...(get(SAVED.keptStateDir) ? { keptStateDir: get(SAVED.keptStateDir)! } : {}),
  };
}

/** The teardown input as main read it (main refused anything else, so this only defaults). */
function policyInput(): TeardownPolicy {
  const v = core.getInput('teardown').trim();
  return (TEARDOWN_POLICIES as readonly string[]).includes(v) ? (v as TeardownPolicy) : 'always';
}

export async function runPost(): Promise<ExitCodeValue> {
  maskCredentialInputs();
  const logger = actionLogger();
  const saved = savedRun();
  if (!saved.stateDir && !saved.runId) {
    logger.info('tungsten-e2e post: main created nothing, so there is nothing to tear down.');
    return ExitCode.ok;
  }
  // main ran as root when its sites needed it: so does the teardown of what it made
  const stateFile = saved.stateDir ? join(saved.stateDir, STATE_FILE) : undefined;
  if (shouldReexecAsRoot(stateFile !== undefined && onlyRootCanRead(stateFile))) {
    return reexecAsRoot([]);
  }
  const sites = core.getInput('sites');
  try {
    const credentials = providerCredentials(readCredentialInputs());
    const r = await postTeardown(
      {
        saved,
        policy: policyInput(),
        ...(sites.trim()
          ? { sites, ...(looksInline(sites) ? { sitesLabel: INLINE_SITES_LABEL } : {}) }
          : {}),
      },
      { logger, credentials },
    );
    switch (r.kind) {
      case 'nothing':
        logger.info(`tungsten-e2e post: ${r.reason}; nothing to tear down.`);
        break;
      case 'already-down':
        logger.info(
          `tungsten-e2e post: main already tore down run ${r.runId} (at ${r.at}); nothing to do.`,
        );
        break;
      case 'kept':
        logger.warn(`tungsten-e2e post: ${r.message}`);
        core.notice(r.message, { title: 'tungsten-e2e: run kept' });
        await core.summary
          .addRaw(
            `\n> [!WARNING]\n> tungsten-e2e: ${r.message.replace(r.command, `\`${r.command}\``)}\n`,
            true,
          )
          .write()
          .catch(() => undefined);
        break;
      case 'torn-down': {
        const n = r.deleted.length + r.swept.length;
        logger.info(
          n === 0
            ? `tungsten-e2e post: run ${r.runId}: nothing left to delete.`
            : `tungsten-e2e post: tore down run ${r.runId}: deleted ${n} resources` +
                (r.swept.length ? ` (${r.swept.length} found only by the sweep by run id)` : ''),
        );
        break;
      }
    }
    return ExitCode.ok;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    core.setFailed(`tungsten-e2e post: ${message}`);
    await core.summary
      .addRaw(`\n### ❌ tungsten-e2e teardown incomplete\n\n\`\`\`\n${message}\n\`\`\`\n`, true)
      .write()
      .catch(() => undefined);
    return ExitCode.infrastructure;
  }
}

/** A state file only root can read: main ran as root (its sites needed it). */
function onlyRootCanRead(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EACCES';
  }
}
