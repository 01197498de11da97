/**
 * Teardown on Azure: every site of a run lives in its own resource group, so
 * teardown is one delete per group (then checked gone), plus a sweep for
 * anything carrying the run's tag outside those groups. Found by tag, never
 * from the state file; NotFound means already gone.
 */
import type { GenericResourceExpanded, ResourceGroup } from '@azure/arm-resources';
import type { CreatedResource } from '../provider.js';
import { TAG_RUN_ID, TAG_SITE } from '../cloud/tags.js';
import type { AzureApi } from './api.js';
import { isNotFound } from './errors.js';

/** API versions for deleting what we create, by resource type (the sweep's deleteById needs one). */
export const DELETE_API_VERSIONS: Record<string, string> = {
  'microsoft.compute/virtualmachines': '2024-07-01',
  'microsoft.compute/disks': '2024-03-02',
  'microsoft.network/networkinterfaces': '2024-05-01',
  'microsoft.network/publicipaddresses': '2024-05-01',
  'microsoft.network/networksecuritygroups': '2024-05-01',
  'microsoft.network/routetables': '2024-05-01',
  'microsoft.network/virtualnetworks': '2024-05-01',
};
/** Sweep order: what uses something goes first. */
const SWEEP_ORDER = [
  'microsoft.compute/virtualmachines',
  'microsoft.compute/disks',
  'microsoft.network/networkinterfaces',
  'microsoft.network/publicipaddresses',
  'microsoft.network/virtualnetworks',
  'microsoft.network/routetables',
  'microsoft.network/networksecuritygroups',
];

export const tagFilter = (key: string, value?: string): string =>
  value === undefined ? `tagName eq '${key}'` : `tagName eq '${key}' and tagValue eq '${value}'`;

const KIND: Record<string, string> = {
  'microsoft.compute/virtualmachines': 'virtual-machine',
  'microsoft.compute/disks': 'disk',
  'microsoft.network/networkinterfaces': 'network-interface',
  'microsoft.network/publicipaddresses': 'public-ip',
  'microsoft.network/networksecuritygroups': 'network-security-group',
  'microsoft.network/routetables': 'route-table',
  'microsoft.network/virtualnetworks': 'virtual-network',
};

export function resourceOfGroup(g: ResourceGroup): CreatedResource {
  return {
    provider: 'azure',
    site: g.tags?.[TAG_SITE] ?? '',
    kind: 'resource-group',
    id: g.id!,
    ...(g.location ? { region: g.location } : {}),
  };
}

export function resourceOf(r: GenericResourceExpanded, site?: string): CreatedResource {
  return {
    provider: 'azure',
    site: r.tags?.[TAG_SITE] ?? site ?? '',
    kind: KIND[(r.type ?? '').toLowerCase()] ?? r.type ?? 'resource',
    id: r.id!,
    ...(r.location ? { region: r.location } : {}),
  };
}

export function taggedGroups(api: AzureApi, key: string, value?: string): Promise<ResourceGroup[]> {
  return api.list('resourceGroups.list', `resource groups tagged ${key}`, () =>
    api.clients.resources.resourceGroups.list({ filter: tagFilter(key, value) }),
  );
}

export function taggedResources(
  api: AzureApi,
  key: string,
  value?: string,
): Promise<GenericResourceExpanded[]> {
  return api.list('resources.list', `resources tagged ${key}`, () =>
    api.clients.resources.resources.list({ filter: tagFilter(key, value) }),
  );
}

export interface RemovalResult {
  deleted: CreatedResource[];
  failed: { resource: CreatedResource; error: string; howToDelete: string }[];
}

/** Delete each group of the run (its contents go with it), then check it is gone. */
export async function removeGroups(api: AzureApi, runId: string): Promise<RemovalResult> {
  const result: RemovalResult = { deleted: [], failed: [] };
  const groups = await taggedGroups(api, TAG_RUN_ID, runId);
  await Promise.all(
    groups.map(async (g) => {
      const name = g.name!;
      const site = g.tags?.[TAG_SITE];
      const contents = await api.list('resources.listByResourceGroup', `resources in ${name}`, () =>
        api.clients.resources.resources.listByResourceGroup(name),
      );
      try {
        await api.operate(
          'resourceGroups.delete',
          `resource group ${name}`,
          () => api.clients.resources.resourceGroups.beginDelete(name),
          { ...(g.location ? { where: g.location } : {}), waitForDependents: true },
        );
      } catch (e) {
        if (!isNotFound((e as { cause?: unknown }).cause ?? e)) {
          result.failed.push({
            resource: resourceOfGroup(g),
            error: e instanceof Error ? e.message : String(e),
            howToDelete: `az group delete --name ${name} --yes`,
          });
          return;
        }
      }
      const exists = await api.call('resourceGroups.checkExistence', `resource group ${name}`, () =>
        api.clients.resources.resourceGroups.checkExistence(name),
      );
      if (exists.body) {
        result.failed.push({
          resource: resourceOfGroup(g),
          error: `resource group ${name} still exists after its delete finished`,
          howToDelete: `az group delete --name ${name} --yes`,
        });
        return;
      }
      result.deleted.push(resourceOfGroup(g), ...contents.map((r) => resourceOf(r, site)));
    }),
  );
  return result;
}

/** Anything else tagged with the run (outside its groups), deleted by id in dependency order. */
export async function sweep(api: AzureApi, runId: string): Promise<RemovalResult> {
  const result: RemovalResult = { deleted: [], failed: [] };
  const left = await taggedResources(api, TAG_RUN_ID, runId);
  const rank = (r: GenericResourceExpanded) => {
    const i = SWEEP_ORDER.indexOf((r.type ?? '').toLowerCase());
    return i < 0 ? SWEEP_ORDER.length : i;
  };
  for (const r of left.sort((a, b) => rank(a) - rank(b))) {
    const version = DELETE_API_VERSIONS[(r.type ?? '').toLowerCase()];
    const howToDelete = `az resource delete --ids ${r.id}`;
    if (!version) {
      result.failed.push({
        resource: resourceOf(r),
        error: `a ${r.type} tagged with run ${runId} outside its resource groups, of a type teardown does not delete`,
        howToDelete,
      });
      continue;
    }
    try {
      await api.operate(
        'resources.deleteById',
        `${r.type} ${r.name}`,
        () => api.clients.resources.resources.beginDeleteById(r.id!, version),
        { waitForDependents: true },
      );
      result.deleted.push(resourceOf(r));
    } catch (e) {
      if (isNotFound((e as { cause?: unknown }).cause ?? e)) result.deleted.push(resourceOf(r));
      else
        result.failed.push({
          resource: resourceOf(r),
          error: e instanceof Error ? e.message : String(e),
          howToDelete,
        });
    }
  }
  return result;
}
