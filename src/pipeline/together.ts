/**
 * Work for every site at once, stopped together: when one site fails, the
 * others are told to stop (their signal aborts) and are waited for before
 * the error goes up, so teardown never runs while a site is still creating
 * things it has not recorded yet.
 */
import { abortReason } from './abort.js';

/** How long the other sites' work may take to stop after one site failed (a bound, not a wait). */
export const SETTLE_MS = 30_000;

/** The work started for a run and not settled yet (including work a phase gave up waiting for). */
export class InFlight {
  private readonly running = new Set<Promise<void>>();

  /** `promise` itself, remembered until it settles. */
  track<T>(promise: Promise<T>): Promise<T> {
    const settled = promise.then(
      () => {},
      () => {},
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return promise;
  }

  get size(): number {
    return this.running.size;
  }

  /** Wait until everything tracked has settled, or `ms` passed; resolves with how many still run. */
  async settle(ms: number): Promise<number> {
    if (this.running.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    // work tracked while waiting is waited for too
    const all = async (): Promise<void> => {
      while (this.running.size > 0) await Promise.all([...this.running]);
    };
    await Promise.race([all(), timeout]);
    clearTimeout(timer);
    return this.running.size;
  }
}

export interface TogetherOptions {
  /** aborted on the first failure; the work's signal (combined with the run's) */
  stop: AbortController;
  inFlight: InFlight;
  /** how long to wait for the rest after the first failure */
  settleMs: number;
}

/**
 * fn for every item at once. On the first failure the stop signal aborts,
 * everything started is waited for (at most settleMs), then the first
 * failure is thrown: never an abort that only followed from it.
 */
export async function allOrStop<T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R>,
  o: TogetherOptions,
): Promise<R[]> {
  let first: { error: unknown } | undefined;
  const work = items.map((item) =>
    o.inFlight.track(
      Promise.resolve()
        .then(() => fn(item))
        .catch((e: unknown) => {
          if (!first) {
            first = { error: e };
            if (!o.stop.signal.aborted) o.stop.abort(e);
          }
          throw e;
        }),
    ),
  );
  const outcomes = await settleWithin(work, o);
  if (first) throw first.error;
  if (outcomes.some((r) => r.status === 'rejected')) throw abortReason(o.stop.signal);
  return outcomes.map((r) => (r as PromiseFulfilledResult<R>).value);
}

/** allSettled, except that after the stop signal aborts the wait lasts at most settleMs. */
function settleWithin<R>(
  work: Promise<R>[],
  o: TogetherOptions,
): Promise<PromiseSettledResult<R>[]> {
  const all = Promise.allSettled(work);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = () => {
      timer = setTimeout(
        () =>
          resolve(
            work.map(() => ({ status: 'rejected', reason: abortReason(o.stop.signal) }) as const),
          ),
        o.settleMs,
      );
    };
    if (o.stop.signal.aborted) giveUp();
    else o.stop.signal.addEventListener('abort', giveUp, { once: true });
    void all.then((r) => {
      clearTimeout(timer);
      o.stop.signal.removeEventListener('abort', giveUp);
      resolve(r);
    });
  });
}
