/**
 * A cloud run as a user starts it: `plan` on examples/aws-azure.yml, then
 * `run` through the real AWS and Azure providers and the tungsten fabric,
 * whose SDKs talk to the stateful fakes of EC2 and ARM (the transport is the
 * only thing replaced). The fakes' instances are not machines, so SSH never
 * answers: provisioning makes every site's network and VMs, tagged with the
 * run id, then stops on the first host that does not answer, and the
 * teardown leaves both clouds as they were.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cliImpl.js';
import type { ProviderName } from '../../src/config/types.js';
import { isUserError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { down, run } from '../../src/pipeline.js';
import type { PipelineEnv } from '../../src/pipeline.js';
import type { Provider } from '../../src/providers/provider.js';
import { StateStore } from '../../src/state/runState.js';
import { tempDir } from '../helpers.js';
import { awsFixture } from '../providers/aws/awsFixture.js';
import { azureFixture } from '../providers/azure/azureFixture.js';

const SITES = 'examples/aws-azure.yml';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function clouds(options: { sshFails: boolean }) {
  const aws = awsFixture(options);
  const azure = azureFixture(options);
  const made: Partial<Record<ProviderName, Provider>> = {
    aws: aws.provider(),
    azure: azure.provider(),
  };
  const logger = memoryLogger();
  const env: PipelineEnv = {
    logger,
    providers: async (name) => {
      const p = made[name];
      if (!p) throw new Error(`no fake for provider ${name}`);
      return p;
    },
  };
  const dir = tempDir('te-clouds-');
  dirs.push(dir);
  const inventory = async () => [...(await aws.inventory()), ...(await azure.inventory())];
  return { aws, azure, env, logger, inventory, stateDir: join(dir, 'state') };
}

describe('a run on examples/aws-azure.yml with fake cloud responses', () => {
  it('plan succeeds: both cloud sites get the tungsten fabric', async () => {
    const out: string[] = [];
    const code = await runCli(['plan', '--sites', SITES], {
      stdout: (s) => out.push(s),
      stderr: (s) => out.push(s),
    });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/aws/);
    expect(out.join('')).toMatch(/azure/);
  });

  it('provisions both clouds, stops where SSH does not answer, and tears everything down', async () => {
    const c = clouds({ sshFails: true });
    const error = await run({ sites: SITES, stateDir: c.stateDir, runId: 'kcld01' }, c.env).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeDefined();
    expect(isUserError(error)).toBe(false);
    expect(error!.message).toMatch(/SSH did not answer/);
    // both clouds were asked for machines: the run got as far as provisioning them
    const asked = [...c.aws.sshTargets, ...c.azure.sshTargets].map((t) => t.target.name);
    expect(asked.some((n) => /^(aws|azure)-/.test(n))).toBe(true);
    expect(c.aws.mutations().some((m) => /RunInstances/.test(m))).toBe(true);
    expect(c.azure.mutations().some((m) => /virtualMachines/.test(m))).toBe(true);
    // and nothing is left in either
    expect(await c.inventory()).toEqual([]);
    const state = (await StateStore.open(c.stateDir)).state;
    expect(state.phases.find((p) => p.name === 'provision')).toMatchObject({ status: 'failed' });
    expect(state.teardown).toMatchObject({ complete: true, remaining: [] });
    expect(state.resources.length).toBeGreaterThan(0);
  });

  it('the control: kept on failure, what it made is there, tagged with the run id, until down', async () => {
    const c = clouds({ sshFails: true });
    await run(
      { sites: SITES, stateDir: c.stateDir, runId: 'kcld02', teardown: 'on-success' },
      c.env,
    ).catch(() => undefined);
    const left = await c.inventory();
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((x) => Object.values(x.tags).includes('kcld02'))).toBe(true);
    await down({ stateDir: c.stateDir }, c.env);
    expect(await c.inventory()).toEqual([]);
  });
});
