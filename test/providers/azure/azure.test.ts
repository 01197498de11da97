import { afterEach, describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../../src/config/load.js';
import { loadProfile } from '../../../src/config/profile.js';
import { InfraError, UserError } from '../../../src/errors.js';
import { memoryLogger, secrets } from '../../../src/log.js';
import { buildPlan } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import { azureCredentialSource, keyFromInput } from '../../../src/providers/azure/client.js';
import { compareVersions } from '../../../src/providers/azure/image.js';
import { TAG_RUN_ID } from '../../../src/providers/cloud/tags.js';
import type { ProviderContext } from '../../../src/providers/provider.js';
import { testKeyPair } from '../keys.js';
import { ArmError } from './fakeArm.js';
import { azureFixture, LOCATIONS, SUBSCRIPTION } from './azureFixture.js';
import type { AzureFixture } from './azureFixture.js';

const pub = testKeyPair('azure-unit').public.trim();

describe('Azure provider', () => {
  let fx: AzureFixture | undefined;
  afterEach(async () => {
    await fx?.cleanup();
    fx = undefined;
  });

  const plan = (extra: Record<string, unknown>[] = [{}, {}]): Plan =>
    buildPlan(
      parseSiteFile(
        JSON.stringify({
          profile: 'opensdn-24',
          sites: extra.map((e, i) => ({
            name: ['east', 'west'][i],
            provider: 'azure',
            region: LOCATIONS[i],
            nodes: { workers: 1 },
            ...e,
          })),
        }),
        'azure-unit.yml',
      ),
      loadProfile('opensdn-24'),
    );
  const ctx = (): ProviderContext => ({
    runId: 'a1unit',
    expiresAt: new Date(Date.UTC(2030, 0, 1, 3)),
    repo: 'octo-org/tungsten-e2e',
    sshPublicKey: pub,
    stateDir: '/nonexistent',
    logger: memoryLogger(),
    signal: new AbortController().signal,
    recordResource: async () => {},
  });
  const puts = (f: AzureFixture, type: string) =>
    f.world.requests
      .filter((r) => r.method === 'PUT' && new URL(r.url).pathname.includes(`/${type}/`))
      // ARM wire bodies, read as sent
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      .map((r) => ({ path: new URL(r.url).pathname, body: r.body as Record<string, any> }));

  it('builds one resource group per site with everything in it, VMs from the newest image version with its Marketplace plan', async () => {
    fx = azureFixture();
    const p = plan();
    const provider = fx.provider();
    await provider.preflight(p.sites, p, ctx());
    await provider.provision(p.sites[0]!, p, ctx());
    expect(
      [...fx.world.groups.values()].map((g) => [g.name, g.location, g.tags[TAG_RUN_ID]]),
    ).toEqual([['te-a1unit-east', 'westeurope', 'a1unit']]);
    const vms = puts(fx, 'virtualMachines');
    expect(vms.map((v) => v.path.split('/').pop())).toEqual([
      'te-a1unit-east-master',
      'te-a1unit-east-worker-1',
      'te-a1unit-east-edge',
    ]);
    const master = vms[0]!.body;
    // 9.10 is newer than 9.5: versions compare by number, not by text
    expect(master.properties.storageProfile.imageReference).toEqual({
      publisher: 'resf',
      offer: 'rockylinux-x86_64',
      sku: '9-base',
      version: '9.10.20250101',
    });
    expect(master.plan).toEqual({
      name: '9-base',
      publisher: 'resf',
      product: 'rockylinux-x86_64',
    });
    expect(master.properties.storageProfile.osDisk.diskSizeGB).toBe(50);
    expect(master.properties.osProfile.linuxConfiguration).toEqual({
      disablePasswordAuthentication: true,
      ssh: { publicKeys: [{ path: '/home/tungsten/.ssh/authorized_keys', keyData: pub }] },
    });
    const nics = puts(fx, 'networkInterfaces');
    expect(
      nics.map((n) => [n.path.split('/').pop(), n.body.properties.enableIPForwarding]),
    ).toEqual([
      ['te-a1unit-east-master-nic', false],
      ['te-a1unit-east-worker-1-nic', false],
      ['te-a1unit-east-edge-nic', true],
    ]);
    const routes = puts(fx, 'routeTables')[0]!.body.properties.routes;
    expect(routes).toEqual([
      {
        name: 'to-west',
        properties: {
          addressPrefix: p.sites[1]!.cidrs.underlay,
          nextHopType: 'VirtualAppliance',
          nextHopIpAddress: p.sites[0]!.hosts.find((h) => h.role === 'edge')!.privateAddress,
        },
      },
    ]);
    // every OS disk was tagged after its VM made it
    const disks = [...fx.world.resources.values()].filter(
      (r) => r.type === 'Microsoft.Compute/disks',
    );
    expect(disks).toHaveLength(3);
    for (const d of disks) expect(d.tags[TAG_RUN_ID]).toBe('a1unit');
  });

  it('polls long-running operations the ARM way: Azure-AsyncOperation for PUTs, Location for the group delete', async () => {
    fx = azureFixture();
    const p = plan();
    const provider = fx.provider();
    await provider.preflight(p.sites, p, ctx());
    await provider.provision(p.sites[0]!, p, ctx());
    const gets = fx.world.requests
      .filter((r) => r.method === 'GET')
      .map((r) => new URL(r.url).pathname);
    expect(
      gets.filter((g) =>
        /\/providers\/Microsoft\.Network\/locations\/westeurope\/operations\//.test(g),
      ).length,
    ).toBeGreaterThan(0);
    expect(
      gets.filter((g) =>
        /\/providers\/Microsoft\.Compute\/locations\/westeurope\/operations\//.test(g),
      ).length,
    ).toBeGreaterThan(0);
    const report = await fx.provider().destroy({ runId: 'a1unit', sites: [] }, ctx());
    expect(report.remaining).toEqual([]);
    expect(
      fx.world.requests.some((r) => r.method === 'GET' && r.url.includes('/operationresults/')),
    ).toBe(true);
    expect(
      fx.world.requests.some(
        (r) => r.method === 'HEAD' && r.url.includes('/resourcegroups/te-a1unit-east'),
      ),
    ).toBe(true);
    expect(fx.world.groups.size).toBe(0);
    expect(fx.world.resources.size).toBe(0);
  });

  it('gives up on an operation that never finishes at the deadline, naming it', async () => {
    fx = azureFixture();
    const p = plan();
    const provider = fx.provider({ waits: { operationMs: 60_000 } });
    await provider.preflight(p.sites, p, ctx());
    fx.world.operationPolls = Infinity;
    const error = await provider.provision(p.sites[0]!, p, ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toMatch(
      /azure networkSecurityGroups\.createOrUpdate for network security group te-a1unit-east-nsg in westeurope: the operation was not finished after 60 s/,
    );
    fx.world.operationPolls = 1;
    expect((await fx.provider().destroy({ runId: 'a1unit', sites: [] }, ctx())).remaining).toEqual(
      [],
    );
  });

  it('sweeps what carries the run tag outside its groups, in dependency order', async () => {
    fx = azureFixture();
    const p = plan();
    const provider = fx.provider();
    await provider.preflight(p.sites, p, ctx());
    await provider.provision(p.sites[0]!, p, ctx());
    // someone moved a public IP of the run into a shared group
    const ip = [...fx.world.resources.values()].find(
      (r) => r.type === 'Microsoft.Network/publicIPAddresses',
    )!;
    fx.world.groups.set('shared', {
      ...[...fx.world.groups.values()][0]!,
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/shared`,
      name: 'shared',
      group: 'shared',
      tags: {},
    });
    fx.world.resources.delete(ip.id.toLowerCase());
    const moved = {
      ...ip,
      group: 'shared',
      id: ip.id.replace('/resourceGroups/te-a1unit-east/', '/resourceGroups/shared/'),
    };
    fx.world.resources.set(moved.id.toLowerCase(), moved);
    const report = await fx.provider().destroy({ runId: 'a1unit', sites: [] }, ctx());
    expect(report.remaining).toEqual([]);
    expect(report.deleted.map((d) => d.id)).toContain(moved.id);
    expect(
      fx.world.requests.some(
        (r) =>
          r.method === 'DELETE' &&
          r.url.includes('/resourceGroups/shared/providers/Microsoft.Network/publicIPAddresses/'),
      ),
    ).toBe(true);
    expect([...fx.world.resources.values()].filter((r) => r.tags[TAG_RUN_ID] === 'a1unit')).toEqual(
      [],
    );
  });

  it('refuses a size the subscription may not use there, with the Resource SKUs reason, before creating anything', async () => {
    fx = azureFixture();
    const p = plan([{ nodes: { workers: 1, 'worker-type': 'Standard_M416ms_v2' } }, {}]);
    const error = await fx
      .provider()
      .preflight(p.sites, p, ctx())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      'sites[0].nodes.worker-type Standard_M416ms_v2: Azure Resource SKUs says it is restricted in westeurope for this subscription (NotAvailableForSubscription)',
    );
    expect(fx.world.mutations()).toEqual([]);
  });

  it('negative control: the fake refuses a Marketplace image without its plan', async () => {
    fx = azureFixture();
    const p = plan();
    const provider = fx.provider();
    await provider.preflight(p.sites, p, ctx());
    // strip the plan the provider resolved, as a provider that forgot it would send
    const check = await provider.check(p.sites[0]!, p, ctx());
    delete check.image.plan;
    const error = await provider.provision(p.sites[0]!, p, ctx()).catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      'VMMarketplaceInvalidInput: Creating a virtual machine from Marketplace image or a custom image sourced from a Marketplace image requires Plan information',
    );
  });

  it('turns an authorization failure into a user error naming the role to give', async () => {
    fx = azureFixture();
    const p = plan();
    fx.world.inject({
      match: 'PUT resourceGroups',
      times: Infinity,
      make: () =>
        new ArmError(
          403,
          'AuthorizationFailed',
          "The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourcegroups/write' over scope '/subscriptions/00000000-0000-0000-0000-00000000fa4e/resourcegroups/te-a1unit-east'.",
        ),
    });
    const provider = fx.provider();
    await provider.preflight(p.sites, p, ctx());
    const error = await provider.provision(p.sites[0]!, p, ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      "Azure refused azure resourceGroups.createOrUpdate for resource group te-a1unit-east in westeurope: AuthorizationFailed: The client 'x'",
    );
    expect((error as Error).message).toContain('Contributor');
  });
});

describe('Azure credentials and images', () => {
  it('takes the azure-credentials JSON whole, masks the secret, and says what is missing', () => {
    const key = keyFromInput(
      JSON.stringify({
        clientId: 'c',
        clientSecret: 'S3cr3t-value~x',
        tenantId: 't',
        subscriptionId: 's',
      }),
    );
    expect(key).toEqual({
      clientId: 'c',
      clientSecret: 'S3cr3t-value~x',
      tenantId: 't',
      subscriptionId: 's',
    });
    expect(secrets.redact('secret S3cr3t-value~x here')).not.toContain('S3cr3t-value~x');
    expect(() => keyFromInput('{"clientId":"c"}')).toThrow(
      /lacks clientSecret, tenantId, subscriptionId/,
    );
    expect(() => keyFromInput('nope')).toThrow(/'azure-credentials' is not JSON/);
    expect(keyFromInput('')).toBeUndefined();
  });

  it('sees credentials without any network call', () => {
    expect(azureCredentialSource({}, '/nonexistent')).toBeUndefined();
    expect(
      azureCredentialSource(
        { AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't', AZURE_FEDERATED_TOKEN_FILE: '/tok' },
        '/nonexistent',
      ),
    ).toContain('workload identity');
  });

  it('orders image versions by number', () => {
    expect(['9.5.20241118', '9.10.20250101', '9.4.20240523'].sort(compareVersions)).toEqual([
      '9.4.20240523',
      '9.5.20241118',
      '9.10.20250101',
    ]);
  });
});
