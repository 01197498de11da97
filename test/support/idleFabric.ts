/** A fabric whose every operation rejects, with what a test needs put over it. */
import type { Fabric } from '../../src/fabric/fabric.js';

export function idleFabric(over: Partial<Fabric> = {}): Fabric {
  const notUsed = () => Promise.reject(new Error('not used by this test'));
  return {
    name: 'emulated',
    install: notUsed,
    status: notUsed,
    remediate: notUsed,
    peer: notUsed,
    deployWorkloads: notUsed,
    applyIsolation: notUsed,
    probe: notUsed,
    ...over,
  };
}
