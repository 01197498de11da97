/**
 * The Fabric contract kit: one suite every fabric must pass on two sites, as
 * the provider kit is for providers. A fabric plugs in with a fixture that
 * provisions two sites (nothing installed) and makes the fabric for them; the
 * kit talks to it only through the Fabric interface and judges it by the
 * suites' own expectations (expected.ts), never by the fabric's.
 *
 * Usage, in test/fabric/<name>/<name>.contract.test.ts:
 *
 *   fabricContract('emulated', () => emulatedFixture());
 *
 * The tests run in order on the same sites: install, status, peering,
 * workloads, isolation, deny kinds, batched probes, remediation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Fabric,
  FabricContext,
  FabricSite,
  ProbeTarget,
  Workloads,
} from '../../src/fabric/fabric.js';
import { BACKEND_LABELS, CLIENT_LABELS, matchesLabels } from '../../src/fabric/workloads.js';
import { parseContrailStatus } from '../../src/health/contrailStatus.js';
import { contains, mustParseCidr, parseIp } from '../../src/net/cidr.js';
import type { Plan } from '../../src/plan/types.js';
import {
  deployAll,
  missingWorkloads,
  reachabilityBaseline,
  runConnectivity,
  runIsolation,
  type SuiteOptions,
} from '../../src/suites/runner.js';

export interface FabricUnderTest {
  fabric: Fabric;
  sites: FabricSite[];
  plan: Plan;
  /** the run's context; the kit adds its own step recorder */
  ctx: FabricContext;
}

export interface FabricFixture {
  /** Two provisioned sites and a fabric made for them; nothing installed yet. */
  start(): Promise<FabricUnderTest>;
  /** Tear everything down (idempotent). */
  stop(): Promise<void>;
  /** how long the fabric may take to become active, and to establish BGP */
  settleMs: number;
}

const NAMESPACES = ['tenant-a', 'tenant-b'];
const MODES = ['default', 'namespace', 'service', 'container'] as const;

