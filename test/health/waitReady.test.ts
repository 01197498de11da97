import { readFileSync } from 'node:fs';
import { TEST_TIMINGS } from '../support/idleFabric.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeOf } from '../../src/errors.js';
import type { Fabric, FabricSite, RemediationAction } from '../../src/fabric/fabric.js';
import { ReadinessError, waitReady, type WaitReadyOptions } from '../../src/health/waitReady.js';
import type { RemediationRecord } from '../../src/report/model.js';
import { localSites, testContext } from '../support/sites.js';
import { virtualClock } from '../support/virtualClock.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../fixtures/contrail-status', name), 'utf8');

const HEALTHY = fixture('healthy-opensdn-24.txt');
const RACE = fixture('demo-race.txt');
const WORKER_OK = '== Contrail vrouter ==\nnodemgr: active\nagent: active\n';
const STARTING = [
  '== Contrail control ==',
  'control: initializing',
  'nodemgr: active',
  '== Contrail vrouter ==',
  'agent: initializing (XMPP:control-node:172.16.0.10 connection down)',
  '',
].join('\n');

/** What a site's contrail-status shows, given the time since start and the steps taken so far. */
type Script = (t: {
  sinceStartMs: number;
  steps: { action: RemediationAction; atMs: number }[];
}) => Record<string, string> | Error;

/**
 * A test double of our Fabric seam (only status and remediate are used): each
 * site's status text follows a script that reacts to remediate() calls, the
 * way a real control node does when its pod is deleted.
 */
function scriptedFabric(
  clock: { now(): number },
  scripts: Record<string, Script>,
  failing: Partial<Record<RemediationAction, string>> = {},
) {
  const start = clock.now();
  const steps: Record<string, { action: RemediationAction; atMs: number }[]> = {};
  const calls: string[] = [];
  const notUsed = () => Promise.reject(new Error('not used by waitReady'));
  const fabric: Fabric = {
    name: 'emulated',
    timings: TEST_TIMINGS,
    install: notUsed,
    peer: notUsed,
    deployWorkloads: notUsed,
    applyIsolation: notUsed,
    probe: notUsed,
    status: (site: FabricSite) => {
      const name = site.plan.name;
      const out = scripts[name]!({ sinceStartMs: clock.now() - start, steps: steps[name] ?? [] });
      calls.push(`status ${name}`);
      return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
    },
    remediate: (site: FabricSite, action: RemediationAction) => {
      const name = site.plan.name;
      calls.push(`remediate ${name} ${action}`);
      if (failing[action]) return Promise.reject(new Error(failing[action]));
      (steps[name] ??= []).push({ action, atMs: clock.now() - start });
      return Promise.resolve();
    },
  };
  return { fabric, calls, steps };
}

const hosts = (site: string, master: string, worker = WORKER_OK) => ({
  [`${site}-master`]: master,
  [`${site}-worker-1`]: worker,
});

/** healthy after a normal start: initializing (with XMPP briefly down) for 20 s */
const normalStart =
  (site: string): Script =>
  ({ sinceStartMs }) =>
    sinceStartMs < 20_000 ? hosts(site, STARTING) : hosts(site, HEALTHY);

/** the demo's race until a step of the given kind, then 30 s of restart, then healthy */
const raceClearedBy =
  (site: string, cure: RemediationAction): Script =>
  ({ sinceStartMs, steps }) => {
    const cured = steps.find((s) => s.action === cure);
    if (!cured) return hosts(site, RACE);
    return sinceStartMs - cured.atMs < 30_000 ? hosts(site, STARTING) : hosts(site, HEALTHY);
  };

const neverClears =
  (site: string): Script =>
  () =>
    hosts(site, RACE);

function setup(scripts: (names: string[]) => Record<string, Script>, failing = {}) {
  const { plan, sites } = localSites(['east', 'west']);
  const clock = virtualClock();
  const { ctx, logger } = testContext(plan);
  const scripted = scriptedFabric(clock, scripts(['east', 'west']), failing);
  const options: WaitReadyOptions = {
    timeoutMs: 20 * 60_000,
    raceRetries: 3,
    pollIntervalMs: 5_000,
    raceGraceMs: 60_000,
    progressEveryMs: 30_000,
    clock,
  };
  return { plan, sites, clock, ctx, logger, ...scripted, options };
}

async function rejection(p: Promise<unknown>): Promise<ReadinessError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ReadinessError) return e;
    throw e;
  }
  throw new Error('expected waitReady to fail');
}

