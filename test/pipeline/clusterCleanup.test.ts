/**
 * The teardown's first step on kept machines (cleanKeptClusters): which
 * sites it asks the fabric to clean, and what a site that cannot be cleaned
 * becomes. A whole static run's cleanup on stand-in machines is in
 * test/fabric/tungsten/staticRun.test.ts; here the fabric is a recording
 * one, so the choices are seen one by one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../src/config/load.js';
import type { ProviderName } from '../../src/config/types.js';
import type { FabricSite } from '../../src/fabric/fabric.js';
import { memoryLogger } from '../../src/log.js';
import { cleanKeptClusters } from '../../src/pipeline/clusterCleanup.js';
import { buildPlanFromConfig } from '../../src/plan/plan.js';
import type { Provider } from '../../src/providers/provider.js';
import { generateRunKey } from '../../src/remote/keys.js';
import type { PhaseName } from '../../src/report/model.js';
import type { RunState } from '../../src/state/runState.js';
import { idleFabric } from '../support/idleFabric.js';
import { machinesOf } from '../support/sites.js';
import { Cleanup, tempDir } from '../remote/harness.js';

const cleanup = new Cleanup();

async function setup(phases: PhaseName[], keeps: (name: ProviderName) => boolean) {
  const dir = tempDir(cleanup, 'te-cluster-cleanup-');
  const plan = buildPlanFromConfig(await loadSiteFile('examples/static-pair.yml'));
  const keyFile = await generateRunKey('t').writePrivateKey(dir);
  const state: RunState = {
    version: 1,
    runId: 'clean1',
    createdAt: new Date().toISOString(),
    expiresAt: new Date().toISOString(),
    source: { sites: 'examples/static-pair.yml', overrides: {} },
    sites: machinesOf(plan).map((s) => ({
      name: s.plan.name,
      provider: s.plan.provider,
      hosts: s.machines.hosts,
    })),
    resources: [],
    phases: phases.map((name) => ({ name, startedAt: '', status: 'ok' as const })),
    remediations: [],
    keyFile,
  };
  const asked: string[] = [];
  const logger = memoryLogger();
  const run = () =>
    cleanKeptClusters({
      state,
      plan,
      stateDir: dir,
      knownHostsFile: 'known_hosts',
      providers: async (name) => ({ name, keepsMachines: keeps(name) }) as unknown as Provider,
      makeFabric: () =>
        idleFabric({
          name: 'tungsten',
          cleanup: async (site: FabricSite) => {
            asked.push(site.plan.name);
            if (site.plan.name === 'dc')
              throw new Error('dc-master: the config API did not answer');
            return ['namespace tenant-a', 'bgp-router dc-master'];
          },
        }),
      logger,
      signal: new AbortController().signal,
      howToDelete: 'by hand',
    });
  return { run, asked, logger };
}

afterAll(() => cleanup.run());

describe('cleanKeptClusters', () => {
  it('asks the fabric to clean each kept site; a site it cannot clean is left as a remaining entry naming why', async () => {
    const { run, asked, logger } = await setup(
      ['load', 'plan', 'provision', 'install', 'ready', 'connect', 'test'],
      () => true,
    );
    const remaining = await run();
    expect(asked).toEqual(['lab', 'dc']);
    expect(logger.lines.join('\n')).toContain(
      'teardown clean1: lab: removed namespace tenant-a, bgp-router dc-master',
    );
    expect(remaining).toEqual([
      {
        resource: {
          provider: 'static',
          site: 'dc',
          kind: 'cluster objects',
          id: 'test namespaces and BGP peers',
        },
        error: 'dc-master: the config API did not answer',
        howToDelete: 'by hand',
      },
    ]);
  });

  it('the controls: machines that go with the run, and a run that never connected, are not asked', async () => {
    const gone = await setup(
      ['load', 'plan', 'provision', 'install', 'ready', 'connect'],
      () => false,
    );
    expect(await gone.run()).toEqual([]);
    expect(gone.asked).toEqual([]);
    const early = await setup(['load', 'plan', 'provision', 'install'], () => true);
    expect(await early.run()).toEqual([]);
    expect(early.asked).toEqual([]);
  });
});