async function eventually<T>(
  deadlineMs: number,
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Each host's services that are not active, as "host: service state". */
function notActive(status: Record<string, string>): string[] {
  return Object.entries(status).flatMap(([host, text]) =>
    parseContrailStatus(text)
      .services.filter((s) => s.state !== 'active')
      .map((s) => `${host}: ${s.service} ${s.stateText}`),
  );
}

/** The kit's tests, in the order they run (each builds on the ones before). */
export const KIT_TESTS = {
  install: 'install runs in named steps, is idempotent, and every service ends active',
  status: 'status is contrail-status text: a vrouter section on every host, control on each master',
  peer: 'peer: every pair the plan names reaches Established in peerStatus',
  workloads:
    "deploys the workloads the suites need, labelled, in each site's pod and service ranges",
  isolation: 'every isolation mode is enforced as its configuration says, across and within sites',
  denyKinds: 'a denied connection is a drop (timeout), a closed port a reset (refused)',
  batch: 'probes many targets from one client in one call, one outcome each, in order',
  remediate: 'remediate: deleting the control pod brings the control node back active',
} as const;
export type KitTest = keyof typeof KIT_TESTS;

export function fabricContract(
  name: string,
  makeFixture: () => FabricFixture,
  options: {
    timeoutMs?: number;
    /** run only these (default all) */ only?: readonly KitTest[];
  } = {},
): void {
  const test = (key: KitTest, fn: () => Promise<void>, timeout?: number) =>
    (options.only && !options.only.includes(key) ? it.skip : it)(KIT_TESTS[key], fn, timeout);
  describe(`Fabric contract: ${name}`, { timeout: options.timeoutMs ?? 60_000 }, () => {
    const fx = makeFixture();
    let t: FabricUnderTest;
    let ctx: FabricContext;
    let world: Workloads = { pods: [], services: [] };
    const steps: string[] = [];

    beforeAll(async () => {
      t = await fx.start();
      ctx = {
        ...t.ctx,
        step: (site, step, fn) => {
          steps.push(`${site}: ${step}`);
          return fn();
        },
      };
    }, 120_000);
    afterAll(() => fx.stop(), 120_000);

    const allSites = <T>(fn: (s: FabricSite) => Promise<T>) => Promise.all(t.sites.map(fn));
    const statuses = async () =>
      Object.assign({}, ...(await allSites((s) => t.fabric.status(s, ctx)))) as Record<
        string,
        string
      >;

    test('install', async () => {
      await allSites((s) => t.fabric.install(s, ctx));
      const first = [...steps];
      for (const s of t.sites) {
        expect(
          first.some((x) => x.startsWith(`${s.plan.name}: `)),
          `install of ${s.plan.name} reported no named step`,
        ).toBe(true);
      }
      // a second install (a retried up) neither fails nor breaks what the first made
      await allSites((s) => t.fabric.install(s, ctx));
      const status = await eventually(fx.settleMs, statuses, (st) => notActive(st).length === 0);
      expect(notActive(status)).toEqual([]);
    });

    test('status', async () => {
      const status = await statuses();
      const hosts = t.sites.flatMap((s) =>
        s.machines.hosts.filter((h) => h.role !== 'edge').map((h) => h.name),
      );
      expect(Object.keys(status).sort()).toEqual(hosts.sort());
      for (const [host, text] of Object.entries(status)) {
        const parsed = parseContrailStatus(text);
        expect(parsed.unknown, `${host}: lines contrail-status never prints`).toEqual([]);
        expect(parsed.sections.map((x) => x.pod)).toContain('vrouter');
        if (host.endsWith('-master'))
          expect(parsed.sections.map((x) => x.pod)).toContain('control');
      }
    });

    test('peer', async () => {
      await allSites((s) => t.fabric.peer(s, t.sites, ctx));
      expect(t.fabric.peerStatus, 'a fabric must report its BGP sessions').toBeDefined();
      const down = async () => {
        const out: string[] = [];
        for (const s of t.sites) {
          const sessions = await t.fabric.peerStatus!(s, ctx);
          for (const p of s.plan.peers) {
            const x = sessions.find((y) => y.site === p.site);
            if (!x?.established) out.push(`${s.plan.name} → ${p.site}: ${x?.state ?? 'none'}`);
          }
        }
        return out;
      };
      expect(await eventually(fx.settleMs, down, (d) => d.length === 0)).toEqual([]);
    });

    test('workloads', async () => {
      world = await deployAll(t.fabric, t.sites, NAMESPACES, ctx);
      expect(
        missingWorkloads(
          world,
          t.sites.map((s) => s.plan.name),
          NAMESPACES,
        ),
      ).toEqual([]);
      for (const p of world.pods) {
        const site = t.sites.find((s) => s.plan.name === p.site)!;
        expect(
          contains(mustParseCidr(site.plan.cidrs.pod), parseIp(p.ip)!),
          `${p.name} ${p.ip}`,
        ).toBe(true);
        const labels = p.role === 'backend' ? BACKEND_LABELS : CLIENT_LABELS;
        expect(matchesLabels(p.labels, labels), `${p.site}/${p.namespace}/${p.name} labels`).toBe(
          true,
        );
      }
      for (const svc of world.services) {
        const site = t.sites.find((s) => s.plan.name === svc.site)!;
        expect(contains(mustParseCidr(site.plan.cidrs.service), parseIp(svc.ip)!)).toBe(true);
        expect(
          world.pods.some(
            (p) =>
              p.role === 'backend' &&
              p.site === svc.site &&
              p.namespace === svc.namespace &&
              matchesLabels(p.labels, svc.selector),
          ),
          `service ${svc.site}/${svc.namespace}/${svc.name} selects no backend`,
        ).toBe(true);
      }
    });

    const suiteOptions: SuiteOptions = {
      suites: ['connectivity', 'isolation'],
      modes: [...MODES],
      namespaces: NAMESPACES,
    };

    test('isolation', async () => {
      await reachabilityBaseline(t.fabric, t.sites, world, ctx, suiteOptions);
      const checks = [
        ...(await runConnectivity(t.fabric, t.sites, world, ctx, suiteOptions)),
        ...(await runIsolation(t.fabric, t.sites, world, ctx, suiteOptions)),
      ];
      const wrong = checks
        .filter((c) => c.status !== 'pass')
        .map((c) => `${c.mode ?? c.suite}: ${c.from} → ${c.to}: ${c.status} (${c.detail ?? ''})`);
      expect(wrong).toEqual([]);
      // the modes do deny something, so a fabric that allowed everything could not pass
      expect(checks.filter((c) => c.expected === 'deny').length).toBeGreaterThan(0);
    }, 120_000);

    test('denyKinds', async () => {
      const denied = await runIsolation(t.fabric, t.sites, world, ctx, {
        ...suiteOptions,
        modes: ['namespace'],
      });
      const kinds = new Set(denied.filter((c) => c.expected === 'deny').map((c) => c.observed));
      expect([...kinds]).toEqual(['timeout']);
      const client = world.pods.find((p) => p.role === 'client')!;
      const backend = world.pods.find((p) => p.role === 'backend' && p.site === client.site)!;
      const [closed] = await t.fabric.probe(client, [{ ip: backend.ip, port: 9 }], 1_000, ctx);
      expect(closed!.result).toBe('refused');
    });

    test('batch', async () => {
      const client = world.pods.find((p) => p.role === 'client')!;
      const targets: ProbeTarget[] = [
        ...world.services.map((s) => ({ ip: s.ip, port: s.port })),
        { ip: world.pods.find((p) => p.role === 'backend')!.ip, port: 9 },
      ];
      const batch = await t.fabric.probe(client, targets, 1_000, ctx);
      expect(batch).toHaveLength(targets.length);
      const one = await Promise.all(
        targets.map(async (x) => (await t.fabric.probe(client, [x], 1_000, ctx))[0]!),
      );
      expect(batch.map((o) => `${o.result} ${o.result === 'connected' ? o.detail : ''}`)).toEqual(
        one.map((o) => `${o.result} ${o.result === 'connected' ? o.detail : ''}`),
      );
      expect(batch.at(-1)!.result).toBe('refused');
    });

    test('remediate', async () => {
      const site = t.sites[0]!;
      await t.fabric.remediate(site, 'delete-control-pod', ctx);
      const status = await eventually(fx.settleMs, statuses, (st) => notActive(st).length === 0);
      expect(notActive(status)).toEqual([]);
    });
  });
}
