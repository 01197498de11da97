/**
 * The emulated fabric for the fabric contract kit: two local sites
 * provisioned by the local provider (network namespaces with sshd), the
 * fabric made by the registry as a run makes it, optionally altered (the
 * kit's negative controls).
 */
import type { Fabric } from '../../../src/fabric/fabric.js';
import { emulatedFabric } from '../../../src/pipeline/registry.js';
import { Runs, siteFile } from '../../local/helpers.js';
import type { FabricFixture } from '../contract.js';

export function emulatedFixture(alter: (fabric: Fabric) => Fabric = (f) => f): FabricFixture {
  const runs = new Runs();
  let close: (() => Promise<void>) | undefined;
  return {
    // the emulation settles in about a second; a broken one (the controls) should not hold CI long
    settleMs: 8_000,
    async start() {
      const { live } = await runs.up(
        siteFile([{ name: 'east' }, { name: 'west' }]),
        { until: 'provision' },
        { fabric: () => (run) => alter(emulatedFabric(run)) },
      );
      close = live.close;
      return { fabric: live.fabric, sites: live.sites, plan: live.plan, ctx: live.ctx };
    },
    async stop() {
      await close?.();
      close = undefined;
      await runs.downAll();
    },
  };
}
