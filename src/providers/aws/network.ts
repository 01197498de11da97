/**
 * A site's network: VPC holding the underlay range, one subnet (the underlay;
 * AWS's router at .1 is the plan's gateway), internet gateway, route table,
 * and two security groups (every node; the edge VM's WireGuard).
 */
import { WIREGUARD_PORT } from '../../tunnel/wireguard.js';
import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission, ResourceType, TagSpecification } from '@aws-sdk/client-ec2';
import type { Plan, SitePlan } from '../../plan/types.js';
import type { ProviderContext } from '../provider.js';
import { resourceName, runTags } from '../cloud/tags.js';
import type { Ec2Api } from './api.js';
import { isAlreadyThere } from './errors.js';

export const DEFAULT_SSH_CIDR = '0.0.0.0/0';

export interface SiteNetwork {
  vpcId: string;
  subnetId: string;
  internetGatewayId: string;
  routeTableId: string;
  /** every host of the site */
  nodesGroupId: string;
  /** the edge VM only: WireGuard from the other edges */
  edgeGroupId: string;
}

export type TagSource = Pick<ProviderContext, 'runId' | 'expiresAt' | 'repo'>;

export function tagSpecs(
  types: ResourceType[],
  ctx: TagSource,
  site: string,
  name: string,
  extra: Record<string, string> = {},
): TagSpecification[] {
  const tags = Object.entries(runTags(ctx, site, name, extra)).map(([Key, Value]) => ({
    Key,
    Value,
  }));
  return types.map((ResourceType) => ({ ResourceType, Tags: tags }));
}

/** Ingress of the nodes' group: SSH, everything inside the site, BGP and the data plane from the other sites. */
export function nodeIngress(site: SitePlan, plan: Plan): IpPermission[] {
  const others = plan.sites.filter((s) => s.name !== site.name);
  const fromOthers = (description: string) =>
    others.map((o) => ({ CidrIp: o.cidrs.underlay, Description: `${description} from ${o.name}` }));
  const perms: IpPermission[] = [
    {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [
        { CidrIp: site.sshCidr ?? DEFAULT_SSH_CIDR, Description: 'SSH (key only, per-run key)' },
      ],
    },
    { IpProtocol: '-1', IpRanges: [{ CidrIp: site.cidrs.underlay, Description: 'intra-site' }] },
  ];
  if (others.length) {
    perms.push(
      { IpProtocol: 'tcp', FromPort: 179, ToPort: 179, IpRanges: fromOthers('BGP') },
      { IpProtocol: 'udp', FromPort: 6635, ToPort: 6635, IpRanges: fromOthers('MPLS over UDP') },
      { IpProtocol: 'udp', FromPort: 4789, ToPort: 4789, IpRanges: fromOthers('VXLAN') },
      { IpProtocol: '47', IpRanges: fromOthers('GRE') },
    );
  }
  return perms;
}

/** Ingress of the edge group: WireGuard (one UDP port) from each other edge's public address. */
export function edgeIngress(peers: { site: string; publicAddress: string }[]): IpPermission[] {
  if (peers.length === 0) return [];
  const ranges = (what: string) =>
    peers.map((p) => ({
      CidrIp: `${p.publicAddress}/32`,
      Description: `${what} from ${p.site} edge`,
    }));
  return [
    {
      IpProtocol: 'udp',
      FromPort: WIREGUARD_PORT,
      ToPort: WIREGUARD_PORT,
      IpRanges: ranges('WireGuard'),
    },
  ];
}

