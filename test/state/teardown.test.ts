/**
 * The post step's teardown decisions, over a ledger provider (no root): what
 * main saved decides between nothing to do, already down, kept on purpose,
 * and a teardown from the state followed by a sweep by run id; what cannot
 * be deleted is an error naming it and how to delete it. The real thing, on
 * real namespaces through the bundled post.js, is test/action/contract.test.ts.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import type { PipelineEnv } from '../../src/pipeline.js';
import { StateStore } from '../../src/state/runState.js';
import { downCommandLine, exportState, postTeardown } from '../../src/state/teardown.js';
import { tempDir } from '../helpers.js';
import { Ledger, resources } from './ledger.js';

const SITES = 'sites:\n  - { name: east, provider: local }\n  - { name: west, provider: local }\n';
const RUN = 'kpst01';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup(recorded = 3, extra = 0) {
  const dir = tempDir('te-post-');
  dirs.push(dir);
  const stateDir = join(dir, 'state');
  const store = await StateStore.create(stateDir, {
    runId: RUN,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-01T01:00:00.000Z',
    source: { sites: SITES, overrides: {} },
  });
  const all = resources(RUN, recorded + extra);
  // what main recorded before it was killed; the rest it made but never wrote down
  for (const r of all.slice(0, recorded)) await store.recordResource(r);
  const ledger = new Ledger();
  ledger.add({
    runId: RUN,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    expiresAt: new Date('2026-01-01T01:00:00Z'),
    resources: all,
  });
  const logger = memoryLogger();
  const env: PipelineEnv = { logger, providers: async (name) => ledger.provider(name) };
  return { dir, stateDir, store, ledger, logger, env };
}

describe('post teardown', () => {
  it('nothing saved, or no state file: nothing was made, and no provider is asked', async () => {
    const { env, ledger, dir } = await setup();
    expect(await postTeardown({ saved: {}, policy: 'always' }, env)).toEqual({
      kind: 'nothing',
      reason: 'main saved no run, so it created nothing',
    });
    const missing = join(dir, 'never-made');
    expect(
      await postTeardown({ saved: { runId: RUN, stateDir: missing }, policy: 'always' }, env),
    ).toEqual({
      kind: 'nothing',
      reason: `run ${RUN} stopped before it made anything (no state file in ${missing})`,
    });
    expect(ledger.destroyCalls).toEqual([]);
  });

  it('a main that was killed: down from the state, then the sweep by run id; run again, it is already down', async () => {
    const { env, ledger, stateDir } = await setup(3);
    const r = await postTeardown({ saved: { runId: RUN, stateDir }, policy: 'always' }, env);
    expect(r).toMatchObject({ kind: 'torn-down', runId: RUN });
    expect(r.kind === 'torn-down' && r.deleted).toHaveLength(3);
    expect(ledger.resourcesOf(RUN)).toEqual([]);
    // down, then the sweep: both by run id, the sweep over every site of the site file
    expect(ledger.destroyCalls.map((c) => c.sites.map((s) => s.name).sort())).toEqual([
      ['east', 'west'],
      ['east', 'west'],
    ]);
    const store = await StateStore.open(stateDir);
    expect(store.state.teardown).toMatchObject({ complete: true, remaining: [] });
    expect(await postTeardown({ saved: { runId: RUN, stateDir }, policy: 'always' }, env)).toEqual({
      kind: 'already-down',
      runId: RUN,
      at: store.state.teardown!.at,
    });
    expect(ledger.destroyCalls).toHaveLength(2);
  });

  it('resources the state never listed are found by the sweep when down cannot finish', async () => {
    const { env, ledger, stateDir, logger } = await setup(2, 2);
    // down's destroy fails on one of them; the sweep after it gets it
    ledger.stuck.set(`te-${RUN}-3`, 'device or resource busy');
    const provider = ledger.provider('local');
    let calls = 0;
    env.providers = async () => ({
      ...provider,
      destroy: async (t, ctx) => {
        if (calls++ === 1) ledger.stuck.clear();
        return provider.destroy(t, ctx);
      },
    });
    const r = await postTeardown({ saved: { runId: RUN, stateDir }, policy: 'always' }, env);
    expect(r.kind === 'torn-down' && r.swept.map((x) => x.id)).toEqual([`te-${RUN}-3`]);
    expect(ledger.resourcesOf(RUN)).toEqual([]);
    expect(logger.lines.join('\n')).toContain(`teardown of run ${RUN} left 1 resources`);
    expect((await StateStore.open(stateDir)).state.teardown?.complete).toBe(true);
  });

  it('what cannot be deleted fails it, naming each resource and how to delete it', async () => {
    const { env, ledger, stateDir } = await setup(3);
    ledger.stuck.set(`te-${RUN}-1`, 'Device or resource busy');
    const error = await postTeardown(
      { saved: { runId: RUN, stateDir }, policy: 'always' },
      env,
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(
      `teardown of run ${RUN} left 1 resources:\n  netns te-${RUN}-1: Device or resource busy; delete with: delete te-${RUN}-1 by hand`,
    );
    expect(isUserError(error)).toBe(false);
    expect((await StateStore.open(stateDir)).state.teardown?.complete).toBe(false);
  });

  it('kept on purpose: main decided, or the policy decides for a main that never finished', async () => {
    const { env, ledger, stateDir, dir } = await setup(3);
    const exported = await exportState(stateDir, join(dir, 'results'));
    const kept = await postTeardown(
      {
        saved: { runId: RUN, stateDir, decision: 'kept', keptStateDir: exported },
        policy: 'never',
      },
      env,
    );
    const command = `sudo tungsten-e2e down --state ${exported}`;
    expect(kept).toEqual({
      kind: 'kept',
      runId: RUN,
      command,
      message: `keeping run ${RUN} (teardown: never); its resources still expire at 2026-01-01T01:00:00.000Z, after which "tungsten-e2e janitor" deletes them. To delete them now: ${command}`,
    });
    // main was killed: on-success keeps a run that did not pass; always does not
    expect(
      (await postTeardown({ saved: { runId: RUN, stateDir }, policy: 'on-success' }, env)).kind,
    ).toBe('kept');
    expect(ledger.destroyCalls).toEqual([]);
    expect(
      (await postTeardown({ saved: { runId: RUN, stateDir }, policy: 'always' }, env)).kind,
    ).toBe('torn-down');
    // main's decision to tear down wins over a keeping policy
    expect(
      (
        await postTeardown(
          { saved: { runId: RUN, stateDir, decision: 'done' }, policy: 'never' },
          env,
        )
      ).kind,
    ).toBe('already-down');
  });

  it('the down command quotes the path and asks for root only for local runs', () => {
    expect(downCommandLine("/tmp/it's here", ['local'])).toBe(
      `sudo tungsten-e2e down --state '/tmp/it'\\''s here'`,
    );
    expect(downCommandLine('state', ['aws'])).toBe('tungsten-e2e down --state state');
  });

  it('exportState copies state.json only: no key, no host keys', async () => {
    const { stateDir, dir } = await setup(1);
    writeFileSync(join(stateDir, 'id_run'), 'PRIVATE KEY');
    const out = await exportState(stateDir, join(dir, 'results'));
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(out)).toEqual(['state.json']);
  });
});
