/**
 * The contract kit's fixture for `static`: every "existing machine" is a real
 * OpenSSH sshd on its own loopback address (127.X.S.H), started with the
 * user's key authorized, exactly as a user's hosts would be. The provider logs
 * in over real SSH (the worker through the master as jump host). Since these
 * machines share this host's filesystem, each gets its own run-directory root
 * and authorized_keys file, and the inventory reads them directly.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testKeyPair } from '../keys.js';
import { loadProfile } from '../../../src/config/profile.js';
import type { Profile } from '../../../src/config/profile.js';
import { parseSiteFile } from '../../../src/config/load.js';
import { buildPlan } from '../../../src/plan/plan.js';
import type { HostPlan, SitePlan } from '../../../src/plan/types.js';
import { HostKeyStore } from '../../../src/remote/hostKeys.js';
import { startSshd } from '../../../src/remote/sshd.js';
import type { RunningSshd } from '../../../src/remote/sshd.js';
import { keyMarker } from '../../../src/providers/static/installed.js';
import { StaticProvider } from '../../../src/providers/static/provider.js';
import type { InventoryItem, ProviderFixture } from '../contract.js';

const ROLES = ['master', 'worker', 'edge'] as const;
const PRIVATE_OFFSET = { master: 10, worker: 11, edge: 5 };

export interface StaticMachine {
  site: string;
  siteIndex: number;
  role: (typeof ROLES)[number];
  hostName: string;
  address: string;
  sshd: RunningSshd;
  markerRoot: string;
}

export interface StaticFixture extends ProviderFixture {
  machines: StaticMachine[];
  userKey: { private: string; public: string };
  dir: string;
  /** a provider with the given options changed */
  providerWith(change: { privateKey?: string; reachMs?: number }): StaticProvider;
  lowMinimums(): Profile;
}

const SITES = ['east', 'west'];

