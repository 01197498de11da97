/**
 * Teardown across providers: each provider deletes what carries the run id,
 * one after the other, and a provider that fails (no credentials, its API
 * down) does not stop the ones after it; what it should have deleted is
 * reported as left, with how to delete it.
 */
import type { ProviderName } from '../config/types.js';
import { isUserError } from '../errors.js';
import type { ProviderFactory } from '../pipeline/registry.js';
import type {
  CreatedResource,
  DestroyReport,
  ProviderOpContext,
  TeardownTarget,
} from '../providers/provider.js';

export interface DestroyEachResult extends DestroyReport {
  /** a provider's error a user can fix (credentials, a bad site file), the first one */
  userError?: unknown;
}

export async function destroyEach(
  names: Iterable<ProviderName>,
  o: {
    providers: ProviderFactory;
    target: (name: ProviderName) => TeardownTarget;
    ctx: ProviderOpContext;
    /** what the state recorded: reported as left when its provider fails */
    recorded: readonly CreatedResource[];
    /** how to delete what a failing provider left (the command that tries again) */
    howToDelete: (name: ProviderName) => string;
  },
): Promise<DestroyEachResult> {
  const result: DestroyEachResult = { deleted: [], remaining: [] };
  for (const name of names) {
    const target = o.target(name);
    try {
      const report = await (await o.providers(name)).destroy(target, o.ctx);
      result.deleted.push(...report.deleted);
      result.remaining.push(...report.remaining);
    } catch (e) {
      const error = `${name} teardown failed: ${e instanceof Error ? e.message : String(e)}`;
      o.ctx.logger.warn(`teardown ${target.runId}: ${error}`);
      if (isUserError(e)) result.userError ??= e;
      const howToDelete = o.howToDelete(name);
      const mine = o.recorded.filter((r) => r.provider === name);
      const left: CreatedResource[] = mine.length
        ? mine
        : [{ provider: name, site: '', kind: 'run', id: `${target.runId} on ${name}` }];
      for (const resource of left) result.remaining.push({ resource, error, howToDelete });
    }
  }
  return result;
}
