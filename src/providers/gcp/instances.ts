/** Instances of a GCP site: insert, wait until running, host keys from guest attributes, edge routes. */
import type { protos } from '@google-cloud/compute';
import { InfraError } from '../../errors.js';
import type { HostPlan } from '../../plan/types.js';
import { isCompleteKey } from '../aws/hostKeys.js';
import type { Clock } from '../cloud/clock.js';
import { resourceName, runTags, TAG_HOST } from '../cloud/tags.js';
import { NO_RETRY } from './api.js';
import type { GcpApi } from './api.js';
import { isAlreadyExists, isNotFound } from './errors.js';
import { describeTags, toLabels } from './labels.js';
import { edgeTag } from './network.js';
import type { SiteNetwork, TagSource } from './network.js';

type Instance = protos.google.cloud.compute.v1.IInstance;

/** The login user: the guest agent creates it from the ssh-keys metadata, with passwordless sudo. */
export const SSH_USER = 'tungsten';

export interface LaunchSpec {
  host: HostPlan;
  site: string;
  zone: string;
  imageUrl: string;
  bootGiB: number;
  spot: boolean;
  sshPublicKey: string;
}

export interface Launched {
  host: HostPlan;
  name: string;
  zone: string;
}

export function instanceName(runId: string, site: string, host: string): string {
  return resourceName(runId, site, host.slice(site.length + 1));
}

/** The instance resource as instances.insert takes it. */
export function instanceResource(ctx: TagSource, net: SiteNetwork, spec: LaunchSpec): Instance {
  const { host } = spec;
  const name = instanceName(ctx.runId, spec.site, host.name);
  const tags = runTags(ctx, spec.site, name, { [TAG_HOST]: host.name });
  const key = spec.sshPublicKey.trim();
  if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( [^\n]*)?$/.test(key)) {
    throw new Error('the run public key is not a one-line OpenSSH public key');
  }
  const edge = host.role === 'edge';
  return {
    name,
    description: describeTags(tags),
    machineType: `zones/${spec.zone}/machineTypes/${host.instanceType}`,
    labels: toLabels(tags),
    tags: { items: edge ? [edgeTag(ctx.runId)] : [] },
    canIpForward: edge,
    networkInterfaces: [
      {
        subnetwork: net.subnetworkUrl,
        networkIP: host.privateAddress,
        accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }],
      },
    ],
    disks: [
      {
        boot: true,
        autoDelete: true,
        type: 'PERSISTENT',
        initializeParams: {
          sourceImage: spec.imageUrl,
          diskSizeGb: spec.bootGiB,
          diskType: `zones/${spec.zone}/diskTypes/pd-balanced`,
          labels: toLabels(tags),
        },
      },
    ],
    metadata: {
      items: [
        { key: 'ssh-keys', value: `${SSH_USER}:${key}` },
        { key: 'block-project-ssh-keys', value: 'TRUE' },
        { key: 'enable-oslogin', value: 'FALSE' },
        // the guest agent publishes the host keys as guest attributes
        { key: 'enable-guest-attributes', value: 'TRUE' },
      ],
    },
    scheduling: spec.spot
      ? {
          provisioningModel: 'SPOT',
          instanceTerminationAction: 'DELETE',
          automaticRestart: false,
          onHostMaintenance: 'TERMINATE',
        }
      : { provisioningModel: 'STANDARD' },
  };
}

export async function launch(
  api: GcpApi,
  net: SiteNetwork,
  ctx: TagSource,
  spec: LaunchSpec,
): Promise<Launched> {
  const resource = instanceResource(ctx, net, spec);
  await api.operate(
    'instances.insert',
    `instance ${spec.host.name} (${spec.host.instanceType}, ${spec.host.privateAddress})`,
    { zone: spec.zone },
    (requestId) =>
      api.clients.instances.insert({
        project: api.project,
        zone: spec.zone,
        requestId,
        instanceResource: resource,
      }),
    { fresh: true },
  );
  return { host: spec.host, name: resource.name!, zone: spec.zone };
}

