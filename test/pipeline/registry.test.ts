/**
 * The provider registry: local, aws, gcp and azure (each imported on
 * demand), static (with the key from the input or the environment); `down`
 * hands static the hosts of the site file the run used.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { down } from '../../src/pipeline.js';
import { PROVIDERS } from '../../src/config/schema.js';
import { providerRegistry } from '../../src/pipeline/registry.js';
import { AwsProvider } from '../../src/providers/aws/provider.js';
import { AzureProvider } from '../../src/providers/azure/provider.js';
import { GcpProvider } from '../../src/providers/gcp/provider.js';
import { LocalProvider } from '../../src/providers/local/index.js';
import { StaticProvider, STATIC_KEY_ENV } from '../../src/providers/static/provider.js';
import { StateStore } from '../../src/state/runState.js';
import { tempDir } from '../helpers.js';
import { testKeyPair } from '../providers/keys.js';

const ctx = () => ({ logger: memoryLogger(), signal: new AbortController().signal });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('provider registry', () => {
  it('makes local, aws and static, one instance per name', async () => {
    const providers = providerRegistry({ sshPrivateKey: testKeyPair('reg').private });
    const local = await providers('local');
    expect(local).toBeInstanceOf(LocalProvider);
    expect(await providers('local')).toBe(local);
    const aws = await providers('aws');
    expect(aws).toBeInstanceOf(AwsProvider);
    expect(aws.name).toBe('aws');
    expect(await providers('static')).toBeInstanceOf(StaticProvider);
    // every provider a site file may name is served
    const all = await Promise.all(PROVIDERS.map((n) => providers(n)));
    expect(all.map((p) => p.name)).toEqual([...PROVIDERS]);
  });

  it('makes gcp and azure, with the credential inputs parsed when the provider is made', async () => {
    const providers = providerRegistry();
    const gcp = await providers('gcp');
    expect(gcp).toBeInstanceOf(GcpProvider);
    expect(await providers('gcp')).toBe(gcp);
    expect(await providers('azure')).toBeInstanceOf(AzureProvider);
    const bad = await providerRegistry({ azureCredentials: '{"clientId":"x"}' })('azure').catch(
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(UserError);
    expect((bad as Error).message).toMatch(
      /'azure-credentials' lacks clientSecret, tenantId, subscriptionId/,
    );
    const notJson = await providerRegistry({ gcpCredentials: 'nope' })('gcp').catch(
      (e: unknown) => e,
    );
    expect((notJson as Error).message).toMatch(/'gcp-credentials' is not JSON/);
  });

  it('static without a key says where the key comes from (input or environment), when it is needed', async () => {
    const provider = await providerRegistry({ env: {} })('static');
    const error = await provider
      .destroy({ runId: 'abc123', sites: [] }, ctx())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      `set the ssh-private-key input or the ${STATIC_KEY_ENV} environment variable`,
    );
    // from the environment: the same call goes through (no sites, nothing to do)
    const key = testKeyPair('env').private;
    const fromEnv = await providerRegistry({ env: { [STATIC_KEY_ENV]: key } })('static');
    expect(await fromEnv.destroy({ runId: 'abc123', sites: [] }, ctx())).toEqual({
      deleted: [],
      remaining: [],
    });
  });

  it("down gives static the hosts of the run's site file, and reports what it could not remove", async () => {
    const dir = tempDir('te-reg-');
    dirs.push(dir);
    // nothing listens on these loopback ports: each host refuses at once
    const sites = [
      'sites:',
      '  - name: east',
      '    provider: static',
      '    cidrs: { underlay: 172.16.0.0/24 }',
      '    hosts: [{ address: 127.0.0.1, port: 1, private-address: 172.16.0.10, role: master, user: root }]',
      '  - name: west',
      '    provider: static',
      '    cidrs: { underlay: 172.16.1.0/24 }',
      '    hosts: [{ address: 127.0.0.1, port: 2, private-address: 172.16.1.10, role: master, user: root }]',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'sites.yml'), sites);
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir);
    const store = await StateStore.create(stateDir, {
      runId: 'kreg01',
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      source: { sites: join(dir, 'sites.yml'), overrides: {} },
    });
    await store.recordResource({
      provider: 'static',
      site: 'east',
      kind: 'run-dir',
      id: 'east-master:~/.tungsten-e2e/runs/kreg01',
    });
    const error = await down(
      { stateDir },
      { logger: memoryLogger(), credentials: { sshPrivateKey: testKeyPair('down').private } },
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^teardown of run kreg01 left 1 resources/);
    expect((error as Error).message).toContain('east-master');
    expect((error as Error).message).toContain('127.0.0.1');
    const state = (await StateStore.open(stateDir)).state;
    expect(state.teardown?.complete).toBe(false);
    expect(state.teardown?.remaining[0]).toContain('delete with: on ');
  });
});

describe('fabric registry', () => {
  it('local sites get the emulated fabric, cloud and static sites the tungsten fabric', async () => {
    const { loadSiteFile } = await import('../../src/config/load.js');
    const { buildPlanFromConfig } = await import('../../src/plan/plan.js');
    const { defaultFabric } = await import('../../src/pipeline/registry.js');
    const run = {
      runId: 'abc123',
      remote: {} as never,
      credentials: {},
      transcriptDir: '/tmp/x',
    };
    for (const [file, name] of [
      ['examples/local.yml', 'emulated'],
      ['examples/aws-azure.yml', 'tungsten'],
      ['examples/opensdn-aws-gcp.yml', 'tungsten'],
    ] as const) {
      const plan = buildPlanFromConfig(await loadSiteFile(file));
      expect(defaultFabric(plan)(run).name, file).toBe(name);
    }
  });
});
