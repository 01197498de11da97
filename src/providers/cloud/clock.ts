/**
 * Time as the cloud providers see it: waiting, polling and backoff all go
 * through a Clock so tests can run hours of retries in milliseconds and see
 * every delay taken.
 */
export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  /** resolves after `ms`, or rejects with the signal's reason once it aborts */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** uniform in [0, 1): the jitter source */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  random: () => Math.random(),
};
