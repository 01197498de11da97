/**
 * Finding a run's resources and deleting them in dependency order: routes and
 * firewall rules, instances, disks termination left, subnetworks, networks.
 * Every resource of a run is named te-<run id>-…, so one list filter
 * (`name eq te-<run>-.*`, a regular expression) finds them across the
 * project, zonal ones through aggregated lists, with no state file; the tags
 * (labels, or the description for kinds without labels) confirm each one.
 * NotFound while deleting means already gone; "already being used by" means
 * a dependent is still going away, so the delete is retried until the deadline.
 */
import type { protos } from '@google-cloud/compute';
import {
  TAG_EXPIRES_AT,
  TAG_HOST,
  TAG_NAME,
  TAG_REPO,
  TAG_RUN_ID,
  TAG_SITE,
} from '../cloud/tags.js';
import { NO_RETRY } from './api.js';
import type { GcpApi, Scope } from './api.js';
import { isNotFound } from './errors.js';
import { fromLabels, tagsFromDescription } from './labels.js';

const KNOWN_TAGS = [TAG_RUN_ID, TAG_EXPIRES_AT, TAG_SITE, TAG_REPO, TAG_HOST, TAG_NAME];

export interface Found {
  kind: string;
  id: string;
  tags: Record<string, string>;
  scope: Scope;
}

interface Kind {
  kind: string;
  find(api: GcpApi, filter: string): Promise<Found[]>;
  remove(api: GcpApi, item: Found): Promise<unknown>;
  howToDelete(project: string, item: Found): string;
}

/** The list filter for every resource of a run (or of every run: runId undefined). */
export function nameFilter(runId?: string): string {
  return `name eq te-${runId ?? '[a-z][a-z0-9]{5}'}-.*`;
}

const last = (url: string | null | undefined): string => (url ?? '').split('/').pop() ?? '';

