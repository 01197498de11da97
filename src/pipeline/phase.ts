/** A phase of the run, recorded in the run state when it starts and when it ends. */
import type { Logger } from '../log.js';
import type { PhaseName, PhaseRecord } from '../report/model.js';
import type { StateStore } from '../state/runState.js';
import { formatSeconds } from './progress.js';

/** Run fn as a recorded phase: started, then ok / failed / cancelled with the error. */
export async function phase<T>(
  store: StateStore,
  name: PhaseName,
  logger: Logger,
  signal: AbortSignal,
  fn: () => Promise<T>,
): Promise<T> {
  const record: PhaseRecord = { name, startedAt: new Date().toISOString(), status: 'ok' };
  await store.update((s) => s.phases.push(record));
  const started = Date.now();
  logger.info(`${name}: started`);
  try {
    const result = await fn();
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
    throw e;
  }
}