export async function staticFixture(): Promise<StaticFixture> {
  const id = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), `te-static-${id}-`));
  const userKey = testKeyPair(`user-${id}`);
  const second = 100 + (randomBytes(1)[0]! % 150);
  const machines: StaticMachine[] = [];
  try {
    for (const [s, site] of SITES.entries()) {
      for (const [h, role] of ROLES.entries()) {
        const address = `127.${second}.${s}.${h + 1}`;
        const hostName = role === 'worker' ? `${site}-worker-1` : `${site}-${role}`;
        const sshd = await startSshd({
          dir,
          tag: `${id}-${hostName}`,
          authorizedKeys: [userKey.public],
          listenAddress: address,
        });
        machines.push({
          site,
          siteIndex: s,
          role,
          hostName,
          address,
          sshd,
          markerRoot: join(dir, `runs-${hostName}`),
        });
      }
    }
  } catch (e) {
    await Promise.all(machines.map((m) => m.sshd.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const byHost = (h: HostPlan) => {
    const m = machines.find((x) => x.hostName === h.name);
    if (!m) throw new Error(`the static fixture has no machine for ${h.name}`);
    return m;
  };
  const lowMinimums = (): Profile => {
    const p = structuredClone(loadProfile('tf-2018'));
    for (const role of ROLES) p.minimums[role] = { 'memory-gib': 1, 'disk-gib': 1 };
    return p;
  };
  const hostKeys = new HostKeyStore();
  let currentSites: SitePlan[] = [];
  const providerWith = (change: { privateKey?: string; reachMs?: number } = {}) =>
    new StaticProvider({
      privateKey: change.privateKey ?? userKey.private,
      sites: currentSites,
      markerRoot: (h) => byHost(h).markerRoot,
      authorizedKeysFile: (h) => byHost(h).sshd.files.authorizedKeys,
      hostKeys,
      reachMs: change.reachMs ?? 15_000,
    });

  const inventoryNow = (): InventoryItem[] => {
    const items: InventoryItem[] = [];
    for (const m of machines) {
      const runs = existsSync(m.markerRoot) ? readdirSync(m.markerRoot) : [];
      const tagsOf = (runId: string): Record<string, string> => {
        const d = join(m.markerRoot, runId);
        const read = (f: string) =>
          existsSync(join(d, f)) ? readFileSync(join(d, f), 'utf8').trim() : undefined;
        const tags: Record<string, string> = {
          'tungsten-e2e:run-id': runId,
          Name: `te-${runId}-${m.hostName}`,
        };
        for (const [file, tag] of [
          ['expires-at', 'tungsten-e2e:expires-at'],
          ['site', 'tungsten-e2e:site'],
          ['repo', 'tungsten-e2e:repo'],
        ] as const) {
          const v = read(file);
          if (v !== undefined) tags[tag] = v;
        }
        return tags;
      };
      for (const runId of runs) {
        items.push({
          kind: 'run-dir',
          id: `${m.hostName}:${join(m.markerRoot, runId)}`,
          tags: tagsOf(runId),
        });
      }
      const keys = readFileSync(m.sshd.files.authorizedKeys, 'utf8').split('\n');
      for (const line of keys) {
        const runId = /tungsten-e2e-run-([a-z0-9]+)$/.exec(line.trim())?.[1];
        if (!runId) continue;
        const tags = runs.includes(runId)
          ? tagsOf(runId)
          : { 'tungsten-e2e:run-id': runId, Name: keyMarker(runId) };
        items.push({ kind: 'authorized-key', id: `${m.hostName}:${keyMarker(runId)}`, tags });
      }
    }
    return items;
  };

  let lastState = '';
  const changes: string[] = [];

  const fixture: StaticFixture = {
    machines,
    userKey,
    dir,
    lowMinimums,
    providerWith,
    provider: () => providerWith(),
    profile: lowMinimums,
    site: (i) => {
      const site = SITES[i]!;
      const ms = machines.filter((m) => m.site === site);
      const master = ms.find((m) => m.role === 'master')!;
      return {
        provider: 'static',
        cidrs: { underlay: `172.16.${i}.0/24` },
        hosts: ms.map((m) => ({
          address: m.address,
          port: m.sshd.port,
          user: 'root',
          role: m.role,
          'private-address': `172.16.${i}.${PRIVATE_OFFSET[m.role]}`,
          ...(m.role === 'worker' ? { jump: master.address } : {}),
        })),
      };
    },
    inventory: async () => inventoryNow(),
    // the world's changes, seen as changes of its state between two calls
    mutations: () => {
      const h = createHash('sha256').update(JSON.stringify(inventoryNow())).digest('hex');
      if (h !== lastState) {
        if (lastState) changes.push('state changed');
        lastState = h;
      }
      return changes;
    },
    orderViolations: () => [],
    vanishOnNextDelete: () => {
      const m = machines.find((x) => x.role === 'worker')!;
      for (const runId of existsSync(m.markerRoot) ? readdirSync(m.markerRoot) : []) {
        rmSync(join(m.markerRoot, runId), { recursive: true, force: true });
      }
    },
    hostKeysOf: (_runId, host) => {
      const m = machines.find((x) => x.hostName === host);
      return m?.sshd.hostPublicKeys.map((k) => k.split(/\s+/).slice(0, 2).join(' '));
    },
    notApplicable: {
      quota: 'static machines already exist; there is no quota to exceed',
      serverError: 'static has no cloud API (an unreachable host is covered in static.test.ts)',
      throttle: 'static has no cloud API to throttle',
      catalogue:
        "static has no instance catalogue; the hosts' own memory and disk are checked (static.test.ts)",
      firewall: "static hosts' firewalls are the user's; the run changes none",
      routes: "static hosts' routes are the user's; the run changes none",
    },
    cleanup: async () => {
      await Promise.all(machines.map((m) => m.sshd.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // the provider serves the sites of the site file; plan them as the kit does
  const text = JSON.stringify({
    sites: SITES.map((name, i) => ({ name, ...fixture.site(i as 0 | 1) })),
  });
  currentSites = buildPlan(parseSiteFile(text, 'static-fixture.yml'), lowMinimums()).sites;
  return fixture;
}
