import { describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../src/config/load.js';
import { loadProfile } from '../../src/config/profile.js';
import { UserError, UserErrors } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { backoffMs, CloudCallError, withRetry } from '../../src/providers/cloud/retry.js';
import type { RetryOptions } from '../../src/providers/cloud/retry.js';
import {
  checkSiteSizes,
  formatGiB,
  refuseUndersized,
  sizeTable,
} from '../../src/providers/cloud/sizes.js';
import { expiryOf, runTags } from '../../src/providers/cloud/tags.js';
import { ManualClock } from './manualClock.js';

class Throttled extends Error {
  code = 'Throttled';
}

const site = { provider: 'test', call: 'MakeThing', resource: 'thing t1', region: 'r1' };

function options(clock: ManualClock): RetryOptions {
  return {
    policy: { baseMs: 100, capMs: 1_000, deadlineMs: 10_000 },
    clock,
    classify: (e) => (e instanceof Throttled ? 'retry' : 'fail'),
    faultOf: (e) => ({ code: (e as Throttled).code ?? 'Other', message: (e as Error).message }),
  };
}

describe('withRetry', () => {
  it('retries throttling with growing, jittered delays and returns the answer', async () => {
    const clock = new ManualClock(0, () => 0.5);
    let calls = 0;
    const value = await withRetry(
      site,
      async () => {
        calls++;
        if (calls <= 4) throw new Throttled('slow down');
        return 'made';
      },
      options(clock),
    );
    expect(value).toBe('made');
    expect(clock.sleeps).toEqual([50, 100, 200, 400]);
  });

  it('fails at once on an error that is not retryable, naming call, resource and the message', async () => {
    const clock = new ManualClock(0);
    const e = await withRetry(
      site,
      async () => {
        throw Object.assign(new Error('no such thing'), { code: 'NotFound' });
      },
      options(clock),
    ).catch((x: unknown) => x as CloudCallError);
    expect(e).toBeInstanceOf(CloudCallError);
    expect(e.message).toBe('test MakeThing for thing t1 in r1 failed: NotFound: no such thing');
    expect(clock.sleeps).toEqual([]);
  });

  it('gives up once the next wait would pass the deadline', async () => {
    const clock = new ManualClock(0, () => 0.9);
    const e = await withRetry(
      site,
      async () => {
        throw new Throttled('Rate exceeded');
      },
      options(clock),
    ).catch((x: unknown) => x as CloudCallError);
    expect(e.gaveUp).toBe(true);
    expect(clock.now()).toBeLessThanOrEqual(10_000);
    expect(clock.now()).toBeGreaterThan(10_000 - 1_000);
    expect(e.message).toMatch(
      /^test MakeThing for thing t1 in r1 gave up after \d+ attempts over \d+\.\d s, the last answer being Throttled: Rate exceeded \(it is throttling or unavailable, so try again later\)\.$/,
    );
  });

  it('keeps the backoff ceiling at the cap', () => {
    const top = () => 0.999999;
    const ceilings = [0, 1, 2, 3, 4, 5, 40].map((n) =>
      backoffMs({ baseMs: 100, capMs: 1_000, deadlineMs: 1 }, n, top),
    );
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(backoffMs({ baseMs: 100, capMs: 1_000, deadlineMs: 1 }, 3, () => 0)).toBe(0);
  });
});

describe('tags', () => {
  it('carry run id, ISO expiry, site, repo and Name', () => {
    const tags = runTags(
      { runId: 'abc123', expiresAt: new Date('2030-01-01T03:00:00Z'), repo: 'o/r' },
      'east',
      'te-abc123-east-vpc',
    );
    expect(tags).toEqual({
      Name: 'te-abc123-east-vpc',
      'tungsten-e2e:run-id': 'abc123',
      'tungsten-e2e:expires-at': '2030-01-01T03:00:00.000Z',
      'tungsten-e2e:site': 'east',
      'tungsten-e2e:repo': 'o/r',
    });
    expect(expiryOf(tags)?.toISOString()).toBe('2030-01-01T03:00:00.000Z');
    expect(expiryOf({ 'tungsten-e2e:expires-at': 'soon' })).toBeUndefined();
  });
});

describe('sizes against the minimums', () => {
  const plan = buildPlan(
    parseSiteFile(
      JSON.stringify({
        sites: [
          {
            name: 'east',
            provider: 'aws',
            region: 'us-east-1',
            nodes: { workers: 1, 'master-type': 'm5.large', 'worker-type': 'c5.xlarge' },
          },
          { name: 'west', provider: 'local' },
        ],
      }),
      's.yml',
    ),
    loadProfile('tf-2018'),
  );
  const catalogue = new Map([
    ['m5.large', { name: 'm5.large', memoryMiB: 8192, vcpus: 2 }],
    ['c5.xlarge', { name: 'c5.xlarge', memoryMiB: 8192, vcpus: 4 }],
    ['t3.small', { name: 't3.small', memoryMiB: 2048, vcpus: 2 }],
  ]);
  const checks = checkSiteSizes(
    plan.sites[0]!,
    plan,
    catalogue,
    { cloud: 'AWS', call: 'DescribeInstanceTypes' },
    (role) => plan.profile.minimums[role]['disk-gib'],
  );

  it('refuses each undersized role with its real memory, naming the field to change', () => {
    expect(checks.map((c) => c.ok)).toEqual([false, false, true]);
    expect(checks[0]!.problem).toBe(
      'site "east": sites[0].nodes.master-type m5.large has 8 GiB of memory (AWS DescribeInstanceTypes: 8192 MiB), below profile tf-2018\'s minimum of 32 GiB for a master; choose a type with at least 32 GiB (the profile\'s default is m5.2xlarge).',
    );
    const e = (() => {
      try {
        refuseUndersized(checks);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(UserErrors);
    expect((e as UserErrors).errors.map((x) => x.message)).toEqual([
      checks[0]!.problem,
      checks[1]!.problem,
    ]);
    expect(() => refuseUndersized([checks[2]!])).not.toThrow();
    expect(() => refuseUndersized([checks[0]!])).toThrow(UserError);
  });

  it('prints a table row per role', () => {
    const rows = sizeTable(checks);
    expect(rows[2]).toContain('t3.small');
    expect(rows[2]).toContain('2 vCPU, 2 GiB memory, 8 GiB boot disk: ok');
    expect(rows[0]).toContain('REFUSED');
    expect(formatGiB(15.25 * 1024)).toBe('15.25 GiB');
  });
});
