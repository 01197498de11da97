/**
 * A stateful fake of the EC2 API for one region, at the SDK's transport
 * boundary: aws-sdk-client-mock intercepts `client.send`, and each handler
 * takes the command's own input type and returns its own output type
 * (`CreateVpcCommandInput` → `CreateVpcCommandOutput`, …). Errors are not
 * hand-built objects: each is an EC2 error response (the documented
 * `<Response><Errors><Error><Code>…` XML) run through the SDK's own
 * deserializer for the failing operation, so the provider sees exactly what
 * the SDK would raise.
 *
 * The fake enforces what makes teardown order matter on real EC2
 * (DependencyViolation for a VPC with subnets, a subnet with live instances,
 * an attached gateway, a group in use, an associated route table), keeps
 * terminated instances listed as EC2 does, moves instances through
 * pending → running and shutting-down → terminated across polls, honours
 * RunInstances client tokens, and has a vCPU quota.
 */
import { Readable } from 'node:stream';
import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CancelSpotInstanceRequestsCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVolumeCommand,
  DeleteVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
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
  EC2Client,
  GetConsoleOutputCommand,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type {
  __MetadataBearer,
  AssociateRouteTableCommandInput,
  AssociateRouteTableCommandOutput,
  AttachInternetGatewayCommandInput,
  AttachInternetGatewayCommandOutput,
  AuthorizeSecurityGroupIngressCommandInput,
  AuthorizeSecurityGroupIngressCommandOutput,
  CancelSpotInstanceRequestsCommandInput,
  CancelSpotInstanceRequestsCommandOutput,
  CreateInternetGatewayCommandInput,
  CreateInternetGatewayCommandOutput,
  CreateRouteCommandInput,
  CreateRouteCommandOutput,
  CreateRouteTableCommandInput,
  CreateRouteTableCommandOutput,
  CreateSecurityGroupCommandInput,
  CreateSecurityGroupCommandOutput,
  CreateSubnetCommandInput,
  CreateSubnetCommandOutput,
  CreateVpcCommandInput,
  CreateVpcCommandOutput,
  DeleteInternetGatewayCommandInput,
  DeleteNetworkInterfaceCommandInput,
  DeleteRouteTableCommandInput,
  DeleteSecurityGroupCommandInput,
  DeleteSecurityGroupCommandOutput,
  DeleteSubnetCommandInput,
  DeleteVolumeCommandInput,
  DeleteVpcCommandInput,
  DescribeImagesCommandInput,
  DescribeImagesCommandOutput,
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  DescribeInstanceTypesCommandInput,
  DescribeInstanceTypesCommandOutput,
  DescribeInternetGatewaysCommandInput,
  DescribeInternetGatewaysCommandOutput,
  DescribeNetworkInterfacesCommandInput,
  DescribeNetworkInterfacesCommandOutput,
  DescribeRouteTablesCommandInput,
  DescribeRouteTablesCommandOutput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  DescribeSpotInstanceRequestsCommandInput,
  DescribeSpotInstanceRequestsCommandOutput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  DescribeVolumesCommandInput,
  DescribeVolumesCommandOutput,
  DescribeVpcsCommandInput,
  DescribeVpcsCommandOutput,
  DetachInternetGatewayCommandInput,
  DisassociateRouteTableCommandInput,
  Filter,
  GetConsoleOutputCommandInput,
  GetConsoleOutputCommandOutput,
  Image,
  Instance,
  InstanceStateName,
  InstanceTypeInfo,
  InternetGateway,
  IpPermission,
  ModifyInstanceAttributeCommandInput,
  NetworkInterface,
  ResourceType,
  RouteTable,
  RunInstancesCommandInput,
  RunInstancesCommandOutput,
  SecurityGroup,
  SpotInstanceRequest,
  Subnet,
  Tag,
  TagSpecification,
  TerminateInstancesCommandInput,
  TerminateInstancesCommandOutput,
  Volume,
  Vpc,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsStub } from 'aws-sdk-client-mock';
import { testKeyPair } from '../keys.js';

// ---------------------------------------------------------------------------
// Errors through the SDK's own deserializer

const META = { httpStatusCode: 200, requestId: 'fake-request', attempts: 1, totalRetryDelay: 0 };

