/** The catalogue the fake ARM serves: VM sizes with their real figures, and images. */
import type { ImageEntry, SkuEntry } from './fakeArm.js';

export const SKUS: SkuEntry[] = [
  { name: 'Standard_D8s_v5', family: 'standardDSv5Family', vcpus: 8, memoryGB: 32 },
  { name: 'Standard_D4s_v5', family: 'standardDSv5Family', vcpus: 4, memoryGB: 16 },
  { name: 'Standard_D2s_v5', family: 'standardDSv5Family', vcpus: 2, memoryGB: 8 },
  { name: 'Standard_B2s', family: 'standardBSFamily', vcpus: 2, memoryGB: 4 },
  { name: 'Standard_B1s', family: 'standardBSFamily', vcpus: 1, memoryGB: 1 },
  {
    name: 'Standard_M416ms_v2',
    family: 'standardMSv2Family',
    vcpus: 416,
    memoryGB: 11400,
    restricted: true,
  },
];

export const IMAGES: ImageEntry[] = [
  {
    publisher: 'resf',
    offer: 'rockylinux-x86_64',
    sku: '9-base',
    versions: ['9.4.20240523', '9.5.20241118', '9.10.20250101'],
    plan: true,
  },
  { publisher: 'OpenLogic', offer: 'CentOS', sku: '7.5', versions: ['7.5.20180815'], plan: false },
];
