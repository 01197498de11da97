/**
 * Live whole runs: for each cloud pair the README lists, `run` with its
 * example site file (VMs, the tungsten fabric's install, WireGuard between
 * the edges, BGP through TF's config API, the suites, the report, teardown)
 * must pass and leave nothing behind. A pair runs only when both clouds'
 * credentials are visible and TE_LIVE_RUNS=1 is set (a run costs about a
 * dollar and most of an hour); otherwise it is skipped and says why. Its
 * results directory (results.json, results.md, junit.xml, the hosts'
 * transcripts) is kept in TE_LIVE_RESULTS (default ./tungsten-e2e-live) for
 * the workflow to upload.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamLogger } from '../../src/log.js';
import { runAndReport } from '../../src/pipeline/testRun.js';
import { awsCredentialSource } from '../../src/providers/aws/credentials.js';
import { azureCredentialSource } from '../../src/providers/azure/client.js';
import { gcpCredentialSource } from '../../src/providers/gcp/client.js';

type Cloud = 'aws' | 'gcp' | 'azure';
const SOURCES: Record<Cloud, () => string | undefined> = {
  aws: () => awsCredentialSource(),
  gcp: () => gcpCredentialSource(),
  azure: () => azureCredentialSource(),
};

const PAIRS: { file: string; clouds: Cloud[] }[] = [
  { file: 'examples/aws-azure.yml', clouds: ['aws', 'azure'] },
  { file: 'examples/gcp-azure.yml', clouds: ['gcp', 'azure'] },
  { file: 'examples/opensdn-aws-gcp.yml', clouds: ['aws', 'gcp'] },
];

const resultsRoot = resolve(process.env.TE_LIVE_RESULTS ?? 'tungsten-e2e-live');

for (const pair of PAIRS) {
  const missing = pair.clouds.filter((c) => !SOURCES[c]());
  const skipWhy =
    missing.length > 0
      ? `no ${missing.join(' or ')} credentials`
      : process.env.TE_LIVE_RUNS !== '1'
        ? 'TE_LIVE_RUNS=1 is not set (a whole run costs about a dollar)'
        : undefined;
  if (skipWhy) console.warn(`test/live/run.live.test.ts ${pair.file} skipped: ${skipWhy}`);
  describe.skipIf(Boolean(skipWhy))(
    `live run of ${pair.file}${skipWhy ? ` (skipped: ${skipWhy})` : ''}`,
    () => {
      it(
        'passes every check and leaves nothing behind',
        async () => {
          const name = pair.file.replace(/^examples\/|\.yml$/g, '');
          const logger = streamLogger((l) => process.stderr.write(`[${name} live] ${l}\n`), {
            verbose: true,
          });
          const report = await runAndReport(
            { sites: pair.file, resultsDir: join(resultsRoot, name), teardown: 'always' },
            { logger },
          );
          expect(report.results.error).toBeUndefined();
          expect(report.results.totals.fail).toBe(0);
          expect(report.results.tunnels.every((t) => t.handshake && t.txBytes > 0)).toBe(true);
          expect(report.teardown?.complete).toBe(true);
          expect(report.exitCode).toBe(0);
        },
        3 * 60 * 60 * 1000,
      );
    },
  );
}
