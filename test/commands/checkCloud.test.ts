/**
 * `plan --check-cloud`: sizes from the cloud's catalogue (EC2 through the fake
 * transport), refusals with real memory, and an offline plan that says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cliImpl.js';
import { planCommand } from '../../src/commands/plan.js';
import { UserError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { awsSizeCatalogue } from '../../src/providers/aws/sizeCatalogue.js';
import { CATALOGUE, imagesFor } from '../providers/aws/ec2Data.js';
import { FakeEc2 } from '../providers/aws/fakeEc2.js';

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' };

describe('plan --check-cloud', () => {
  const dirs: string[] = [];
  const fakes: FakeEc2[] = [];
  afterEach(() => {
    for (const f of fakes.splice(0)) f.detach();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const siteFile = (masterType?: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'te-check-cloud-'));
    dirs.push(dir);
    const file = join(dir, 'sites.yml');
    writeFileSync(
      file,
      [
        'sites:',
        '  - name: east',
        '    provider: aws',
        '    region: us-east-1',
        ...(masterType ? ['    nodes:', `      master-type: ${masterType}`] : []),
        '  - name: home',
        '    provider: static',
        '    cidrs: { underlay: 192.168.10.0/24 }',
        '    hosts: [{ address: 192.168.10.10, role: master }]',
        '',
      ].join('\n'),
    );
    return file;
  };

  const awsWithFake = (credentials: boolean) => {
    const fake = new FakeEc2({
      region: 'us-east-1',
      catalogue: CATALOGUE,
      images: imagesFor('us-east-1'),
    });
    fakes.push(fake);
    const clients = (region: string) => {
      const c = new EC2Client({ region, maxAttempts: 1, credentials: KEYS });
      fake.attach(c);
      return c;
    };
    return {
      fake,
      loader: async () =>
        awsSizeCatalogue({
          clients,
          ...(credentials ? { keys: KEYS } : { env: {}, home: '/nonexistent' }),
        }),
    };
  };

  const io = () => {
    const out: string[] = [];
    return { out, io: { logger: memoryLogger(), stdout: (t: string) => out.push(t) } };
  };

  it("shows every role's type with its real memory and disk from DescribeInstanceTypes", async () => {
    const { fake, loader } = awsWithFake(true);
    const { out, io: cio } = io();
    const json = await planCommand(
      { sites: siteFile(), checkCloud: true, catalogues: { aws: loader } },
      cio,
    );
    const text = out.join('');
    expect(text).toContain("instance sizes from aws's catalogue:");
    expect(text).toMatch(/east\s+master m5\.2xlarge\s+8 vCPU, 32 GiB memory, 50 GiB boot disk: ok/);
    expect(text).toMatch(/east\s+worker m5\.xlarge\s+4 vCPU, 16 GiB memory, 40 GiB boot disk: ok/);
    expect(text).toMatch(/east\s+edge\s+t3\.small\s+2 vCPU, 2 GiB memory, 8 GiB boot disk: ok/);
    expect(json.cloudSizes?.checked[0]?.rows.map((r) => r.memoryMiB)).toEqual([32768, 16384, 2048]);
    expect(fake.calls.map((c) => c.operation)).toEqual(['DescribeInstanceTypes']);
  });

  it('refuses a type below the minimum with its real memory, after showing the table', async () => {
    const { loader } = awsWithFake(true);
    const { out, io: cio } = io();
    const error = await planCommand(
      { sites: siteFile('m5.large'), checkCloud: true, catalogues: { aws: loader } },
      cio,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      'sites[0].nodes.master-type m5.large has 8 GiB of memory (AWS DescribeInstanceTypes: 8192 MiB)',
    );
    expect(out.join('')).toMatch(
      /master m5\.large\s+2 vCPU, 8 GiB memory, 50 GiB boot disk: REFUSED/,
    );
  });

  it('without credentials stays offline and says the sizes were not checked', async () => {
    const { fake, loader } = awsWithFake(false);
    const { out, io: cio } = io();
    const json = await planCommand(
      { sites: siteFile('m5.large'), checkCloud: true, catalogues: { aws: loader } },
      cio,
    );
    expect(out.join('')).toContain(
      'instance sizes on aws were not checked: no aws credentials found',
    );
    expect(json.cloudSizes?.checked).toEqual([]);
    expect(fake.calls).toEqual([]);
  });

  it('plan without --check-cloud never asks and says so', async () => {
    const { fake, loader } = awsWithFake(true);
    const { out, io: cio } = io();
    await planCommand({ sites: siteFile(), catalogues: { aws: loader } }, cio);
    expect(out.join('')).toContain('instance sizes were not checked');
    expect(fake.calls).toEqual([]);
  });

  it('the CLI flag works end to end without credentials (exit 0, says why)', async () => {
    const saved = { ...process.env };
    const home = mkdtempSync(join(tmpdir(), 'te-home-'));
    dirs.push(home);
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    process.env.HOME = home;
    try {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(['plan', '--sites', siteFile(), '--check-cloud'], {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
      });
      expect(err.join('')).toBe('');
      expect(code).toBe(0);
      expect(out.join('')).toContain(
        'instance sizes on aws were not checked: no aws credentials found',
      );
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