describe('waitReady', () => {
  it('waits through a normal start without remediating, reporting which service is not ready', async () => {
    const t = setup(() => ({ east: normalStart('east'), west: normalStart('west') }));
    const result = await waitReady(t.fabric, t.sites, t.ctx, t.options);
    expect(result.remediations).toEqual([]);
    expect(result.sites.map((s) => [s.site, s.elapsedMs])).toEqual([
      ['east', 20_000],
      ['west', 20_000],
    ]);
    expect(t.calls.filter((c) => c.startsWith('remediate'))).toEqual([]);
    expect(t.logger.lines).toContain(
      'info:ready: east not ready after 0s: east-master control/control: initializing, east-master vrouter/agent: initializing (XMPP:control-node:172.16.0.10 connection down)',
    );
    expect(t.logger.lines).toContain('info:ready: west ready after 20s');
  });

  it('control-race on one site: one step (delete control pod), recorded resolved, everything ready', async () => {
    const seen: RemediationRecord[] = [];
    const t = setup(() => ({
      east: normalStart('east'),
      west: raceClearedBy('west', 'delete-control-pod'),
    }));
    const result = await waitReady(t.fabric, t.sites, t.ctx, {
      ...t.options,
      onRemediation: (r) => {
        seen.push(r);
      },
    });
    expect(result.remediations).toEqual([
      {
        site: 'west',
        problem:
          'control: initializing (No BGP configuration for self); agent: initializing (XMPP:control-node:10.177.192.154 connection down, No Configuration for self)',
        action: 'delete control pod',
        attempt: 1,
        at: '2026-01-01T00:01:00.000Z',
        resolved: true,
      },
    ]);
    expect(seen).toEqual(result.remediations);
    expect(t.calls.filter((c) => c.startsWith('remediate'))).toEqual([
      'remediate west delete-control-pod',
    ]);
    // race seen at 0 s, step after the 60 s grace, ready 30 s after the step
    expect(result.sites.find((s) => s.site === 'west')!.elapsedMs).toBe(90_000);
    expect(
      t.logger.lines.some((l) => /^warn:ready: west: control-node race for 1m00s/.test(l)),
    ).toBe(true);
    expect(t.logger.lines.filter((l) => l.includes('not ready after')).length).toBeGreaterThan(2);
  });

  it('takes ladder step 2 (provision bgp-router) when deleting the pod did not help', async () => {
    const t = setup(() => ({
      east: normalStart('east'),
      west: raceClearedBy('west', 'provision-bgp-router'),
    }));
    const result = await waitReady(t.fabric, t.sites, t.ctx, t.options);
    expect(result.remediations.map((r) => [r.action, r.attempt, r.resolved])).toEqual([
      ['delete control pod', 1, false],
      ['provision bgp-router', 2, true],
    ]);
    expect(result.remediations[0]!.detail).toMatch(/^the race still showed 1m00s later: control:/);
  });

  it('negative control: a race that never clears exhausts race-retries and fails with exit 3 and the status text', async () => {
    const t = setup(() => ({ east: normalStart('east'), west: neverClears('west') }));
    const err = await rejection(waitReady(t.fabric, t.sites, t.ctx, t.options));
    expect(exitCodeOf(err)).toBe(ExitCode.infrastructure);
    expect(err.exitCode).toBe(3);
    expect(err.failures).toHaveLength(1);
    expect(err.failures[0]).toMatchObject({ site: 'west', reason: 'race-exhausted' });
    expect(err.message).toMatch(
      /^site west: the control-node race \(control: initializing \(No BGP configuration for self\);.*\) persisted after 3 remediation steps \(race-retries 3\)/,
    );
    expect(err.statusText).toContain('--- west-master ---\n== Contrail control ==');
    expect(err.statusText).toContain('control: initializing (No BGP configuration for self)');
    expect(err.message).toContain(err.statusText);
    expect(err.remediations.map((r) => [r.site, r.action, r.attempt, r.resolved])).toEqual([
      ['west', 'delete control pod', 1, false],
      ['west', 'provision bgp-router', 2, false],
      ['west', 'delete control pod', 3, false],
    ]);
    expect(err.remediations[2]!.detail).toMatch(/^the race still showed 1m00s later: control:/);
  });

  it('with race-retries 0 fails after the grace period without a step', async () => {
    const t = setup(() => ({ east: normalStart('east'), west: neverClears('west') }));
    const err = await rejection(
      waitReady(t.fabric, t.sites, t.ctx, { ...t.options, raceRetries: 0 }),
    );
    expect(err.remediations).toEqual([]);
    expect(err.message).toContain('persisted after 0 remediation steps');
    expect(t.clock.now() - Date.parse('2026-01-01T00:00:00Z')).toBe(60_000);
  });

  it('fails at the deadline with the problem services when a site never gets ready', async () => {
    const t = setup(() => ({
      east: normalStart('east'),
      west: () => hosts('west', fixture('timeout.txt')),
    }));
    const err = await rejection(
      waitReady(t.fabric, t.sites, t.ctx, { ...t.options, timeoutMs: 5 * 60_000 }),
    );
    expect(err.failures[0]).toMatchObject({ site: 'west', reason: 'timeout' });
    expect(err.message).toMatch(
      /^site west not ready after 5m00s: west-master control\/control: timeout, west-master control\/dns: timeout/,
    );
    expect(err.remediations).toEqual([]);
  });

  it("takes the run's profile tolerations by default: a healthy 2018 master is ready under tf-2018, not under opensdn-24", async () => {
    const healthy2018: Script = () => ({ 'east-master': fixture('healthy-tf-2018.txt') });
    const t = setup(() => ({ east: healthy2018, west: normalStart('west') }));
    expect(t.ctx.plan.profile.name).toBe('tf-2018');
    const result = await waitReady(t.fabric, t.sites, t.ctx, t.options);
    expect(result.sites.find((s) => s.site === 'east')?.tolerated).toEqual([
      'east-master zookeeper: inactive',
    ]);

    // negative control: the same output under another profile's tolerations never gets ready
    const u = setup(() => ({ east: healthy2018, west: normalStart('west') }));
    const opensdn = {
      ...u.ctx,
      plan: { ...u.ctx.plan, profile: { ...u.ctx.plan.profile, name: 'opensdn-24' } },
    };
    const err = await rejection(
      waitReady(u.fabric, u.sites, opensdn, { ...u.options, timeoutMs: 60_000 }),
    );
    expect(err.failures[0]).toMatchObject({ site: 'east', reason: 'timeout' });
    expect(err.message).toContain('east-master database/zookeeper: inactive');
  });
  it("adds the site file's health.tolerate to the profile's: a state it names no longer keeps the site from ready", async () => {
    const collectorDown =
      HEALTHY + '== Contrail analytics ==\ncollector: initializing (Collector connection down)\n';
    const withCollector: Script = () => ({
      'east-master': collectorDown,
      'east-worker-1': WORKER_OK,
    });
    const tolerate = [
      {
        pod: 'analytics',
        service: 'collector',
        detail: 'Collector connection down',
        reason: 'no analytics in this test',
      },
    ];
    const t = setup(() => ({ east: withCollector, west: normalStart('west') }));
    const declared = { ...t.ctx, plan: { ...t.ctx.plan, health: { tolerate } } };
    const result = await waitReady(t.fabric, t.sites, declared, t.options);
    expect(result.sites.find((s) => s.site === 'east')?.tolerated).toContain(
      'east-master collector: initializing (Collector connection down)',
    );

    // negative control: without the declaration the same output never gets ready
    const u = setup(() => ({ east: withCollector, west: normalStart('west') }));
    const err = await rejection(
      waitReady(u.fabric, u.sites, u.ctx, { ...u.options, timeoutMs: 60_000 }),
    );
    expect(err.failures[0]).toMatchObject({ site: 'east', reason: 'timeout' });
    expect(err.message).toContain('east-master analytics/collector: initializing');
  });

  it('records a step that itself failed and goes on to the next one', async () => {
    const t = setup(
      () => ({ east: normalStart('east'), west: raceClearedBy('west', 'provision-bgp-router') }),
      { 'delete-control-pod': 'kubectl: connection refused' },
    );
    const result = await waitReady(t.fabric, t.sites, t.ctx, t.options);
    expect(result.remediations).toMatchObject([
      {
        action: 'delete control pod',
        attempt: 1,
        resolved: false,
        detail: 'the step failed: kubectl: connection refused',
      },
      { action: 'provision bgp-router', attempt: 2, resolved: true },
    ]);
  });

  it('keeps polling when reading the status fails for a while', async () => {
    const t = setup(() => ({
      east: normalStart('east'),
      west: ({ sinceStartMs }) =>
        sinceStartMs < 15_000 ? new Error('ssh: connection reset') : hosts('west', HEALTHY),
    }));
    const result = await waitReady(t.fabric, t.sites, t.ctx, t.options);
    expect(result.sites.find((s) => s.site === 'west')!.elapsedMs).toBe(15_000);
    expect(t.logger.lines).toContain(
      'info:ready: west not ready after 0s: west: status failed: ssh: connection reset',
    );
  });

  it('reports lines it does not understand once, and tolerated services when ready', async () => {
    const t = setup(() => ({
      east: () => hosts('east', `bash: warning: setlocale\n${fixture('ntp-unsynchronized.txt')}`),
      west: normalStart('west'),
    }));
    await waitReady(t.fabric, t.sites, t.ctx, t.options);
    expect(t.logger.lines.filter((l) => l.includes('not understood'))).toEqual([
      'warn:ready: east-master: contrail-status line 1 not understood: bash: warning: setlocale',
    ]);
    expect(t.logger.lines.find((l) => l.startsWith('info:ready: east ready'))).toContain(
      'tolerated: east-master nodemgr: initializing (NTP state unsynchronized. )',
    );
  });

  it('stops the other sites when one fails, without waiting for their deadline', async () => {
    const t = setup(() => ({
      east: () => hosts('east', fixture('timeout.txt')),
      west: neverClears('west'),
    }));
    const err = await rejection(
      waitReady(t.fabric, t.sites, t.ctx, { ...t.options, raceRetries: 1 }),
    );
    expect(err.failures.map((f) => f.site)).toEqual(['west']);
    expect(t.clock.now() - Date.parse('2026-01-01T00:00:00Z')).toBeLessThan(5 * 60_000);
  });

  it('stops when the run is cancelled', async () => {
    const t = setup(() => ({ east: neverClears('east'), west: neverClears('west') }));
    const controller = new AbortController();
    const ctx = { ...t.ctx, signal: controller.signal };
    const p = waitReady(t.fabric, t.sites, ctx, t.options);
    controller.abort(new Error('cancelled by the user'));
    await expect(p).rejects.toThrow('cancelled by the user');
  });
});
