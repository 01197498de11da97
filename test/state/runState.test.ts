/**
 * The run state on disk: a write that fails reports its own error and does
 * not fail the writes after it; a damaged state.json is one sentence naming
 * the file and what to do (exit 2 through the CLI, no stack trace).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isUserError, UserError } from '../../src/errors.js';
import { STATE_FILE, StateStore } from '../../src/state/runState.js';
import { runBundle } from '../bundle.js';
import { tempDir } from '../helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function newStore() {
  const dir = tempDir('te-state-');
  dirs.push(dir);
  const stateDir = join(dir, 'state');
  const store = await StateStore.create(stateDir, {
    runId: 'kstat1',
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-01T01:00:00.000Z',
    source: { sites: 'examples/local.yml', overrides: {} },
  });
  return { stateDir, store };
}

const onDisk = (stateDir: string) =>
  JSON.parse(readFileSync(join(stateDir, STATE_FILE), 'utf8')) as {
    resources: { id: string }[];
  };

const resource = (id: string) => ({ provider: 'local' as const, site: 'east', kind: 'netns', id });

describe('StateStore writes', () => {
  it('a failed write reports its own error, and the writes after it still land', async () => {
    const { stateDir, store } = await newStore();
    // the directory is gone: this write fails
    rmSync(stateDir, { recursive: true });
    const first = await store.recordResource(resource('a')).then(
      () => undefined,
      (e: unknown) => e as NodeJS.ErrnoException,
    );
    expect(first?.code).toBe('ENOENT');
    // back, but state.json is a directory now: the next write fails with its own error
    mkdirSync(join(stateDir, STATE_FILE), { recursive: true });
    const second = await store.recordResource(resource('b')).then(
      () => undefined,
      (e: unknown) => e as NodeJS.ErrnoException,
    );
    expect(second?.code).toBe('EISDIR');
    // fixed: the next write lands, with everything recorded so far
    rmSync(join(stateDir, STATE_FILE), { recursive: true });
    await expect(store.recordResource(resource('c'))).resolves.toBeUndefined();
    expect(onDisk(stateDir).resources.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('writes land in order, each one whole (the control)', async () => {
    const { stateDir, store } = await newStore();
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => store.recordResource(resource(id))));
    expect(onDisk(stateDir).resources.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('a damaged state.json', () => {
  it('is one user error naming the file and what to do', async () => {
    const { stateDir } = await newStore();
    const text = readFileSync(join(stateDir, STATE_FILE), 'utf8');
    writeFileSync(join(stateDir, STATE_FILE), text.slice(0, 40)); // cut short
    const error = await StateStore.open(stateDir).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error?.message).toMatch(
      new RegExp(
        `^${join(stateDir, STATE_FILE).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged or cut short \\(not valid JSON: .+\\); restore it from a copy .*, or run the janitor once the run expires: it finds the run's resources by their run id\\.$`,
      ),
    );
    // JSON that is not a run state
    writeFileSync(join(stateDir, STATE_FILE), 'null\n');
    const notState = await StateStore.open(stateDir).catch((e: unknown) => e);
    expect(isUserError(notState)).toBe(true);
    expect((notState as Error).message).toContain('not a tungsten-e2e run state');
  });

  it('down and test through the CLI: exit 2, the sentence, no stack trace', async () => {
    const { stateDir } = await newStore();
    writeFileSync(join(stateDir, STATE_FILE), '{"version": 1, "runId": "kst');
    for (const command of ['down', 'test']) {
      const r = runBundle('cli', [command, '--state', stateDir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${join(stateDir, STATE_FILE)} is damaged or cut short`);
      expect(r.stderr).not.toContain('unexpected failure');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
