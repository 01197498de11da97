/**
 * The Provider contract kit: one suite every provider must pass, for a
 * two-site plan. A provider plugs in with a small fixture (below): how to make
 * the provider against its (fake or real) world, what exists in that world,
 * and how to inject the world's faults. The kit talks to the provider only
 * through the Provider interface.
 *
 * Usage, in test/providers/<name>/<name>.contract.test.ts:
 *
 *   providerContract('aws', async () => awsFixture());
 *
 * Capabilities a provider cannot have (local has no quota, static no API to
 * throttle) are declared in `notApplicable` with the reason; the kit prints
 * them as skipped tests with that reason. A capability neither implemented nor
 * declared fails the suite.
 *
 * The least a fixture implements: provider(), site(), inventory(), mutations(),
 * orderViolations(), cleanup(). For a provider without cloud tags (local:
 * network namespaces, links, processes, files), inventory() derives the
 * canonical tags from what it finds: the run id and site from the names, the
 * expiry and repo from the run's marker, Name from the object's own name (it
 * must contain the run id and the site). Every item needs a site; a run-wide
 * object (the marker itself) may carry the first site's name. mutations() may
 * be a log of observed state changes when the world has no API to record.
 */
import { WIREGUARD_PORT } from '../../src/tunnel/wireguard.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../src/config/load.js';
import { loadProfile } from '../../src/config/profile.js';
import type { Profile } from '../../src/config/profile.js';
import { InfraError, UserError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { buildPlan } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';
import type {
  CreatedResource,
  Provider,
  ProviderContext,
  ProvisionedSite,
  TeardownTarget,
} from '../../src/providers/provider.js';
import {
  TAG_EXPIRES_AT,
  TAG_NAME,
  TAG_REPO,
  TAG_RUN_ID,
  TAG_SITE,
} from '../../src/providers/cloud/tags.js';
import type { RetryPolicy } from '../../src/providers/cloud/retry.js';
import { testKeyPair } from './keys.js';
import type { ManualClock } from './manualClock.js';

// ---------------------------------------------------------------------------
// The adapter a provider supplies

/** One thing that exists in the provider's world, with its tags under the canonical names. */
export interface InventoryItem {
  kind: string;
  id: string;
  /** `tungsten-e2e:run-id`, `tungsten-e2e:expires-at`, `tungsten-e2e:site`, `tungsten-e2e:repo`, `Name` */
  tags: Record<string, string>;
}

/** What a failure's message must contain: the call, the resource and the cloud's own message. */
export interface ExpectedFailure {
  mentions: string[];
  /** stop the fault (e.g. endless throttling) so teardown can run */
  heal?(): void;
}

/** An ingress rule in cloud-neutral form. */
export interface IngressRule {
  /** "tcp", "udp", "all", "gre", "esp" */
  protocol: string;
  from?: number;
  to?: number;
  /** the source range */
  source: string;
}

export type Capability =
  | 'quota'
  | 'serverError'
  | 'throttle'
  | 'vanish'
  | 'catalogue'
  | 'janitor'
  | 'firewall'
  | 'routes'
  | 'hostKeys';

export interface ProviderFixture {
  /** A provider wired to this fixture's world. Each call returns a new instance that shares only the world. */
  provider(): Provider;
  /** The kit's site `index` as a site-file entry without `name` (e.g. `{ provider: 'aws', region: 'us-east-1' }`). */
  site(index: 0 | 1): Record<string, unknown>;
  /** Everything that exists in the world now (gone and terminated things excluded). */
  inventory(): Promise<InventoryItem[]>;
  /** Operations that changed (or tried to change) the world so far, in the cloud's names. */
  mutations(): string[];
  /** Deletions the world refused because something still depended on the resource. */
  orderViolations(): string[];
  /** The profile the plan uses; e.g. a static fixture lowers the minimums to this machine's size. */
  profile?(): Profile;
  /** The clock the provider was given; retry tests read the delays from the log instead. */
  clock?: ManualClock;
  /** The backoff policy the provider was given (retry delays are checked against it). */
  retryPolicy?: RetryPolicy;
  /** What the janitor is told to search (regions, for clouds). */
  janitorScope?(): { regions?: string[] };

  /** The second machine create fails with the cloud's quota error. */
  quotaOnSecondInstance?(): ExpectedFailure;
  /** A call half way through provisioning answers HTTP 500 every time. */
  persistentServerError?(): ExpectedFailure;
  /** The next `times` calls are throttled; then one call answers HTTP 500 once. */
  throttleThenTransient?(times: number): void;
  /** Every call is throttled until healed. */
  throttleForever?(): ExpectedFailure;
  /** The next deletion of a resource finds it already gone (NotFound). */
  vanishOnNextDelete?(): void;
  /** A type the catalogue lists below the profile's master minimum, and its real memory as the message must show it. */
  undersizedMaster?: { type: string; memory: string };
  /** The ingress rules that apply to a site's role (after authorizeEdges). */
  ingress?(runId: string, site: string, role: 'master' | 'edge'): Promise<IngressRule[]>;
  /** Where the site's network sends each other site's underlay range: the edge's host name, or another target. */
  routes?(runId: string, site: string): Promise<Record<string, string>>;
  /** The host keys the world's machine printed, to compare with Host.hostKeys. */
  hostKeysOf?(runId: string, host: string): string[] | undefined;

  /** Capabilities the provider cannot have, with the reason printed in the skip. */
  notApplicable?: Partial<Record<Capability, string>>;
  /** Remove everything the fixture made (idempotent). */
  cleanup(): Promise<void>;
}

// ---------------------------------------------------------------------------
// The kit

const SITE_NAMES = ['east', 'west'] as const;
const REPO = 'octo-org/tungsten-e2e';

interface Run {
  runId: string;
  ctx: ProviderContext;
  recorded: CreatedResource[];
  logger: ReturnType<typeof memoryLogger>;
}

export function providerContract(
  name: string,
  makeFixture: () => Promise<ProviderFixture>,
  options: { timeoutMs?: number } = {},
): void {
  describe(`Provider contract: ${name}`, { timeout: options.timeoutMs ?? 30_000 }, () => {
    let fx: ProviderFixture | undefined;
    const runs: { runId: string; sites: TeardownTarget['sites'] }[] = [];
    const dirs: string[] = [];

    afterEach(async () => {
      // teardown of everything the test made, also when it failed half way
      if (fx) {
        for (const r of runs.splice(0)) {
          try {
            await fx.provider().destroy(r, opCtx());
          } catch {
            // the world may be broken on purpose; cleanup below removes it
          }
        }
        await fx.cleanup();
      }
      fx = undefined;
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    });

    const fixture = async () => {
      fx = await makeFixture();
      return fx;
    };

    const plan = (
      f: ProviderFixture,
      change: (sites: Record<string, unknown>[]) => void = () => {},
    ) => {
      const sites = SITE_NAMES.map((n, i) => {
        const entry = f.site(i as 0 | 1);
        // sites that list their hosts (static) have no nodes: section
        return { name: n, ...('hosts' in entry ? {} : { nodes: { workers: 1 } }), ...entry };
      });
      change(sites);
      const profile = f.profile?.() ?? loadProfile('tf-2018');
      const text = JSON.stringify({ profile: profile.name, ttl: '3h', sites });
      return buildPlan(parseSiteFile(text, `${name}-contract.yml`), profile);
    };

    const newRun = (p: Plan, expiresAt?: Date): Run => {
      const runId = `k${Math.random().toString(36).slice(2, 7).padEnd(5, '0')}`;
      const stateDir = mkdtempSync(join(tmpdir(), `te-contract-${runId}-`));
      dirs.push(stateDir);
      const recorded: CreatedResource[] = [];
      const logger = memoryLogger();
      const now = fx?.clock?.now() ?? Date.now();
      runs.push({
        runId,
        sites: p.sites.map((s) => ({
          name: s.name,
          ...(s.region ? { region: s.region } : {}),
          ...(s.zone ? { zone: s.zone } : {}),
        })),
      });
      return {
        runId,
        recorded,
        logger,
        ctx: {
          runId,
          expiresAt: expiresAt ?? new Date(now + p.ttlSeconds * 1000),
          repo: REPO,
          sshPublicKey: runPublicKey,
          stateDir,
          logger,
          signal: new AbortController().signal,
          recordResource: async (r) => {
            recorded.push(r);
          },
        },
      };
    };

    const target = (p: Plan, runId: string, only?: string): TeardownTarget => ({
      runId,
      sites: p.sites
        .filter((s) => !only || s.name === only)
        .map((s) => ({
          name: s.name,
          ...(s.region ? { region: s.region } : {}),
          ...(s.zone ? { zone: s.zone } : {}),
        })),
    });

    const provisionAll = async (f: ProviderFixture, p: Plan, run: Run) => {
      const provider = f.provider();
      await provider.preflight(p.sites, p, run.ctx);
      const out: ProvisionedSite[] = [];
      for (const s of p.sites) out.push(await provider.provision(s, p, run.ctx));
      return out;
    };

    const capability = (
      cap: Capability,
      title: string,
      has: (f: ProviderFixture) => boolean,
      body: (f: ProviderFixture) => Promise<void>,
    ) => {
      it(title, async (t) => {
        const f = await fixture();
        if (!has(f)) {
          const why = f.notApplicable?.[cap];
          if (!why) {
            throw new Error(
              `the ${name} fixture neither implements "${cap}" nor says in notApplicable why it cannot`,
            );
          }
          t.skip(`not applicable to ${name}: ${why}`);
          return;
        }
        await body(f);
      });
    };

    it('provisions both sites and returns every planned host', async () => {
      const f = await fixture();
      const p = plan(f);
      const run = newRun(p);
      const sites = await provisionAll(f, p, run);
      expect(sites.map((s) => s.name)).toEqual([...SITE_NAMES]);
      for (const [i, site] of sites.entries()) {
        const planned = p.sites[i]!;
        expect(site.provider).toBe(planned.provider);
        expect(site.hosts.map((h) => [h.name, h.role, h.privateAddress])).toEqual(
          planned.hosts.map((h) => [h.name, h.role, h.privateAddress]),
        );
        for (const h of site.hosts) {
          expect(h.site).toBe(site.name);
          expect(h.ssh.host).toBeTruthy();
          expect(h.ssh.port).toBeGreaterThan(0);
          expect(h.ssh.user).toMatch(/^[a-z_][a-z0-9_-]*$/);
          if (h.ssh.jumpHost) expect(site.hosts.map((x) => x.name)).toContain(h.ssh.jumpHost);
        }
      }
      expect(run.recorded.length).toBeGreaterThan(0);
      const ids = new Set((await f.inventory()).map((x) => x.id));
      for (const r of run.recorded)
        expect(ids.has(r.id), `${r.kind} ${r.id} recorded but not found`).toBe(true);
    });

    it('tags every resource with run id, expiry, site, repo and a readable Name', async () => {
      const f = await fixture();
      const p = plan(f);
      const run = newRun(p);
      await provisionAll(f, p, run);
      const items = await f.inventory();
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) {
        const what = `${item.kind} ${item.id}`;
        expect(item.tags[TAG_RUN_ID], what).toBe(run.runId);
        expect(item.tags[TAG_EXPIRES_AT], what).toBe(run.ctx.expiresAt.toISOString());
        expect(SITE_NAMES as readonly string[], what).toContain(item.tags[TAG_SITE]);
        expect(item.tags[TAG_REPO], what).toBe(REPO);
        expect(item.tags[TAG_NAME], what).toContain(item.tags[TAG_SITE]!);
        expect(item.tags[TAG_NAME], what).toContain(run.runId);
      }
      for (const s of SITE_NAMES) expect(items.some((i) => i.tags[TAG_SITE] === s)).toBe(true);
    });

    it('destroy finds everything by tag, deletes it in dependency order, and a second destroy is a no-op', async () => {
      const f = await fixture();
      const p = plan(f);
      const run = newRun(p);
      await provisionAll(f, p, run);
      const before = await f.inventory();
      // a new provider instance: nothing known but the run id and the sites
      const report = await f.provider().destroy(target(p, run.runId), opCtx());
      expect(report.remaining).toEqual([]);
      expect(await f.inventory()).toEqual([]);
      expect(f.orderViolations()).toEqual([]);
      const deleted = new Set(report.deleted.map((d) => d.id));
      for (const r of run.recorded)
        expect(deleted.has(r.id), `${r.kind} ${r.id} not reported deleted`).toBe(true);
      expect(before.length).toBeGreaterThanOrEqual(report.deleted.length);

      const mutationsBefore = f.mutations().length;
      const again = await f.provider().destroy(target(p, run.runId), opCtx());
      expect(again).toEqual({ deleted: [], remaining: [] });
      expect(f.mutations().slice(mutationsBefore)).toEqual([]);
    });

    capability(
      'vanish',
      'a resource already gone when deleted (NotFound) counts as done',
      (f) => Boolean(f.vanishOnNextDelete),
      async (f) => {
        const p = plan(f);
        const run = newRun(p);
        await provisionAll(f, p, run);
        f.vanishOnNextDelete!();
        const report = await f.provider().destroy(target(p, run.runId), opCtx());
        expect(report.remaining).toEqual([]);
        expect(await f.inventory()).toEqual([]);
      },
    );

    capability(
      'quota',
      'quota exceeded on the second instance: the error names call, resource and the cloud message; teardown leaves nothing',
      (f) => Boolean(f.quotaOnSecondInstance),
      async (f) => {
        const p = plan(f);
        const run = newRun(p);
        const expected = f.quotaOnSecondInstance!();
        const error = await provisionAll(f, p, run).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, 'provisioning should have failed').toBeInstanceOf(Error);
        for (const m of expected.mentions) expect((error as Error).message).toContain(m);
        expect(
          (await f.inventory()).length,
          'the first instance and the network exist',
        ).toBeGreaterThan(0);
        expected.heal?.();
        const report = await f.provider().destroy(target(p, run.runId), opCtx());
        expect(report.remaining).toEqual([]);
        expect(await f.inventory()).toEqual([]);
      },
    );

    capability(
      'serverError',
      'an API 500 half way that does not go away: the error names call, resource and the cloud message; teardown leaves nothing',
      (f) => Boolean(f.persistentServerError),
      async (f) => {
        const p = plan(f);
        const run = newRun(p);
        const expected = f.persistentServerError!();
        const error = await provisionAll(f, p, run).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(InfraError);
        for (const m of expected.mentions) expect((error as Error).message).toContain(m);
        expected.heal?.();
        const report = await f.provider().destroy(target(p, run.runId), opCtx());
        expect(report.remaining).toEqual([]);
        expect(await f.inventory()).toEqual([]);
      },
    );

    capability(
      'throttle',
      'throttling and a transient 500 are retried with exponential backoff and jitter',
      (f) => Boolean(f.throttleThenTransient && f.retryPolicy),
      async (f) => {
        const p = plan(f);
        const run = newRun(p);
        f.throttleThenTransient!(6);
        const sites = await provisionAll(f, p, run);
        expect(sites).toHaveLength(2);
        const retries = retryLines(run.logger.lines);
        expect(
          retries.length,
          'six throttled calls and one 500 were retried',
        ).toBeGreaterThanOrEqual(7);
        const policy = f.retryPolicy!;
        for (const r of retries) {
          expect(r.delayMs).toBeGreaterThanOrEqual(0);
          expect(r.delayMs).toBeLessThanOrEqual(
            Math.min(policy.capMs, policy.baseMs * 2 ** (r.attempt - 1)),
          );
        }
        // jitter: the delays are not the bare ceilings, and not all alike
        expect(new Set(retries.map((r) => r.delayMs)).size).toBeGreaterThan(1);
        expect(
          retries.some(
            (r) => r.delayMs < Math.min(policy.capMs, policy.baseMs * 2 ** (r.attempt - 1)),
          ),
        ).toBe(true);
        expect(
          retries.some((r) => r.attempt >= 2),
          'backoff went past the first retry',
        ).toBe(true);
      },
    );

    capability(
      'throttle',
      'endless throttling gives up after the deadline with a clear error; teardown leaves nothing',
      (f) => Boolean(f.throttleForever && f.retryPolicy),
      async (f) => {
        const p = plan(f);
        const run = newRun(p);
        const provider = f.provider();
        await provider.preflight(p.sites, p, run.ctx);
        const expected = f.throttleForever!();
        const started = f.clock?.now() ?? Date.now();
        const error = await provider.provision(p.sites[0]!, p, run.ctx).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(InfraError);
        for (const m of expected.mentions) expect((error as Error).message).toContain(m);
        expect((error as Error).message).toMatch(/gave up after \d+ attempts/);
        if (f.clock) {
          const elapsed = f.clock.now() - started;
          const policy = f.retryPolicy!;
          expect(elapsed).toBeLessThanOrEqual(policy.deadlineMs);
          expect(elapsed).toBeGreaterThanOrEqual(policy.deadlineMs - policy.capMs);
        }
        expected.heal?.();
        const report = await f.provider().destroy(target(p, run.runId), opCtx());
        expect(report.remaining).toEqual([]);
        expect(await f.inventory()).toEqual([]);
      },
    );

    capability(
      'catalogue',
      "an instance type below the profile's minimum is refused, with its real memory, before anything is created",
      (f) => Boolean(f.undersizedMaster),
      async (f) => {
        const small = f.undersizedMaster!;
        const p = plan(f, (sites) => {
          sites[0]!.nodes = { workers: 1, 'master-type': small.type };
        });
        const run = newRun(p);
        for (const attempt of ['preflight', 'provision'] as const) {
          const provider = f.provider();
          const error = await (
            attempt === 'preflight'
              ? provider.preflight(p.sites, p, run.ctx)
              : provider.provision(p.sites[0]!, p, run.ctx)
          ).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, `${attempt} must refuse`).toBeInstanceOf(UserError);
          const message = (error as UserError).message;
          expect(message).toContain(small.type);
          expect(message).toContain(small.memory);
          expect(message).toContain(`${p.profile.minimums.master['memory-gib']} GiB`);
          expect(f.mutations(), `${attempt} created something`).toEqual([]);
          expect(await f.inventory()).toEqual([]);
        }
      },
    );

    capability(
      'janitor',
      'the janitor lists only runs whose expiry has passed, and deleting them leaves the others',
      (f) => !f.notApplicable?.janitor,
      async (f) => {
        const p = plan(f);
        const now = new Date(f.clock?.now() ?? Date.now());
        const expired = newRun(p, new Date(now.getTime() - 3600_000));
        const alive = newRun(p, new Date(now.getTime() + 3 * 3600_000));
        const provider = f.provider();
        await provider.preflight(p.sites, p, expired.ctx);
        await provider.provision(p.sites[0]!, p, expired.ctx);
        await provider.provision(p.sites[1]!, p, alive.ctx);
        const aliveItems = (await f.inventory()).filter((i) => i.tags[TAG_RUN_ID] === alive.runId);
        expect(aliveItems.length).toBeGreaterThan(0);

        const found = await f
          .provider()
          .listExpired(now, { ...opCtx(), ...(f.janitorScope?.() ?? {}) });
        expect(found.map((r) => r.runId)).toEqual([expired.runId]);
        expect(found[0]!.expiresAt.toISOString()).toBe(expired.ctx.expiresAt.toISOString());
        expect(found[0]!.resources.length).toBeGreaterThan(0);
        for (const r of expired.recorded) {
          expect(found[0]!.resources.map((x) => x.id)).toContain(r.id);
        }

        const report = await f.provider().destroy(target(p, expired.runId, 'east'), opCtx());
        expect(report.remaining).toEqual([]);
        const left = await f.inventory();
        expect(left.filter((i) => i.tags[TAG_RUN_ID] === expired.runId)).toEqual([]);
        expect(left.map((i) => i.id).sort()).toEqual(aliveItems.map((i) => i.id).sort());
        expect(
          await f.provider().listExpired(now, { ...opCtx(), ...(f.janitorScope?.() ?? {}) }),
        ).toEqual([]);
      },
    );

    capability(
      'firewall',
      'firewall: SSH from ssh-cidr, intra-site, BGP and data plane from the other underlay, WireGuard only from the other edge',
      (f) => Boolean(f.ingress),
      async (f) => {
        const p = plan(f, (sites) => {
          sites[0]!['ssh-cidr'] = '198.51.100.0/24';
        });
        const run = newRun(p);
        const provider = f.provider();
        const sites = await provisionAll(f, p, run);
        const edges = sites.map((s) => s.hosts.find((h) => h.role === 'edge')!);
        for (const [i, s] of p.sites.entries()) {
          const peer = edges[1 - i]!;
          await provider.authorizeEdges?.(
            s,
            [{ site: peer.site, publicAddress: peer.publicAddress! }],
            run.ctx,
          );
          // twice: idempotent
          await provider.authorizeEdges?.(
            s,
            [{ site: peer.site, publicAddress: peer.publicAddress! }],
            run.ctx,
          );
        }
        const [east, west] = p.sites as [(typeof p.sites)[0], (typeof p.sites)[0]];
        const master = await f.ingress!(run.runId, 'east', 'master');
        const has = (
          rules: typeof master,
          protocol: string,
          port: number | undefined,
          source: string,
        ) =>
          rules.some(
            (r) =>
              // a rule for every protocol (and every port) covers this one: NSGs cannot name GRE
              (r.protocol === protocol || r.protocol === 'all') &&
              r.source === source &&
              (port === undefined || r.from === undefined || (r.from <= port && port <= r.to!)),
          );
        expect(has(master, 'tcp', 22, '198.51.100.0/24')).toBe(true);
        expect(has(master, 'tcp', 22, '0.0.0.0/0'), 'SSH only from ssh-cidr').toBe(false);
        expect(has(master, 'all', undefined, east.cidrs.underlay)).toBe(true);
        expect(has(master, 'tcp', 179, west.cidrs.underlay)).toBe(true);
        expect(has(master, 'udp', 6635, west.cidrs.underlay)).toBe(true);
        expect(has(master, 'udp', 4789, west.cidrs.underlay)).toBe(true);
        expect(has(master, 'gre', undefined, west.cidrs.underlay)).toBe(true);
        expect(
          has(master, 'udp', WIREGUARD_PORT, `${edges[1]!.publicAddress}/32`),
          'no WireGuard to nodes',
        ).toBe(false);
        const edge = await f.ingress!(run.runId, 'east', 'edge');
        const peerIp = `${edges[1]!.publicAddress}/32`;
        expect(has(edge, 'udp', WIREGUARD_PORT, peerIp)).toBe(true);
        // nothing of IPsec is opened any more (no tunnel uses it)
        expect(has(edge, 'udp', 500, peerIp)).toBe(false);
        expect(has(edge, 'esp', undefined, peerIp)).toBe(false);
        const tunnel = edge.filter(
          (r) =>
            r.protocol === 'udp' &&
            r.from !== undefined &&
            r.from <= WIREGUARD_PORT &&
            WIREGUARD_PORT <= r.to!,
        );
        expect(
          tunnel.every((r) => r.source === peerIp),
          'WireGuard from the peer edge only',
        ).toBe(true);
        const westSsh = await f.ingress!(run.runId, 'west', 'master');
        expect(has(westSsh, 'tcp', 22, '0.0.0.0/0'), 'ssh-cidr defaults to anywhere').toBe(true);
      },
    );

    capability(
      'routes',
      "the other site's underlay range is routed via the site's edge VM",
      (f) => Boolean(f.routes),
      async (f) => {
        const p = plan(f);
        const run = newRun(p);
        await provisionAll(f, p, run);
        for (const [i, s] of p.sites.entries()) {
          const other = p.sites[1 - i]!;
          const routes = await f.routes!(run.runId, s.name);
          expect(routes[other.cidrs.underlay]).toBe(`${s.name}-edge`);
        }
      },
    );

    capability(
      'hostKeys',
      'hosts carry the host keys their machine printed, so SSH pins them before first contact',
      (f) => Boolean(f.hostKeysOf),
      async (f) => {
        const p = plan(f);
        const run = newRun(p);
        const sites = await provisionAll(f, p, run);
        for (const h of sites.flatMap((s) => s.hosts)) {
          const printed = f.hostKeysOf!(run.runId, h.name);
          expect(printed?.length, h.name).toBeGreaterThan(0);
          expect(h.hostKeys).toEqual(printed);
        }
      },
    );
  });
}

function opCtx() {
  return { logger: memoryLogger(), signal: new AbortController().signal };
}

/** The shared retry helper logs "…: CODE (attempt N); retrying in D ms" for every retry. */
export function retryLines(lines: string[]): { attempt: number; delayMs: number }[] {
  return lines.flatMap((l) => {
    const m = /\(attempt (\d+)\); retrying in (\d+) ms/.exec(l);
    return m ? [{ attempt: Number(m[1]), delayMs: Number(m[2]) }] : [];
  });
}

const runPublicKey = testKeyPair('tungsten-e2e-contract').public.trim();
