/**
 * attach() refuses, in one sentence, a state directory it cannot pick up: a
 * run torn down, a run whose up did not finish, a site file changed since up,
 * a key file gone. (Attaching to a live run for real: test/local/cli.test.ts.)
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InfraError, UserError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { attach } from '../../src/pipeline.js';
import type { PhaseName } from '../../src/report/model.js';
import type { SiteState } from '../../src/state/runState.js';
import { downCommandLine } from '../../src/state/messages.js';
import { StateStore } from '../../src/state/runState.js';
import { tempDir } from '../helpers.js';
import { testKeyPair } from '../providers/keys.js';
import type { Fabric, FabricRun } from '../../src/fabric/fabric.js';
import { idleFabric } from '../support/idleFabric.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SITES = 'sites:\n  - { name: east, provider: local }\n  - { name: west, provider: local }\n';
const at = '2026-01-01T00:00:00.000Z';

function site(
  name: string,
  hosts = [`${name}-master`, `${name}-worker-1`, `${name}-edge`],
): SiteState {
  return {
    name,
    provider: 'local',
    hosts: hosts.map((h) => ({
      name: h,
      site: name,
      role: h.endsWith('master') ? 'master' : h.endsWith('edge') ? 'edge' : 'worker',
      privateAddress: '172.16.0.10',
      ssh: { host: '198.18.0.2', port: 22, user: 'root' },
    })),
  };
}

async function state(
  change: {
    phases?: PhaseName[];
    sites?: SiteState[];
    teardown?: 'complete' | 'partial';
    keyFile?: string;
  } = {},
): Promise<string> {
  const dir = tempDir('te-attach-');
  dirs.push(dir);
  const store = await StateStore.create(dir, {
    runId: 'katt01',
    createdAt: at,
    expiresAt: at,
    source: { sites: SITES, label: 'inline', overrides: {} },
  });
  await store.update((s) => {
    s.phases = (change.phases ?? ['provision', 'install', 'ready', 'connect']).map((name) => ({
      name,
      startedAt: at,
      endedAt: at,
      status: 'ok',
    }));
    s.sites = change.sites ?? [site('east'), site('west')];
    if (change.teardown) {
      const complete = change.teardown === 'complete';
      s.teardown = {
        at,
        complete,
        remaining: complete ? [] : ['netns te-katt01-east-master: busy'],
      };
    }
    if (change.keyFile) s.keyFile = change.keyFile;
  });
  return dir;
}

const attachError = (dir: string) =>
  attach(dir, { logger: memoryLogger() }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe('attach', () => {
  it('refuses a run that was torn down', async () => {
    const e = await attachError(await state({ teardown: 'complete' }));
    expect(e).toBeInstanceOf(UserError);
    expect(e!.message).toMatch(
      /run katt01 was torn down at 2026-01-01T00:00:00.000Z; start a new one/,
    );
    const dir = await state({ teardown: 'partial' });
    const partial = await attachError(dir);
    expect(partial!.message).toContain(
      `run katt01 was torn down in part at ${at}; finish with "${downCommandLine(dir, ['local'])}"`,
    );
  });

  it('refuses a run whose up did not reach connect, listing its phases', async () => {
    const dir = await state({ phases: ['provision', 'install'] });
    const e = await attachError(dir);
    expect(e).toBeInstanceOf(UserError);
    expect(e!.message).toContain('run katt01 is not up (phases: provision ok, install ok)');
    expect(e!.message).toContain(`run "${downCommandLine(dir, ['local'])}", then "up" again`);
  });

  it('refuses when the site file no longer describes the sites that were stood up', async () => {
    const e = await attachError(await state({ sites: [site('east'), site('north')] }));
    expect(e).toBeInstanceOf(UserError);
    expect(e!.message).toBe(
      'inline: site "west" is not the one run katt01 stood up (the site file changed since "up"); restore the file, or tear the run down and start again.',
    );
    const fewer = await attachError(
      await state({ sites: [site('east', ['east-master']), site('west')] }),
    );
    expect(fewer!.message).toContain('site "east" is not the one run katt01 stood up');
  });

  it("is an infrastructure failure when the run's key is gone", async () => {
    const dir = await state({ keyFile: '/nonexistent/id_ed25519' });
    const e = await attachError(dir);
    expect(e).toBeInstanceOf(InfraError);
    expect(e!.message).toMatch(/^\/nonexistent\/id_ed25519: the run's SSH key cannot be read/);
    writeFileSync(join(dir, 'id'), 'not a key');
    const bad = await attachError(await state({ keyFile: join(dir, 'id') }));
    expect(bad).toBeInstanceOf(InfraError);
  });

  it("hands the fabric the run id, the run's SSH layer and the registry password; nothing else sees it", async () => {
    const dir = await state();
    const key = join(dir, 'id_ed25519');
    writeFileSync(key, testKeyPair('attach').private, { mode: 0o600 });
    await StateStore.open(dir).then((st) => st.update((s) => void (s.keyFile = key)));
    const made: FabricRun[] = [];
    const fabric = (): ((run: FabricRun) => Fabric) => (run) => {
      made.push(run);
      return idleFabric();
    };
    const logger = memoryLogger();
    const live = await attach(dir, {
      logger,
      fabric,
      credentials: { registryPassword: 'hunter2-registry' },
    });
    await live.close();
    expect(made).toHaveLength(1);
    expect(made[0]!.runId).toBe('katt01');
    expect(made[0]!.credentials).toEqual({ registryPassword: 'hunter2-registry' });
    expect(typeof made[0]!.remote.upload).toBe('function');
    expect(logger.lines.join('\n')).not.toContain('hunter2');
  });
});
