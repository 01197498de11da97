/**
 * Work for every site at once, stopped together: the first failure aborts
 * the others' signal, everything started is waited for (within a bound), and
 * the first failure is what is thrown. The control: all succeed, results in
 * order.
 */
import { describe, expect, it } from 'vitest';
import { allOrStop, InFlight } from '../../src/pipeline/together.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('allOrStop', () => {
  it('returns every result in order when nothing fails (the control)', async () => {
    const stop = new AbortController();
    const out = await allOrStop([30, 10, 20], async (ms) => (await sleep(ms), ms * 2), {
      stop,
      inFlight: new InFlight(),
      settleMs: 1_000,
    });
    expect(out).toEqual([60, 20, 40]);
    expect(stop.signal.aborted).toBe(false);
  });

  it('on the first failure: aborts the others, waits for them to settle, throws that failure', async () => {
    const stop = new AbortController();
    const inFlight = new InFlight();
    const events: string[] = [];
    const started = Date.now();
    const error = await allOrStop(
      ['east', 'west', 'north'],
      async (site) => {
        if (site === 'east') {
          events.push('east fails');
          throw new Error('east: quota exceeded');
        }
        if (site === 'west') {
          // ignores the signal: finishes what it does, then records it
          await sleep(300);
          events.push('west recorded its vm');
          return site;
        }
        // north listens to the signal and stops at once
        await new Promise((_r, reject) =>
          stop.signal.addEventListener('abort', () => {
            events.push('north stopped');
            reject(new Error('cancelled'));
          }),
        );
        return site;
      },
      { stop, inFlight, settleMs: 5_000 },
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe('east: quota exceeded');
    expect((stop.signal.reason as Error).message).toBe('east: quota exceeded');
    // the error came only after west was done: nothing of the phase runs any more
    expect(events).toEqual(['east fails', 'north stopped', 'west recorded its vm']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(inFlight.size).toBe(0);
  });

  it('waits at most settleMs for work that does not stop; InFlight still knows it runs', async () => {
    const stop = new AbortController();
    const inFlight = new InFlight();
    let done = false;
    const started = Date.now();
    await expect(
      allOrStop(
        ['east', 'west'],
        async (site) => {
          if (site === 'east') throw new Error('east failed');
          await sleep(600);
          done = true;
        },
        { stop, inFlight, settleMs: 100 },
      ),
    ).rejects.toThrow('east failed');
    expect(Date.now() - started).toBeLessThan(500);
    expect(done).toBe(false);
    expect(inFlight.size).toBe(1);
    expect(await inFlight.settle(50)).toBe(1);
    expect(await inFlight.settle(2_000)).toBe(0);
    expect(done).toBe(true);
  });
});
