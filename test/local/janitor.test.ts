/** The janitor's view of the local provider: expired markers and orphaned namespaces, by id alone. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalProvider } from '../../src/providers/local/index.js';
import { markerPath } from '../../src/providers/local/marker.js';
import { runDir } from '../../src/providers/local/naming.js';
import { newRunId } from '../../src/state/runState.js';
import { IS_ROOT, leftovers, NOTHING, noteSkip, testLogger } from './helpers.js';

noteSkip('local provider, janitor');

describe.skipIf(!IS_ROOT)('local provider: expired and orphaned runs', () => {
  const provider = new LocalProvider();
  const ctx = { logger: testLogger(), signal: new AbortController().signal };
  const orphan = newRunId();
  const expired = newRunId();
  const fresh = newRunId();

  afterAll(async () => {
    for (const runId of [orphan, expired, fresh]) await provider.destroy({ runId, sites: [] }, ctx);
  });

  it('lists an expired marker and an orphaned namespace, not a fresh run; destroy clears them', async () => {
    expect(spawnSync('ip', ['netns', 'add', `te-${orphan}-east-master`]).status).toBe(0);
    for (const [runId, expiresAt] of [
      [expired, new Date(Date.now() - 60_000)],
      [fresh, new Date(Date.now() + 3600_000)],
    ] as const) {
      mkdirSync(runDir(runId), { recursive: true });
      writeFileSync(
        markerPath(runId),
        JSON.stringify({
          runId,
          createdAt: new Date().toISOString(),
          expiresAt: expiresAt.toISOString(),
          stateDir: '/nonexistent',
          publicBlock: 0,
        }),
      );
    }
    const list = await provider.listExpired(new Date(), ctx);
    const byId = new Map(list.map((r) => [r.runId, r]));
    expect(byId.get(orphan)).toEqual({
      runId: orphan,
      expiresAt: new Date(0),
      resources: [{ provider: 'local', site: '', kind: 'netns', id: `te-${orphan}-east-master` }],
    });
    expect(byId.get(expired)?.resources).toEqual([
      { provider: 'local', site: '', kind: 'dir', id: runDir(expired) },
    ]);
    expect(byId.has(fresh)).toBe(false);

    const report = await provider.destroy({ runId: orphan, sites: [{ name: 'east' }] }, ctx);
    expect(report.deleted).toEqual([
      { provider: 'local', site: 'east', kind: 'netns', id: `te-${orphan}-east-master` },
    ]);
    expect((await provider.destroy({ runId: expired, sites: [] }, ctx)).deleted).toHaveLength(1);
    for (const runId of [orphan, expired]) expect(leftovers(runId)).toEqual(NOTHING);
    expect((await provider.destroy({ runId: orphan, sites: [] }, ctx)).deleted).toEqual([]);
  });
});
