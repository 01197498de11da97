/**
 * Finding a run's resources by tag and deleting them in dependency order. The
 * state file is not consulted: whatever carries the tag is found, also from a
 * run that died half way. NotFound while deleting means someone (or an earlier
 * teardown) already did it; DependencyViolation means a dependent is still
 * going away, so the call is retried until the deadline.
 */
import {
  CancelSpotInstanceRequestsCommand,
  DeleteInternetGatewayCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVolumeCommand,
  DeleteVpcCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSpotInstanceRequestsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Filter, Tag } from '@aws-sdk/client-ec2';
import type { Clock } from '../cloud/clock.js';
import { TAG_NAME, TAG_RUN_ID, TAG_SITE } from '../cloud/tags.js';
import type { Ec2Api } from './api.js';
import { isNotFound } from './errors.js';

/** A tagged resource as found in one region. */
export interface Found {
  kind: string;
  id: string;
  tags: Record<string, string>;
  /** what removal needs to know (associations, attachments, state) */
  detail?: { associations?: string[]; attachedTo?: string[]; state?: string };
}

export interface RemoveContext {
  clock: Clock;
  /** instances must be terminated by then */
  terminateDeadline: number;
  signal?: AbortSignal;
}

interface Kind {
  kind: string;
  find(api: Ec2Api, filters: Filter[]): Promise<Found[]>;
  /** delete all; returns one error message per id that could not be deleted */
  remove(api: Ec2Api, items: Found[], ctx: RemoveContext): Promise<Map<string, string>>;
  howToDelete(region: string, id: string): string;
}

const tagsOf = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? '']));

export const runFilter = (runId: string): Filter[] => [
  { Name: `tag:${TAG_RUN_ID}`, Values: [runId] },
];
export const runFilterByName = (runId: string, name: string): Filter[] => [
  ...runFilter(runId),
  { Name: `tag:${TAG_NAME}`, Values: [name] },
];
export const tagKeyFilter = (key: string): Filter[] => [{ Name: 'tag-key', Values: [key] }];

function label(f: Found): string {
  const site = f.tags[TAG_SITE];
  return `${f.kind} ${f.id}${site ? ` (site ${site})` : ''}`;
}

/** Delete one by one; NotFound is done, any other failure is reported for that id. */
async function each(
  items: Found[],
  remove: (item: Found) => Promise<unknown>,
): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  for (const item of items) {
    try {
      await remove(item);
    } catch (e) {
      if (isNotFound((e as { cause?: unknown }).cause ?? e)) continue;
      failed.set(item.id, (e as Error).message);
    }
  }
  return failed;
}

const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];

const instances: Kind = {
  kind: 'instance',
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeInstancesCommand({
          Filters: [...filters, { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES }],
          ...(NextToken ? { NextToken } : {}),
        }),
      'tagged instances',
    );
    return pages.flatMap((p) =>
      (p.Reservations ?? []).flatMap((r) =>
        (r.Instances ?? []).map((i) => ({
          kind: 'instance',
          id: i.InstanceId!,
          tags: tagsOf(i.Tags),
          detail: { state: i.State?.Name ?? 'unknown' },
        })),
      ),
    );
  },
  async remove(api, items, ctx) {
    const failed = new Map<string, string>();
    const ids = items.map((i) => i.id);
    try {
      await api.send(
        new TerminateInstancesCommand({ InstanceIds: ids }),
        `instances ${ids.join(', ')}`,
      );
    } catch (e) {
      if (!isNotFound((e as { cause?: unknown }).cause ?? e)) {
        for (const id of ids) failed.set(id, (e as Error).message);
        return failed;
      }
    }
    // the network interfaces and subnets they use are released only once terminated
    for (let poll = 0; ; poll++) {
      const pages = await api.all(
        (NextToken) =>
          new DescribeInstancesCommand({
            Filters: [
              { Name: 'instance-id', Values: ids },
              { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES },
            ],
            ...(NextToken ? { NextToken } : {}),
          }),
        `instances ${ids.join(', ')} (waiting for termination)`,
      );
      const alive = pages.flatMap((p) =>
        (p.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i)),
      );
      if (alive.length === 0) return failed;
      if (ctx.clock.now() >= ctx.terminateDeadline) {
        for (const i of alive) {
          failed.set(
            i.InstanceId!,
            `aws instance ${i.InstanceId} in ${api.region} is still ${i.State?.Name} after the termination deadline`,
          );
        }
        return failed;
      }
      await ctx.clock.sleep(Math.min(15_000, 2_000 * (poll + 1)), ctx.signal);
    }
  },
  howToDelete: (r, id) => `aws ec2 terminate-instances --region ${r} --instance-ids ${id}`,
};

