/**
 * `plan --check-cloud` on GCP and Azure sites: the size catalogues ask the
 * fakes of machineTypes.get and Resource SKUs (the AWS side is in
 * test/commands/checkCloud.test.ts), show each role's real memory, refuse a
 * type below the minimum, and without credentials ask nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planCommand } from '../../src/commands/plan.js';
import { UserError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { azureClientFactory } from '../../src/providers/azure/client.js';
import { azureSizeCatalogue } from '../../src/providers/azure/sizeCatalogue.js';
import type { CatalogueLoader } from '../../src/providers/catalogues.js';
import { gcpSizeCatalogue } from '../../src/providers/gcp/sizeCatalogue.js';
import { azureFixture, fakeCredential, SUBSCRIPTION } from './azure/azureFixture.js';
import type { ProviderFixture } from './contract.js';
import { gcpFixture } from './gcp/gcpFixture.js';

interface Cloud {
  name: 'gcp' | 'azure';
  fixture(): Promise<ProviderFixture>;
  loader(f: ProviderFixture, credentials: boolean, home: string): CatalogueLoader;
  /** the catalogue calls the fake answered, so far */
  calls(f: ProviderFixture): number;
  /** a master type the fake's catalogue lists below the minimum */
  small: { type: string; memory: string; call: string };
  ok: RegExp;
}

const CLOUDS: Cloud[] = [
  {
    name: 'gcp',
    fixture: gcpFixture,
    loader: (f, credentials, home) => async () =>
      gcpSizeCatalogue({
        clients: (f as Awaited<ReturnType<typeof gcpFixture>>).clients,
        ...(credentials
          ? { key: { json: { type: 'service_account' }, projectId: 'tungsten-e2e-fake' } }
          : { env: {}, home }),
      }),
    calls: (f) => (f as Awaited<ReturnType<typeof gcpFixture>>).world.calls.length,
    small: { type: 'n2-standard-2', memory: '8 GiB', call: 'machineTypes.get' },
    ok: /east\s+master \S+\s+\d+ vCPU, 32 GiB memory, 50 GiB boot disk: ok/,
  },
  {
    name: 'azure',
    fixture: async () => azureFixture(),
    loader: (f, credentials, home) => async () =>
      azureSizeCatalogue({
        clients: azureClientFactory({
          subscriptionId: SUBSCRIPTION,
          credential: fakeCredential,
          httpClient: (f as ReturnType<typeof azureFixture>).world,
        }),
        ...(credentials
          ? {
              key: {
                clientId: '00000000-0000-0000-0000-0000000c1e47',
                clientSecret: 'fake-secret',
                tenantId: '00000000-0000-0000-0000-000000007e47',
                subscriptionId: SUBSCRIPTION,
              },
            }
          : { env: {}, home }),
      }),
    calls: (f) => (f as ReturnType<typeof azureFixture>).world.requests.length,
    small: { type: 'Standard_D2s_v5', memory: '8 GiB', call: 'Resource SKUs' },
    ok: /east\s+master \S+\s+\d+ vCPU, 32 GiB memory, 50 GiB boot disk: ok/,
  },
];

describe.each(CLOUDS)('plan --check-cloud on $name sites', (cloud) => {
  let fx: ProviderFixture | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await fx?.cleanup();
    fx = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const setUp = async (masterType?: string) => {
    fx = await cloud.fixture();
    const dir = mkdtempSync(join(tmpdir(), `te-check-${cloud.name}-`));
    dirs.push(dir);
    const file = join(dir, 'sites.yml');
    const sites = (['east', 'west'] as const).map((name, i) => ({
      name,
      ...fx!.site(i as 0 | 1),
      nodes: { workers: 1, ...(masterType && i === 0 ? { 'master-type': masterType } : {}) },
    }));
    writeFileSync(file, JSON.stringify({ sites }));
    const out: string[] = [];
    const io = { logger: memoryLogger(), stdout: (t: string) => out.push(t) };
    return { fx, file, dir, out, io };
  };

  it("shows each role's type with its real memory from the cloud's catalogue", async () => {
    const { fx, file, dir, out, io } = await setUp();
    const json = await planCommand(
      { sites: file, checkCloud: true, catalogues: { [cloud.name]: cloud.loader(fx, true, dir) } },
      io,
    );
    const text = out.join('');
    expect(text).toContain(`instance sizes from ${cloud.name}'s catalogue:`);
    expect(text).toMatch(cloud.ok);
    const rows = json.cloudSizes!.checked[0]!.rows;
    expect(rows.map((r) => `${r.site} ${r.role}`)).toEqual([
      'east master',
      'east worker',
      'east edge',
      'west master',
      'west worker',
      'west edge',
    ]);
    expect(rows.every((r) => r.ok && r.memoryMiB > 0)).toBe(true);
    expect(cloud.calls(fx)).toBeGreaterThan(0);
    expect(fx.mutations()).toEqual([]);
  });

  it('refuses a master type below the minimum with its real memory, creating nothing', async () => {
    const { fx, file, dir, out, io } = await setUp(cloud.small.type);
    const error = await planCommand(
      { sites: file, checkCloud: true, catalogues: { [cloud.name]: cloud.loader(fx, true, dir) } },
      io,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toContain(`sites[0].nodes.master-type ${cloud.small.type}`);
    expect(message).toContain(cloud.small.memory);
    expect(message).toContain(cloud.small.call);
    expect(out.join('')).toMatch(new RegExp(`master ${cloud.small.type}\\s.*REFUSED`));
    expect(fx.mutations()).toEqual([]);
  });

  it('without credentials asks nothing and says the sizes were not checked', async () => {
    const { fx, file, dir, out, io } = await setUp(cloud.small.type);
    const json = await planCommand(
      { sites: file, checkCloud: true, catalogues: { [cloud.name]: cloud.loader(fx, false, dir) } },
      io,
    );
    expect(out.join('')).toContain(
      `instance sizes on ${cloud.name} were not checked: no ${cloud.name} credentials found`,
    );
    expect(json.cloudSizes!.checked).toEqual([]);
    expect(cloud.calls(fx)).toBe(0);
  });
});
