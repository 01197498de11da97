/**
 * A site that fails while another is still being made: teardown must not
 * start before the other site's work has stopped, or what that work makes
 * afterwards is left behind while the state says the run is gone. A fake
 * provider over an in-memory world (a cloud, as the providers see it) plays
 * the timing exactly; the same on real namespaces is test/local/halfway.test.ts.
 *
 * And down across providers: one that throws does not stop the others, and
 * the teardown is recorded with what it left.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../src/config/types.js';
import { InfraError, isUserError, UserError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { down, run } from '../../src/pipeline.js';
import type { PipelineEnv } from '../../src/pipeline.js';
import type {
  CreatedResource,
  DestroyReport,
  Provider,
  ProviderContext,
} from '../../src/providers/provider.js';
import { downCommandLine } from '../../src/state/messages.js';
import { StateStore } from '../../src/state/runState.js';
import { tempDir } from '../helpers.js';

const SITES = 'sites:\n  - { name: east, provider: local }\n  - { name: west, provider: local }\n';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A cloud in memory: what exists, by run id; every destroy call and what it saw. */
class World {
  readonly things = new Map<string, CreatedResource & { runId: string }>();
  readonly destroys: { saw: string[]; at: number }[] = [];

  add(ctx: ProviderContext, r: CreatedResource): Promise<void> {
    this.things.set(r.id, { ...r, runId: ctx.runId });
    return ctx.recordResource(r);
  }

  ids(): string[] {
    return [...this.things.keys()].sort();
  }
}

interface Timing {
  /** how long west keeps working, without looking at its signal, before it makes its vm */
  westVmAfterMs: number;
  /** how long one destroy call takes */
  destroyMs?: number;
}

function fakeProvider(world: World, t: Timing, name: ProviderName = 'local'): Provider {
  return {
    name,
    preflight: async () => {},
    provision: async (site, _plan, ctx) => {
      await world.add(ctx, {
        provider: name,
        site: site.name,
        kind: 'network',
        id: `${site.name}-net`,
      });
      if (site.name === 'east') {
        throw new InfraError('east: RunInstances failed: InsufficientInstanceCapacity');
      }
      // a create call in flight: it does not observe the signal, and lands later
      await sleep(t.westVmAfterMs);
      await world.add(ctx, { provider: name, site: site.name, kind: 'vm', id: `${site.name}-vm` });
      return { name: site.name, provider: name, hosts: [] };
    },
    destroy: async (target): Promise<DestroyReport> => {
      const saw = [...world.things.values()].filter((x) => x.runId === target.runId);
      world.destroys.push({ saw: saw.map((x) => x.id).sort(), at: Date.now() });
      await sleep(t.destroyMs ?? 0);
      for (const x of saw) world.things.delete(x.id);
      return { deleted: saw.map(({ runId: _r, ...r }) => r), remaining: [] };
    },
    listExpired: async () => [],
  };
}

