/** A fabric whose every operation rejects, with what a test needs put over it. */
import type { Fabric, FabricTimings } from '../../src/fabric/fabric.js';

/** the ready phase's timings for a fabric that answers at once */
export const TEST_TIMINGS: FabricTimings = {
  readyDeadlineMs: 10_000,
  raceGraceMs: 0,
  pollIntervalMs: 10,
  progressEveryMs: 1_000,
};

export function idleFabric(over: Partial<Fabric> = {}): Fabric {
  const notUsed = () => Promise.reject(new Error('not used by this test'));
  return {
    name: 'emulated',
    timings: TEST_TIMINGS,
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
