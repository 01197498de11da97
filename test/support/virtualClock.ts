import type { Clock } from '../../src/health/clock.js';

/**
 * Discrete-event time for tests: sleep() parks the caller until the virtual
 * time reaches its wake-up; time jumps to the earliest wake-up once every
 * promise that can run has run (setImmediate comes after the microtasks).
 */
export function virtualClock(startMs = Date.parse('2026-01-01T00:00:00Z')): Clock & {
  readonly sleeps: number;
} {
  let now = startMs;
  let sleeps = 0;
  let seq = 0;
  const timers: { at: number; seq: number; resolve: () => void }[] = [];
  let scheduled = false;
  const tick = () => {
    scheduled = false;
    if (timers.length === 0) return;
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = timers.shift()!;
    now = Math.max(now, next.at);
    next.resolve();
    schedule();
  };
  const schedule = () => {
    if (scheduled || timers.length === 0) return;
    scheduled = true;
    setImmediate(tick);
  };
  return {
    now: () => now,
    get sleeps() {
      return sleeps;
    },
    sleep(ms, signal) {
      sleeps++;
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const timer = { at: now + ms, seq: seq++, resolve };
        signal?.addEventListener(
          'abort',
          () => {
            const i = timers.indexOf(timer);
            if (i >= 0) timers.splice(i, 1);
            reject(signal.reason);
          },
          { once: true },
        );
        timers.push(timer);
        schedule();
      });
    },
  };
}
