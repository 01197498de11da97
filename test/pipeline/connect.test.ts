import { describe, expect, it } from 'vitest';
import type { BgpSession, Fabric, FabricContext, FabricSite } from '../../src/fabric/fabric.js';
import { silentLogger } from '../../src/log.js';
import { waitPeered } from '../../src/pipeline/connect.js';

/** A fabric whose sessions follow a script: poll n returns states[min(n, last)]. */
function scripted(states: Record<string, BgpSession[]>[]): Pick<Fabric, 'name' | 'peerStatus'> & {
  polls: number;
} {
  const f = {
    name: 'emulated' as const,
    polls: 0,
    peerStatus: async (site: FabricSite) => {
      const i = Math.min(Math.floor(f.polls / 2), states.length - 1);
      f.polls++;
      return states[i]![site.plan.name]!;
    },
  };
  return f;
}

const site = (name: string) => ({ plan: { name } }) as unknown as FabricSite;
const ctx = { logger: silentLogger, signal: new AbortController().signal } as FabricContext;
const s = (site: string, state: string) => ({ site, state, established: state === 'Established' });

describe('connect: waiting for BGP', () => {
  it('waits until both ends are Established', async () => {
    const f = scripted([
      { a: [s('b', 'Active')], b: [s('a', 'Connect')] },
      { a: [s('b', 'Established')], b: [s('a', 'Established')] },
    ]);
    const r = await waitPeered(
      f as unknown as Fabric,
      [site('a'), site('b')],
      [{ a: 'a', b: 'b' }],
      ctx,
      {
        deadlineMs: 5_000,
        pollMs: 1,
      },
    );
    expect(r).toEqual({ established: [{ a: 'a', b: 'b' }], down: [] });
    expect(f.polls).toBe(4);
  });

  it('does not wait for a pair with an end that is not configured', async () => {
    const f = scripted([{ a: [s('b', 'not configured')], b: [s('a', 'Active')] }]);
    const r = await waitPeered(
      f as unknown as Fabric,
      [site('a'), site('b')],
      [{ a: 'a', b: 'b' }],
      ctx,
      {
        deadlineMs: 60_000,
        pollMs: 1,
      },
    );
    expect(r).toEqual({
      established: [],
      down: [{ a: 'a', b: 'b', state: 'a: not configured, b: Active' }],
    });
    expect(f.polls).toBe(2);
  });

  it('gives up at the deadline and reports each end', async () => {
    const f = scripted([{ a: [s('b', 'Active')], b: [s('a', 'Active')] }]);
    const r = await waitPeered(
      f as unknown as Fabric,
      [site('a'), site('b')],
      [{ a: 'a', b: 'b' }],
      ctx,
      {
        deadlineMs: 30,
        pollMs: 5,
      },
    );
    expect(r.down).toEqual([{ a: 'a', b: 'b', state: 'a: Active, b: Active' }]);
  });
});