/** Run an EC2 error response through the SDK's deserializer for this operation. */
async function sdkError(
  command: { input: unknown; constructor: unknown },
  code: string,
  message: string,
  status: number,
): Promise<Error> {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>5b1e4b8e-fake-4c8e-9a7e-${code.length.toString(16).padStart(12, '0')}</RequestID></Response>`;
  const client = new EC2Client({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake' },
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: status,
          headers: { 'content-type': 'text/xml;charset=UTF-8' },
          body: Readable.from([Buffer.from(body)]),
        },
      }),
    },
  });
  const Ctor = command.constructor as new (input: unknown) => Parameters<EC2Client['send']>[0];
  try {
    await client.send(new Ctor(command.input));
  } catch (e) {
    return e as Error;
  } finally {
    client.destroy();
  }
  throw new Error(`the SDK accepted an error response for ${code}`);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An error a handler raises: turned into the SDK's exception by the dispatcher. */
class Ec2Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------
// Faults tests inject

export interface InjectedFault {
  /** operation name ("RunInstances"); undefined = any operation */
  operation?: string;
  /** fail only the nth matching call (1-based) and later ones up to `times` */
  from?: number;
  /** how many matching calls fail (Infinity = all) */
  times: number;
  code: string;
  message: string;
  status: number;
  /** matching calls seen so far */
  seen?: number;
  /** failures delivered so far */
  fired?: number;
}

export const THROTTLE = {
  code: 'RequestLimitExceeded',
  message: 'Request limit exceeded.',
  status: 503,
};
export const INTERNAL = {
  code: 'InternalError',
  message: 'An internal error has occurred.',
  status: 500,
};

// ---------------------------------------------------------------------------
// State

interface InstanceRecord {
  instance: Instance;
  /** DescribeInstances polls left before the next state change */
  pollsToChange: number;
  consoleReads: number;
  hostKey: string;
  clientToken?: string;
}

export interface FakeEc2Options {
  region: string;
  catalogue: InstanceTypeInfo[];
  images: Image[];
  /** On-Demand vCPU quota (running + pending); default 1024 */
  vcpuLimit?: number;
  /** DescribeInstances polls an instance stays pending / shutting-down */
  transitionPolls?: number;
  /** GetConsoleOutput reads that return no output yet, per instance */
  consoleDelayReads?: number;
  /** first two octets of the public addresses handed out (documentation ranges) */
  publicPrefix?: string;
}

export interface RecordedCall {
  operation: string;
  input: unknown;
  region: string;
}

const STATE_CODE: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** Every operation whose name starts with one of these changes the world. */
export const MUTATING =
  /^(Create|Delete|Run|Terminate|Attach|Detach|Associate|Disassociate|Authorize|Revoke|Modify|Cancel)/;

export class FakeEc2 {
  readonly region: string;
  readonly calls: RecordedCall[] = [];
  /** deletions refused because something still depended on the resource */
  readonly dependencyViolations: string[] = [];
  readonly faults: InjectedFault[] = [];
  /** ids whose next delete finds them already gone (deleted by someone else meanwhile) */
  readonly vanishOnDelete = new Set<string>();
  vcpuLimit: number;
  /** what termination leaves behind as 'available' instead of deleting (a DeleteOnTermination someone turned off) */
  readonly leaveOnTermination = { networkInterfaces: false, volumes: false };

  private readonly vpcs = new Map<string, Vpc>();
  private readonly subnets = new Map<string, Subnet>();
  private readonly igws = new Map<string, InternetGateway>();
  private readonly routeTables = new Map<string, RouteTable>();
  private readonly groups = new Map<string, SecurityGroup>();
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly enis = new Map<string, NetworkInterface>();
  private readonly volumes = new Map<string, Volume>();
  private readonly spot = new Map<string, SpotInstanceRequest>();
  private readonly ruleTags = new Map<string, { id: string; tags: Tag[] }>();
  private counter = 0;
  private publicHost = 10;
  private readonly options: Required<FakeEc2Options>;
  private mock?: AwsStub<object, __MetadataBearer, unknown>;

  constructor(options: FakeEc2Options) {
    this.options = {
      vcpuLimit: 1024,
      transitionPolls: 1,
      consoleDelayReads: 1,
      publicPrefix: '203.0',
      ...options,
    };
    this.region = options.region;
    this.vcpuLimit = this.options.vcpuLimit;
  }

  /** Route every command `client` sends to this fake. */
  attach(client: EC2Client): void {
    const m = mockClient(client) as unknown as AwsStub<object, __MetadataBearer, unknown>;
    this.mock = m;
    m.onAnyCommand().callsFake(() => {
      throw new Error('the fake EC2 does not implement this operation');
    });
    const on = <I, O>(
      Cmd: new (input: I) => { input: I },
      handler: (input: I) => Omit<O, '$metadata'> | Promise<Omit<O, '$metadata'>>,
    ) => {
      (m.on as (c: unknown) => { callsFake(f: (input: I) => Promise<O>): void })(Cmd).callsFake(
        async (input: I) => this.dispatch(Cmd, input, handler) as Promise<O>,
      );
    };
    on<DescribeInstanceTypesCommandInput, DescribeInstanceTypesCommandOutput>(
      DescribeInstanceTypesCommand,
      (i) => this.describeInstanceTypes(i),
    );
    on<DescribeImagesCommandInput, DescribeImagesCommandOutput>(DescribeImagesCommand, (i) =>
      this.describeImages(i),
    );
    on<CreateVpcCommandInput, CreateVpcCommandOutput>(CreateVpcCommand, (i) => this.createVpc(i));
    on<CreateSubnetCommandInput, CreateSubnetCommandOutput>(CreateSubnetCommand, (i) =>
      this.createSubnet(i),
    );
    on<CreateInternetGatewayCommandInput, CreateInternetGatewayCommandOutput>(
      CreateInternetGatewayCommand,
      (i) => this.createInternetGateway(i),
    );
    on<AttachInternetGatewayCommandInput, AttachInternetGatewayCommandOutput>(
      AttachInternetGatewayCommand,
      (i) => this.attachInternetGateway(i),
    );
    on<CreateRouteTableCommandInput, CreateRouteTableCommandOutput>(CreateRouteTableCommand, (i) =>
      this.createRouteTable(i),
    );
    on<CreateRouteCommandInput, CreateRouteCommandOutput>(CreateRouteCommand, (i) =>
      this.createRoute(i),
    );
    on<AssociateRouteTableCommandInput, AssociateRouteTableCommandOutput>(
      AssociateRouteTableCommand,
      (i) => this.associateRouteTable(i),
    );
    on<CreateSecurityGroupCommandInput, CreateSecurityGroupCommandOutput>(
      CreateSecurityGroupCommand,
      (i) => this.createSecurityGroup(i),
    );
    on<AuthorizeSecurityGroupIngressCommandInput, AuthorizeSecurityGroupIngressCommandOutput>(
      AuthorizeSecurityGroupIngressCommand,
      (i) => this.authorizeIngress(i),
    );
    on<RunInstancesCommandInput, RunInstancesCommandOutput>(RunInstancesCommand, (i) =>
      this.runInstances(i),
    );
    on<ModifyInstanceAttributeCommandInput, object>(ModifyInstanceAttributeCommand, (i) =>
      this.modifyInstanceAttribute(i),
    );
    on<DescribeInstancesCommandInput, DescribeInstancesCommandOutput>(
      DescribeInstancesCommand,
      (i) => this.describeInstances(i),
    );
    on<GetConsoleOutputCommandInput, GetConsoleOutputCommandOutput>(GetConsoleOutputCommand, (i) =>
      this.getConsoleOutput(i),
    );
    on<DescribeSecurityGroupsCommandInput, DescribeSecurityGroupsCommandOutput>(
      DescribeSecurityGroupsCommand,
      (i) => ({ SecurityGroups: this.filter([...this.groups.values()], i.Filters, groupFields) }),
    );
    on<TerminateInstancesCommandInput, TerminateInstancesCommandOutput>(
      TerminateInstancesCommand,
      (i) => this.terminateInstances(i),
    );
    on<DescribeSpotInstanceRequestsCommandInput, DescribeSpotInstanceRequestsCommandOutput>(
      DescribeSpotInstanceRequestsCommand,
      (i) => ({
        SpotInstanceRequests: this.filter([...this.spot.values()], i.Filters, (s) => ({
          state: s.State,
        })),
      }),
    );
    on<CancelSpotInstanceRequestsCommandInput, CancelSpotInstanceRequestsCommandOutput>(
      CancelSpotInstanceRequestsCommand,
      (i) => this.cancelSpot(i),
    );
    on<DescribeNetworkInterfacesCommandInput, DescribeNetworkInterfacesCommandOutput>(
      DescribeNetworkInterfacesCommand,
      (i) => ({
        NetworkInterfaces: this.filter(
          [...this.enis.values()],
          i.Filters,
          (n) => ({
            status: n.Status,
          }),
          (n) => n.TagSet,
        ),
      }),
    );
    on<DeleteNetworkInterfaceCommandInput, object>(DeleteNetworkInterfaceCommand, (i) =>
      this.deleteNetworkInterface(i),
    );
    on<DescribeVolumesCommandInput, DescribeVolumesCommandOutput>(DescribeVolumesCommand, (i) => ({
      Volumes: this.filter([...this.volumes.values()], i.Filters, (v) => ({ status: v.State })),
    }));
    on<DeleteVolumeCommandInput, object>(DeleteVolumeCommand, (i) => this.deleteVolume(i));
    on<DescribeRouteTablesCommandInput, DescribeRouteTablesCommandOutput>(
      DescribeRouteTablesCommand,
      (i) => ({
        RouteTables: this.filter([...this.routeTables.values()], i.Filters, (t) => ({
          'vpc-id': t.VpcId,
        })),
      }),
    );
    on<DisassociateRouteTableCommandInput, object>(DisassociateRouteTableCommand, (i) =>
      this.disassociateRouteTable(i),
    );
    on<DeleteRouteTableCommandInput, object>(DeleteRouteTableCommand, (i) =>
      this.deleteRouteTable(i),
    );
    on<DescribeInternetGatewaysCommandInput, DescribeInternetGatewaysCommandOutput>(
      DescribeInternetGatewaysCommand,
      (i) => ({ InternetGateways: this.filter([...this.igws.values()], i.Filters, () => ({})) }),
    );
    on<DetachInternetGatewayCommandInput, object>(DetachInternetGatewayCommand, (i) =>
      this.detachInternetGateway(i),
    );
    on<DeleteInternetGatewayCommandInput, object>(DeleteInternetGatewayCommand, (i) =>
      this.deleteInternetGateway(i),
    );
    on<DescribeSubnetsCommandInput, DescribeSubnetsCommandOutput>(DescribeSubnetsCommand, (i) => ({
      Subnets: this.filter([...this.subnets.values()], i.Filters, (s) => ({ 'vpc-id': s.VpcId })),
    }));
    on<DeleteSubnetCommandInput, object>(DeleteSubnetCommand, (i) => this.deleteSubnet(i));
    on<DeleteSecurityGroupCommandInput, DeleteSecurityGroupCommandOutput>(
      DeleteSecurityGroupCommand,
      (i) => this.deleteSecurityGroup(i),
    );
    on<DescribeVpcsCommandInput, DescribeVpcsCommandOutput>(DescribeVpcsCommand, (i) => ({
      Vpcs: this.filter([...this.vpcs.values()], i.Filters, () => ({})),
    }));
    on<DeleteVpcCommandInput, object>(DeleteVpcCommand, (i) => this.deleteVpc(i));
  }

  detach(): void {
    this.mock?.restore();
  }

  private async dispatch<I, O>(
    Cmd: new (input: I) => { input: I },
    input: I,
    handler: (input: I) => Omit<O, '$metadata'> | Promise<Omit<O, '$metadata'>>,
  ): Promise<O> {
    const operation = Cmd.name.replace(/Command$/, '');
    this.calls.push({ operation, input: structuredClone(input), region: this.region });
    const command = new Cmd(input);
    const fault = this.injected(operation);
    if (fault) throw await sdkError(command, fault.code, fault.message, fault.status);
    try {
      const out = await handler(input);
      return { ...structuredClone(out), $metadata: { ...META } } as O;
    } catch (e) {
      if (e instanceof Ec2Fault) {
        if (e.code === 'DependencyViolation')
          this.dependencyViolations.push(`${operation}: ${e.message}`);
        throw await sdkError(command, e.code, e.message, e.status);
      }
      throw e;
    }
  }

  private injected(operation: string): InjectedFault | undefined {
    for (const f of this.faults) {
      if (f.operation && f.operation !== operation) continue;
      f.seen = (f.seen ?? 0) + 1;
      if (f.seen < (f.from ?? 1)) continue;
      if ((f.fired ?? 0) >= f.times) continue;
      f.fired = (f.fired ?? 0) + 1;
      return f;
    }
    return undefined;
  }

  inject(fault: Omit<InjectedFault, 'seen' | 'fired'>): InjectedFault {
    const f: InjectedFault = { ...fault };
    this.faults.push(f);
    return f;
  }

  /** Operations that changed (or tried to change) the world, in order. */
  mutations(): string[] {
    return this.calls.filter((c) => MUTATING.test(c.operation)).map((c) => c.operation);
  }

  // -------------------------------------------------------------------------
  // Inventory for the contract kit

  /** Everything that exists (terminated instances and closed spot requests excluded), with tags. */
  inventory(): { kind: ResourceType | string; id: string; tags: Record<string, string> }[] {
    const out: { kind: string; id: string; tags: Record<string, string> }[] = [];
    const add = (kind: string, id: string | undefined, tags: Tag[] | undefined) =>
      out.push({ kind, id: id!, tags: tagMap(tags) });
    for (const v of this.vpcs.values()) add('vpc', v.VpcId, v.Tags);
    for (const s of this.subnets.values()) add('subnet', s.SubnetId, s.Tags);
    for (const g of this.igws.values()) add('internet-gateway', g.InternetGatewayId, g.Tags);
    for (const t of this.routeTables.values()) {
      if (t.Associations?.some((a) => a.Main)) continue; // a VPC's main table goes with the VPC
      add('route-table', t.RouteTableId, t.Tags);
    }
    for (const g of this.groups.values()) {
      if (g.GroupName === 'default') continue; // likewise the VPC's default group
      add('security-group', g.GroupId, g.Tags);
      for (const rule of groupRules(g, this.ruleTags))
        add('security-group-rule', rule.id, rule.tags);
    }
    for (const r of this.instances.values()) {
      if (r.instance.State?.Name === 'terminated') continue;
      add('instance', r.instance.InstanceId, r.instance.Tags);
    }
    for (const n of this.enis.values()) add('network-interface', n.NetworkInterfaceId, n.TagSet);
    for (const v of this.volumes.values()) add('volume', v.VolumeId, v.Tags);
    for (const s of this.spot.values()) {
      if (s.State === 'open' || s.State === 'active')
        add('spot-instances-request', s.SpotInstanceRequestId, s.Tags);
    }
    return out;
  }

  /** Ingress rules of the group tagged with this Name: protocol, ports, source. */
  ingressOf(groupName: string): { protocol: string; from?: number; to?: number; cidr: string }[] {
    const g = [...this.groups.values()].find((x) => tagMap(x.Tags).Name === groupName);
    return (g?.IpPermissions ?? []).flatMap((p) =>
      (p.IpRanges ?? []).map((r) => ({
        protocol: p.IpProtocol!,
        ...(p.FromPort !== undefined ? { from: p.FromPort } : {}),
        ...(p.ToPort !== undefined ? { to: p.ToPort } : {}),
        cidr: r.CidrIp!,
      })),
    );
  }

  instanceByHost(host: string): Instance | undefined {
    return [...this.instances.values()]
      .map((r) => r.instance)
      .find((i) => i.State?.Name !== 'terminated' && tagMap(i.Tags)['tungsten-e2e:host'] === host);
  }

  routeTableOf(name: string): RouteTable | undefined {
    return [...this.routeTables.values()].find((t) => tagMap(t.Tags).Name === name);
  }

  hostKeyOf(instanceId: string): string | undefined {
    return this.instances.get(instanceId)?.hostKey;
  }

  // -------------------------------------------------------------------------
  // Handlers

  private id(prefix: string): string {
    this.counter += 1;
    const regionSalt = [...this.region].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
    return `${prefix}-${(regionSalt % 0xfffff).toString(16).padStart(5, '0')}${this.counter.toString(16).padStart(12, '0')}`;
  }

  private describeInstanceTypes(
    input: DescribeInstanceTypesCommandInput,
  ): Omit<DescribeInstanceTypesCommandOutput, '$metadata'> {
    const wanted = input.InstanceTypes ?? [];
    const unknown = wanted.filter((t) => !this.options.catalogue.some((c) => c.InstanceType === t));
    if (unknown.length) {
      throw new Ec2Fault(
        'InvalidInstanceType',
        `The following supplied instance types do not exist: [${unknown.join(', ')}]`,
      );
    }
    const list = wanted.length
      ? this.options.catalogue.filter((c) => wanted.includes(c.InstanceType!))
      : this.options.catalogue;
    return { InstanceTypes: list };
  }

  private describeImages(
    input: DescribeImagesCommandInput,
  ): Omit<DescribeImagesCommandOutput, '$metadata'> {
    let images = this.options.images;
    if (input.ImageIds?.length) {
      const missing = input.ImageIds.filter((id) => !images.some((i) => i.ImageId === id));
      if (missing.length) {
        throw new Ec2Fault(
          'InvalidAMIID.NotFound',
          `The image id '[${missing.join(', ')}]' does not exist`,
        );
      }
      images = images.filter((i) => input.ImageIds!.includes(i.ImageId!));
    }
    if (input.Owners?.length) images = images.filter((i) => input.Owners!.includes(i.OwnerId!));
    if (!input.IncludeDeprecated && !input.ImageIds?.length) {
      images = images.filter((i) => !i.DeprecationTime);
    }
    return {
      Images: this.filter(images, input.Filters, (i) => ({
        name: i.Name,
        state: i.State,
        architecture: i.Architecture,
      })),
    };
  }

  private createVpc(input: CreateVpcCommandInput): Omit<CreateVpcCommandOutput, '$metadata'> {
    const cidr = parseCidr(input.CidrBlock ?? '');
    if (!cidr || cidr.prefix < 16 || cidr.prefix > 28) {
      throw new Ec2Fault('InvalidVpc.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
    }
    const vpc: Vpc = {
      VpcId: this.id('vpc'),
      CidrBlock: input.CidrBlock!,
      State: 'pending',
      IsDefault: false,
      OwnerId: '123456789012',
      InstanceTenancy: 'default',
      Tags: tagsFor(input.TagSpecifications, 'vpc'),
    };
    this.vpcs.set(vpc.VpcId!, vpc);
    // as on EC2: every VPC comes with a main route table and a default security group
    const main: RouteTable = {
      RouteTableId: this.id('rtb'),
      VpcId: vpc.VpcId!,
      Routes: [{ DestinationCidrBlock: vpc.CidrBlock!, GatewayId: 'local', State: 'active' }],
      Associations: [
        { Main: true, RouteTableAssociationId: this.id('rtbassoc'), RouteTableId: '' },
      ],
      Tags: [],
    };
    main.Associations![0]!.RouteTableId = main.RouteTableId!;
    this.routeTables.set(main.RouteTableId!, main);
    const dflt: SecurityGroup = {
      GroupId: this.id('sg'),
      GroupName: 'default',
      Description: 'default VPC security group',
      VpcId: vpc.VpcId!,
      IpPermissions: [],
      Tags: [],
    };
    this.groups.set(dflt.GroupId!, dflt);
    const out = structuredClone(vpc);
    vpc.State = 'available';
    return { Vpc: out };
  }

  private vpc(id: string | undefined): Vpc {
    const v = id ? this.vpcs.get(id) : undefined;
    if (!v) throw new Ec2Fault('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
    return v;
  }

  private createSubnet(
    input: CreateSubnetCommandInput,
  ): Omit<CreateSubnetCommandOutput, '$metadata'> {
    const vpc = this.vpc(input.VpcId);
    const inner = parseCidr(input.CidrBlock ?? '');
    const outer = parseCidr(vpc.CidrBlock!)!;
    if (!inner || !within(inner, outer)) {
      throw new Ec2Fault(
        'InvalidSubnet.Range',
        `The CIDR '${input.CidrBlock}' is invalid for the VPC ${vpc.VpcId}.`,
      );
    }
    const subnet: Subnet = {
      SubnetId: this.id('subnet'),
      VpcId: vpc.VpcId!,
      CidrBlock: input.CidrBlock!,
      AvailabilityZone: input.AvailabilityZone ?? `${this.region}a`,
      AvailableIpAddressCount: 2 ** (32 - inner.prefix) - 5,
      MapPublicIpOnLaunch: false,
      State: 'available',
      Tags: tagsFor(input.TagSpecifications, 'subnet'),
    };
    this.subnets.set(subnet.SubnetId!, subnet);
    return { Subnet: subnet };
  }

  private createInternetGateway(
    input: CreateInternetGatewayCommandInput,
  ): Omit<CreateInternetGatewayCommandOutput, '$metadata'> {
    const igw: InternetGateway = {
      InternetGatewayId: this.id('igw'),
      Attachments: [],
      OwnerId: '123456789012',
      Tags: tagsFor(input.TagSpecifications, 'internet-gateway'),
    };
    this.igws.set(igw.InternetGatewayId!, igw);
    return { InternetGateway: igw };
  }

  private igw(id: string | undefined): InternetGateway {
    const g = id ? this.igws.get(id) : undefined;
    if (!g) {
      throw new Ec2Fault(
        'InvalidInternetGatewayID.NotFound',
        `The internetGateway ID '${id}' does not exist`,
      );
    }
    return g;
  }

  private attachInternetGateway(input: AttachInternetGatewayCommandInput): object {
    const g = this.igw(input.InternetGatewayId);
    const vpc = this.vpc(input.VpcId);
    if (g.Attachments?.length) {
      throw new Ec2Fault(
        'Resource.AlreadyAssociated',
        `resource ${g.InternetGatewayId} is already attached to network ${g.Attachments[0]!.VpcId}`,
      );
    }
    g.Attachments = [{ VpcId: vpc.VpcId!, State: 'attached' }];
    return {};
  }

  private createRouteTable(
    input: CreateRouteTableCommandInput,
  ): Omit<CreateRouteTableCommandOutput, '$metadata'> {
    const vpc = this.vpc(input.VpcId);
    const t: RouteTable = {
      RouteTableId: this.id('rtb'),
      VpcId: vpc.VpcId!,
      Routes: [{ DestinationCidrBlock: vpc.CidrBlock!, GatewayId: 'local', State: 'active' }],
      Associations: [],
      Tags: tagsFor(input.TagSpecifications, 'route-table'),
    };
    this.routeTables.set(t.RouteTableId!, t);
    return { RouteTable: t };
  }

  private routeTable(id: string | undefined): RouteTable {
    const t = id ? this.routeTables.get(id) : undefined;
    if (!t) {
      throw new Ec2Fault(
        'InvalidRouteTableID.NotFound',
        `The routeTable ID '${id}' does not exist`,
      );
    }
    return t;
  }

  private createRoute(input: CreateRouteCommandInput): Omit<CreateRouteCommandOutput, '$metadata'> {
    const t = this.routeTable(input.RouteTableId);
    if (t.Routes!.some((r) => r.DestinationCidrBlock === input.DestinationCidrBlock)) {
      throw new Ec2Fault(
        'RouteAlreadyExists',
        `The route identified by ${input.DestinationCidrBlock} already exists.`,
      );
    }
    if (input.GatewayId) {
      const g = this.igw(input.GatewayId);
      if (!g.Attachments?.some((a) => a.VpcId === t.VpcId)) {
        throw new Ec2Fault(
          'InvalidParameterValue',
          `route table ${t.RouteTableId} and network gateway ${g.InternetGatewayId} belong to different networks`,
        );
      }
    } else if (input.NetworkInterfaceId) {
      if (!this.enis.has(input.NetworkInterfaceId)) {
        throw new Ec2Fault(
          'InvalidNetworkInterfaceID.NotFound',
          `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`,
        );
      }
    } else {
      throw new Ec2Fault('InvalidParameterCombination', 'No route target specified.');
    }
    t.Routes!.push({
      DestinationCidrBlock: input.DestinationCidrBlock!,
      ...(input.GatewayId ? { GatewayId: input.GatewayId } : {}),
      ...(input.NetworkInterfaceId ? { NetworkInterfaceId: input.NetworkInterfaceId } : {}),
      State: 'active',
      Origin: 'CreateRoute',
    });
    return { Return: true };
  }

  private associateRouteTable(
    input: AssociateRouteTableCommandInput,
  ): Omit<AssociateRouteTableCommandOutput, '$metadata'> {
    const t = this.routeTable(input.RouteTableId);
    const s = input.SubnetId ? this.subnets.get(input.SubnetId) : undefined;
    if (!s)
      throw new Ec2Fault(
        'InvalidSubnetID.NotFound',
        `The subnet ID '${input.SubnetId}' does not exist`,
      );
    const taken = [...this.routeTables.values()].some((x) =>
      x.Associations?.some((a) => a.SubnetId === s.SubnetId),
    );
    if (taken) {
      throw new Ec2Fault(
        'Resource.AlreadyAssociated',
        `the specified association for route table ${t.RouteTableId} conflicts with an existing association`,
      );
    }
    const AssociationId = this.id('rtbassoc');
    t.Associations!.push({
      Main: false,
      RouteTableAssociationId: AssociationId,
      RouteTableId: t.RouteTableId!,
      SubnetId: s.SubnetId!,
      AssociationState: { State: 'associated' },
    });
    return { AssociationId, AssociationState: { State: 'associated' } };
  }

  private createSecurityGroup(
    input: CreateSecurityGroupCommandInput,
  ): Omit<CreateSecurityGroupCommandOutput, '$metadata'> {
    const vpc = this.vpc(input.VpcId);
    const clash = [...this.groups.values()].some(
      (g) => g.VpcId === vpc.VpcId && g.GroupName === input.GroupName,
    );
    if (clash) {
      throw new Ec2Fault(
        'InvalidGroup.Duplicate',
        `The security group '${input.GroupName}' already exists for VPC '${vpc.VpcId}'`,
      );
    }
    const g: SecurityGroup = {
      GroupId: this.id('sg'),
      GroupName: input.GroupName!,
      Description: input.Description!,
      VpcId: vpc.VpcId!,
      IpPermissions: [],
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      OwnerId: '123456789012',
      Tags: tagsFor(input.TagSpecifications, 'security-group'),
    };
    this.groups.set(g.GroupId!, g);
    return { GroupId: g.GroupId!, Tags: g.Tags! };
  }

  private authorizeIngress(
    input: AuthorizeSecurityGroupIngressCommandInput,
  ): Omit<AuthorizeSecurityGroupIngressCommandOutput, '$metadata'> {
    const g = input.GroupId ? this.groups.get(input.GroupId) : undefined;
    if (!g)
      throw new Ec2Fault(
        'InvalidGroup.NotFound',
        `The security group '${input.GroupId}' does not exist`,
      );
    const have = new Set(groupRules(g, this.ruleTags).map((r) => r.key));
    const adding = (input.IpPermissions ?? []).flatMap((p) =>
      (p.IpRanges ?? []).map((r) => ruleKey(p, r.CidrIp!)),
    );
    const dup = adding.find((k) => have.has(k));
    if (dup) {
      throw new Ec2Fault(
        'InvalidPermission.Duplicate',
        `the specified rule "peer: ${dup.split('|')[3]}, ${dup.split('|')[0]}, ALLOW" already exists`,
      );
    }
    const tags = tagsFor(input.TagSpecifications, 'security-group-rule');
    for (const p of input.IpPermissions ?? []) {
      for (const r of p.IpRanges ?? []) {
        g.IpPermissions!.push({
          IpProtocol: p.IpProtocol!,
          ...(p.FromPort !== undefined ? { FromPort: p.FromPort } : {}),
          ...(p.ToPort !== undefined ? { ToPort: p.ToPort } : {}),
          IpRanges: [{ ...r }],
        });
        this.ruleTags.set(ruleKey(p, r.CidrIp!) + g.GroupId, { id: this.id('sgr'), tags });
      }
    }
    return { Return: true };
  }

  private runInstances(
    input: RunInstancesCommandInput,
  ): Omit<RunInstancesCommandOutput, '$metadata'> {
    if (input.ClientToken) {
      const again = [...this.instances.values()].find((r) => r.clientToken === input.ClientToken);
      if (again) {
        return {
          ReservationId: this.id('r'),
          OwnerId: '123456789012',
          Instances: [structuredClone(again.instance)],
        };
      }
    }
    const type = this.options.catalogue.find((c) => c.InstanceType === input.InstanceType);
    if (!type) {
      throw new Ec2Fault(
        'InvalidParameterValue',
        `Invalid value '${input.InstanceType}' for InstanceType.`,
      );
    }
    const image = this.options.images.find((i) => i.ImageId === input.ImageId);
    if (!image) {
      throw new Ec2Fault(
        'InvalidAMIID.NotFound',
        `The image id '[${input.ImageId}]' does not exist`,
      );
    }
    const nic = input.NetworkInterfaces?.[0];
    const subnet = nic?.SubnetId ? this.subnets.get(nic.SubnetId) : undefined;
    if (!nic || !subnet) {
      throw new Ec2Fault(
        'InvalidSubnetID.NotFound',
        `The subnet ID '${nic?.SubnetId}' does not exist`,
      );
    }
    for (const gid of nic.Groups ?? []) {
      const g = this.groups.get(gid);
      if (!g || g.VpcId !== subnet.VpcId) {
        throw new Ec2Fault(
          'InvalidGroup.NotFound',
          `The security group '${gid}' does not exist in VPC '${subnet.VpcId}'`,
        );
      }
    }
    const ip = nic.PrivateIpAddress!;
    const range = parseCidr(subnet.CidrBlock!)!;
    const offset = ipToInt(ip) - range.base;
    if (offset < 4 || offset >= 2 ** (32 - range.prefix) - 1) {
      throw new Ec2Fault(
        'InvalidParameterValue',
        `Address ${ip} does not fall within the subnet's address range or is reserved`,
      );
    }
    const inUse = [...this.enis.values()].some(
      (n) => n.SubnetId === subnet.SubnetId && n.PrivateIpAddress === ip,
    );
    if (inUse) throw new Ec2Fault('InvalidIPAddress.InUse', `Address ${ip} is in use.`);
    const vcpus = type.VCpuInfo?.DefaultVCpus ?? 1;
    const used = [...this.instances.values()]
      .filter((r) => ['pending', 'running'].includes(r.instance.State!.Name!))
      .reduce(
        (n, r) =>
          n +
          (this.options.catalogue.find((c) => c.InstanceType === r.instance.InstanceType)?.VCpuInfo
            ?.DefaultVCpus ?? 1),
        0,
      );
    if (used + vcpus > this.vcpuLimit) {
      throw new Ec2Fault(
        'VcpuLimitExceeded',
        `You have requested more vCPU capacity than your current vCPU limit of ${this.vcpuLimit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
      );
    }
    const instanceId = this.id('i');
    const eniId = this.id('eni');
    const volumeId = this.id('vol');
    const publicIp = nic.AssociatePublicIpAddress
      ? `${this.options.publicPrefix}.113.${this.publicHost++}`
      : undefined;
    const groups = (nic.Groups ?? []).map((GroupId) => ({
      GroupId,
      GroupName: this.groups.get(GroupId)!.GroupName!,
    }));
    const bdm = input.BlockDeviceMappings?.find((b) => b.DeviceName === image.RootDeviceName);
    const spot = input.InstanceMarketOptions?.MarketType === 'spot';
    const spotId = spot ? this.id('sir') : undefined;
    const instance: Instance = {
      InstanceId: instanceId,
      ImageId: image.ImageId!,
      InstanceType: type.InstanceType!,
      State: { Code: STATE_CODE.pending, Name: 'pending' },
      PrivateIpAddress: ip,
      ...(publicIp ? { PublicIpAddress: publicIp } : {}),
      SubnetId: subnet.SubnetId!,
      VpcId: subnet.VpcId!,
      Placement: { AvailabilityZone: subnet.AvailabilityZone! },
      SourceDestCheck: true,
      SecurityGroups: groups,
      RootDeviceName: image.RootDeviceName!,
      RootDeviceType: 'ebs',
      LaunchTime: new Date(0),
      BlockDeviceMappings: [
        {
          DeviceName: image.RootDeviceName!,
          Ebs: { VolumeId: volumeId, Status: 'attached', DeleteOnTermination: true },
        },
      ],
      NetworkInterfaces: [
        {
          NetworkInterfaceId: eniId,
          SubnetId: subnet.SubnetId!,
          VpcId: subnet.VpcId!,
          PrivateIpAddress: ip,
          SourceDestCheck: true,
          Groups: groups,
          Status: 'in-use',
          Attachment: {
            AttachmentId: this.id('eni-attach'),
            DeviceIndex: 0,
            Status: 'attaching',
            DeleteOnTermination: nic.DeleteOnTermination ?? true,
          },
          ...(publicIp ? { Association: { PublicIp: publicIp, IpOwnerId: 'amazon' } } : {}),
        },
      ],
      ...(spot ? { InstanceLifecycle: 'spot', SpotInstanceRequestId: spotId! } : {}),
      Tags: tagsFor(input.TagSpecifications, 'instance'),
    };
    this.enis.set(eniId, {
      NetworkInterfaceId: eniId,
      SubnetId: subnet.SubnetId!,
      VpcId: subnet.VpcId!,
      PrivateIpAddress: ip,
      Groups: groups,
      Status: 'in-use',
      InterfaceType: 'interface',
      Attachment: { InstanceId: instanceId, DeviceIndex: 0, Status: 'attached' },
      TagSet: tagsFor(input.TagSpecifications, 'network-interface'),
    });
    this.volumes.set(volumeId, {
      VolumeId: volumeId,
      Size: bdm?.Ebs?.VolumeSize ?? image.BlockDeviceMappings?.[0]?.Ebs?.VolumeSize ?? 8,
      VolumeType: bdm?.Ebs?.VolumeType ?? 'gp2',
      AvailabilityZone: subnet.AvailabilityZone!,
      State: 'in-use',
      Attachments: [{ InstanceId: instanceId, Device: image.RootDeviceName!, State: 'attached' }],
      Tags: tagsFor(input.TagSpecifications, 'volume'),
    });
    if (spotId) {
      this.spot.set(spotId, {
        SpotInstanceRequestId: spotId,
        State: 'active',
        Type: 'one-time',
        InstanceId: instanceId,
        Tags: tagsFor(input.TagSpecifications, 'spot-instances-request'),
      });
    }
    const key = testKeyPair(`root@ip-${ip.replace(/\./g, '-')}`);
    this.instances.set(instanceId, {
      instance,
      pollsToChange: this.options.transitionPolls,
      consoleReads: 0,
      hostKey: key.public.split(' ').slice(0, 2).join(' '),
      ...(input.ClientToken ? { clientToken: input.ClientToken } : {}),
    });
    return {
      ReservationId: this.id('r'),
      OwnerId: '123456789012',
      Groups: [],
      Instances: [structuredClone(instance)],
    };
  }

  private instance(id: string | undefined): InstanceRecord {
    const r = id ? this.instances.get(id) : undefined;
    if (!r)
      throw new Ec2Fault('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return r;
  }

  private modifyInstanceAttribute(input: ModifyInstanceAttributeCommandInput): object {
    const r = this.instance(input.InstanceId);
    if (input.SourceDestCheck?.Value !== undefined) {
      r.instance.SourceDestCheck = input.SourceDestCheck.Value;
      r.instance.NetworkInterfaces![0]!.SourceDestCheck = input.SourceDestCheck.Value;
    }
    return {};
  }

  /** Each poll moves every instance one step along pending → running, shutting-down → terminated. */
  private tick(): void {
    for (const r of this.instances.values()) {
      const state = r.instance.State!.Name!;
      if (state !== 'pending' && state !== 'shutting-down') continue;
      if (r.pollsToChange-- > 0) continue;
      r.pollsToChange = this.options.transitionPolls;
      if (state === 'pending') {
        r.instance.State = { Code: STATE_CODE.running, Name: 'running' };
        r.instance.NetworkInterfaces![0]!.Attachment!.Status = 'attached';
      } else {
        this.finishTermination(r);
      }
    }
  }

  private finishTermination(r: InstanceRecord): void {
    const i = r.instance;
    i.State = { Code: STATE_CODE.terminated, Name: 'terminated' };
    i.StateReason = {
      Code: 'Client.UserInitiatedShutdown',
      Message: 'Client.UserInitiatedShutdown: User initiated shutdown',
    };
    delete i.PublicIpAddress;
    delete i.PrivateIpAddress;
    for (const n of i.NetworkInterfaces ?? []) {
      if (n.Attachment?.DeleteOnTermination && !this.leaveOnTermination.networkInterfaces)
        this.enis.delete(n.NetworkInterfaceId!);
      else {
        const eni = this.enis.get(n.NetworkInterfaceId!);
        if (eni) {
          eni.Status = 'available';
          delete eni.Attachment;
        }
      }
    }
    i.NetworkInterfaces = [];
    for (const b of i.BlockDeviceMappings ?? []) {
      const volume = this.volumes.get(b.Ebs?.VolumeId ?? '');
      if (!volume) continue;
      if (b.Ebs?.DeleteOnTermination && !this.leaveOnTermination.volumes) {
        this.volumes.delete(volume.VolumeId!);
      } else {
        volume.State = 'available';
        volume.Attachments = [];
      }
    }
    i.BlockDeviceMappings = [];
    if (i.SpotInstanceRequestId) {
      const s = this.spot.get(i.SpotInstanceRequestId);
      if (s && s.State === 'active') s.State = 'closed';
    }
  }

  private describeInstances(
    input: DescribeInstancesCommandInput,
  ): Omit<DescribeInstancesCommandOutput, '$metadata'> {
    this.tick();
    let list = [...this.instances.values()].map((r) => r.instance);
    if (input.InstanceIds?.length) {
      const missing = input.InstanceIds.filter((id) => !this.instances.has(id));
      if (missing.length) {
        throw new Ec2Fault(
          'InvalidInstanceID.NotFound',
          `The instance IDs '${missing.join(', ')}' do not exist`,
        );
      }
      list = list.filter((i) => input.InstanceIds!.includes(i.InstanceId!));
    }
    list = this.filter(list, input.Filters, (i) => ({
      'instance-state-name': i.State?.Name,
      'instance-id': i.InstanceId,
      'vpc-id': i.VpcId,
    }));
    return list.length
      ? {
          Reservations: list.map((i) => ({
            ReservationId: `r-${i.InstanceId!.slice(2)}`,
            OwnerId: '123456789012',
            Instances: [i],
          })),
        }
      : { Reservations: [] };
  }

  private getConsoleOutput(
    input: GetConsoleOutputCommandInput,
  ): Omit<GetConsoleOutputCommandOutput, '$metadata'> {
    const r = this.instance(input.InstanceId);
    r.consoleReads += 1;
    if (r.consoleReads <= this.options.consoleDelayReads) return { InstanceId: input.InstanceId! };
    const ip = r.instance.PrivateIpAddress ?? '0.0.0.0';
    const text = [
      `[    3.101] cloud-init[812]: Cloud-init v. 23.4 running 'init' at Thu, 01 Jan 2030 00:00:00 +0000.`,
      '<14>Jan  1 00:00:09 cloud-init: #############################################################',
      '<14>Jan  1 00:00:09 cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----',
      '<14>Jan  1 00:00:09 cloud-init: 256 SHA256:fakefingerprint root@ip (ED25519)',
      '<14>Jan  1 00:00:09 cloud-init: -----END SSH HOST KEY FINGERPRINTS-----',
      '<14>Jan  1 00:00:09 cloud-init: #############################################################',
      '-----BEGIN SSH HOST KEY KEYS-----',
      `${r.hostKey} root@ip-${ip.replace(/\./g, '-')}`,
      '-----END SSH HOST KEY KEYS-----',
      `[   10.201] cloud-init[1021]: Cloud-init v. 23.4 finished. Datasource DataSourceEc2.`,
      '',
    ].join('\r\n');
    return {
      InstanceId: input.InstanceId!,
      Timestamp: new Date(0),
      Output: Buffer.from(text).toString('base64'),
    };
  }

  private terminateInstances(
    input: TerminateInstancesCommandInput,
  ): Omit<TerminateInstancesCommandOutput, '$metadata'> {
    const records = (input.InstanceIds ?? []).map((id) => this.instance(id));
    return {
      TerminatingInstances: records.map((r) => {
        const previous = { ...r.instance.State! };
        if (r.instance.State!.Name !== 'terminated') {
          r.instance.State = { Code: STATE_CODE['shutting-down'], Name: 'shutting-down' };
          r.pollsToChange = this.options.transitionPolls;
        }
        return {
          InstanceId: r.instance.InstanceId!,
          PreviousState: previous,
          CurrentState: { ...r.instance.State! },
        };
      }),
    };
  }

  private cancelSpot(
    input: CancelSpotInstanceRequestsCommandInput,
  ): Omit<CancelSpotInstanceRequestsCommandOutput, '$metadata'> {
    return {
      CancelledSpotInstanceRequests: (input.SpotInstanceRequestIds ?? []).map((id) => {
        const s = this.spot.get(id);
        if (!s) {
          throw new Ec2Fault(
            'InvalidSpotInstanceRequestID.NotFound',
            `The spot instance request ID '${id}' does not exist`,
          );
        }
        s.State = 'cancelled';
        return { SpotInstanceRequestId: id, State: 'cancelled' };
      }),
    };
  }

  private gone(id: string | undefined, code: string, what: string): void {
    if (id && this.vanishOnDelete.delete(id)) {
      this.forget(id);
      throw new Ec2Fault(code, `The ${what} ID '${id}' does not exist`);
    }
  }

  private forget(id: string): void {
    for (const m of [
      this.vpcs,
      this.subnets,
      this.igws,
      this.routeTables,
      this.groups,
      this.enis,
      this.volumes,
    ]) {
      (m as Map<string, unknown>).delete(id);
    }
  }

  private deleteNetworkInterface(input: DeleteNetworkInterfaceCommandInput): object {
    this.gone(input.NetworkInterfaceId, 'InvalidNetworkInterfaceID.NotFound', 'networkInterface');
    const n = input.NetworkInterfaceId ? this.enis.get(input.NetworkInterfaceId) : undefined;
    if (!n) {
      throw new Ec2Fault(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`,
      );
    }
    if (n.Status !== 'available') {
      throw new Ec2Fault(
        'InvalidNetworkInterface.InUse',
        `Interface: [${n.NetworkInterfaceId}] in use.`,
      );
    }
    this.enis.delete(n.NetworkInterfaceId!);
    return {};
  }

  private deleteVolume(input: DeleteVolumeCommandInput): object {
    this.gone(input.VolumeId, 'InvalidVolume.NotFound', 'volume');
    const v = input.VolumeId ? this.volumes.get(input.VolumeId) : undefined;
    if (!v)
      throw new Ec2Fault(
        'InvalidVolume.NotFound',
        `The volume '${input.VolumeId}' does not exist.`,
      );
    if (v.State !== 'available') {
      throw new Ec2Fault(
        'VolumeInUse',
        `Volume ${v.VolumeId} is currently attached to ${v.Attachments?.[0]?.InstanceId}`,
      );
    }
    this.volumes.delete(v.VolumeId!);
    return {};
  }

  private disassociateRouteTable(input: DisassociateRouteTableCommandInput): object {
    for (const t of this.routeTables.values()) {
      const i =
        t.Associations?.findIndex((a) => a.RouteTableAssociationId === input.AssociationId) ?? -1;
      if (i >= 0) {
        t.Associations!.splice(i, 1);
        return {};
      }
    }
    throw new Ec2Fault(
      'InvalidAssociationID.NotFound',
      `The association ID '${input.AssociationId}' does not exist`,
    );
  }

  private deleteRouteTable(input: DeleteRouteTableCommandInput): object {
    this.gone(input.RouteTableId, 'InvalidRouteTableID.NotFound', 'routeTable');
    const t = this.routeTable(input.RouteTableId);
    if (t.Associations?.length) {
      throw new Ec2Fault(
        'DependencyViolation',
        `The routeTable '${t.RouteTableId}' has dependencies and cannot be deleted.`,
      );
    }
    this.routeTables.delete(t.RouteTableId!);
    return {};
  }

  private liveInstancesIn(pred: (i: Instance) => boolean): Instance[] {
    return [...this.instances.values()]
      .map((r) => r.instance)
      .filter((i) => i.State?.Name !== 'terminated' && pred(i));
  }

  private detachInternetGateway(input: DetachInternetGatewayCommandInput): object {
    const g = this.igw(input.InternetGatewayId);
    const at = g.Attachments?.findIndex((a) => a.VpcId === input.VpcId) ?? -1;
    if (at < 0) {
      throw new Ec2Fault(
        'Gateway.NotAttached',
        `resource ${g.InternetGatewayId} is not attached to network ${input.VpcId}`,
      );
    }
    if (this.liveInstancesIn((i) => i.VpcId === input.VpcId && Boolean(i.PublicIpAddress)).length) {
      throw new Ec2Fault(
        'DependencyViolation',
        `Network ${input.VpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
      );
    }
    g.Attachments!.splice(at, 1);
    return {};
  }

  private deleteInternetGateway(input: DeleteInternetGatewayCommandInput): object {
    this.gone(input.InternetGatewayId, 'InvalidInternetGatewayID.NotFound', 'internetGateway');
    const g = this.igw(input.InternetGatewayId);
    if (g.Attachments?.length) {
      throw new Ec2Fault(
        'DependencyViolation',
        `The internetGateway '${g.InternetGatewayId}' has dependencies and cannot be deleted.`,
      );
    }
    this.igws.delete(g.InternetGatewayId!);
    return {};
  }

  private deleteSubnet(input: DeleteSubnetCommandInput): object {
    this.gone(input.SubnetId, 'InvalidSubnetID.NotFound', 'subnet');
    const s = input.SubnetId ? this.subnets.get(input.SubnetId) : undefined;
    if (!s)
      throw new Ec2Fault(
        'InvalidSubnetID.NotFound',
        `The subnet ID '${input.SubnetId}' does not exist`,
      );
    const used =
      this.liveInstancesIn((i) => i.SubnetId === s.SubnetId).length > 0 ||
      [...this.enis.values()].some((n) => n.SubnetId === s.SubnetId);
    if (used) {
      throw new Ec2Fault(
        'DependencyViolation',
        `The subnet '${s.SubnetId}' has dependencies and cannot be deleted.`,
      );
    }
    this.subnets.delete(s.SubnetId!);
    return {};
  }

  private deleteSecurityGroup(
    input: DeleteSecurityGroupCommandInput,
  ): Omit<DeleteSecurityGroupCommandOutput, '$metadata'> {
    this.gone(input.GroupId, 'InvalidGroup.NotFound', 'security group');
    const g = input.GroupId ? this.groups.get(input.GroupId) : undefined;
    if (!g)
      throw new Ec2Fault(
        'InvalidGroup.NotFound',
        `The security group '${input.GroupId}' does not exist`,
      );
    const used = [...this.enis.values()].some((n) =>
      n.Groups?.some((x) => x.GroupId === g.GroupId),
    );
    if (used) {
      throw new Ec2Fault('DependencyViolation', `resource ${g.GroupId} has a dependent object`);
    }
    this.groups.delete(g.GroupId!);
    return { Return: true, GroupId: g.GroupId! };
  }

  private deleteVpc(input: DeleteVpcCommandInput): object {
    this.gone(input.VpcId, 'InvalidVpcID.NotFound', 'vpc');
    const vpc = this.vpc(input.VpcId);
    const id = vpc.VpcId!;
    const blocking =
      [...this.subnets.values()].some((s) => s.VpcId === id) ||
      [...this.igws.values()].some((g) => g.Attachments?.some((a) => a.VpcId === id)) ||
      [...this.groups.values()].some((g) => g.VpcId === id && g.GroupName !== 'default') ||
      [...this.routeTables.values()].some(
        (t) => t.VpcId === id && !t.Associations?.some((a) => a.Main),
      );
    if (blocking) {
      throw new Ec2Fault(
        'DependencyViolation',
        `The vpc '${id}' has dependencies and cannot be deleted.`,
      );
    }
    for (const [k, t] of this.routeTables) if (t.VpcId === id) this.routeTables.delete(k);
    for (const [k, g] of this.groups) if (g.VpcId === id) this.groups.delete(k);
    this.vpcs.delete(id);
    return {};
  }

  // -------------------------------------------------------------------------
  // Filters as EC2 applies them: tag:<key>, tag-key, and per-resource fields

  private filter<T>(
    items: T[],
    filters: Filter[] | undefined,
    fields: (item: T) => Record<string, string | undefined>,
    tags: (item: T) => Tag[] | undefined = (item) => (item as { Tags?: Tag[] }).Tags,
  ): T[] {
    return items.filter((item) =>
      (filters ?? []).every((f) => {
        const values = f.Values ?? [];
        const t = tagMap(tags(item));
        if (f.Name?.startsWith('tag:')) {
          const v = t[f.Name.slice(4)];
          return v !== undefined && values.some((x) => matches(x, v));
        }
        if (f.Name === 'tag-key') return values.some((k) => k in t);
        const v = fields(item)[f.Name ?? ''];
        if (v === undefined && !(f.Name! in fields(item))) {
          throw new Error(`the fake EC2 does not know the filter ${f.Name}`);
        }
        return v !== undefined && values.some((x) => matches(x, v));
      }),
    );
  }
}

const groupFields = (g: SecurityGroup) => ({ 'vpc-id': g.VpcId, 'group-name': g.GroupName });

function ruleKey(p: IpPermission, cidr: string): string {
  return `${p.IpProtocol}|${p.FromPort ?? ''}|${p.ToPort ?? ''}|${cidr}`;
}

function groupRules(
  g: SecurityGroup,
  ruleTags: Map<string, { id: string; tags: Tag[] }>,
): { key: string; id: string; tags: Tag[] }[] {
  return (g.IpPermissions ?? []).flatMap((p) =>
    (p.IpRanges ?? []).map((r) => {
      const key = ruleKey(p, r.CidrIp!);
      const t = ruleTags.get(key + g.GroupId) ?? { id: `sgr-${key}`, tags: [] };
      return { key, id: t.id, tags: t.tags };
    }),
  );
}

/** EC2 filter values accept * and ? wildcards. */
function matches(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

function tagsFor(specs: TagSpecification[] | undefined, type: ResourceType): Tag[] {
  return structuredClone(specs?.find((s) => s.ResourceType === type)?.Tags ?? []);
}

export function tagMap(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function parseCidr(text: string): { base: number; prefix: number } | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(text);
  if (!m) return undefined;
  return { base: ipToInt(m[1]!), prefix: Number(m[2]) };
}

function within(inner: { base: number; prefix: number }, outer: { base: number; prefix: number }) {
  const size = 2 ** (32 - outer.prefix);
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base < outer.base + size;
}