const spotRequests: Kind = {
  kind: 'spot-instances-request',
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeSpotInstanceRequestsCommand({
          Filters: [...filters, { Name: 'state', Values: ['open', 'active'] }],
          ...(NextToken ? { NextToken } : {}),
        }),
      'tagged spot requests',
    );
    return pages.flatMap((p) =>
      (p.SpotInstanceRequests ?? []).map((s) => ({
        kind: 'spot-instances-request',
        id: s.SpotInstanceRequestId!,
        tags: tagsOf(s.Tags),
      })),
    );
  },
  remove: (api, items) =>
    each(items, (i) =>
      api.send(new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [i.id] }), label(i)),
    ),
  howToDelete: (r, id) =>
    `aws ec2 cancel-spot-instance-requests --region ${r} --spot-instance-request-ids ${id}`,
};

const networkInterfaces: Kind = {
  kind: 'network-interface',
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeNetworkInterfacesCommand({
          Filters: [...filters, { Name: 'status', Values: ['available'] }],
          ...(NextToken ? { NextToken } : {}),
        }),
      'tagged network interfaces',
    );
    return pages.flatMap((p) =>
      (p.NetworkInterfaces ?? []).map((n) => ({
        kind: 'network-interface',
        id: n.NetworkInterfaceId!,
        tags: tagsOf(n.TagSet),
      })),
    );
  },
  remove: (api, items) =>
    each(items, (i) =>
      api.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: i.id }), label(i), {
        waitForDependents: true,
      }),
    ),
  howToDelete: (r, id) =>
    `aws ec2 delete-network-interface --region ${r} --network-interface-id ${id}`,
};

const volumes: Kind = {
  kind: 'volume',
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeVolumesCommand({
          Filters: [...filters, { Name: 'status', Values: ['available'] }],
          ...(NextToken ? { NextToken } : {}),
        }),
      'tagged volumes',
    );
    return pages.flatMap((p) =>
      (p.Volumes ?? []).map((v) => ({ kind: 'volume', id: v.VolumeId!, tags: tagsOf(v.Tags) })),
    );
  },
  remove: (api, items) =>
    each(items, (i) => api.send(new DeleteVolumeCommand({ VolumeId: i.id }), label(i))),
  howToDelete: (r, id) => `aws ec2 delete-volume --region ${r} --volume-id ${id}`,
};

const routeTables: Kind = {
  kind: 'route-table',
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeRouteTablesCommand({ Filters: filters, ...(NextToken ? { NextToken } : {}) }),
      'tagged route tables',
    );
    return pages.flatMap((p) =>
      (p.RouteTables ?? []).map((t) => ({
        kind: 'route-table',
        id: t.RouteTableId!,
        tags: tagsOf(t.Tags),
        detail: {
          associations: (t.Associations ?? [])
            .filter((a) => !a.Main && a.RouteTableAssociationId)
            .map((a) => a.RouteTableAssociationId!),
        },
      })),
    );
  },
  remove: (api, items) =>
    each(items, async (i) => {
      for (const AssociationId of i.detail?.associations ?? []) {
        try {
          await api.send(
            new DisassociateRouteTableCommand({ AssociationId }),
            `${label(i)} association ${AssociationId}`,
          );
        } catch (e) {
          if (!isNotFound((e as { cause?: unknown }).cause ?? e)) throw e;
        }
      }
      await api.send(new DeleteRouteTableCommand({ RouteTableId: i.id }), label(i), {
        waitForDependents: true,
      });
    }),
  howToDelete: (r, id) =>
    `aws ec2 describe-route-tables --region ${r} --route-table-ids ${id} (disassociate each association), then aws ec2 delete-route-table --region ${r} --route-table-id ${id}`,
};

const internetGateways: Kind = {
  kind: 'internet-gateway',
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeInternetGatewaysCommand({
          Filters: filters,
          ...(NextToken ? { NextToken } : {}),
        }),
      'tagged internet gateways',
    );
    return pages.flatMap((p) =>
      (p.InternetGateways ?? []).map((g) => ({
        kind: 'internet-gateway',
        id: g.InternetGatewayId!,
        tags: tagsOf(g.Tags),
        detail: { attachedTo: (g.Attachments ?? []).filter((a) => a.VpcId).map((a) => a.VpcId!) },
      })),
    );
  },
  remove: (api, items) =>
    each(items, async (i) => {
      for (const VpcId of i.detail?.attachedTo ?? []) {
        try {
          await api.send(
            new DetachInternetGatewayCommand({ InternetGatewayId: i.id, VpcId }),
            `${label(i)} from ${VpcId}`,
            // detaching waits while instances still hold public addresses in the VPC
            { waitForDependents: true },
          );
        } catch (e) {
          if (!isNotFound((e as { cause?: unknown }).cause ?? e)) throw e;
        }
      }
      await api.send(new DeleteInternetGatewayCommand({ InternetGatewayId: i.id }), label(i), {
        waitForDependents: true,
      });
    }),
  howToDelete: (r, id) =>
    `aws ec2 detach-internet-gateway --region ${r} --internet-gateway-id ${id} --vpc-id <its VPC>, then aws ec2 delete-internet-gateway --region ${r} --internet-gateway-id ${id}`,
};

