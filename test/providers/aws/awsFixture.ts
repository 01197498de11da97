/**
 * The contract kit's fixture for AWS: the real provider with EC2 clients whose
 * transport is the stateful fake (one per region), a manual clock, and an SSH
 * waiter that records what it was asked to reach (the fake's instances are not
 * machines; reaching real sshd is the static and local providers' part).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsProvider } from '../../../src/providers/aws/provider.js';
import type { RemoteHost } from '../../../src/remote/target.js';
import type { RetryPolicy } from '../../../src/providers/cloud/retry.js';
import type { ProviderFixture, IngressRule } from '../contract.js';
import { ManualClock } from '../manualClock.js';
import { CATALOGUE, imagesFor } from './ec2Data.js';
import { FakeEc2, INTERNAL, THROTTLE } from './fakeEc2.js';

export const REGIONS = ['us-east-1', 'eu-west-1'] as const;

export interface AwsFixture extends ProviderFixture {
  provider(): AwsProvider;
  worlds: Map<string, FakeEc2>;
  sshTargets: { target: RemoteHost; deadline: number }[];
  clock: ManualClock;
  retryPolicy: RetryPolicy;
}

const PROTOCOL: Record<string, string> = {
  '-1': 'all',
  '47': 'gre',
  '50': 'esp',
  tcp: 'tcp',
  udp: 'udp',
};

export function awsFixture(options: { sshFails?: boolean } = {}): AwsFixture {
  const clock = new ManualClock();
  const retryPolicy: RetryPolicy = { baseMs: 1_000, capMs: 30_000, deadlineMs: 300_000 };
  const worlds = new Map<string, FakeEc2>(
    REGIONS.map((region, i) => [
      region,
      new FakeEc2({
        region,
        catalogue: CATALOGUE,
        images: imagesFor(region),
        publicPrefix: i === 0 ? '203.0' : '198.51',
      }),
    ]),
  );
  const clients = new Map<string, EC2Client>();
  const clientFor = (region: string) => {
    let c = clients.get(region);
    if (!c) {
      const world = worlds.get(region);
      if (!world) throw new Error(`the AWS fixture has no fake for region ${region}`);
      c = new EC2Client({
        region,
        maxAttempts: 1,
        credentials: { accessKeyId: 'AKIDFIXTURE', secretAccessKey: 'fixture' },
      });
      world.attach(c);
      clients.set(region, c);
    }
    return c;
  };
  const sshTargets: AwsFixture['sshTargets'] = [];
  const all = () => [...worlds.values()];
  const east = worlds.get('us-east-1')!;
  const west = worlds.get('eu-west-1')!;

  return {
    worlds,
    sshTargets,
    clock,
    retryPolicy,
    provider: () =>
      new AwsProvider({
        clients: clientFor,
        clock,
        retry: retryPolicy,
        ssh: {
          waitForSsh: async (target, deadline) => {
            sshTargets.push({ target, deadline });
            if (options.sshFails) {
              throw new Error(`${target.name}: SSH did not answer before the deadline`);
            }
          },
        },
      }),
    site: (i) => ({ provider: 'aws', region: REGIONS[i] }),
    inventory: async () => all().flatMap((w) => w.inventory()),
    mutations: () => all().flatMap((w) => w.mutations()),
    orderViolations: () => all().flatMap((w) => w.dependencyViolations),
    janitorScope: () => ({ regions: [...REGIONS] }),

    quotaOnSecondInstance: () => {
      // the master (m5.2xlarge, 8 vCPU) fits; the worker (4 more) does not
      east.vcpuLimit = 8;
      return {
        mentions: [
          'RunInstances',
          'east-worker-1',
          'us-east-1',
          'VcpuLimitExceeded: You have requested more vCPU capacity than your current vCPU limit of 8 allows',
        ],
        heal: () => {
          east.vcpuLimit = 1024;
        },
      };
    },
    persistentServerError: () => {
      const fault = west.inject({ operation: 'CreateRouteTable', times: Infinity, ...INTERNAL });
      return {
        mentions: [
          'CreateRouteTable',
          'west-routes',
          'eu-west-1',
          'InternalError: An internal error has occurred.',
        ],
        heal: () => {
          fault.times = 0;
        },
      };
    },
    throttleThenTransient: (times) => {
      east.inject({ times, ...THROTTLE });
      east.inject({ operation: 'RunInstances', times: 1, ...INTERNAL });
    },
    throttleForever: () => {
      const faults = all().map((w) => w.inject({ times: Infinity, ...THROTTLE }));
      return {
        mentions: ['CreateVpc', 'us-east-1', 'RequestLimitExceeded: Request limit exceeded.'],
        heal: () => faults.forEach((f) => (f.times = 0)),
      };
    },
    vanishOnNextDelete: () => {
      const subnet = east.inventory().find((i) => i.kind === 'subnet');
      if (!subnet) throw new Error('no subnet to make vanish');
      east.vanishOnDelete.add(subnet.id);
    },
    undersizedMaster: { type: 'm5.large', memory: '8 GiB' },
    ingress: async (runId, site, role) => {
      const world = worlds.get(site === 'east' ? 'us-east-1' : 'eu-west-1')!;
      const groups = role === 'edge' ? ['nodes', 'edge'] : ['nodes'];
      return groups.flatMap((g) =>
        world.ingressOf(`te-${runId}-${site}-${g}`).map((r): IngressRule => ({
          protocol: PROTOCOL[r.protocol] ?? r.protocol,
          ...(r.from !== undefined ? { from: r.from } : {}),
          ...(r.to !== undefined ? { to: r.to } : {}),
          source: r.cidr,
        })),
      );
    },
    routes: async (runId, site) => {
      const world = worlds.get(site === 'east' ? 'us-east-1' : 'eu-west-1')!;
      const table = world.routeTableOf(`te-${runId}-${site}-routes`);
      const out: Record<string, string> = {};
      for (const r of table?.Routes ?? []) {
        const viaHost = r.NetworkInterfaceId
          ? ['master', 'worker-1', 'edge']
              .map((h) => `${site}-${h}`)
              .find(
                (h) =>
                  world.instanceByHost(h)?.NetworkInterfaces?.[0]?.NetworkInterfaceId ===
                  r.NetworkInterfaceId,
              )
          : undefined;
        out[r.DestinationCidrBlock!] = viaHost ?? r.GatewayId ?? 'unknown';
      }
      return out;
    },
    hostKeysOf: (_runId, host) => {
      const site = host.split('-')[0]!;
      const world = worlds.get(site === 'east' ? 'us-east-1' : 'eu-west-1')!;
      const instance = world.instanceByHost(host);
      const key = instance ? world.hostKeyOf(instance.InstanceId!) : undefined;
      return key ? [key] : undefined;
    },
    cleanup: async () => {
      for (const w of all()) w.detach();
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}
