/**
 * The contract kit's fixture for GCP: the real provider and the real client
 * library (REST transport) talking over HTTP to the stateful fake Compute API
 * on 127.0.0.1, with a fixed access token, a manual clock, and an SSH waiter
 * that records what it was asked to reach.
 */
import { OAuth2Client } from 'google-auth-library';
import { loadProfile } from '../../../src/config/profile.js';
import { gcpClientFactory } from '../../../src/providers/gcp/client.js';
import type { GcpClients } from '../../../src/providers/gcp/client.js';
import { fromLabels } from '../../../src/providers/gcp/labels.js';
import { GcpProvider } from '../../../src/providers/gcp/provider.js';
import type { GcpProviderOptions } from '../../../src/providers/gcp/provider.js';
import { tagsFromDescription } from '../../../src/providers/gcp/labels.js';
import {
  TAG_EXPIRES_AT,
  TAG_HOST,
  TAG_NAME,
  TAG_REPO,
  TAG_RUN_ID,
  TAG_SITE,
} from '../../../src/providers/cloud/tags.js';
import type { RetryPolicy } from '../../../src/providers/cloud/retry.js';
import type { RemoteHost } from '../../../src/remote/target.js';
import type { IngressRule, InventoryItem, ProviderFixture } from '../contract.js';
import { ManualClock } from '../manualClock.js';
import { FAMILIES, MACHINE_TYPES } from './computeData.js';
import { BACKEND_ERROR, FakeCompute, last, RATE_LIMITED } from './fakeCompute.js';

export const PROJECT = 'tungsten-e2e-fake';
export const ZONES = ['us-central1-a', 'europe-west1-b'] as const;
const KNOWN = [TAG_RUN_ID, TAG_EXPIRES_AT, TAG_SITE, TAG_REPO, TAG_HOST, TAG_NAME];

export interface GcpFixture extends ProviderFixture {
  provider(options?: Partial<GcpProviderOptions>): GcpProvider;
  world: FakeCompute;
  clock: ManualClock;
  retryPolicy: RetryPolicy;
  sshTargets: { target: RemoteHost; deadline: number }[];
  clients(): Promise<GcpClients>;
}

export function fakeAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'ya29.fake-token', expiry_date: Date.now() + 24 * 3600_000 });
  return auth;
}