/** Create the site's network, recording each resource the moment it exists. */
export async function createSiteNetwork(
  api: Ec2Api,
  site: SitePlan,
  plan: Plan,
  ctx: ProviderContext,
): Promise<SiteNetwork> {
  const name = (what: string) => resourceName(ctx.runId, site.name, what);
  const record = (kind: string, id: string) =>
    ctx.recordResource({ provider: 'aws', site: site.name, kind, id, region: api.region });

  const vpc = await api.send(
    new CreateVpcCommand({
      CidrBlock: site.cidrs.underlay,
      TagSpecifications: tagSpecs(['vpc'], ctx, site.name, name('vpc')),
    }),
    `vpc ${name('vpc')} (${site.cidrs.underlay})`,
  );
  const vpcId = vpc.Vpc!.VpcId!;
  await record('vpc', vpcId);

  const subnet = await api.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: site.cidrs.underlay,
      ...(site.zone ? { AvailabilityZone: site.zone } : {}),
      TagSpecifications: tagSpecs(['subnet'], ctx, site.name, name('underlay')),
    }),
    `subnet ${name('underlay')} of ${vpcId}`,
    { fresh: true },
  );
  const subnetId = subnet.Subnet!.SubnetId!;
  await record('subnet', subnetId);

  const igw = await api.send(
    new CreateInternetGatewayCommand({
      TagSpecifications: tagSpecs(['internet-gateway'], ctx, site.name, name('igw')),
    }),
    `internet gateway ${name('igw')}`,
  );
  const internetGatewayId = igw.InternetGateway!.InternetGatewayId!;
  await record('internet-gateway', internetGatewayId);
  await api.send(
    new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }),
    `internet gateway ${internetGatewayId} to ${vpcId}`,
    { fresh: true },
  );

  const rt = await api.send(
    new CreateRouteTableCommand({
      VpcId: vpcId,
      TagSpecifications: tagSpecs(['route-table'], ctx, site.name, name('routes')),
    }),
    `route table ${name('routes')} of ${vpcId}`,
    { fresh: true },
  );
  const routeTableId = rt.RouteTable!.RouteTableId!;
  await record('route-table', routeTableId);
  await api.send(
    new CreateRouteCommand({
      RouteTableId: routeTableId,
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: internetGatewayId,
    }),
    `default route of ${routeTableId} via ${internetGatewayId}`,
    { fresh: true },
  );
  await api.send(
    new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }),
    `route table ${routeTableId} for subnet ${subnetId}`,
    { fresh: true },
  );

  const nodesGroupId = await createGroup(api, ctx, site, vpcId, 'nodes', nodeIngress(site, plan));
  await record('security-group', nodesGroupId);
  const edgeGroupId = await createGroup(api, ctx, site, vpcId, 'edge', []);
  await record('security-group', edgeGroupId);
  return { vpcId, subnetId, internetGatewayId, routeTableId, nodesGroupId, edgeGroupId };
}

async function createGroup(
  api: Ec2Api,
  ctx: ProviderContext,
  site: SitePlan,
  vpcId: string,
  what: 'nodes' | 'edge',
  ingress: IpPermission[],
): Promise<string> {
  const name = resourceName(ctx.runId, site.name, what);
  const out = await api.send(
    new CreateSecurityGroupCommand({
      GroupName: name,
      Description:
        what === 'nodes'
          ? `tungsten-e2e run ${ctx.runId} site ${site.name}: nodes`
          : `tungsten-e2e run ${ctx.runId} site ${site.name}: edge WireGuard`,
      VpcId: vpcId,
      TagSpecifications: tagSpecs(['security-group'], ctx, site.name, name),
    }),
    `security group ${name} of ${vpcId}`,
    { fresh: true },
  );
  const groupId = out.GroupId!;
  if (ingress.length) await authorize(api, ctx, site.name, groupId, name, ingress);
  return groupId;
}

/** Add ingress rules; rules already present count as done. */
export async function authorize(
  api: Ec2Api,
  ctx: TagSource,
  site: string,
  groupId: string,
  groupName: string,
  ingress: IpPermission[],
): Promise<void> {
  try {
    await api.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: ingress,
        TagSpecifications: tagSpecs(['security-group-rule'], ctx, site, `${groupName}-rule`),
      }),
      `ingress rules of ${groupName} (${groupId})`,
      { fresh: true },
    );
  } catch (e) {
    if (!isAlreadyThere((e as { cause?: unknown }).cause ?? e)) throw e;
  }
}
