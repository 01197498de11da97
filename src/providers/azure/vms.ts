/**
 * The machines of an Azure site: per host a public IP, a NIC (IP forwarding
 * on the edge's) and a VM from the image with the run's SSH key; host keys
 * read from the boot diagnostics serial log, where cloud-init prints them.
 */
import type { VirtualMachine } from '@azure/arm-compute';
import { InfraError } from '../../errors.js';
import type { HostPlan } from '../../plan/types.js';
import { hostKeysFromConsole } from '../aws/hostKeys.js';
import { resourceName, runTags, TAG_HOST } from '../cloud/tags.js';
import type { AzureApi } from './api.js';
import { isNotFound } from './errors.js';
import type { AzureImage } from './image.js';
import { armId } from './network.js';
import type { SiteNetwork, TagSource } from './network.js';

/** The admin user: cloud-init on Azure gives it passwordless sudo when password login is off. */
export const SSH_USER = 'tungsten';

export interface VmSpec {
  host: HostPlan;
  site: string;
  image: AzureImage;
  osDiskGiB: number;
  spot: boolean;
  sshPublicKey: string;
}

export interface Created {
  host: HostPlan;
  vm: string;
  publicIp: string;
  osDisk: string;
}

export function vmName(runId: string, site: string, host: string): string {
  return resourceName(runId, site, host.slice(site.length + 1));
}

export function vmBody(
  ctx: TagSource,
  net: SiteNetwork,
  spec: VmSpec,
  nicId: string,
): VirtualMachine {
  const name = vmName(ctx.runId, spec.site, spec.host.name);
  const key = spec.sshPublicKey.trim();
  if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( [^\n]*)?$/.test(key)) {
    throw new Error('the run public key is not a one-line OpenSSH public key');
  }
  const { image } = spec;
  return {
    location: net.location,
    tags: runTags(ctx, spec.site, name, { [TAG_HOST]: spec.host.name }),
    ...(image.plan ? { plan: image.plan } : {}),
    hardwareProfile: { vmSize: spec.host.instanceType! },
    storageProfile: {
      imageReference: {
        publisher: image.publisher,
        offer: image.offer,
        sku: image.sku,
        version: image.version,
      },
      osDisk: {
        name: `${name}-osdisk`,
        createOption: 'FromImage',
        deleteOption: 'Delete',
        diskSizeGB: spec.osDiskGiB,
        managedDisk: { storageAccountType: 'StandardSSD_LRS' },
      },
    },
    osProfile: {
      computerName: spec.host.name,
      adminUsername: SSH_USER,
      linuxConfiguration: {
        disablePasswordAuthentication: true,
        ssh: { publicKeys: [{ path: `/home/${SSH_USER}/.ssh/authorized_keys`, keyData: key }] },
      },
    },
    networkProfile: { networkInterfaces: [{ id: nicId, primary: true, deleteOption: 'Delete' }] },
    // the serial log (with cloud-init's host keys) goes to managed boot diagnostics storage
    diagnosticsProfile: { bootDiagnostics: { enabled: true } },
    ...(spec.spot
      ? { priority: 'Spot', evictionPolicy: 'Delete', billingProfile: { maxPrice: -1 } }
      : {}),
  };
}

export async function createVm(
  api: AzureApi,
  net: SiteNetwork,
  ctx: TagSource,
  spec: VmSpec,
  record: (type: string, kind: string, name: string) => Promise<void>,
): Promise<Created> {
  const { host } = spec;
  const base = vmName(ctx.runId, spec.site, host.name);
  const tags = (n: string) => runTags(ctx, spec.site, n, { [TAG_HOST]: host.name });
  const sub = api.subscriptionId;
  const opts = { where: net.location, fresh: true };

  const ipName = `${base}-ip`;
  await api.operate(
    'publicIPAddresses.createOrUpdate',
    `public IP ${ipName}`,
    () =>
      api.clients.network.publicIPAddresses.beginCreateOrUpdate(net.group, ipName, {
        location: net.location,
        tags: tags(ipName),
        sku: { name: 'Standard' },
        publicIPAllocationMethod: 'Static',
        publicIPAddressVersion: 'IPv4',
      }),
    opts,
  );
  await record('Microsoft.Network/publicIPAddresses', 'public-ip', ipName);

  const nicName = `${base}-nic`;
  await api.operate(
    'networkInterfaces.createOrUpdate',
    `network interface ${nicName} (${host.privateAddress})`,
    () =>
      api.clients.network.networkInterfaces.beginCreateOrUpdate(net.group, nicName, {
        location: net.location,
        tags: tags(nicName),
        enableIPForwarding: host.role === 'edge',
        ipConfigurations: [
          {
            name: 'ipconfig1',
            primary: true,
            subnet: { id: net.subnetId },
            privateIPAllocationMethod: 'Static',
            privateIPAddress: host.privateAddress,
            publicIPAddress: {
              id: armId(sub, net.group, 'Microsoft.Network/publicIPAddresses', ipName),
            },
          },
        ],
      }),
    opts,
  );
  await record('Microsoft.Network/networkInterfaces', 'network-interface', nicName);

  const body = vmBody(
    ctx,
    net,
    spec,
    armId(sub, net.group, 'Microsoft.Network/networkInterfaces', nicName),
  );
  await api.operate(
    'virtualMachines.createOrUpdate',
    `VM ${host.name} (${host.instanceType}, ${host.privateAddress})`,
    () => api.clients.compute.virtualMachines.createOrUpdate(net.group, base, body),
    opts,
  );
  await record('Microsoft.Compute/virtualMachines', 'virtual-machine', base);

  // the OS disk is made by the VM and takes none of its tags: tag it, so the sweep and the janitor see it
  const osDisk = `${base}-osdisk`;
  await api.operate(
    'disks.update',
    `OS disk ${osDisk}`,
    () => api.clients.compute.disks.update(net.group, osDisk, { tags: tags(osDisk) }),
    opts,
  );
  await record('Microsoft.Compute/disks', 'disk', osDisk);

  const ip = await api.call(
    'publicIPAddresses.get',
    `public IP ${ipName}`,
    () => api.clients.network.publicIPAddresses.get(net.group, ipName),
    opts,
  );
  if (!ip.ipAddress) {
    throw new InfraError(
      `azure public IP ${ipName} of ${host.name} has no address although it is static.`,
    );
  }
  return { host, vm: base, publicIp: ip.ipAddress, osDisk };
}

/** The host keys cloud-init printed to the serial log, or [] when there are none (yet). */
export async function bootLogHostKeys(
  api: AzureApi,
  group: string,
  vm: string,
  where: string,
): Promise<string[]> {
  let uri: string | undefined;
  try {
    const data = await api.call(
      'virtualMachines.retrieveBootDiagnosticsData',
      `boot diagnostics of ${vm}`,
      () =>
        api.clients.compute.virtualMachines.retrieveBootDiagnosticsData(group, vm, {
          sasUriExpirationTimeInMinutes: 10,
        }),
      { where },
    );
    uri = data.serialConsoleLogBlobUri;
  } catch (e) {
    if (isNotFound((e as { cause?: unknown }).cause ?? e)) return [];
    throw e;
  }
  if (!uri) return [];
  const log = await api.call(
    'serial log',
    `serial log of ${vm}`,
    () => api.clients.fetchText(uri),
    { where },
  );
  // not written yet, or the link expired: the next look asks for a new one
  if (log.status !== 200) return [];
  return hostKeysFromConsole(log.text);
}
