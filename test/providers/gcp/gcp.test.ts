import type { protos } from '@google-cloud/compute';
import { UNDERLAY_MTU } from '../../../src/tunnel/wireguard.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../../src/config/load.js';
import { loadProfile } from '../../../src/config/profile.js';
import { InfraError, UserError } from '../../../src/errors.js';
import { memoryLogger, secrets } from '../../../src/log.js';
import { buildPlan } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import {
  TAG_EXPIRES_AT,
  TAG_NAME,
  TAG_REPO,
  TAG_RUN_ID,
} from '../../../src/providers/cloud/tags.js';
import { gcpCredentialSource, keyFromInput } from '../../../src/providers/gcp/client.js';
import { fromLabels, labelKey, toLabels } from '../../../src/providers/gcp/labels.js';
import { placeOf } from '../../../src/providers/gcp/provider.js';
import type { ProviderContext } from '../../../src/providers/provider.js';
import { testKeyPair } from '../keys.js';
import { retryLines } from '../contract.js';
import { shapeProblems } from './computeSpec.js';
import { ApiError } from './fakeCompute.js';
import { gcpFixture, ZONES } from './gcpFixture.js';
import type { GcpFixture } from './gcpFixture.js';

const KNOWN = [TAG_RUN_ID, TAG_EXPIRES_AT, TAG_REPO, TAG_NAME];
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const pub = testKeyPair('gcp-unit').public.trim();

describe('GCP labels', () => {
  it('map the canonical tags to valid labels and back, the ISO expiry included', () => {
    const tags = {
      [TAG_RUN_ID]: 'k3x9q2',
      [TAG_EXPIRES_AT]: '2030-01-01T03:00:00.000Z',
      [TAG_REPO]: 'Octo-Org/repo.js',
      [TAG_NAME]: 'te-k3x9q2-east-master',
    };
    const labels = toLabels(tags);
    for (const [k, v] of Object.entries(labels)) {
      expect(k).toMatch(LABEL_KEY);
      expect(v).toMatch(LABEL_VALUE);
    }
    expect(labels[labelKey(TAG_RUN_ID)]).toBe('k3x9q2');
    expect(labels['tungsten-e2e_expires-at']).toBe('2030-01-01t03-00-00-000z');
    expect(fromLabels(labels, KNOWN)).toEqual(tags);
  });

  it('cut a value that would pass 63 characters without leaving half an escape', () => {
    const long = `${'Org'.repeat(10)}/${'r'.repeat(60)}`;
    const v = toLabels({ [TAG_REPO]: long })[labelKey(TAG_REPO)]!;
    expect(v.length).toBeLessThanOrEqual(63);
    expect(v).toMatch(LABEL_VALUE);
    expect(v).not.toMatch(/_[0-9a-f]?$/);
  });
});

describe('the fake checks shapes against the Compute API types (negative control)', () => {
  it('reports a field the API does not have and an enum value it does not know', () => {
    expect(shapeProblems('Instance', { name: 'x', canIpForward: true })).toEqual([]);
    expect(shapeProblems('Instance', { name: 'x', ipForwarding: true })).toEqual([
      'Instance.ipForwarding is not a field of Instance',
    ]);
    expect(shapeProblems('Operation', { status: 'FINISHED' })[0]).toMatch(
      /FINISHED.* is not a value of Status/,
    );
    expect(
      shapeProblems('Instance', {
        networkInterfaces: [{ accessConfigs: [{ natIp: '1.2.3.4' }] }],
      })[0],
    ).toMatch(/natIp is not a field of AccessConfig/);
  });
});