async function aggregated<T>(iterable: AsyncIterable<[string, T]>): Promise<[string, T][]> {
  const out: [string, T][] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

const routes: Kind = {
  kind: 'route',
  async find(api, filter) {
    const [items] = await api.call('routes.list', 'routes of the run', () =>
      api.clients.routes.list({ project: api.project, filter }, NO_RETRY),
    );
    return items.map((r) => ({
      kind: 'route',
      id: r.name!,
      tags: tagsFromDescription(r.description),
      scope: { global: true },
    }));
  },
  remove: (api, item) =>
    api.operate('routes.delete', `route ${item.id}`, item.scope, (requestId) =>
      api.clients.routes.delete({ project: api.project, route: item.id, requestId }),
    ),
  howToDelete: (p, i) => `gcloud compute routes delete ${i.id} --project ${p} --quiet`,
};

const firewalls: Kind = {
  kind: 'firewall',
  async find(api, filter) {
    const [items] = await api.call('firewalls.list', 'firewall rules of the run', () =>
      api.clients.firewalls.list({ project: api.project, filter }, NO_RETRY),
    );
    return items.map((f) => ({
      kind: 'firewall',
      id: f.name!,
      tags: tagsFromDescription(f.description),
      scope: { global: true },
    }));
  },
  remove: (api, item) =>
    api.operate('firewalls.delete', `firewall ${item.id}`, item.scope, (requestId) =>
      api.clients.firewalls.delete({
        project: api.project,
        firewall: item.id,
        requestId,
      }),
    ),
  howToDelete: (p, i) => `gcloud compute firewall-rules delete ${i.id} --project ${p} --quiet`,
};

const instances: Kind = {
  kind: 'instance',
  async find(api, filter) {
    const lists = await api.call('instances.aggregatedList', 'instances of the run', () =>
      aggregated(
        api.clients.instances.aggregatedListAsync(
          { project: api.project, filter, returnPartialSuccess: true },
          { ...NO_RETRY, autoPaginate: false },
        ),
      ),
    );
    return lists.flatMap(([, l]) =>
      (l.instances ?? []).map((i: protos.google.cloud.compute.v1.IInstance) => ({
        kind: 'instance',
        id: i.name!,
        tags: fromLabels(i.labels as Record<string, string>, KNOWN_TAGS),
        scope: { zone: last(i.zone) },
      })),
    );
  },
  remove: (api, item) =>
    api.operate('instances.delete', `instance ${item.id}`, item.scope, (requestId) =>
      api.clients.instances.delete({
        project: api.project,
        zone: (item.scope as { zone: string }).zone,
        instance: item.id,
        requestId,
      }),
    ),
  howToDelete: (p, i) =>
    `gcloud compute instances delete ${i.id} --zone ${(i.scope as { zone: string }).zone} --project ${p} --quiet`,
};

const disks: Kind = {
  kind: 'disk',
  async find(api, filter) {
    const lists = await api.call('disks.aggregatedList', 'disks of the run', () =>
      aggregated(
        api.clients.disks.aggregatedListAsync(
          { project: api.project, filter, returnPartialSuccess: true },
          { ...NO_RETRY, autoPaginate: false },
        ),
      ),
    );
    return lists.flatMap(([, l]) =>
      (l.disks ?? []).map((d: protos.google.cloud.compute.v1.IDisk) => ({
        kind: 'disk',
        id: d.name!,
        tags: fromLabels(d.labels as Record<string, string>, KNOWN_TAGS),
        scope: { zone: last(d.zone) },
      })),
    );
  },
  remove: (api, item) =>
    api.operate(
      'disks.delete',
      `disk ${item.id}`,
      item.scope,
      (requestId) =>
        api.clients.disks.delete({
          project: api.project,
          zone: (item.scope as { zone: string }).zone,
          disk: item.id,
          requestId,
        }),
      { waitForDependents: true },
    ),
  howToDelete: (p, i) =>
    `gcloud compute disks delete ${i.id} --zone ${(i.scope as { zone: string }).zone} --project ${p} --quiet`,
};

const subnetworks: Kind = {
  kind: 'subnetwork',
  async find(api, filter) {
    const lists = await api.call('subnetworks.aggregatedList', 'subnetworks of the run', () =>
      aggregated(
        api.clients.subnetworks.aggregatedListAsync(
          { project: api.project, filter, returnPartialSuccess: true },
          { ...NO_RETRY, autoPaginate: false },
        ),
      ),
    );
    return lists.flatMap(([, l]) =>
      (l.subnetworks ?? []).map((s: protos.google.cloud.compute.v1.ISubnetwork) => ({
        kind: 'subnetwork',
        id: s.name!,
        tags: tagsFromDescription(s.description),
        scope: { region: last(s.region) },
      })),
    );
  },
  remove: (api, item) =>
    api.operate(
      'subnetworks.delete',
      `subnetwork ${item.id}`,
      item.scope,
      (requestId) =>
        api.clients.subnetworks.delete({
          project: api.project,
          region: (item.scope as { region: string }).region,
          subnetwork: item.id,
          requestId,
        }),
      { waitForDependents: true },
    ),
  howToDelete: (p, i) =>
    `gcloud compute networks subnets delete ${i.id} --region ${(i.scope as { region: string }).region} --project ${p} --quiet`,
};

const networks: Kind = {
  kind: 'network',
  async find(api, filter) {
    const [items] = await api.call('networks.list', 'networks of the run', () =>
      api.clients.networks.list({ project: api.project, filter }, NO_RETRY),
    );
    return items.map((n) => ({
      kind: 'network',
      id: n.name!,
      tags: tagsFromDescription(n.description),
      scope: { global: true },
    }));
  },
  remove: (api, item) =>
    api.operate(
      'networks.delete',
      `network ${item.id}`,
      item.scope,
      (requestId) =>
        api.clients.networks.delete({ project: api.project, network: item.id, requestId }),
      { waitForDependents: true },
    ),
  howToDelete: (p, i) => `gcloud compute networks delete ${i.id} --project ${p} --quiet`,
};

/** Dependency order: what uses something is deleted before it. */
export const KINDS: readonly Kind[] = [routes, firewalls, instances, disks, subnetworks, networks];

/** Everything matching the filter that carries our tags, kind by kind in dependency order. */
export async function findTagged(api: GcpApi, filter: string, runId?: string): Promise<Found[]> {
  const out: Found[] = [];
  for (const k of KINDS) out.push(...(await k.find(api, filter)).filter((f) => ours(f, runId)));
  return out;
}

function ours(f: Found, runId?: string): boolean {
  const id = f.tags[TAG_RUN_ID];
  return runId ? id === runId : Boolean(id && f.tags[TAG_EXPIRES_AT]);
}

export interface RemovalResult {
  deleted: Found[];
  failed: { item: Found; error: string; howToDelete: string }[];
}

export async function removeAll(
  api: GcpApi,
  runId: string,
  onFound: (items: Found[]) => void = () => {},
): Promise<RemovalResult> {
  const result: RemovalResult = { deleted: [], failed: [] };
  for (const k of KINDS) {
    const items = (await k.find(api, nameFilter(runId))).filter((f) => ours(f, runId));
    if (items.length === 0) continue;
    onFound(items);
    // one kind at a time, its items together: deleting an instance takes a while
    await Promise.all(
      items.map(async (item) => {
        try {
          await k.remove(api, item);
          result.deleted.push(item);
        } catch (e) {
          if (isNotFound((e as { cause?: unknown }).cause ?? e)) {
            result.deleted.push(item);
            return;
          }
          result.failed.push({
            item,
            error: e instanceof Error ? e.message : String(e),
            howToDelete: k.howToDelete(api.project, item),
          });
        }
      }),
    );
  }
  return result;
}
