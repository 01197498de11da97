/**
 * Catalogue and image entries for the fake EC2, typed by the SDK's own
 * models. Memory and vCPU figures are EC2's published ones for these types.
 */
import type { Image, InstanceTypeInfo } from '@aws-sdk/client-ec2';

function type(
  name: string,
  vcpus: number,
  memoryMiB: number,
  extra: Partial<InstanceTypeInfo> = {},
): InstanceTypeInfo {
  return {
    InstanceType: name as InstanceTypeInfo['InstanceType'],
    CurrentGeneration: true,
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedRootDeviceTypes: ['ebs'],
    Hypervisor: 'nitro',
    ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
    VCpuInfo: { DefaultVCpus: vcpus },
    MemoryInfo: { SizeInMiB: memoryMiB },
    InstanceStorageSupported: false,
    EbsInfo: { EbsOptimizedSupport: 'default', EncryptionSupport: 'supported' },
    ...extra,
  };
}

export const CATALOGUE: InstanceTypeInfo[] = [
  type('t3.micro', 2, 1024),
  type('t3.small', 2, 2048),
  type('t3.medium', 2, 4096),
  type('m5.large', 2, 8192),
  type('m5.xlarge', 4, 16384),
  type('m5.2xlarge', 8, 32768),
  type('r5.large', 2, 16384),
  type('c5.xlarge', 4, 8192),
  type('m5d.xlarge', 4, 16384, {
    InstanceStorageSupported: true,
    InstanceStorageInfo: {
      TotalSizeInGB: 150,
      Disks: [{ SizeInGB: 150, Count: 1, Type: 'ssd' }],
      NvmeSupport: 'required',
    },
  }),
];

function image(
  id: string,
  owner: string,
  name: string,
  created: string,
  root: string,
  sizeGiB: number,
  extra: Partial<Image> = {},
): Image {
  return {
    ImageId: id,
    OwnerId: owner,
    Name: name,
    CreationDate: created,
    Architecture: 'x86_64',
    State: 'available',
    Public: true,
    ImageType: 'machine',
    RootDeviceType: 'ebs',
    RootDeviceName: root,
    VirtualizationType: 'hvm',
    EnaSupport: true,
    BlockDeviceMappings: [
      {
        DeviceName: root,
        Ebs: {
          SnapshotId: `snap-${id.slice(4)}`,
          VolumeSize: sizeGiB,
          VolumeType: 'gp2',
          DeleteOnTermination: true,
          Encrypted: false,
        },
      },
    ],
    ...extra,
  };
}

/** Images in one region; ids differ per region as on EC2. */
export function imagesFor(region: string): Image[] {
  const salt = region === 'us-east-1' ? 'a' : region === 'eu-west-1' ? 'b' : 'c';
  return [
    // tf-2018: the CentOS 7.5 (1804_2) Marketplace AMI, deprecated since CentOS 7's end of life
    image(
      `ami-${salt}5c7e0a1b2c3d4e5f`,
      '679593333241',
      'CentOS Linux 7 x86_64 HVM EBS ENA 1804_2-b7ee8a69-ee97-4a49-9e68-afaee216db2e-ami-55a2322a.4',
      '2018-06-13T15:58:14.000Z',
      '/dev/sda1',
      8,
      {
        DeprecationTime: '2024-07-01T00:00:00.000Z',
        ProductCodes: [
          { ProductCodeId: 'aw0evgkw8e5c1q413zgy5pjce', ProductCodeType: 'marketplace' },
        ],
      },
    ),
    // an older 1804_2 build: the provider must pick the newest
    image(
      `ami-${salt}5c7e0a1b2c3d4e00`,
      '679593333241',
      'CentOS Linux 7 x86_64 HVM EBS ENA 1804_2-b7ee8a69-ee97-4a49-9e68-afaee216db2e-ami-4bf3d731.3',
      '2018-05-01T10:00:00.000Z',
      '/dev/sda1',
      8,
      { DeprecationTime: '2024-07-01T00:00:00.000Z' },
    ),
    // opensdn-24: Rocky Linux 9 official images
    image(
      `ami-${salt}9d8e7f6a5b4c3d2e`,
      '792107900819',
      'Rocky-9-EC2-Base-9.5-20241118.0.x86_64',
      '2024-11-18T21:12:49.000Z',
      '/dev/sda1',
      10,
    ),
    image(
      `ami-${salt}9d8e7f6a5b4c3d00`,
      '792107900819',
      'Rocky-9-EC2-Base-9.4-20240523.0.x86_64',
      '2024-05-23T18:30:11.000Z',
      '/dev/sda1',
      10,
    ),
    image(
      `ami-${salt}9d8e7f6a5b4c3dff`,
      '792107900819',
      'Rocky-9-EC2-Base-9.5-20241118.0.aarch64',
      '2024-11-18T21:14:02.000Z',
      '/dev/sda1',
      10,
      { Architecture: 'arm64' },
    ),
  ];
}
