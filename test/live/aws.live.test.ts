/**
 * Live AWS: provisions the smallest two-host site (a master and the edge VM,
 * t3.micro, Rocky Linux 9) in one region, reaches both over SSH with the
 * console-pinned host keys, destroys the run and checks that nothing tagged
 * with its run id is left. Runs only when AWS credentials are visible
 * (AWS_ACCESS_KEY_ID, AWS_PROFILE, a web identity token, or ~/.aws files);
 * otherwise it is skipped and says so. Region: AWS_REGION, else us-east-1.
 * Cost: two t3.micro for a few minutes (well under $0.01).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../src/config/load.js';
import { loadProfile } from '../../src/config/profile.js';
import { streamLogger } from '../../src/log.js';
import { buildPlan } from '../../src/plan/plan.js';
import { Ec2Api } from '../../src/providers/aws/api.js';
import { awsCredentialSource, ec2ClientFactory } from '../../src/providers/aws/client.js';
import { AwsProvider } from '../../src/providers/aws/provider.js';
import { findTagged, runFilter } from '../../src/providers/aws/teardown.js';
import { systemClock } from '../../src/providers/cloud/clock.js';
import { DEFAULT_RETRY_POLICY } from '../../src/providers/cloud/retry.js';
import { HostKeyStore } from '../../src/remote/hostKeys.js';
import { RemotePool } from '../../src/remote/pool.js';
import { newRunId } from '../../src/state/runState.js';
import { testKeyPair } from '../providers/keys.js';

const source = awsCredentialSource();
const skipWhy = source
  ? undefined
  : 'no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a web identity role)';
if (skipWhy) console.warn(`test/live/aws.live.test.ts skipped: ${skipWhy}`);

const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
const logger = streamLogger((l) => process.stderr.write(`[aws live] ${l}\n`), { verbose: true });
const op = () => ({ logger, signal: new AbortController().signal });

describe.skipIf(Boolean(skipWhy))(
  `AWS live in ${region}${skipWhy ? ` (skipped: ${skipWhy})` : ` (credentials from ${source})`}`,
  () => {
    const runId = newRunId();
    const clients = ec2ClientFactory();
    const key = testKeyPair(`tungsten-e2e-live-${runId}`);
    const pool = new RemotePool({
      privateKey: key.private,
      hostKeys: new HostKeyStore({ logger }),
      logger,
    });
    const provider = new AwsProvider({ clients, ssh: pool });
    const target = { runId, sites: [{ name: 'live', region }] };

    afterAll(async () => {
      await pool.close();
      // teardown whatever happened above; a second destroy is a no-op
      const report = await provider.destroy(target, op());
      if (report.remaining.length) {
        console.error(
          `LEFT BEHIND in ${region}:\n${report.remaining.map((r) => `${r.resource.kind} ${r.resource.id}: ${r.error}; ${r.howToDelete}`).join('\n')}`,
        );
      }
      for (const c of [clients(region)]) c.destroy();
    }, 20 * 60_000);

    it(
      'provisions a master and an edge VM, reaches them over SSH, and leaves nothing tagged after destroy',
      async () => {
        // the smallest machines: the provider's mechanics, not TF, are under test here
        const profile = structuredClone(loadProfile('opensdn-24'));
        for (const role of ['master', 'worker', 'edge'] as const) {
          profile.minimums[role] = { 'memory-gib': 1, 'disk-gib': 10 };
        }
        const text = JSON.stringify({
          profile: 'opensdn-24',
          sites: [
            {
              name: 'live',
              provider: 'aws',
              region,
              nodes: { workers: 0, 'master-type': 't3.micro', 'edge-type': 't3.micro' },
            },
            { name: 'peer', provider: 'local' },
          ],
        });
        const plan = buildPlan(parseSiteFile(text, 'aws-live.yml'), profile);
        const ctx = {
          ...op(),
          runId,
          expiresAt: new Date(Date.now() + 3600_000),
          repo: process.env.GITHUB_REPOSITORY ?? 'local/live-test',
          sshPublicKey: key.public,
          stateDir: '/tmp',
          recordResource: async () => {},
        };
        await provider.preflight(plan.sites, plan, ctx);
        const site = await provider.provision(plan.sites[0]!, plan, ctx);
        expect(site.hosts.map((h) => h.role)).toEqual(['master', 'edge']);
        for (const h of site.hosts) {
          const out = await pool.run(
            { name: h.name, host: h.ssh.host, port: h.ssh.port, user: h.ssh.user },
            ['ip', '-4', '-o', 'addr', 'show'],
          );
          expect(out.stdout).toContain(`inet ${h.privateAddress}/`);
        }

        const report = await provider.destroy(target, op());
        expect(report.remaining).toEqual([]);
        const api = new Ec2Api(clients(region), region, {
          clock: systemClock,
          policy: DEFAULT_RETRY_POLICY,
          logger,
        });
        expect(await findTagged(api, runFilter(runId))).toEqual([]);
        expect(await provider.destroy(target, op())).toEqual({ deleted: [], remaining: [] });
      },
      30 * 60_000,
    );
  },
);
