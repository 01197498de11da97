/** A phase of the run, recorded in the run state when it starts and when it ends. */
import type { Logger } from '../log.js';
import type { StepRunner } from '../fabric/fabric.js';
import type { PhaseName, PhaseRecord, StepRecord } from '../report/model.js';
import type { StateStore } from '../state/runState.js';
import { settleOrAbandon } from './abort.js';
import { formatSeconds } from './progress.js';

/**
 * How long a phase's work may take to stop after the signal aborts before it
 * is abandoned: every wait in it observes the signal, so this is only a bound.
 */
export const CANCEL_GRACE_MS = 2_000;

/**
 * Run fn as a recorded phase: started, then ok / failed / cancelled with the
 * error. Once the signal has aborted no phase starts its work: it is recorded
 * as cancelled, so the state shows where the run stopped.
 */
export async function phase<T>(
  store: StateStore,
  name: PhaseName,
  logger: Logger,
  signal: AbortSignal,
  fn: (steps: StepRunner) => Promise<T>,
): Promise<T> {
  const record: PhaseRecord = { name, startedAt: new Date().toISOString(), status: 'ok' };
  await store.update((s) => s.phases.push(record));
  const started = Date.now();
  logger.group?.(`tungsten-e2e: ${name}`);
  try {
    signal.throwIfAborted();
    logger.info(`${name}: started`);
    const steps = stepRunner(store, record, logger, signal);
    const result = await settleOrAbandon(fn(steps), signal, CANCEL_GRACE_MS);
    await store.update(() => {
      record.endedAt = new Date().toISOString();
    });
    logger.info(`${name}: done in ${formatSeconds(Date.now() - started)}`);
    return result;
  } catch (e) {
    await store.update(() => {
      record.endedAt = new Date().toISOString();
      record.status = signal.aborted ? 'cancelled' : 'failed';
      record.error = e instanceof Error ? e.message : String(e);
    });
    if (signal.aborted)
      logger.warn(`${name}: cancelled after ${formatSeconds(Date.now() - started)}`);
    throw e;
  } finally {
    logger.groupEnd?.();
  }
}

/**
 * Steps inside a phase record: each recorded as it starts and ends, logged
 * with its site, and a failure's message names the step (the error keeps its
 * class, so its exit code stays).
 */
function stepRunner(
  store: StateStore,
  phaseRecord: PhaseRecord,
  logger: Logger,
  signal: AbortSignal,
): StepRunner {
  return async (site, name, fn) => {
    const step: StepRecord = { site, name, startedAt: new Date().toISOString(), status: 'ok' };
    await store.update(() => {
      (phaseRecord.steps ??= []).push(step);
    });
    const label = `${phaseRecord.name} ${site}: ${name}`;
    logger.info(`${label}…`);
    const started = Date.now();
    try {
      const result = await fn();
      await store.update(() => {
        step.endedAt = new Date().toISOString();
      });
      logger.info(`${label}: done in ${formatSeconds(Date.now() - started)}`);
      return result;
    } catch (e) {
      const cancelled = signal.aborted;
      await store.update(() => {
        step.endedAt = new Date().toISOString();
        step.status = cancelled ? 'cancelled' : 'failed';
        step.error = e instanceof Error ? e.message : String(e);
      });
      if (!cancelled && e instanceof Error && !e.message.startsWith(`${site}: step "`)) {
        e.message = `${site}: step "${name}": ${e.message}`;
      }
      throw e;
    }
  };
}