function setup(t: Timing, env: Partial<PipelineEnv> = {}) {
  const dir = tempDir('te-halfway-');
  dirs.push(dir);
  const world = new World();
  const logger = memoryLogger();
  const provider = fakeProvider(world, t);
  const full: PipelineEnv = { logger, providers: async () => provider, ...env };
  return { stateDir: join(dir, 'state'), world, logger, env: full };
}

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe('a site fails while another is still being made', () => {
  it('teardown starts only after the other site stopped, and deletes what it made meanwhile', async () => {
    const { stateDir, world, env } = setup({ westVmAfterMs: 300 });
    const error = await failureOf(run({ sites: SITES, stateDir, runId: 'khalf1' }, env));
    expect(error?.message).toBe('east: RunInstances failed: InsufficientInstanceCapacity');
    // the one teardown saw west's vm: it was made (and recorded) before teardown began
    expect(world.destroys.map((d) => d.saw)).toEqual([['east-net', 'west-net', 'west-vm']]);
    await sleep(400);
    expect(world.ids()).toEqual([]);
    const state = (await StateStore.open(stateDir)).state;
    expect(state.resources.map((r) => r.id).sort()).toEqual(['east-net', 'west-net', 'west-vm']);
    expect(state.teardown).toMatchObject({ complete: true, remaining: [] });
    // provision failed (east), it was not cancelled
    expect(state.phases.find((p) => p.name === 'provision')).toMatchObject({
      status: 'failed',
      error: 'east: RunInstances failed: InsufficientInstanceCapacity',
    });
  });

  it('work that outlasts the bound and lands during teardown is swept again; the state says what is true', async () => {
    // west's vm lands 1 s in; up waits 100 ms, teardown takes 2 s per sweep
    const { stateDir, world, env, logger } = setup(
      { westVmAfterMs: 1_000, destroyMs: 2_000 },
      { settleMs: 100 },
    );
    const error = await failureOf(run({ sites: SITES, stateDir, runId: 'khalf2' }, env));
    expect(error?.message).toBe('east: RunInstances failed: InsufficientInstanceCapacity');
    const lines = logger.lines.join('\n');
    expect(lines).toContain('1 provider or fabric calls still run');
    expect(lines).toContain('1 resources were recorded while teardown ran; sweeping again');
    expect(world.destroys.map((d) => d.saw)).toEqual([['east-net', 'west-net'], ['west-vm']]);
    expect(world.ids()).toEqual([]);
    const state = (await StateStore.open(stateDir)).state;
    expect(state.resources.map((r) => r.id)).toContain('west-vm');
    expect(state.sites.map((s) => s.name)).toEqual(['west']);
    expect(state.teardown).toMatchObject({ complete: true, remaining: [] });
  });

  it('work that lands after teardown finished makes the recorded teardown incomplete, naming it', async () => {
    const { stateDir, world, env } = setup({ westVmAfterMs: 1_500 }, { settleMs: 50 });
    await failureOf(run({ sites: SITES, stateDir, runId: 'khalf3' }, env));
    expect(world.destroys).toHaveLength(1);
    await sleep(2_000);
    // west-vm exists now, and the state does not pretend otherwise
    expect(world.ids()).toEqual(['west-vm']);
    const state = (await StateStore.open(stateDir)).state;
    expect(state.teardown?.complete).toBe(false);
    expect(state.teardown?.remaining).toEqual([
      `vm west-vm: made after teardown ran; delete with: ${downCommandLine(stateDir, ['local'])}`,
    ]);
    // and down again deletes it
    const again = await down({ stateDir }, env);
    expect(again.deleted.map((r) => r.id)).toEqual(['west-vm']);
    expect(world.ids()).toEqual([]);
    expect((await StateStore.open(stateDir)).state.teardown?.complete).toBe(true);
  });
});

describe('down across providers', () => {
  async function twoProviders(fail: Error) {
    const dir = tempDir('te-down-');
    dirs.push(dir);
    const stateDir = join(dir, 'state');
    const store = await StateStore.create(stateDir, {
      runId: 'kdown1',
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T01:00:00.000Z',
      source: {
        sites:
          'sites:\n  - { name: east, provider: aws, region: us-east-1 }\n  - { name: west, provider: local }\n',
        overrides: {},
      },
    });
    await store.recordResource({ provider: 'aws', site: 'east', kind: 'instance', id: 'i-0abc' });
    await store.recordResource({
      provider: 'local',
      site: 'west',
      kind: 'netns',
      id: 'te-kdown1-west-master',
    });
    const asked: string[] = [];
    const world = new World();
    world.things.set('te-kdown1-west-master', {
      provider: 'local',
      site: 'west',
      kind: 'netns',
      id: 'te-kdown1-west-master',
      runId: 'kdown1',
    });
    const local = fakeProvider(world, { westVmAfterMs: 0 });
    const env: PipelineEnv = {
      logger: memoryLogger(),
      providers: async (name) => {
        asked.push(name);
        if (name === 'aws') throw fail;
        return local;
      },
    };
    return { stateDir, env, asked, world };
  }

  it('a provider that throws does not stop the ones after it; the teardown is recorded with what it left', async () => {
    const { stateDir, env, asked, world } = await twoProviders(
      new InfraError('aws: DescribeInstances: RequestLimitExceeded'),
    );
    const error = await failureOf(down({ stateDir }, env));
    expect(asked).toEqual(['aws', 'local']);
    expect(world.ids()).toEqual([]);
    const left = `instance i-0abc: aws teardown failed: aws: DescribeInstances: RequestLimitExceeded; delete with: ${downCommandLine(stateDir, ['aws'])} (again, once the cause is fixed)`;
    expect(error).toBeInstanceOf(InfraError);
    expect(error?.message).toBe(`teardown of run kdown1 left 1 resources:\n  ${left}`);
    const state = (await StateStore.open(stateDir)).state;
    expect(state.teardown).toMatchObject({ complete: false, remaining: [left] });
    expect(state.phases.at(-1)).toMatchObject({
      name: 'teardown',
      status: 'failed',
      error: `teardown of run kdown1 left 1 resources:\n  ${left}`,
    });
  });

  it('a user error of a provider (no credentials) is what down throws, after recording the teardown', async () => {
    const { stateDir, env, world } = await twoProviders(
      new UserError('aws: no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'),
    );
    const error = await failureOf(down({ stateDir }, env));
    expect(isUserError(error)).toBe(true);
    expect(world.ids()).toEqual([]);
    expect((await StateStore.open(stateDir)).state.teardown?.complete).toBe(false);
  });
});
