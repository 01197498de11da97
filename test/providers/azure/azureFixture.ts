/**
 * The contract kit's fixture for Azure: the real provider and the real ARM
 * SDKs, whose HttpClient is the stateful fake ARM, with a fixed token, a
 * manual clock, and an SSH waiter that records what it was asked to reach.
 */
import type { TokenCredential } from '@azure/core-auth';
import { loadProfile } from '../../../src/config/profile.js';
import { azureClientFactory } from '../../../src/providers/azure/client.js';
import { AzureProvider } from '../../../src/providers/azure/provider.js';
import type { AzureProviderOptions } from '../../../src/providers/azure/provider.js';
import type { RetryPolicy } from '../../../src/providers/cloud/retry.js';
import type { RemoteHost } from '../../../src/remote/target.js';
import type { IngressRule, ProviderFixture } from '../contract.js';
import { ManualClock } from '../manualClock.js';
import { IMAGES, SKUS } from './armData.js';
import { FakeArm, INTERNAL, THROTTLED } from './fakeArm.js';

export const SUBSCRIPTION = '00000000-0000-0000-0000-00000000fa4e';
export const LOCATIONS = ['westeurope', 'eastus'] as const;

export interface AzureFixture extends ProviderFixture {
  provider(options?: Partial<AzureProviderOptions>): AzureProvider;
  world: FakeArm;
  clock: ManualClock;
  retryPolicy: RetryPolicy;
  sshTargets: { target: RemoteHost; deadline: number }[];
}

export const fakeCredential: TokenCredential = {
  getToken: async () => ({ token: 'fake-arm-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

const PROTOCOL: Record<string, string> = {
  Tcp: 'tcp',
  Udp: 'udp',
  '*': 'all',
  Esp: 'esp',
  Icmp: 'icmp',
  Ah: 'ah',
};

export function azureFixture(options: { sshFails?: boolean } = {}): AzureFixture {
  const world = new FakeArm(SUBSCRIPTION, SKUS, IMAGES);
  const clock = new ManualClock();
  const retryPolicy: RetryPolicy = { baseMs: 1_000, capMs: 30_000, deadlineMs: 300_000 };
  const clients = azureClientFactory({
    subscriptionId: SUBSCRIPTION,
    credential: fakeCredential,
    httpClient: world,
  });
  const sshTargets: AzureFixture['sshTargets'] = [];

  return {
    world,
    clock,
    retryPolicy,
    sshTargets,
    provider: (extra = {}) =>
      new AzureProvider({
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
    profile: () => loadProfile('opensdn-24'),
    site: (i) => ({ provider: 'azure', region: LOCATIONS[i] }),
    inventory: async () => [
      ...[...world.groups.values()].map((g) => ({
        kind: 'resource-group',
        id: g.id,
        tags: g.tags,
      })),
      ...[...world.resources.values()].map((r) => ({ kind: r.type, id: r.id, tags: r.tags })),
    ],
    mutations: () => world.mutations(),
    orderViolations: () => world.dependencyViolations,

    quotaOnSecondInstance: () => {
      // the master (Standard_D8s_v5, 8 vCPUs) fits the family quota; the worker (4 more) does not
      world.coreQuota = 8;
      return {
        mentions: [
          'virtualMachines.createOrUpdate',
          'east-worker-1',
          'westeurope',
          'OperationNotAllowed: Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota',
        ],
        heal: () => {
          world.coreQuota = 1024;
        },
      };
    },
    persistentServerError: () => {
      const fault = world.inject({ match: 'PUT routeTables', times: Infinity, make: INTERNAL });
      return {
        mentions: [
          'routeTables.createOrUpdate',
          'east-routes',
          'InternalServerError',
          'Encountered internal server error',
        ],
        heal: () => {
          fault.times = 0;
        },
      };
    },
    throttleThenTransient: (times) => {
      world.inject({ times, make: THROTTLED });
      world.inject({ match: 'PUT virtualMachines', times: 1, make: INTERNAL });
    },
    throttleForever: () => {
      const fault = world.inject({ times: Infinity, make: THROTTLED });
      return {
        mentions: [
          'resourceGroups.createOrUpdate',
          'east',
          'SubscriptionRequestsThrottled',
          "Number of 'write' requests",
        ],
        heal: () => {
          fault.times = 0;
        },
      };
    },
    vanishOnNextDelete: () => {
      const group = [...world.groups.values()][0];
      if (!group) throw new Error('no resource group to make vanish');
      world.vanishOnDelete.add(group.name);
    },
    undersizedMaster: { type: 'Standard_D2s_v5', memory: '8 GiB' },
    ingress: async (runId, site, role) => {
      const rules: IngressRule[] = [];
      for (const r of world.nsgRules(runId, site)) {
        const p = r.properties as Record<string, unknown>;
        if (p.direction !== 'Inbound' || p.access !== 'Allow') continue;
        if (p.destinationAddressPrefix !== '*' && role !== 'edge') continue;
        const sources = (p.sourceAddressPrefixes as string[] | undefined) ?? [
          p.sourceAddressPrefix as string,
        ];
        const ports =
          (p.destinationPortRanges as string[] | undefined) ??
          (p.destinationPortRange === '*' ? [] : [p.destinationPortRange as string]);
        const protocol = PROTOCOL[p.protocol as string] ?? String(p.protocol);
        for (const source of sources) {
          if (ports.length === 0) rules.push({ protocol, source });
          for (const port of ports) {
            const [from, to] = port.split('-').map(Number);
            rules.push({ protocol, from: from!, to: to ?? from!, source });
          }
        }
      }
      return rules;
    },
    routes: async (runId, site) => {
      const out: Record<string, string> = {};
      const table = world.routeTable(runId, site);
      for (const r of (table?.properties.routes as Record<string, unknown>[] | undefined) ?? []) {
        const p = r.properties as Record<string, string>;
        const via = ['master', 'worker-1', 'edge']
          .map((h) => `${site}-${h}`)
          .find((h) => world.addressOf(h) === p.nextHopIpAddress);
        out[p.addressPrefix!] =
          p.nextHopType === 'VirtualAppliance' && via
            ? via
            : `${p.nextHopType} ${p.nextHopIpAddress}`;
      }
      return out;
    },
    hostKeysOf: (_runId, host) => {
      const vm = world.vmByHost(host);
      const key = vm ? world.hostKeyOf(vm) : undefined;
      return key ? [key] : undefined;
    },
    cleanup: async () => {},
  };
}
