/** Instances of a site: launch, wait until running, read host keys from the console. */
import {
  CreateRouteCommand,
  DescribeInstancesCommand,
  GetConsoleOutputCommand,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { _InstanceType, Instance, ResourceType } from '@aws-sdk/client-ec2';
import { InfraError } from '../../errors.js';
import type { HostPlan } from '../../plan/types.js';
import type { Clock } from '../cloud/clock.js';
import { resourceName, TAG_HOST } from '../cloud/tags.js';
import type { Ec2Api } from './api.js';
import { awsFaultOf, isAlreadyThere } from './errors.js';
import { hostKeysFromConsole } from './hostKeys.js';
import type { SiteNetwork, TagSource } from './network.js';
import { tagSpecs } from './network.js';
import { userDataBase64 } from './userData.js';

export interface LaunchSpec {
  host: HostPlan;
  site: string;
  imageId: string;
  rootDeviceName: string;
  rootGiB: number;
  spot: boolean;
  sshPublicKey: string;
}

export interface Launched {
  host: HostPlan;
  instanceId: string;
  networkInterfaceId: string;
}

/**
 * One RunInstances per host. The client token makes a retried call return the
 * same instance instead of a second one.
 */
export async function launch(
  api: Ec2Api,
  net: SiteNetwork,
  ctx: TagSource,
  spec: LaunchSpec,
): Promise<Launched> {
  const { host } = spec;
  const name = resourceName(ctx.runId, spec.site, host.name.slice(spec.site.length + 1));
  const tagged: ResourceType[] = ['instance', 'volume', 'network-interface'];
  if (spec.spot) tagged.push('spot-instances-request');
  const out = await api.send(
    new RunInstancesCommand({
      ImageId: spec.imageId,
      InstanceType: host.instanceType as _InstanceType,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: `te-${ctx.runId}-${host.name}`.slice(0, 64),
      UserData: userDataBase64(spec.sshPublicKey),
      NetworkInterfaces: [
        {
          DeviceIndex: 0,
          SubnetId: net.subnetId,
          Groups: host.role === 'edge' ? [net.nodesGroupId, net.edgeGroupId] : [net.nodesGroupId],
          PrivateIpAddress: host.privateAddress,
          AssociatePublicIpAddress: true,
          DeleteOnTermination: true,
        },
      ],
      BlockDeviceMappings: [
        {
          DeviceName: spec.rootDeviceName,
          Ebs: { VolumeSize: spec.rootGiB, VolumeType: 'gp3', DeleteOnTermination: true },
        },
      ],
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      ...(spec.spot
        ? {
            InstanceMarketOptions: {
              MarketType: 'spot',
              SpotOptions: {
                SpotInstanceType: 'one-time',
                InstanceInterruptionBehavior: 'terminate',
              },
            },
          }
        : {}),
      TagSpecifications: tagSpecs(tagged, ctx, spec.site, name, { [TAG_HOST]: host.name }),
    }),
    `instance ${host.name} (${host.instanceType}, ${host.privateAddress})`,
    { fresh: true },
  );
  const instance = out.Instances?.[0];
  const networkInterfaceId = instance?.NetworkInterfaces?.[0]?.NetworkInterfaceId;
  if (!instance?.InstanceId || !networkInterfaceId) {
    throw new InfraError(
      `aws RunInstances for instance ${host.name} in ${api.region} returned no instance id or network interface.`,
    );
  }
  return { host, instanceId: instance.InstanceId, networkInterfaceId };
}

/**
 * The edge VM forwards other sites' traffic: source/destination check off, and
 * the site's route table sends each other site's underlay range to it.
 */
export async function makeEdgeRouter(
  api: Ec2Api,
  net: SiteNetwork,
  edge: Launched,
  otherUnderlays: { site: string; cidr: string }[],
): Promise<void> {
  await api.send(
    new ModifyInstanceAttributeCommand({
      InstanceId: edge.instanceId,
      SourceDestCheck: { Value: false },
    }),
    `source/destination check of edge ${edge.host.name} (${edge.instanceId})`,
    { fresh: true },
  );
  for (const other of otherUnderlays) {
    try {
      await api.send(
        new CreateRouteCommand({
          RouteTableId: net.routeTableId,
          DestinationCidrBlock: other.cidr,
          NetworkInterfaceId: edge.networkInterfaceId,
        }),
        `route to ${other.site} (${other.cidr}) via edge ${edge.networkInterfaceId} in ${net.routeTableId}`,
        { fresh: true },
      );
    } catch (e) {
      if (!isAlreadyThere((e as { cause?: unknown }).cause ?? e)) throw e;
    }
  }
}

/** Poll until every instance is running; an instance that ends instead fails with EC2's reason. */
export async function waitRunning(
  api: Ec2Api,
  launched: Launched[],
  clock: Clock,
  deadline: number,
  signal?: AbortSignal,
): Promise<Map<string, Instance>> {
  const ids = launched.map((l) => l.instanceId);
  for (let poll = 0; ; poll++) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeInstancesCommand({ InstanceIds: ids, ...(NextToken ? { NextToken } : {}) }),
      `instances ${ids.join(', ')}`,
      { fresh: true },
    );
    const found = new Map<string, Instance>();
    for (const p of pages)
      for (const r of p.Reservations ?? [])
        for (const i of r.Instances ?? []) if (i.InstanceId) found.set(i.InstanceId, i);
    for (const l of launched) {
      const state = found.get(l.instanceId)?.State?.Name;
      if (state === 'shutting-down' || state === 'terminated' || state === 'stopped') {
        const reason = found.get(l.instanceId)?.StateReason;
        throw new InfraError(
          `aws instance ${l.host.name} (${l.instanceId}) in ${api.region} went to ${state} instead of running: ${reason?.Code ?? 'no code'}: ${reason?.Message ?? 'EC2 gave no reason'}.`,
        );
      }
    }
    if (launched.every((l) => found.get(l.instanceId)?.State?.Name === 'running')) return found;
    if (clock.now() >= deadline) {
      const late = launched
        .filter((l) => found.get(l.instanceId)?.State?.Name !== 'running')
        .map((l) => `${l.host.name} (${found.get(l.instanceId)?.State?.Name ?? 'not listed'})`);
      throw new InfraError(
        `aws instances ${late.join(', ')} in ${api.region} were not running by the deadline; check the EC2 console for them.`,
      );
    }
    await clock.sleep(Math.min(15_000, 2_000 * (poll + 1)), signal);
  }
}

/**
 * The host keys an instance printed to its console, or [] when the console has
 * none (yet). `Latest` asks Nitro instances for the newest output; other types
 * refuse it, and then the buffered output is read.
 */
export async function consoleHostKeys(
  api: Ec2Api,
  instanceId: string,
  host: string,
): Promise<string[]> {
  const read = (latest: boolean) =>
    api.send(
      new GetConsoleOutputCommand({ InstanceId: instanceId, ...(latest ? { Latest: true } : {}) }),
      `console of ${host} (${instanceId})`,
      { fresh: true },
    );
  let out;
  try {
    out = await read(true);
  } catch (e) {
    const code = awsFaultOf((e as { cause?: unknown }).cause ?? e).code;
    if (code !== 'UnsupportedOperation' && code !== 'InvalidParameterValue') throw e;
    out = await read(false);
  }
  if (!out.Output) return [];
  return hostKeysFromConsole(Buffer.from(out.Output, 'base64').toString('utf8'));
}
