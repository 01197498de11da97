/**
 * What the janitor finds: resources carrying an expiry tag, grouped by run.
 * A run is expired only when every resource of it says so.
 */
import type { CreatedResource, ExpiredRun } from '../provider.js';

export class ExpiredRuns {
  private readonly runs = new Map<string, ExpiredRun & { latest: number }>();

  /** One resource of `runId` that expires at `expiry`; the run's expiry is its latest. */
  add(runId: string, expiry: Date, resource: CreatedResource): void {
    const run = this.runs.get(runId) ?? {
      runId,
      expiresAt: expiry,
      resources: [],
      latest: expiry.getTime(),
    };
    run.latest = Math.max(run.latest, expiry.getTime());
    run.expiresAt = new Date(run.latest);
    run.resources.push(resource);
    this.runs.set(runId, run);
  }

  /** The runs all of whose resources expired before `now`, in the order they were first seen. */
  before(now: Date): ExpiredRun[] {
    return [...this.runs.values()]
      .filter((r) => r.latest < now.getTime())
      .map(({ runId, expiresAt, resources }) => ({ runId, expiresAt, resources }));
  }
}
