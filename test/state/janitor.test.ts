/**
 * The janitor's choices, without root: which runs go (past their expiry, or
 * older than --older-than), a dry run deleting nothing, which providers are
 * asked and where (AWS regions: --region, else the site file's, else
 * AWS_REGION; no credentials, no AWS), and AWS for real at the SDK's
 * transport (the stateful fake EC2). The local provider's own janitor runs
 * for real in test/local/janitor-command.test.ts.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../src/config/load.js';
import { memoryLogger } from '../../src/log.js';
import { buildPlanFromConfig } from '../../src/plan/plan.js';
import { TAG_RUN_ID } from '../../src/providers/cloud/tags.js';
import { janitor, janitorProviders } from '../../src/state/janitor.js';
import type { JanitorEnv } from '../../src/state/janitor.js';
import { janitorText } from '../../src/commands/janitor.js';
import { tempDir } from '../helpers.js';
import { awsFixture } from '../providers/aws/awsFixture.js';
import type { AwsFixture } from '../providers/aws/awsFixture.js';
import { testKeyPair } from '../providers/keys.js';
import { FAKE_CREDENTIALS } from '../masking.js';
import { Ledger, resources } from './ledger.js';

const RUN_KEY = testKeyPair('run').public.trim();
const NOW = new Date('2026-03-01T12:00:00Z');
const hours = (h: number) => new Date(NOW.getTime() + h * 3600_000);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A home directory with no AWS files, so only what the test gives counts. */
function emptyHome(): string {
  const d = tempDir('te-home-');
  dirs.push(d);
  return d;
}

const AWS_KEYS = { AWS_ACCESS_KEY_ID: 'AKIDJANITOR', AWS_SECRET_ACCESS_KEY: 'janitor-secret' };

const plan = (text: string) => buildPlanFromConfig(parseSiteFile(text, 'sites.yml'));

function ledgerRuns() {
  const ledger = new Ledger();
  ledger.add({
    runId: 'kexp01',
    createdAt: hours(-5),
    expiresAt: hours(-2),
    resources: resources('kexp01', 3),
  });
  ledger.add({
    runId: 'kfrs01',
    createdAt: hours(-1),
    expiresAt: hours(2),
    resources: resources('kfrs01', 2),
  });
  ledger.add({
    runId: 'kold01',
    createdAt: hours(-50),
    expiresAt: hours(1),
    resources: resources('kold01', 2),
  });
  const env: JanitorEnv = {
    logger: memoryLogger(),
    providers: async (name) => ledger.provider(name),
    env: {},
    home: emptyHome(),
  };
  return { ledger, env };
}