const subnets: Kind = {
  kind: 'subnet',
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeSubnetsCommand({ Filters: filters, ...(NextToken ? { NextToken } : {}) }),
      'tagged subnets',
    );
    return pages.flatMap((p) =>
      (p.Subnets ?? []).map((s) => ({ kind: 'subnet', id: s.SubnetId!, tags: tagsOf(s.Tags) })),
    );
  },
  remove: (api, items) =>
    each(items, (i) =>
      api.send(new DeleteSubnetCommand({ SubnetId: i.id }), label(i), { waitForDependents: true }),
    ),
  howToDelete: (r, id) => `aws ec2 delete-subnet --region ${r} --subnet-id ${id}`,
};

const securityGroups: Kind = {
  kind: 'security-group',
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeSecurityGroupsCommand({
          Filters: filters,
          ...(NextToken ? { NextToken } : {}),
        }),
      'tagged security groups',
    );
    return pages.flatMap((p) =>
      (p.SecurityGroups ?? []).map((g) => ({
        kind: 'security-group',
        id: g.GroupId!,
        tags: tagsOf(g.Tags),
      })),
    );
  },
  remove: (api, items) =>
    each(items, (i) =>
      api.send(new DeleteSecurityGroupCommand({ GroupId: i.id }), label(i), {
        waitForDependents: true,
      }),
    ),
  howToDelete: (r, id) => `aws ec2 delete-security-group --region ${r} --group-id ${id}`,
};

const vpcs: Kind = {
  kind: 'vpc',
  async find(api, filters) {
    const pages = await api.all(
      (NextToken) =>
        new DescribeVpcsCommand({ Filters: filters, ...(NextToken ? { NextToken } : {}) }),
      'tagged VPCs',
    );
    return pages.flatMap((p) =>
      (p.Vpcs ?? []).map((v) => ({ kind: 'vpc', id: v.VpcId!, tags: tagsOf(v.Tags) })),
    );
  },
  remove: (api, items) =>
    each(items, (i) =>
      api.send(new DeleteVpcCommand({ VpcId: i.id }), label(i), { waitForDependents: true }),
    ),
  howToDelete: (r, id) => `aws ec2 delete-vpc --region ${r} --vpc-id ${id}`,
};

/** Dependency order: what uses something is deleted before it. */
export const KINDS: readonly Kind[] = [
  spotRequests,
  instances,
  networkInterfaces,
  volumes,
  routeTables,
  internetGateways,
  subnets,
  securityGroups,
  vpcs,
];

/** Everything in the region that matches the filters, kind by kind, in dependency order. */
export async function findTagged(api: Ec2Api, filters: Filter[]): Promise<Found[]> {
  const out: Found[] = [];
  for (const k of KINDS) out.push(...(await k.find(api, filters)));
  return out;
}

export interface RemovalResult {
  deleted: Found[];
  failed: { item: Found; error: string; howToDelete: string }[];
}

/**
 * Find and delete, kind by kind in dependency order. Each kind is searched
 * just before its turn: what termination leaves behind (a network interface
 * or volume whose DeleteOnTermination was off) only shows as available then.
 */
export async function removeAll(
  api: Ec2Api,
  filters: Filter[],
  ctx: RemoveContext,
  onFound: (items: Found[]) => void = () => {},
): Promise<RemovalResult> {
  const result: RemovalResult = { deleted: [], failed: [] };
  for (const k of KINDS) {
    const items = await k.find(api, filters);
    if (items.length === 0) continue;
    onFound(items);
    let failed: Map<string, string>;
    try {
      failed = await k.remove(api, items, ctx);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      failed = new Map(items.map((i) => [i.id, e.message]));
    }
    for (const item of items) {
      const error = failed.get(item.id);
      if (error === undefined) result.deleted.push(item);
      else result.failed.push({ item, error, howToDelete: k.howToDelete(api.region, item.id) });
    }
  }
  return result;
}
