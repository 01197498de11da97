/**
 * The janitor's view of the local provider: expired markers, orphaned
 * namespaces and processes that outlived their run, by id alone; and a
 * teardown that stops processes started while it ran.
 */
import { spawn, spawnSync } from 'node:child_process';
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
  const outlived = newRunId();
  const racing = newRunId();

  afterAll(async () => {
    for (const runId of [orphan, expired, fresh, outlived, racing])
      await provider.destroy({ runId, sites: [] }, ctx);
  });

  /** A detached process whose argv names a file of the run (as bird's -c does); its pid. */
  const runProcess = (runId: string, name: string, script = 'setInterval(() => {}, 1000)') => {
    const child = spawn(process.execPath, ['-e', script, `${runDir(runId)}/${name}`], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    return child.pid!;
  };
  const alive = (pid: number) => spawnSync('kill', ['-0', String(pid)]).status === 0;

  it('teardown stops processes that start while it runs, and returns only when they are gone', async () => {
    mkdirSync(runDir(racing), { recursive: true });
    // a command of the run that, as it is stopped, starts a daemon of the run (a fork away)
    const starter = `
      const { spawn } = require('node:child_process');
      process.on('SIGTERM', () => {
        spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ${JSON.stringify(`${runDir(racing)}/late-daemon`)}],
          { detached: true, stdio: 'ignore' }).unref();
        setTimeout(() => process.exit(0), 100);
      });
      setInterval(() => {}, 1000);`;
    runProcess(racing, 'session', starter);
    await new Promise((r) => setTimeout(r, 300));
    const logger = testLogger();
    const report = await provider.destroy(
      { runId: racing, sites: [] },
      { logger, signal: new AbortController().signal },
    );
    const processes = report.deleted.filter((r) => r.kind === 'process').map((r) => r.id);
    expect(processes).toHaveLength(2);
    expect(processes.some((id) => id.includes('late-daemon'))).toBe(true);
    expect(report.remaining).toEqual([]);
    expect(logger.lines.join('\n')).toContain(`teardown ${racing}: stopped 2 processes`);
    expect(leftovers(racing)).toEqual(NOTHING);
  });

  it('lists a run whose processes outlived its directory and namespaces; destroy stops them', async () => {
    const pid = runProcess(outlived, 'east-master/bird.conf');
    await new Promise((r) => setTimeout(r, 200));
    const list = await provider.listExpired(new Date(), ctx);
    const run = list.find((r) => r.runId === outlived);
    expect(run?.expiresAt).toEqual(new Date(0));
    expect(run?.resources.map((r) => r.kind)).toEqual(['process']);
    expect(run?.resources[0]!.id).toContain(`${pid}`);
    const report = await provider.destroy({ runId: outlived, sites: [] }, ctx);
    expect(report.deleted.map((r) => r.kind)).toEqual(['process']);
    expect(alive(pid)).toBe(false);
    expect((await provider.listExpired(new Date(), ctx)).some((r) => r.runId === outlived)).toBe(
      false,
    );
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
