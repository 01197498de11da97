import { parseSiteFile } from '../../src/config/load.js';
import type { FabricContext, FabricSite } from '../../src/fabric/fabric.js';
import { memoryLogger } from '../../src/log.js';
import { buildPlanFromConfig } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';

/** A real plan for N local sites and the machines a provider would have made. */
export function localSites(
  names: string[] = ['east', 'west'],
  namespaces: string[] = ['tenant-a', 'tenant-b'],
): { plan: Plan; sites: FabricSite[] } {
  const text = [
    'tests:',
    `  namespaces: [${namespaces.join(', ')}]`,
    'sites:',
    ...names.flatMap((n) => [`  - name: ${n}`, '    provider: local']),
    '',
  ].join('\n');
  const plan = buildPlanFromConfig(parseSiteFile(text, 'sites.yml'));
  return { plan, sites: machinesOf(plan) };
}

export function testContext(plan: Plan, signal = new AbortController().signal) {
  const logger = memoryLogger();
  const ctx: FabricContext = { plan, logger, signal };
  return { ctx, logger };
}

/** The machines a provider would have made for each of the plan's sites (SSH as root at the private address). */
export function machinesOf(plan: Plan): FabricSite[] {
  return plan.sites.map((sp) => ({
    plan: sp,
    machines: {
      name: sp.name,
      provider: sp.provider,
      hosts: sp.hosts.map((h) => ({
        name: h.name,
        site: sp.name,
        role: h.role,
        privateAddress: h.privateAddress,
        ssh: { host: h.privateAddress, port: 22, user: 'root' },
      })),
    },
  }));
}
