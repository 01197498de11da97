/**
 * What the three live cloud suites share: one small site of a cloud (a master
 * and the edge VM, no workers) beside a local peer, provisioned for real,
 * both hosts reached over SSH, and the message for whatever a teardown left.
 */
import { expect } from 'vitest';
import { parseSiteFile } from '../../src/config/load.js';
import { loadProfile } from '../../src/config/profile.js';
import { buildPlan } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';
import type {
  DestroyReport,
  Provider,
  ProviderOpContext,
  ProvisionedSite,
} from '../../src/providers/provider.js';
import type { RemotePool } from '../../src/remote/pool.js';

export interface LiveSite {
  provider: 'aws' | 'gcp' | 'azure';
  region: string;
  zone?: string;
  /** the instance type of both machines */
  type: string;
  /** the boot disk the profile's minimums ask for (the cloud's smallest image size) */
  diskGib: number;
}

/**
 * The plan: the smallest machines, since the provider's mechanics, not TF, are
 * under test (the profile's minimums are lowered to fit them).
 */
export function livePlan(site: LiveSite): Plan {
  const profile = structuredClone(loadProfile('opensdn-24'));
  for (const role of ['master', 'worker', 'edge'] as const) {
    profile.minimums[role] = { 'memory-gib': 1, 'disk-gib': site.diskGib };
  }
  const text = JSON.stringify({
    profile: 'opensdn-24',
    sites: [
      {
        name: 'live',
        provider: site.provider,
        region: site.region,
        ...(site.zone ? { zone: site.zone } : {}),
        nodes: { workers: 0, 'master-type': site.type, 'edge-type': site.type },
      },
      { name: 'peer', provider: 'local' },
    ],
  });
  return buildPlan(parseSiteFile(text, `${site.provider}-live.yml`), profile);
}

/** Preflight and provision the live site, then check both hosts answer over SSH on their planned address. */
export async function provisionAndReach(
  provider: Provider,
  plan: Plan,
  op: ProviderOpContext,
  run: { runId: string; sshPublicKey: string },
  pool: RemotePool,
): Promise<ProvisionedSite> {
  const ctx = {
    ...op,
    ...run,
    expiresAt: new Date(Date.now() + 3600_000),
    repo: process.env.GITHUB_REPOSITORY ?? 'local/live-test',
    stateDir: '/tmp',
    recordResource: async () => {},
  };
  await provider.preflight(plan.sites, plan, ctx);
  const site = await provider.provision(plan.sites[0]!, plan, ctx);
  expect(site.hosts.map((h) => h.role)).toEqual(['master', 'edge']);
  for (const h of site.hosts) {
    const out = await pool.run(
      { name: h.name, host: h.ssh.host, port: h.ssh.port, user: h.ssh.user },
      ['ip', '-4', '-o', 'addr', 'show'],
    );
    expect(out.stdout).toContain(`inet ${h.privateAddress}/`);
  }
  return site;
}

/** Say loudly what a teardown could not delete (and how to delete it by hand). */
export function reportLeftBehind(where: string, report: DestroyReport): void {
  if (!report.remaining.length) return;
  console.error(
    `LEFT BEHIND in ${where}:\n${report.remaining.map((r) => `${r.resource.kind} ${r.resource.id}: ${r.error}; ${r.howToDelete}`).join('\n')}`,
  );
}
