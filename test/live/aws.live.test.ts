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
import { streamLogger } from '../../src/log.js';
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
import { livePlan, provisionAndReach, reportLeftBehind } from './liveSite.js';

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
      reportLeftBehind(region, report);
      for (const c of [clients(region)]) c.destroy();
    }, 20 * 60_000);

    it(
      'provisions a master and an edge VM, reaches them over SSH, and leaves nothing tagged after destroy',
      async () => {
        const plan = livePlan({ provider: 'aws', region, type: 't3.micro', diskGib: 10 });
        await provisionAndReach(provider, plan, op(), { runId, sshPublicKey: key.public }, pool);

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
