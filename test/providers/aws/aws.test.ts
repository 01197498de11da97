/**
 * The AWS provider's own behaviour at the transport boundary (the contract kit
 * covers what every provider shares): what it asks EC2 for, how it reads
 * EC2's answers and errors, and how it fails.
 */
import type { CreateSubnetCommandInput, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSiteFile } from '../../../src/config/load.js';
import { loadProfile } from '../../../src/config/profile.js';
import { InfraError, isUserError, UserError, userErrorsOf } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { buildPlan } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import { awsCredentialSource, keysFromInputs } from '../../../src/providers/aws/client.js';
import { cloudConfig } from '../../../src/providers/aws/userData.js';
import type { ProviderContext } from '../../../src/providers/provider.js';
import { testKeyPair } from '../keys.js';
import { awsFixture } from './awsFixture.js';
import type { AwsFixture } from './awsFixture.js';
import { tagMap } from './fakeEc2.js';

const RUN_KEY = testKeyPair('run').public.trim();

function planFor(
  f: AwsFixture,
  change: (sites: Record<string, unknown>[]) => void = () => {},
  profile = 'tf-2018',
): Plan {
  const sites: Record<string, unknown>[] = [0, 1].map((i) => ({
    name: ['east', 'west'][i],
    nodes: { workers: 1 },
    ...f.site(i as 0 | 1),
  }));
  change(sites);
  return buildPlan(
    parseSiteFile(JSON.stringify({ profile, sites }), 'aws-test.yml'),
    loadProfile(profile),
  );
}

function ctxFor(
  runId: string,
  logger = memoryLogger(),
): ProviderContext & { logger: ReturnType<typeof memoryLogger> } {
  return {
    runId,
    expiresAt: new Date(Date.UTC(2030, 0, 1, 3)),
    repo: 'octo-org/repo',
    sshPublicKey: RUN_KEY,
    stateDir: '/nonexistent',
    logger,
    signal: new AbortController().signal,
    recordResource: async () => {},
  };
}

const op = () => ({ logger: memoryLogger(), signal: new AbortController().signal });

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error,
  );