describe('janitor', () => {
  it('deletes the runs past their expiry and nothing else', async () => {
    const { ledger, env } = ledgerRuns();
    const report = await janitor({ now: NOW }, env);
    expect(report.runs.map((r) => [r.runId, r.why, r.deleted.length])).toEqual([
      ['kexp01', 'expired', 3],
    ]);
    expect([...ledger.runs.keys()].sort()).toEqual(['kfrs01', 'kold01']);
    expect(ledger.listCalls[0]!.now).toEqual(NOW);
    expect(janitorText(report)).toContain(
      'local run kexp01: expired 2026-03-01T10:00:00.000Z: deleted 3 (3 netns)',
    );
  });

  it("removes a deleted run's private key from its state directory, only if that state is the run's", async () => {
    const { ledger, env } = ledgerRuns();
    const stateDir = tempDir('te-jstate-');
    dirs.push(stateDir);
    const keyFile = join(stateDir, 'id_ed25519');
    writeFileSync(keyFile, 'PRIVATE', { mode: 0o600 });
    writeFileSync(join(stateDir, 'state.json'), JSON.stringify({ runId: 'kexp01', keyFile }));
    ledger.runs.get('kexp01')!.stateDir = stateDir;
    // negative control: a state directory now holding another run keeps its key
    const otherDir = tempDir('te-jstate-');
    dirs.push(otherDir);
    const otherKey = join(otherDir, 'id_ed25519');
    writeFileSync(otherKey, 'OTHER', { mode: 0o600 });
    writeFileSync(
      join(otherDir, 'state.json'),
      JSON.stringify({ runId: 'knew01', keyFile: otherKey }),
    );
    ledger.add({
      runId: 'kexp02',
      createdAt: hours(-5),
      expiresAt: hours(-2),
      stateDir: otherDir,
      resources: resources('kexp02', 1),
    });
    const report = await janitor({ now: NOW }, env);
    expect(existsSync(keyFile)).toBe(false);
    expect(report.runs.find((r) => r.runId === 'kexp01')!.deleted).toContainEqual({
      provider: 'local',
      site: '',
      kind: 'key',
      id: keyFile,
    });
    expect(existsSync(otherKey)).toBe(true);
  });

  it('a dry run lists what would go and deletes nothing', async () => {
    const { ledger, env } = ledgerRuns();
    const report = await janitor({ now: NOW, dryRun: true, olderThanSeconds: 86_400 }, env);
    expect(report.runs.map((r) => `${r.runId}:${r.why}`)).toEqual([
      'kexp01:expired',
      'kold01:older',
    ]);
    expect(ledger.destroyCalls).toEqual([]);
    expect(ledger.runs.size).toBe(3);
    const text = janitorText(report);
    expect(text).toContain(
      'local run kold01: created 2026-02-27T10:00:00.000Z, expires 2026-03-01T13:00:00.000Z: would delete (2 netns)',
    );
    expect(text).toContain('janitor: dry run: 2 runs would be deleted; nothing was deleted');
  });

  it('--older-than also deletes runs created before it, expired or not; a younger run stays', async () => {
    const { ledger, env } = ledgerRuns();
    const report = await janitor({ now: NOW, olderThanSeconds: 24 * 3600 }, env);
    expect(report.runs.map((r) => r.runId)).toEqual(['kexp01', 'kold01']);
    expect([...ledger.runs.keys()]).toEqual(['kfrs01']);
  });

  it('reports what it could not delete, with how to delete it', async () => {
    const { ledger, env } = ledgerRuns();
    ledger.stuck.set('te-kexp01-1', 'Device or resource busy');
    const report = await janitor({ now: NOW }, env);
    expect(report.runs[0]!.remaining).toHaveLength(1);
    expect(janitorText(report)).toContain(
      '  left: netns te-kexp01-1: Device or resource busy; delete with: delete te-kexp01-1 by hand',
    );
  });
});