export async function gcpFixture(options: { sshFails?: boolean } = {}): Promise<GcpFixture> {
  const world = new FakeCompute({
    project: PROJECT,
    machineTypes: MACHINE_TYPES,
    families: FAMILIES,
  });
  const port = await world.start();
  const clock = new ManualClock();
  const retryPolicy: RetryPolicy = { baseMs: 1_000, capMs: 30_000, deadlineMs: 300_000 };
  const clients = gcpClientFactory({
    project: PROJECT,
    authClient: fakeAuth(),
    apiEndpoint: '127.0.0.1',
    port,
    protocol: 'http',
  });
  const sshTargets: GcpFixture['sshTargets'] = [];
  const net = (runId: string, site: string) => `te-${runId}-${site}-vpc`;

  const inventory = async (): Promise<InventoryItem[]> => [
    ...[...world.networks.values()].map((n) => ({
      kind: 'network',
      id: n.name!,
      tags: tagsFromDescription(n.description),
    })),
    ...[...world.subnetworks.values()].map((n) => ({
      kind: 'subnetwork',
      id: n.name!,
      tags: tagsFromDescription(n.description),
    })),
    ...[...world.firewalls.values()].map((n) => ({
      kind: 'firewall',
      id: n.name!,
      tags: tagsFromDescription(n.description),
    })),
    ...[...world.routes.values()].map((n) => ({
      kind: 'route',
      id: n.name!,
      tags: tagsFromDescription(n.description),
    })),
    ...[...world.instances.values()].map((r) => ({
      kind: 'instance',
      id: r.instance.name!,
      tags: fromLabels(r.instance.labels, KNOWN),
    })),
    ...[...world.disks.values()].map((d) => ({
      kind: 'disk',
      id: d.name!,
      tags: fromLabels(d.labels, KNOWN),
    })),
  ];

  return {
    world,
    clock,
    retryPolicy,
    sshTargets,
    clients,
    provider: (extra = {}) =>
      new GcpProvider({
        clients,
        clock,
        retry: retryPolicy,
        ssh: {
          waitForSsh: async (target, deadline) => {
            sshTargets.push({ target, deadline });
            if (options.sshFails)
              throw new Error(`${target.name}: SSH did not answer before the deadline`);
          },
        },
        ...extra,
      }),
    // tf-2018's CentOS 7 has no GCP image any more; opensdn-24's Rocky 9 family has
    profile: () => loadProfile('opensdn-24'),
    site: (i) => ({ provider: 'gcp', region: ZONES[i].slice(0, -2), zone: ZONES[i] }),
    inventory,
    mutations: () => world.mutations(),
    orderViolations: () => world.dependencyViolations,

    quotaOnSecondInstance: () => {
      // the master (n2-standard-8, 8 CPUs) fits; the worker (4 more) does not
      world.cpuQuota = 8;
      return {
        mentions: [
          'instances.insert',
          'east-worker-1',
          'us-central1-a',
          "QUOTA_EXCEEDED: Quota 'CPUS' exceeded.  Limit: 8.0 in region us-central1.",
        ],
        heal: () => {
          world.cpuQuota = 1024;
        },
      };
    },
    persistentServerError: () => {
      const fault = world.inject({ method: 'Routes.Insert', times: Infinity, make: BACKEND_ERROR });
      return {
        mentions: [
          'routes.insert',
          'east-to-west',
          'INTERNAL',
          'Internal error. Please try again or contact Google Support.',
        ],
        heal: () => {
          fault.times = 0;
        },
      };
    },
    throttleThenTransient: (times) => {
      world.inject({ times, make: RATE_LIMITED });
      world.inject({ method: 'Instances.Insert', times: 1, make: BACKEND_ERROR });
    },
    throttleForever: () => {
      const fault = world.inject({ times: Infinity, make: RATE_LIMITED });
      return {
        mentions: [
          'networks.insert',
          'east-vpc',
          'RESOURCE_EXHAUSTED',
          "Quota exceeded for quota metric 'Queries'",
        ],
        heal: () => {
          fault.times = 0;
        },
      };
    },
    vanishOnNextDelete: () => {
      const subnet = [...world.subnetworks.keys()][0];
      if (!subnet) throw new Error('no subnetwork to make vanish');
      world.vanishOnDelete.add(subnet);
    },
    undersizedMaster: { type: 'n2-standard-2', memory: '8 GiB' },
    ingress: async (runId, site, role) => {
      const network = net(runId, site);
      const rules: IngressRule[] = [];
      for (const fw of world.firewalls.values()) {
        if (last(fw.network) !== network || fw.direction !== 'INGRESS') continue;
        const targeted = (fw.targetTags ?? []).length > 0;
        if (targeted && role !== 'edge') continue;
        for (const a of fw.allowed ?? []) {
          const protocol = a.IPProtocol === '47' ? 'gre' : a.IPProtocol!;
          for (const source of fw.sourceRanges ?? []) {
            if (!a.ports?.length) rules.push({ protocol, source });
            for (const p of a.ports ?? []) {
              const [from, to] = p.split('-').map(Number);
              rules.push({ protocol, from: from!, to: to ?? from!, source });
            }
          }
        }
      }
      return rules;
    },
    routes: async (runId, site) => {
      const out: Record<string, string> = {};
      for (const r of world.routes.values()) {
        if (last(r.network) !== net(runId, site)) continue;
        const hop = world.instances.get(last(r.nextHopInstance))?.instance;
        out[r.destRange!] = hop?.labels?.['tungsten-e2e_host'] ?? r.nextHopInstance ?? 'unknown';
      }
      return out;
    },
    hostKeysOf: (_runId, host) => {
      const i = world.instanceByHost(host);
      const key = i ? world.hostKeyOf(i.name!) : undefined;
      return key ? [key] : undefined;
    },
    cleanup: async () => {
      await (await clients()).close();
      await world.stop();
    },
  };
}