describe('AWS provider', () => {
  let f: AwsFixture | undefined;
  afterEach(async () => {
    await f?.cleanup();
    f = undefined;
  });

  it('launches each planned host with its address, the run key, IMDSv2 and a root volume of the profile minimum', async () => {
    f = awsFixture();
    const plan = planFor(f);
    const ctx = ctxFor('kaws01');
    const provider = f.provider();
    await provider.preflight(plan.sites, plan, ctx);
    await provider.provision(plan.sites[0]!, plan, ctx);
    const east = f.worlds.get('us-east-1')!;
    const runs = east.calls
      .filter((c) => c.operation === 'RunInstances')
      .map((c) => c.input as RunInstancesCommandInput);
    expect(runs.map((r) => [r.InstanceType, r.NetworkInterfaces![0]!.PrivateIpAddress])).toEqual([
      ['m5.2xlarge', '172.16.0.10'],
      ['m5.xlarge', '172.16.0.11'],
      ['t3.small', '172.16.0.5'],
    ]);
    expect(runs.map((r) => r.BlockDeviceMappings![0]!.Ebs!.VolumeSize)).toEqual([50, 40, 8]);
    for (const r of runs) {
      expect(r.ImageId).toBe('ami-a5c7e0a1b2c3d4e5f'); // the newest CentOS 7 1804_2 x86_64 image
      expect(r.BlockDeviceMappings![0]!.DeviceName).toBe('/dev/sda1');
      expect(r.MetadataOptions?.HttpTokens).toBe('required');
      expect(r.NetworkInterfaces![0]!.AssociatePublicIpAddress).toBe(true);
      expect(r.InstanceMarketOptions).toBeUndefined();
      const config = parse(Buffer.from(r.UserData!, 'base64').toString('utf8'));
      expect(config.users[1].name).toBe('tungsten');
      expect(config.users[1].ssh_authorized_keys).toEqual([RUN_KEY]);
      expect(r.ClientToken).toMatch(/^te-kaws01-east-/);
    }
    expect(ctx.logger.lines.some((l) => l.includes('is deprecated'))).toBe(true);
    expect(east.instanceByHost('east-edge')!.SourceDestCheck).toBe(false);
    expect(east.instanceByHost('east-master')!.SourceDestCheck).toBe(true);
  });

  it("puts each site's underlay in one subnet whose router (.1, AWS's VPC router) is the plan's VROUTER_GATEWAY", async () => {
    f = awsFixture();
    const plan = planFor(f);
    const ctx = ctxFor('kaws0g');
    const provider = f.provider();
    await provider.preflight(plan.sites, plan, ctx);
    for (const site of plan.sites) {
      await provider.provision(site, plan, ctx);
      const world = f.worlds.get(site.region!)!;
      const subnets = world.calls
        .filter((c) => c.operation === 'CreateSubnet')
        .map((c) => (c.input as CreateSubnetCommandInput).CidrBlock);
      expect(subnets).toEqual([site.cidrs.underlay]);
      const [network] = site.cidrs.underlay.split('/');
      const octets = network!.split('.').map(Number);
      octets[3]! += 1;
      expect(site.configMapValues.env.VROUTER_GATEWAY).toBe(octets.join('.'));
      expect(site.gateway).toBe(octets.join('.'));
    }
  });

  it('waits for SSH on every host as the tungsten user at its public address, with the console host keys', async () => {
    f = awsFixture();
    const plan = planFor(f);
    const ctx = ctxFor('kaws02');
    const site = await f.provider().provision(plan.sites[1]!, plan, ctx);
    expect(f.sshTargets.map((t) => t.target.name).sort()).toEqual(
      ['west-edge', 'west-master', 'west-worker-1'].sort(),
    );
    for (const { target } of f.sshTargets) {
      const host = site.hosts.find((h) => h.name === target.name)!;
      expect(target.user).toBe('tungsten');
      expect(target.host).toBe(host.publicAddress);
      expect(target.hostKeys).toEqual(f.hostKeysOf!('kaws02', host.name));
    }
    // the console had no output on the first read: it was read again
    const reads = f.worlds
      .get('eu-west-1')!
      .calls.filter((c) => c.operation === 'GetConsoleOutput');
    expect(reads.length).toBe(6);
  });

  it('fails provisioning with the host named when SSH never answers, and teardown still removes everything', async () => {
    f = awsFixture({ sshFails: true });
    const plan = planFor(f);
    const error = await failure(f.provider().provision(plan.sites[0]!, plan, ctxFor('kaws03')));
    expect(error.message).toMatch(/east-(master|worker-1|edge): SSH did not answer/);
    const report = await f
      .provider()
      .destroy({ runId: 'kaws03', sites: [{ name: 'east', region: 'us-east-1' }] }, op());
    expect(report.remaining).toEqual([]);
    expect(await f.inventory()).toEqual([]);
  });

  it('asks for spot instances when the site says spot, tags the requests and cancels them at teardown', async () => {
    f = awsFixture();
    const plan = planFor(f, (s) => {
      s[0]!.spot = true;
    });
    await f.provider().provision(plan.sites[0]!, plan, ctxFor('kaws04'));
    const east = f.worlds.get('us-east-1')!;
    const run = east.calls.find((c) => c.operation === 'RunInstances')!
      .input as RunInstancesCommandInput;
    expect(run.InstanceMarketOptions).toEqual({
      MarketType: 'spot',
      SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' },
    });
    const spot = east.inventory().filter((i) => i.kind === 'spot-instances-request');
    expect(spot).toHaveLength(3);
    for (const s of spot) expect(s.tags['tungsten-e2e:run-id']).toBe('kaws04');
    const report = await f
      .provider()
      .destroy({ runId: 'kaws04', sites: [{ name: 'east', region: 'us-east-1' }] }, op());
    expect(report.deleted.filter((d) => d.kind === 'spot-instances-request')).toHaveLength(3);
    expect(await f.inventory()).toEqual([]);
  });

  it('deletes network interfaces and volumes that termination left behind', async () => {
    f = awsFixture();
    const plan = planFor(f);
    await f.provider().provision(plan.sites[0]!, plan, ctxFor('kaws05'));
    const east = f.worlds.get('us-east-1')!;
    east.leaveOnTermination.networkInterfaces = true;
    east.leaveOnTermination.volumes = true;
    const report = await f
      .provider()
      .destroy({ runId: 'kaws05', sites: [{ name: 'east', region: 'us-east-1' }] }, op());
    expect(report.remaining).toEqual([]);
    expect(report.deleted.filter((d) => d.kind === 'network-interface')).toHaveLength(3);
    expect(report.deleted.filter((d) => d.kind === 'volume')).toHaveLength(3);
    expect(await f.inventory()).toEqual([]);
    expect(east.dependencyViolations).toEqual([]);
  });

  it('waits out a DependencyViolation while something is still going away, then deletes', async () => {
    f = awsFixture();
    const plan = planFor(f);
    await f.provider().provision(plan.sites[0]!, plan, ctxFor('kaws10'));
    const east = f.worlds.get('us-east-1')!;
    east.inject({
      operation: 'DeleteSubnet',
      times: 3,
      code: 'DependencyViolation',
      message: "The subnet 'subnet-x' has dependencies and cannot be deleted.",
      status: 400,
    });
    const ctx = { logger: memoryLogger(), signal: new AbortController().signal };
    const report = await f
      .provider()
      .destroy({ runId: 'kaws10', sites: [{ name: 'east', region: 'us-east-1' }] }, ctx);
    expect(report.remaining).toEqual([]);
    expect(await f.inventory()).toEqual([]);
    expect(east.calls.filter((c) => c.operation === 'DeleteSubnet')).toHaveLength(4);
    expect(ctx.logger.lines.filter((l) => l.includes('DependencyViolation (attempt'))).toHaveLength(
      3,
    );
  });

  it('reports what it could not delete with the cloud message and the command to delete it by hand', async () => {
    f = awsFixture();
    const plan = planFor(f);
    await f.provider().provision(plan.sites[0]!, plan, ctxFor('kaws06'));
    const east = f.worlds.get('us-east-1')!;
    east.inject({
      operation: 'DeleteVpc',
      times: Infinity,
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      status: 403,
    });
    const report = await f
      .provider()
      .destroy({ runId: 'kaws06', sites: [{ name: 'east', region: 'us-east-1' }] }, op());
    expect(report.remaining).toHaveLength(1);
    const [left] = report.remaining;
    expect(left!.resource.kind).toBe('vpc');
    expect(left!.error).toContain('You are not authorized to perform this operation.');
    expect(left!.error).toContain('ec2:DeleteVpc');
    expect(left!.howToDelete).toBe(
      `aws ec2 delete-vpc --region us-east-1 --vpc-id ${left!.resource.id}`,
    );
    expect((await f.inventory()).map((i) => i.kind)).toEqual(['vpc']);
  });

  it("uses the site's image: an AMI id, or OWNER/NAME", async () => {
    f = awsFixture();
    const plan = planFor(f, (s) => {
      s[0]!.image = 'ami-a9d8e7f6a5b4c3d00';
      s[1]!.image = '792107900819/Rocky-9-EC2-Base-9.4-20240523.0.x86_64';
    });
    const provider = f.provider();
    await provider.preflight(plan.sites, plan, op());
    const images = await Promise.all(plan.sites.map((s) => provider.check(s, plan, op())));
    expect(images.map((i) => i.image.imageId)).toEqual([
      'ami-a9d8e7f6a5b4c3d00',
      'ami-b9d8e7f6a5b4c3d00',
    ]);
    expect(images[1]!.image.name).toBe('Rocky-9-EC2-Base-9.4-20240523.0.x86_64');
  });

  it("finds the profile's image by owner and name filter: the newest x86_64 one", async () => {
    f = awsFixture();
    const plan = planFor(f, () => {}, 'opensdn-24');
    const { image } = await f.provider().check(plan.sites[0]!, plan, op());
    expect(image).toMatchObject({
      imageId: 'ami-a9d8e7f6a5b4c3d2e',
      name: 'Rocky-9-EC2-Base-9.5-20241118.0.x86_64',
      rootDeviceName: '/dev/sda1',
      rootSnapshotGiB: 10,
      deprecated: false,
    });
    const call = f.worlds.get('us-east-1')!.calls.find((c) => c.operation === 'DescribeImages')!;
    expect(call.input).toMatchObject({
      Owners: ['792107900819'],
      Filters: expect.arrayContaining([{ Name: 'name', Values: ['Rocky-9-EC2-Base-9.*x86_64'] }]),
    });
  });

  it('refuses an image, an instance type or a region it cannot use before creating anything', async () => {
    f = awsFixture();
    const cases: [(s: Record<string, unknown>[]) => void, RegExp][] = [
      [
        (s) => void (s[0]!.image = 'ami-0123456789abcdef0'),
        /AWS DescribeImages in us-east-1 found no image ami-0123456789abcdef0 for site "east"; set sites\[0\]\.image/,
      ],
      [
        (s) => void (s[1]!.image = 'my-golden-image'),
        /sites\[1\]\.image "my-golden-image" is not an AMI id/,
      ],
      [
        (s) => void (s[0]!.nodes = { workers: 1, 'worker-type': 'm5.nope' }),
        /sites\[0\]\.nodes\.worker-type m5\.nope: AWS DescribeInstanceTypes in us-east-1 says "The following supplied instance types do not exist: \[m5\.nope\]"/,
      ],
      [(s) => void delete s[1]!.region, /region/],
    ];
    for (const [change, message] of cases) {
      let plan: Plan;
      try {
        plan = planFor(f, change);
      } catch (e) {
        // a missing region may already be refused when the site file is read
        expect((e as Error).message).toMatch(message);
        continue;
      }
      const error = await failure(f.provider().preflight(plan.sites, plan, op()));
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toMatch(message);
    }
    expect(f.mutations()).toEqual([]);
  });

  it('shows each role with its real memory from DescribeInstanceTypes', async () => {
    f = awsFixture();
    const plan = planFor(f, (s) => {
      s[1]!.nodes = { workers: 2, 'worker-type': 'm5d.xlarge' };
    });
    const checks = await f.provider().check(plan.sites[1]!, plan, op());
    expect(
      checks.sizes.map((c) => [c.role, c.type, c.memoryMiB, c.diskGiB, c.localDiskGiB, c.ok]),
    ).toEqual([
      ['master', 'm5.2xlarge', 32768, 50, undefined, true],
      ['worker', 'm5d.xlarge', 16384, 40, 150, true],
      ['edge', 't3.small', 2048, 8, undefined, true],
    ]);
    expect(checks.sizes[1]!.hosts).toEqual(['west-worker-1', 'west-worker-2']);
  });

  it('turns a refused permission into a user error naming the EC2 action', async () => {
    f = awsFixture();
    const plan = planFor(f);
    f.worlds.get('us-east-1')!.inject({
      operation: 'CreateVpc',
      times: 1,
      code: 'UnauthorizedOperation',
      message:
        'You are not authorized to perform this operation. Encoded authorization failure message: 4a2f',
      status: 403,
    });
    const error = await failure(f.provider().provision(plan.sites[0]!, plan, ctxFor('kaws07')));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('AWS refused aws CreateVpc');
    expect(error.message).toContain('ec2:CreateVpc');
  });

  it('turns missing credentials (the SDK default chain finding none) into a user error saying how to give them', async () => {
    const { EC2Client } = await import('@aws-sdk/client-ec2');
    const { AwsProvider } = await import('../../../src/providers/aws/provider.js');
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    });
    const clients: InstanceType<typeof EC2Client>[] = [];
    try {
      const provider = new AwsProvider({
        clients: (region) => {
          const c = new EC2Client({ region, maxAttempts: 1 });
          clients.push(c);
          return c;
        },
        retry: { deadlineMs: 1 },
      });
      const plan = planFor(awsFixture());
      const error = await failure(provider.preflight(plan.sites, plan, op()));
      expect(isUserError(error)).toBe(true);
      expect(userErrorsOf(error as UserError)[0]!.message).toMatch(
        /^no AWS credentials for aws DescribeInstanceTypes/,
      );
      expect(error.message).toContain('aws-actions/configure-aws-credentials');
    } finally {
      for (const c of clients) c.destroy();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('needs regions for the janitor', async () => {
    f = awsFixture();
    const saved = { r: process.env.AWS_REGION, d: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      await expect(f.provider().listExpired(new Date(), op())).rejects.toThrow(/regions to search/);
    } finally {
      if (saved.r !== undefined) process.env.AWS_REGION = saved.r;
      if (saved.d !== undefined) process.env.AWS_DEFAULT_REGION = saved.d;
    }
  });

  it('names every resource readably and tags instances with their planned host', async () => {
    f = awsFixture();
    const plan = planFor(f);
    await f.provider().provision(plan.sites[0]!, plan, ctxFor('kaws08'));
    const names = f.worlds
      .get('us-east-1')!
      .inventory()
      .map((i) => `${i.kind}=${i.tags.Name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'vpc=te-kaws08-east-vpc',
        'subnet=te-kaws08-east-underlay',
        'internet-gateway=te-kaws08-east-igw',
        'route-table=te-kaws08-east-routes',
        'security-group=te-kaws08-east-nodes',
        'security-group=te-kaws08-east-edge',
        'instance=te-kaws08-east-master',
        'instance=te-kaws08-east-worker-1',
        'instance=te-kaws08-east-edge',
      ]),
    );
    const master = f.worlds.get('us-east-1')!.instanceByHost('east-master')!;
    expect(tagMap(master.Tags)['tungsten-e2e:host']).toBe('east-master');
  });
});

describe('AWS credentials and user data', () => {
  it('takes keys from the inputs only as a pair', () => {
    expect(keysFromInputs({})).toBeUndefined();
    expect(
      keysFromInputs({
        'aws-access-key-id': 'AKIDEXAMPLE',
        'aws-secret-access-key': 'secret-example',
        'aws-session-token': 'tok-example',
      }),
    ).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret-example',
      sessionToken: 'tok-example',
    });
    expect(() => keysFromInputs({ 'aws-access-key-id': 'AKIDEXAMPLE' })).toThrow(
      /'aws-secret-access-key' is empty/,
    );
    expect(() => keysFromInputs({ 'aws-session-token': 'tok' })).toThrow(
      /without 'aws-access-key-id'/,
    );
  });

  it('sees credentials without any network call', () => {
    expect(awsCredentialSource({}, '/nonexistent')).toBeUndefined();
    expect(
      awsCredentialSource({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, '/nonexistent'),
    ).toBe('AWS_ACCESS_KEY_ID');
    expect(
      awsCredentialSource(
        { AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' },
        '/nonexistent',
      ),
    ).toMatch(/OIDC/);
    expect(awsCredentialSource({ AWS_PROFILE: 'ci' }, '/nonexistent')).toBe('profile ci');
  });

  it('writes a cloud-config with one key-only login user and refuses a key that is not one line', () => {
    const text = cloudConfig(RUN_KEY);
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const doc = parse(text);
    expect(doc.ssh_pwauth).toBe(false);
    expect(doc.users[1]).toMatchObject({ name: 'tungsten', sudo: 'ALL=(ALL) NOPASSWD:ALL' });
    expect(() => cloudConfig(`${RUN_KEY}\nruncmd: [reboot]`)).toThrow(
      /one-line OpenSSH public key/,
    );
  });
});

describe('AWS provider errors', () => {
  it('InfraError for EC2 failures, UserError for what the user fixes', async () => {
    const f = awsFixture();
    try {
      const plan = planFor(f);
      f.worlds.get('us-east-1')!.inject({
        operation: 'CreateSubnet',
        times: 1,
        code: 'InsufficientFreeAddressesInSubnet',
        message: 'x',
        status: 400,
      });
      const error = await failure(f.provider().provision(plan.sites[0]!, plan, ctxFor('kaws09')));
      expect(error).toBeInstanceOf(InfraError);
      expect(error.message).toMatch(
        /^aws CreateSubnet for subnet te-kaws09-east-underlay of vpc-[0-9a-f]+ in us-east-1 failed: InsufficientFreeAddressesInSubnet: x$/,
      );
    } finally {
      await f.cleanup();
    }
  });
});
