/**
 * The tags every cloud resource of a run carries, so teardown and the janitor
 * find it without the state file. Clouds with stricter label rules (GCP:
 * lowercase, no colons) map these names; the meaning stays the same.
 */
export const TAG_RUN_ID = 'tungsten-e2e:run-id';
export const TAG_EXPIRES_AT = 'tungsten-e2e:expires-at';
export const TAG_SITE = 'tungsten-e2e:site';
export const TAG_REPO = 'tungsten-e2e:repo';
/** which planned host an instance is ("east-worker-1") */
export const TAG_HOST = 'tungsten-e2e:host';
export const TAG_NAME = 'Name';

export interface TagContext {
  runId: string;
  expiresAt: Date;
  repo?: string;
}

/** "te-<run>-<site>-<what>": readable, unique per run, safe in every cloud's names. */
export function resourceName(runId: string, site: string, what: string): string {
  return `te-${runId}-${site}-${what}`;
}

/** The run's tags for one resource of a site; `name` becomes the readable Name. */
export function runTags(
  ctx: TagContext,
  site: string,
  name: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    [TAG_NAME]: name,
    [TAG_RUN_ID]: ctx.runId,
    [TAG_EXPIRES_AT]: ctx.expiresAt.toISOString(),
    [TAG_SITE]: site,
    ...(ctx.repo ? { [TAG_REPO]: ctx.repo } : {}),
    ...extra,
  };
}

/** The expiry a resource's tags state, or undefined when absent or unreadable. */
export function expiryOf(tags: Record<string, string>): Date | undefined {
  const text = tags[TAG_EXPIRES_AT];
  if (!text) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