/** Poll until every instance is RUNNING; one that stops instead fails with its status. */
export async function waitRunning(
  api: GcpApi,
  launched: Launched[],
  clock: Clock,
  deadline: number,
  signal?: AbortSignal,
): Promise<Map<string, Instance>> {
  for (let poll = 0; ; poll++) {
    const found = new Map<string, Instance>();
    for (const l of launched) {
      const [i] = await api.call(
        'instances.get',
        `instance ${l.host.name} (${l.name})`,
        () =>
          api.clients.instances.get(
            { project: api.project, zone: l.zone, instance: l.name },
            NO_RETRY,
          ),
        { fresh: true, where: l.zone },
      );
      found.set(l.name, i);
      if (['STOPPING', 'STOPPED', 'TERMINATED', 'SUSPENDED'].includes(i.status ?? '')) {
        throw new InfraError(
          `gcp instance ${l.host.name} (${l.name}) in ${l.zone} went to ${i.status} instead of RUNNING: ${i.statusMessage || 'Compute Engine gave no reason'}.`,
        );
      }
    }
    if (launched.every((l) => found.get(l.name)?.status === 'RUNNING')) return found;
    if (clock.now() >= deadline) {
      const late = launched
        .filter((l) => found.get(l.name)?.status !== 'RUNNING')
        .map((l) => `${l.host.name} (${found.get(l.name)?.status ?? 'unknown'})`);
      throw new InfraError(
        `gcp instances ${late.join(', ')} were not RUNNING by the deadline; check them in the console.`,
      );
    }
    await clock.sleep(Math.min(15_000, 2_000 * (poll + 1)), signal);
  }
}

/**
 * The host keys the guest agent published under guest attributes "hostkeys/"
 * (one attribute per key type, its value the base64 blob), or [] when none yet.
 */
export async function guestHostKeys(api: GcpApi, l: Launched): Promise<string[]> {
  let attrs: protos.google.cloud.compute.v1.IGuestAttributes;
  try {
    [attrs] = await api.call(
      'instances.getGuestAttributes',
      `host keys of ${l.host.name} (${l.name})`,
      () =>
        api.clients.instances.getGuestAttributes(
          { project: api.project, zone: l.zone, instance: l.name, queryPath: 'hostkeys/' },
          NO_RETRY,
        ),
      { where: l.zone },
    );
  } catch (e) {
    // not written yet: the guest agent publishes them a little after boot
    if (isNotFound((e as { cause?: unknown }).cause ?? e)) return [];
    throw e;
  }
  const keys = (attrs.queryValue?.items ?? [])
    .filter((a) => a.namespace === 'hostkeys' && a.key && a.value)
    .map((a) => [a.key!, a.value!.trim()] as const)
    .filter(([type, b64]) => isCompleteKey(type, b64))
    .map(([type, b64]) => `${type} ${b64}`);
  return [...new Set(keys)];
}

/** Routes sending each other site's underlay range to the edge VM. */
export async function edgeRoutes(
  api: GcpApi,
  ctx: TagSource,
  site: string,
  net: SiteNetwork,
  edge: Launched,
  others: { site: string; cidr: string }[],
  record: (name: string) => Promise<void>,
): Promise<void> {
  for (const other of others) {
    const name = resourceName(ctx.runId, site, `to-${other.site}`);
    try {
      await api.operate(
        'routes.insert',
        `route ${name} (${other.cidr} via edge ${edge.name})`,
        { global: true },
        (requestId) =>
          api.clients.routes.insert({
            project: api.project,
            requestId,
            routeResource: {
              name,
              description: describeTags(runTags(ctx, site, name)),
              network: net.networkUrl,
              destRange: other.cidr,
              priority: 1000,
              nextHopInstance: `projects/${api.project}/zones/${edge.zone}/instances/${edge.name}`,
            },
          }),
        { fresh: true },
      );
    } catch (e) {
      if (!isAlreadyExists((e as { cause?: unknown }).cause ?? e)) throw e;
    }
    await record(name);
  }
}