describe('GCP provider', () => {
  let fx: GcpFixture | undefined;
  afterEach(async () => {
    await fx?.cleanup();
    fx = undefined;
  });

  const plan = (
    sites: Record<string, unknown>[] = [0, 1].map((i) => ({
      provider: 'gcp',
      region: ZONES[i]!.slice(0, -2),
      zone: ZONES[i],
    })),
  ): Plan =>
    buildPlan(
      parseSiteFile(
        JSON.stringify({
          profile: 'opensdn-24',
          sites: sites.map((s, i) => ({ name: ['east', 'west'][i], nodes: { workers: 1 }, ...s })),
        }),
        'gcp-unit.yml',
      ),
      loadProfile('opensdn-24'),
    );
  const ctx = (logger = memoryLogger()): ProviderContext => ({
    runId: 'g1unit',
    expiresAt: new Date(Date.UTC(2030, 0, 1, 3)),
    repo: 'octo-org/tungsten-e2e',
    sshPublicKey: pub,
    stateDir: '/nonexistent',
    logger,
    signal: new AbortController().signal,
    recordResource: async () => {},
  });
  const inserts = (f: GcpFixture) =>
    f.world.calls
      .filter((c) => c.method === 'Instances.Insert')
      .map((c) => c.body as protos.google.cloud.compute.v1.IInstance);

  it('creates instances from the image family with the run key, labels, boot disk per role and IP forwarding on the edge only', async () => {
    fx = await gcpFixture();
    const p = plan();
    const provider = fx.provider();
    await provider.preflight(p.sites, p, ctx());
    await provider.provision(p.sites[0]!, p, ctx());
    expect(
      fx.world.calls.some(
        (c) =>
          c.method === 'Images.GetFromFamily' &&
          c.url.includes('/projects/rocky-linux-cloud/global/images/family/rocky-linux-9'),
      ),
    ).toBe(true);
    const byHost = new Map(inserts(fx).map((b) => [b.labels!['tungsten-e2e_host']!, b]));
    expect([...byHost.keys()].sort()).toEqual(['east-edge', 'east-master', 'east-worker-1']);
    for (const [host, b] of byHost) {
      expect(b.canIpForward, host).toBe(host === 'east-edge');
      expect(b.tags?.items ?? [], host).toEqual(host === 'east-edge' ? ['te-g1unit-edge'] : []);
      expect(b.metadata!.items).toContainEqual({ key: 'ssh-keys', value: `tungsten:${pub}` });
      expect(b.metadata!.items).toContainEqual({ key: 'enable-guest-attributes', value: 'TRUE' });
      expect(b.disks![0]!.initializeParams!.sourceImage).toContain(
        '/global/images/rocky-linux-9-v20241112',
      );
      for (const [k, v] of Object.entries(b.labels as Record<string, string>)) {
        expect(k).toMatch(LABEL_KEY);
        expect(v).toMatch(LABEL_VALUE);
      }
    }
    // the profile's minimum disk, not the image's 20 GB
    expect(Number(byHost.get('east-master')!.disks![0]!.initializeParams!.diskSizeGb)).toBe(50);
    expect(Number(byHost.get('east-worker-1')!.disks![0]!.initializeParams!.diskSizeGb)).toBe(40);
    expect(Number(byHost.get('east-edge')!.disks![0]!.initializeParams!.diskSizeGb)).toBe(20);
    // the underlay the tunnel's and the pods' MTU are planned on, not GCP's default of 1460
    expect([...fx.world.networks.values()].map((n) => n.mtu)).toEqual([UNDERLAY_MTU]);
    expect(fx.world.shapeErrors).toEqual([]);
  });

  it('waits for every operation with a deadline, and names the operation when it runs out', async () => {
    fx = await gcpFixture();
    const p = plan();
    const provider = fx.provider({ waits: { operationMs: 120_000 } });
    await provider.preflight(p.sites, p, ctx());
    fx.world.operationPolls = Infinity;
    const started = fx.clock.now();
    const error = await provider.provision(p.sites[0]!, p, ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toMatch(
      /gcp networks\.insert for network te-g1unit-east-vpc: operation operation-\S+ was still RUNNING after 120 s/,
    );
    expect(fx.clock.now() - started).toBeLessThan(150_000);
    fx.world.operationPolls = 1;
    const report = await fx.provider().destroy({ runId: 'g1unit', sites: [] }, ctx());
    expect(report.remaining).toEqual([]);
  });

  it('waits out "already being used by" while deleting, then deletes', async () => {
    fx = await gcpFixture();
    const p = plan();
    const provider = fx.provider();
    await provider.preflight(p.sites, p, ctx());
    await provider.provision(p.sites[0]!, p, ctx());
    fx.world.inject({
      method: 'Networks.Delete',
      times: 2,
      make: () =>
        new ApiError(
          400,
          "The network resource 'projects/tungsten-e2e-fake/global/networks/te-g1unit-east-vpc' is already being used by 'projects/tungsten-e2e-fake/global/firewalls/te-g1unit-east-ssh'",
          'resourceInUseByAnotherResource',
        ),
    });
    const logger = memoryLogger();
    const report = await fx
      .provider()
      .destroy({ runId: 'g1unit', sites: [] }, { logger, signal: new AbortController().signal });
    expect(report.remaining).toEqual([]);
    expect(fx.world.networks.size).toBe(0);
    expect(retryLines(logger.lines).length).toBeGreaterThanOrEqual(2);
    expect(logger.lines.join('\n')).toContain('INVALID_ARGUMENT (resourceInUseByAnotherResource)');
  });

  it('turns a refused permission into a user error naming the Compute method', async () => {
    fx = await gcpFixture();
    const p = plan();
    const provider = fx.provider();
    await provider.preflight(p.sites, p, ctx());
    fx.world.inject({
      method: 'Networks.Insert',
      times: Infinity,
      make: () =>
        new ApiError(
          403,
          "Required 'compute.networks.create' permission for 'projects/tungsten-e2e-fake/global/networks/te-g1unit-east-vpc'",
          'forbidden',
        ),
    });
    const error = await provider.provision(p.sites[0]!, p, ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      "GCP refused gcp networks.insert for network te-g1unit-east-vpc: PERMISSION_DENIED (forbidden): Required 'compute.networks.create' permission",
    );
    expect((error as Error).message).toContain('docs/gcp.md');
  });

  it("uses the site's image: an image path, or PROJECT/FAMILY; refuses what is neither", async () => {
    fx = await gcpFixture();
    const p = plan([
      {
        provider: 'gcp',
        region: 'us-central1',
        zone: 'us-central1-a',
        image: 'projects/rocky-linux-cloud/global/images/rocky-linux-9-v20241112',
      },
      {
        provider: 'gcp',
        region: 'europe-west1',
        zone: 'europe-west1-b',
        image: 'rocky-linux-cloud/no-such-family',
      },
    ]);
    const error = await fx
      .provider()
      .preflight(p.sites, p, ctx())
      .catch((e: unknown) => e);
    expect(
      fx.world.calls.some(
        (c) => c.method === 'Images.Get' && c.url.includes('/images/rocky-linux-9-v20241112'),
      ),
    ).toBe(true);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      'GCP found no image family rocky-linux-cloud/no-such-family for site "west"',
    );
    const worse = plan([
      { provider: 'gcp', region: 'us-central1', image: 'Not:An:Image' },
      { provider: 'gcp', region: 'europe-west1' },
    ]);
    await expect(fx.provider().preflight(worse.sites, worse, ctx())).rejects.toThrow(
      /sites\[0\]\.image "Not:An:Image" is neither PROJECT\/FAMILY/,
    );
    expect(fx.world.mutations()).toEqual([]);
  });

  it('refuses a machine type the zone does not offer, and a zone outside the region, before creating anything', async () => {
    fx = await gcpFixture();
    const bad = plan([
      {
        provider: 'gcp',
        region: 'us-central1',
        zone: 'us-central1-a',
        nodes: { workers: 1, 'worker-type': 'n9-imaginary-4' },
      },
      { provider: 'gcp', region: 'europe-west1', zone: 'europe-west1-b' },
    ]);
    const error = await fx
      .provider()
      .preflight(bad.sites, bad, ctx())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      'sites[0].nodes.worker-type n9-imaginary-4: GCP machineTypes.get in us-central1-a does not know it',
    );
    const mismatch = plan([
      { provider: 'gcp', region: 'us-east1', zone: 'us-central1-a' },
      { provider: 'gcp', region: 'europe-west1' },
    ]);
    expect(() => placeOf(mismatch.sites[0]!)).toThrow(
      /zone us-central1-a is not in sites\[0\]\.region us-east1/,
    );
    expect(placeOf(mismatch.sites[1]!)).toEqual({ region: 'europe-west1', zone: 'europe-west1-b' });
    expect(fx.world.mutations()).toEqual([]);
  });
});

