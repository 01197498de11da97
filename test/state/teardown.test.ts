/**
 * The post step's teardown decisions, over a ledger provider (no root): what
 * main saved decides between nothing to do, already down, kept on purpose,
 * and a teardown from the state followed by a sweep by run id; what cannot
 * be deleted is an error naming it and how to delete it. The real thing, on
 * real namespaces through the bundled post.js, is test/action/contract.test.ts.
 */
import { rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { down, keepsRun } from '../../src/pipeline.js';
import type { PipelineEnv } from '../../src/pipeline.js';
import { cliScript } from '../../src/state/messages.js';
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

describe('down', () => {
  it('a slow teardown says it is still at work, every heartbeat, until it ends', async () => {
    const { env, ledger, stateDir, logger } = await setup(2);
    const slow = ledger.provider('local');
    const destroy = slow.destroy.bind(slow);
    slow.destroy = async (target, ctx) => {
      await new Promise((r) => setTimeout(r, 350));
      return destroy(target, ctx);
    };
    await down({ stateDir, heartbeatMs: 100 }, { ...env, providers: async () => slow });
    const beats = logger.lines.filter((l) => l.includes(`teardown ${RUN}: still deleting`));
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toMatch(/still deleting \(2 resources recorded, \d+\.\ds so far\)/);
    // none after it ended
    const after = logger.lines.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(logger.lines.length).toBe(after);
  });
});

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
    const command = downCommandLine(exported, ['local']);
    expect(command).toMatch(/^(sudo )?node \/\S+\/cli\.js down --state \/\S+\/results\/state$/);
    expect(kept).toEqual({
      kind: 'kept',
      runId: RUN,
      command,
      message: `keeping run ${RUN} (teardown: never); its resources still expire at 2026-01-01T01:00:00.000Z, after which "tungsten-e2e janitor" deletes them. To delete them now: ${command}`,
    });
    // main was killed or cancelled before it decided: only never keeps the run
    expect(
      (await postTeardown({ saved: { runId: RUN, stateDir }, policy: 'never' }, env)).kind,
    ).toBe('kept');
    expect(ledger.destroyCalls).toEqual([]);
    // main's decision to tear down wins over a keeping policy
    expect(
      (
        await postTeardown(
          { saved: { runId: RUN, stateDir, decision: 'done' }, policy: 'never' },
          env,
        )
      ).kind,
    ).toBe('torn-down');
  });

  it('a cancelled (or killed) main with teardown on-success: the run is torn down, not kept', async () => {
    // on-success keeps failures to debug them; a cancel is not a failure of what was tested
    const { env, ledger, stateDir } = await setup(3);
    const r = await postTeardown({ saved: { runId: RUN, stateDir }, policy: 'on-success' }, env);
    expect(r.kind).toBe('torn-down');
    expect(ledger.resourcesOf(RUN)).toEqual([]);
    expect((await StateStore.open(stateDir)).state.teardown?.complete).toBe(true);
    // main that decided to keep a failed run with on-success: kept
    const other = await setup(2);
    expect(
      (
        await postTeardown(
          {
            saved: { runId: RUN, stateDir: other.stateDir, decision: 'kept' },
            policy: 'on-success',
          },
          other.env,
        )
      ).kind,
    ).toBe('kept');
    expect(keepsRun('on-success', 'cancelled')).toBe(false);
    expect(keepsRun('on-success', 'failed')).toBe(true);
    expect(keepsRun('on-success', 'passed')).toBe(false);
    expect(keepsRun('never', 'cancelled')).toBe(true);
    expect(keepsRun('always', 'failed')).toBe(false);
  });

  it('a provider that throws does not stop the sweep: the others still run, and what it left is named', async () => {
    const { env, ledger, stateDir, store } = await setup(2);
    // the same run also made something on static, whose provider cannot be reached
    await store.recordResource({ provider: 'static', site: 'west', kind: 'dir', id: '/srv/te' });
    const local = ledger.provider('local');
    const calls: string[] = [];
    env.providers = async (name) => ({
      ...local,
      name,
      destroy: async (t, ctx) => {
        calls.push(name);
        if (name === 'static') throw new Error('ssh: connect to host 192.0.2.7 port 22: timed out');
        return local.destroy(t, ctx);
      },
    });
    const error = await postTeardown(
      { saved: { runId: RUN, stateDir }, policy: 'always' },
      env,
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    // down and then the sweep each asked both providers, static failing both times
    expect(calls.filter((c) => c === 'static')).toHaveLength(2);
    expect(calls.filter((c) => c === 'local')).toHaveLength(2);
    expect(ledger.resourcesOf(RUN).filter((r) => r.provider === 'local')).toEqual([]);
    expect(error?.message).toBe(
      `teardown of run ${RUN} left 1 resources:\n  dir /srv/te: static teardown failed: ssh: connect to host 192.0.2.7 port 22: timed out; delete with: ${downCommandLine(stateDir, ['static'])} (again, once the cause is fixed)`,
    );
    const after = (await StateStore.open(stateDir)).state;
    expect(after.teardown?.complete).toBe(false);
    expect(after.phases.at(-1)).toMatchObject({ name: 'teardown', status: 'failed' });
  });

  it("the down command runs this package's cli.js with node, quotes the absolute path, and asks for root only when needed", () => {
    const cli = cliScript();
    expect(cli).toBe(resolve('dist/cli.js'));
    const user = { uid: 1000 };
    expect(downCommandLine("/tmp/it's here", ['local'], user)).toBe(
      `sudo node ${cli} down --state '/tmp/it'\\''s here'`,
    );
    // root through sudo: the person reading it is not root
    expect(downCommandLine('/tmp/s', ['local'], { uid: 0, sudoUid: '1000' })).toBe(
      `sudo node ${cli} down --state /tmp/s`,
    );
    // root itself, and clouds: no sudo
    expect(downCommandLine('/tmp/s', ['local'], { uid: 0 })).toBe(
      `node ${cli} down --state /tmp/s`,
    );
    expect(downCommandLine('state', ['aws'], user)).toBe(
      `node ${cli} down --state ${resolve('state')}`,
    );
  });

  it("cliScript: the cli.js beside the running bundle (main.js, post.js, an npm bin link), else the package's", () => {
    const dir = tempDir('te-bundle-');
    dirs.push(dir);
    for (const f of ['cli.js', 'main.js', 'post.js']) writeFileSync(join(dir, f), '');
    expect(cliScript(join(dir, 'main.js'))).toBe(join(dir, 'cli.js'));
    expect(cliScript(join(dir, 'post.js'))).toBe(join(dir, 'cli.js'));
    symlinkSync(join(dir, 'cli.js'), join(dir, 'tungsten-e2e'));
    expect(cliScript(join(dir, 'tungsten-e2e'))).toBe(join(dir, 'cli.js'));
    expect(cliScript('/usr/lib/node_modules/vitest/vitest.mjs')).toBe(resolve('dist/cli.js'));
  });

  it('exportState: a copy only its owner reads (0700/0600), given to the user behind sudo', async () => {
    const { stateDir, dir } = await setup(1);
    expect(statSync(join(stateDir, 'state.json')).mode & 0o777).toBe(0o600);
    const plain = await exportState(stateDir, join(dir, 'plain'));
    expect(statSync(join(plain, 'state.json')).mode & 0o777).toBe(0o600);
    expect(statSync(plain).mode & 0o777).toBe(0o700);
    if (process.getuid?.() !== 0) return; // chown needs root
    expect(statSync(join(plain, 'state.json')).uid).toBe(0);
    const saved = { uid: process.env.SUDO_UID, gid: process.env.SUDO_GID };
    process.env.SUDO_UID = '65534';
    process.env.SUDO_GID = '65533';
    try {
      const out = await exportState(stateDir, join(dir, 'for-runner', 'results'));
      for (const p of [
        join(dir, 'for-runner'),
        join(dir, 'for-runner', 'results'),
        out,
        join(out, 'state.json'),
      ]) {
        expect([statSync(p).uid, statSync(p).gid], p).toEqual([65534, 65533]);
      }
      // the directory above, which existed before, stays whose it was
      expect(statSync(dir).uid).toBe(0);
    } finally {
      for (const [k, v] of [
        ['SUDO_UID', saved.uid],
        ['SUDO_GID', saved.gid],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('exportState copies state.json only: no key, no host keys', async () => {
    const { stateDir, dir } = await setup(1);
    writeFileSync(join(stateDir, 'id_run'), 'PRIVATE KEY');
    const out = await exportState(stateDir, join(dir, 'results'));
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(out)).toEqual(['state.json']);
  });
});
