/**
 * Live Azure: provisions the smallest two-host site (a master and the edge
 * VM, Standard_B2s, Rocky Linux 9 from the Marketplace — accept its terms
 * once, docs/azure.md) in one location, reaches both over SSH with the host
 * keys from the serial log, destroys the run and checks that no resource
 * group or resource tagged with its run id is left. Runs only when Azure
 * credentials are visible (AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or
 * AZURE_FEDERATED_TOKEN_FILE, or an az login) and AZURE_SUBSCRIPTION_ID is
 * set; otherwise it is skipped and says so. Location: AZURE_LOCATION, else
 * westeurope. Cost: two Standard_B2s for several minutes (a few cents).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { streamLogger } from '../../src/log.js';
import { AzureApi } from '../../src/providers/azure/api.js';
import { azureClientFactory, azureCredentialSource } from '../../src/providers/azure/client.js';
import { AzureProvider } from '../../src/providers/azure/provider.js';
import { taggedGroups, taggedResources } from '../../src/providers/azure/teardown.js';
import { systemClock } from '../../src/providers/cloud/clock.js';
import { DEFAULT_RETRY_POLICY } from '../../src/providers/cloud/retry.js';
import { TAG_RUN_ID } from '../../src/providers/cloud/tags.js';
import { HostKeyStore } from '../../src/remote/hostKeys.js';
import { RemotePool } from '../../src/remote/pool.js';
import { newRunId } from '../../src/state/runState.js';
import { testKeyPair } from '../providers/keys.js';
import { livePlan, provisionAndReach, reportLeftBehind } from './liveSite.js';

const source = azureCredentialSource();
const skipWhy = !source
  ? 'no Azure credentials (set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET, or az login)'
  : !process.env.AZURE_SUBSCRIPTION_ID
    ? 'AZURE_SUBSCRIPTION_ID is not set'
    : undefined;
if (skipWhy) console.warn(`test/live/azure.live.test.ts skipped: ${skipWhy}`);

const location = process.env.AZURE_LOCATION ?? 'westeurope';
const logger = streamLogger((l) => process.stderr.write(`[azure live] ${l}\n`), { verbose: true });
const op = () => ({ logger, signal: new AbortController().signal });

describe.skipIf(Boolean(skipWhy))(
  `Azure live in ${location}${skipWhy ? ` (skipped: ${skipWhy})` : ` (credentials from ${source})`}`,
  () => {
    const runId = newRunId();
    const clients = azureClientFactory();
    const key = testKeyPair(`tungsten-e2e-live-${runId}`);
    const pool = new RemotePool({
      privateKey: key.private,
      hostKeys: new HostKeyStore({ logger }),
      logger,
    });
    const provider = new AzureProvider({ clients, ssh: pool });
    const target = { runId, sites: [{ name: 'live', region: location }] };

    afterAll(async () => {
      await pool.close();
      const report = await provider.destroy(target, op());
      reportLeftBehind('Azure', report);
    }, 30 * 60_000);

    it(
      'provisions a master and an edge VM, reaches them over SSH, and leaves nothing tagged after destroy',
      async () => {
        const plan = livePlan({
          provider: 'azure',
          region: location,
          type: 'Standard_B2s',
          diskGib: 30,
        });
        await provisionAndReach(provider, plan, op(), { runId, sshPublicKey: key.public }, pool);
        const report = await provider.destroy(target, op());
        expect(report.remaining).toEqual([]);
        const api = new AzureApi(await clients(), {
          clock: systemClock,
          policy: DEFAULT_RETRY_POLICY,
          logger,
          operationMs: 900_000,
        });
        expect(await taggedGroups(api, TAG_RUN_ID, runId)).toEqual([]);
        expect(await taggedResources(api, TAG_RUN_ID, runId)).toEqual([]);
        expect(await provider.destroy(target, op())).toEqual({ deleted: [], remaining: [] });
      },
      40 * 60_000,
    );
  },
);