describe('which providers the janitor asks', () => {
  const base = () => ({ logger: memoryLogger(), home: emptyHome() });

  it('without cloud credentials: local only, each cloud skipped saying how to give them', () => {
    const r = janitorProviders({ regions: ['us-east-1'] }, { ...base(), env: {} });
    expect(r.sweeps).toEqual([{ provider: 'local' }]);
    expect(r.skipped).toEqual([
      {
        provider: 'aws',
        reason: expect.stringMatching(/^no AWS credentials found \(give the aws-access-key-id/),
      },
      {
        provider: 'gcp',
        reason: expect.stringMatching(/^no GCP credentials found \(give the gcp-credentials/),
      },
      {
        provider: 'azure',
        reason: expect.stringMatching(/^no Azure credentials found \(give the azure-credentials/),
      },
    ]);
  });

  it('GCP and Azure are searched when their credentials are given (inputs or environment)', () => {
    const inputs = janitorProviders(
      {},
      {
        ...base(),
        env: {},
        credentials: {
          gcpCredentials: FAKE_CREDENTIALS['gcp-credentials'],
          azureCredentials: FAKE_CREDENTIALS['azure-credentials'],
        },
      },
    );
    expect(inputs.sweeps.map((s) => s.provider)).toEqual(['local', 'gcp', 'azure']);
    const env = janitorProviders(
      {},
      {
        ...base(),
        env: { AZURE_CLIENT_ID: 'id', AZURE_TENANT_ID: 'tenant', AZURE_CLIENT_SECRET: 'secret' },
      },
    );
    expect(env.sweeps.map((s) => s.provider)).toEqual(['local', 'azure']);
  });

  it('AWS regions: --region first, else the site file, else AWS_REGION; none at all is a skip', () => {
    const env = { ...AWS_KEYS, AWS_REGION: 'ap-south-1' };
    const sites = plan(
      'sites:\n  - { name: east, provider: aws, region: us-east-1 }\n  - { name: west, provider: aws, region: eu-west-1 }\n',
    );
    const aws = (o: Parameters<typeof janitorProviders>[0], e: NodeJS.ProcessEnv) =>
      janitorProviders(o, { ...base(), env: e });
    expect(aws({ regions: ['us-west-2'], plan: sites }, env).sweeps[1]).toEqual({
      provider: 'aws',
      regions: ['us-west-2'],
    });
    expect(aws({ plan: sites }, env).sweeps[1]).toEqual({
      provider: 'aws',
      regions: ['us-east-1', 'eu-west-1'],
    });
    expect(aws({}, env).sweeps[1]).toEqual({ provider: 'aws', regions: ['ap-south-1'] });
    expect(aws({}, { ...AWS_KEYS }).skipped.find((x) => x.provider === 'aws')!.reason).toBe(
      'AWS credentials found (AWS_ACCESS_KEY_ID) but no region to search; pass --region, a site file with aws sites, or set AWS_REGION',
    );
    // the action's key inputs count as credentials
    expect(
      janitorProviders(
        { regions: ['us-east-1'] },
        {
          ...base(),
          env: {},
          credentials: { awsKeys: { accessKeyId: 'a', secretAccessKey: 'b' } },
        },
      ).sweeps.map((s) => s.provider),
    ).toEqual(['local', 'aws']);
  });

  it('static hosts are searched only with a site file naming them', () => {
    const withStatic = plan(
      'sites:\n  - { name: east, provider: local }\n  - name: onprem\n    provider: static\n    cidrs: { underlay: 192.168.10.0/24 }\n    hosts: [{ address: 192.0.2.10, private-address: 192.168.10.10, role: master, user: centos }]\n',
    );
    const r = janitorProviders({ plan: withStatic }, { ...base(), env: {} });
    expect(r.sweeps.map((s) => s.provider)).toEqual(['local', 'static']);
  });
});

describe('janitor on AWS (the EC2 fake at the SDK transport)', () => {
  let f: AwsFixture | undefined;
  afterEach(async () => {
    await f?.cleanup();
    f = undefined;
  });

  it('deletes every resource of the expired run in its region and leaves the live run', async () => {
    f = awsFixture();
    const p = plan(
      `ttl: 3h\nsites:\n  - { name: east, provider: aws, region: us-east-1, nodes: { workers: 1 } }\n  - { name: west, provider: aws, region: eu-west-1, nodes: { workers: 1 } }\n`,
    );
    const now = new Date(f.clock.now());
    const provider = f.provider();
    const ctx = (runId: string, expiresAt: Date) => {
      const stateDir = tempDir(`te-janitor-${runId}-`);
      dirs.push(stateDir);
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(join(stateDir, '.keep'), '');
      return {
        runId,
        expiresAt,
        repo: 'octo-org/repo',
        sshPublicKey: RUN_KEY,
        stateDir,
        logger: memoryLogger(),
        signal: new AbortController().signal,
        recordResource: async () => {},
      };
    };
    await provider.preflight(p.sites, p, ctx('kjan01', now));
    await provider.provision(p.sites[0]!, p, ctx('kjan01', new Date(now.getTime() - 3600_000)));
    await provider.provision(p.sites[0]!, p, ctx('kjan02', new Date(now.getTime() + 3600_000)));
    const tagged = async (runId: string) =>
      (await f!.inventory()).filter((i) => i.tags[TAG_RUN_ID] === runId);
    expect((await tagged('kjan01')).length).toBeGreaterThan(0);
    const alive = (await tagged('kjan02')).map((i) => i.id).sort();

    const report = await janitor(
      { now, regions: ['us-east-1', 'eu-west-1'] },
      {
        logger: memoryLogger(),
        env: { ...AWS_KEYS },
        home: emptyHome(),
        providers: async (name) => (name === 'aws' ? provider : new Ledger().provider(name)),
      },
    );
    expect(report.skipped.map((x) => x.provider)).toEqual(['gcp', 'azure']);
    expect(report.runs.map((r) => [r.provider, r.runId, r.why])).toEqual([
      ['aws', 'kjan01', 'expired'],
    ]);
    expect(report.runs[0]!.remaining).toEqual([]);
    expect(report.runs[0]!.deleted.map((r) => r.region)).toEqual(
      expect.arrayContaining(['us-east-1']),
    );
    expect(await tagged('kjan01')).toEqual([]);
    expect((await tagged('kjan02')).map((i) => i.id).sort()).toEqual(alive);
  });
});
