/**
 * Sites of one master each for the tungsten fabric's tests: a real sshd per
 * master (with the environment given, e.g. the stand-in tools on its PATH)
 * and an in-test config API + introspect per master (configApiStandIn.ts),
 * seeded as a fresh cluster. `endpoints` points the fabric at those APIs.
 */
import type { FabricSite } from '../../../src/fabric/fabric.js';
import type { ApiEndpoints } from '../../../src/fabric/tungsten/index.js';
import type { HostPlan, Plan } from '../../../src/plan/types.js';
import type { RunKey } from '../../../src/remote/keys.js';
import { startServer, type Cleanup } from '../../remote/harness.js';
import { ConfigApiStandIn } from './configApiStandIn.js';

export interface Masters {
  sites: FabricSite[];
  /** by master host name */
  apis: Map<string, ConfigApiStandIn>;
  endpoints: (master: HostPlan) => ApiEndpoints;
}

export async function startMasters(
  cleanup: Cleanup,
  key: RunKey,
  plan: Plan,
  envOf: (master: HostPlan) => Record<string, string> = () => ({}),
): Promise<Masters> {
  const apis = new Map<string, ConfigApiStandIn>();
  const sites: FabricSite[] = [];
  for (const p of plan.sites) {
    const master = p.hosts.find((h) => h.role === 'master')!;
    const tf = new ConfigApiStandIn(master.name, master.privateAddress);
    await tf.start();
    cleanup.add(() => tf.stop());
    tf.seedCluster();
    apis.set(master.name, tf);
    const server = await startServer(cleanup, key, { name: master.name, env: envOf(master) });
    sites.push({
      plan: p,
      machines: {
        name: p.name,
        provider: p.provider,
        hosts: [
          {
            name: master.name,
            site: p.name,
            role: 'master',
            privateAddress: master.privateAddress,
            ssh: { host: '127.0.0.1', port: server.sshd.port, user: 'root' },
          },
        ],
      },
    });
  }
  return {
    sites,
    apis,
    endpoints: (m) => ({
      address: '127.0.0.1',
      configPort: apis.get(m.name)!.configPort,
      introspectPort: apis.get(m.name)!.introspectPort,
    }),
  };
}