describe('GCP credentials', () => {
  it('takes a service-account key from the input, masks its private key, and reads its project', () => {
    const key = keyFromInput(
      JSON.stringify({
        type: 'service_account',
        project_id: 'my-proj',
        private_key: '-----BEGIN PRIVATE KEY-----\nAAAAsecretBBBB\n-----END PRIVATE KEY-----\n',
        client_email: 'x@my-proj.iam.gserviceaccount.com',
      }),
    );
    expect(key?.projectId).toBe('my-proj');
    expect(
      secrets.redact(
        'key -----BEGIN PRIVATE KEY-----\nAAAAsecretBBBB\n-----END PRIVATE KEY-----\n',
      ),
    ).not.toContain('AAAAsecretBBBB');
    expect(keyFromInput('  ')).toBeUndefined();
    expect(() => keyFromInput('{not json')).toThrow(/'gcp-credentials' is not JSON/);
    expect(() => keyFromInput('{"project_id":"p"}')).toThrow(/has no "type" field/);
  });

  it('sees credentials without any network call', () => {
    expect(gcpCredentialSource({}, '/nonexistent')).toBeUndefined();
    expect(
      gcpCredentialSource({ GOOGLE_APPLICATION_CREDENTIALS: '/etc/hostname' }, '/nonexistent'),
    ).toContain('GOOGLE_APPLICATION_CREDENTIALS');
    expect(gcpCredentialSource({}, '/nonexistent', { json: { type: 'service_account' } })).toBe(
      'the gcp-credentials input',
    );
  });
});
