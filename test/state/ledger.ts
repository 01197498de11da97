/**
 * A provider over an in-memory ledger of resources, each carrying its run id
 * (as every real provider's resources do), for the logic of teardown and the
 * janitor without root. The real providers' destroy and listExpired run in
 * test/local (real namespaces) and test/providers/aws (EC2 at the transport).
 */
import type { ProviderName } from '../../src/config/types.js';
import type {
  CreatedResource,
  DestroyReport,
  ExpiredRun,
  Provider,
  TeardownTarget,
} from '../../src/providers/provider.js';

export interface LedgerRun {
  runId: string;
  createdAt: Date;
  expiresAt: Date;
  stateDir?: string;
  resources: CreatedResource[];
}

export class Ledger {
  readonly runs = new Map<string, LedgerRun>();
  readonly destroyCalls: TeardownTarget[] = [];
  readonly listCalls: { now: Date; regions?: string[] }[] = [];
  /** resource ids whose deletion fails (with this message) */
  readonly stuck = new Map<string, string>();

  add(run: LedgerRun): void {
    this.runs.set(run.runId, run);
  }

  resourcesOf(runId: string): CreatedResource[] {
    return this.runs.get(runId)?.resources ?? [];
  }

  provider(name: ProviderName = 'local'): Provider {
    return {
      name,
      preflight: async () => {},
      provision: () => Promise.reject(new Error('the ledger provisions nothing')),
      destroy: async (target): Promise<DestroyReport> => {
        this.destroyCalls.push(target);
        const run = this.runs.get(target.runId);
        const report: DestroyReport = { deleted: [], remaining: [] };
        if (!run) return report;
        const kept: CreatedResource[] = [];
        for (const r of run.resources.filter((x) => x.provider === name)) {
          const error = this.stuck.get(r.id);
          if (error) {
            kept.push(r);
            report.remaining.push({ resource: r, error, howToDelete: `delete ${r.id} by hand` });
          } else report.deleted.push(r);
        }
        run.resources = [...run.resources.filter((x) => x.provider !== name), ...kept];
        if (run.resources.length === 0) this.runs.delete(target.runId);
        return report;
      },
      listExpired: async (now, ctx): Promise<ExpiredRun[]> => {
        this.listCalls.push({ now, ...(ctx.regions ? { regions: ctx.regions } : {}) });
        return [...this.runs.values()]
          .filter((r) => r.expiresAt.getTime() <= now.getTime())
          .filter((r) => r.resources.some((x) => x.provider === name))
          .map((r) => ({
            runId: r.runId,
            expiresAt: r.expiresAt,
            createdAt: r.createdAt,
            ...(r.stateDir ? { stateDir: r.stateDir } : {}),
            resources: r.resources.filter((x) => x.provider === name),
          }));
      },
    };
  }
}

export function resources(runId: string, n: number, provider: ProviderName = 'local') {
  return Array.from({ length: n }, (_, i) => ({
    provider,
    site: i % 2 ? 'west' : 'east',
    kind: 'netns',
    id: `te-${runId}-${i}`,
  }));
}
