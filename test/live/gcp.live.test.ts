/**
 * Live GCP: provisions the smallest two-host site (a master and the edge VM,
 * e2-small, Rocky Linux 9) in one zone, reaches both over SSH with the host
 * keys from the guest attributes, destroys the run and checks that nothing
 * named and labelled with its run id is left. Runs only when GCP credentials
 * are visible (GOOGLE_APPLICATION_CREDENTIALS or gcloud's application-default
 * login) and a project is known (GOOGLE_CLOUD_PROJECT, or the key's
 * project_id); otherwise it is skipped and says so. Zone: GCP_ZONE, else
 * us-central1-a. Cost: two e2-small for a few minutes (well under $0.01).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { streamLogger } from '../../src/log.js';
import { systemClock } from '../../src/providers/cloud/clock.js';
import { DEFAULT_RETRY_POLICY } from '../../src/providers/cloud/retry.js';
import { GcpApi } from '../../src/providers/gcp/api.js';
import { gcpClientFactory, gcpCredentialSource } from '../../src/providers/gcp/client.js';
import { GcpProvider } from '../../src/providers/gcp/provider.js';
import { findTagged, nameFilter } from '../../src/providers/gcp/teardown.js';
import { HostKeyStore } from '../../src/remote/hostKeys.js';
import { RemotePool } from '../../src/remote/pool.js';
import { newRunId } from '../../src/state/runState.js';
import { testKeyPair } from '../providers/keys.js';
import { livePlan, provisionAndReach, reportLeftBehind } from './liveSite.js';

const source = gcpCredentialSource();
const skipWhy = source
  ? undefined
  : 'no GCP credentials (set GOOGLE_APPLICATION_CREDENTIALS and GOOGLE_CLOUD_PROJECT, or run gcloud auth application-default login)';
if (skipWhy) console.warn(`test/live/gcp.live.test.ts skipped: ${skipWhy}`);

const zone = process.env.GCP_ZONE ?? 'us-central1-a';
const region = zone.replace(/-[a-z]$/, '');
const logger = streamLogger((l) => process.stderr.write(`[gcp live] ${l}\n`), { verbose: true });
const op = () => ({ logger, signal: new AbortController().signal });

describe.skipIf(Boolean(skipWhy))(
  `GCP live in ${zone}${skipWhy ? ` (skipped: ${skipWhy})` : ` (credentials from ${source})`}`,
  () => {
    const runId = newRunId();
    const clients = gcpClientFactory();
    const key = testKeyPair(`tungsten-e2e-live-${runId}`);
    const pool = new RemotePool({
      privateKey: key.private,
      hostKeys: new HostKeyStore({ logger }),
      logger,
    });
    const provider = new GcpProvider({ clients, ssh: pool });
    const target = { runId, sites: [{ name: 'live', region, zone }] };

    afterAll(async () => {
      await pool.close();
      const report = await provider.destroy(target, op());
      reportLeftBehind('GCP', report);
      await (await clients()).close();
    }, 20 * 60_000);

    it(
      'provisions a master and an edge VM, reaches them over SSH, and leaves nothing of the run after destroy',
      async () => {
        const plan = livePlan({ provider: 'gcp', region, zone, type: 'e2-small', diskGib: 20 });
        await provisionAndReach(provider, plan, op(), { runId, sshPublicKey: key.public }, pool);
        const report = await provider.destroy(target, op());
        expect(report.remaining).toEqual([]);
        const api = new GcpApi(await clients(), {
          clock: systemClock,
          policy: DEFAULT_RETRY_POLICY,
          logger,
          operationMs: 600_000,
        });
        expect(await findTagged(api, nameFilter(runId), runId)).toEqual([]);
        expect(await provider.destroy(target, op())).toEqual({ deleted: [], remaining: [] });
      },
      30 * 60_000,
    );
  },
);
