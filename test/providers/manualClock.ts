import type { Clock } from '../../src/providers/cloud/clock.js';

/** A clock whose sleeps return at once and move virtual time forward; records every sleep. */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(
    private current = Date.UTC(2030, 0, 1),
    private readonly rng: () => number = Math.random,
  ) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason as Error;
    this.sleeps.push(ms);
    this.current += ms;
    await Promise.resolve();
  }

  random(): number {
    return this.rng();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
