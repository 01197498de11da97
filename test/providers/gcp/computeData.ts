/**
 * Catalogue entries and images in the Compute API's shapes, with figures as
 * the real catalogue lists them (memoryMb is MiB: n2-standard-8 is 32768).
 */
import type { protos } from '@google-cloud/compute';

type MachineType = protos.google.cloud.compute.v1.IMachineType;
type Image = protos.google.cloud.compute.v1.IImage;

const machineType = (
  name: string,
  guestCpus: number,
  memoryMb: number,
  description: string,
): MachineType => ({
  kind: 'compute#machineType',
  id: String(800000 + guestCpus * 1000 + memoryMb / 1024),
  name,
  description,
  guestCpus,
  memoryMb,
  maximumPersistentDisks: 128,
  maximumPersistentDisksSizeGb: '263168',
  isSharedCpu: name.startsWith('e2-s') || name.startsWith('e2-micro'),
});

export const MACHINE_TYPES: MachineType[] = [
  machineType('n2-standard-8', 8, 32768, '8 vCPUs, 32 GB RAM'),
  machineType('n2-standard-4', 4, 16384, '4 vCPUs, 16 GB RAM'),
  machineType('n2-standard-2', 2, 8192, '2 vCPUs, 8 GB RAM'),
  machineType(
    'e2-small',
    2,
    2048,
    'Efficient Instance, 2 vCPU (25% of 2 shared physical cores) and 2 GB RAM',
  ),
  machineType(
    'e2-medium',
    2,
    4096,
    'Efficient Instance, 2 vCPU (50% of 2 shared physical cores) and 4 GB RAM',
  ),
];

export const ROCKY_9: Image = {
  kind: 'compute#image',
  id: '5123456789012345678',
  creationTimestamp: '2024-11-12T08:33:41.123-08:00',
  name: 'rocky-linux-9-v20241112',
  description: 'Rocky Linux, Rocky Linux, 9, x86_64 built on 20241112',
  sourceType: 'RAW',
  status: 'READY',
  archiveSizeBytes: '2471934400',
  diskSizeGb: '20',
  family: 'rocky-linux-9',
  selfLink:
    'https://www.googleapis.com/compute/v1/projects/rocky-linux-cloud/global/images/rocky-linux-9-v20241112',
  labelFingerprint: '42WmSpB8rSM=',
  architecture: 'X86_64',
  licenses: [
    'https://www.googleapis.com/compute/v1/projects/rocky-linux-cloud/global/licenses/rocky-linux-9',
  ],
};

export const FAMILIES: Record<string, Image> = { 'rocky-linux-cloud/rocky-linux-9': ROCKY_9 };
