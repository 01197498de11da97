import type {
  Fabric,
  FabricSite,
  IsolationConfig,
  PodInfo,
  PodRef,
  ProbeOutcome,
  ProbeTarget,
  ServiceInfo,
  Workloads,
} from '../../src/fabric/fabric.js';
import { TEST_TIMINGS } from './idleFabric.js';
import { mustParseCidr, nthAddress } from '../../src/net/cidr.js';
import {
  BACKEND_LABELS,
  BACKEND_NAME,
  CLIENT_LABELS,
  CLIENT_NAME,
  ECHO_PORT,
  SERVICE_NAME,
  SERVICE_PORT,
} from '../../src/fabric/workloads.js';
import { reaches } from './enforcer.js';

export interface SuiteFaults {
  /** applyIsolation is accepted but never enforced */
  leak?: boolean;
  /** the first probe of every pair is let through, later ones enforced */
  leakOnce?: boolean;
  /** packets between sites are dropped (no BGP routes) */
  dropCrossSite?: boolean;
  /** the first probe of a matching pair times out */
  flakyFirst?: (from: PodRef, to: ProbeTarget) => boolean;
  /** a remote service address is answered by the local site's backend (overlapping ranges) */
  wrongBackend?: boolean;
  /** a probe call never settles when it carries a matching pair (the world: what is deployed) */
  hang?: (from: PodRef, to: ProbeTarget, world: Workloads) => boolean;
  /** the first N probe calls of a matching pair fail themselves (a busy host: the probe did not start) */
  probeFails?: (from: PodRef, to: ProbeTarget) => number;
  /** delay each probe by a few event-loop turns, to see concurrency */
  slow?: boolean;
  /** isolation rejects with a reset instead of dropping */
  resetDenied?: boolean;
  /** a matching backend pod is not running: connections to it are refused */
  deadBackend?: (backend: PodInfo) => boolean;
}

/**
 * A test double of our Fabric seam for the suites: workloads with addresses
 * from each site's planned ranges, echo replies naming the backend pod, and
 * the applied IsolationConfig enforced by the reference reading in
 * enforcer.ts (at the target's site), with faults to inject.
 */
export function scriptedSuiteFabric(faults: SuiteFaults = {}) {
  const world: Workloads = { pods: [], services: [] };
  const applied = new Map<string, IsolationConfig>();
  const applyCalls: string[] = [];
  const probes: { from: string; to: string; timeoutMs: number }[] = [];
  /** one per fabric call: the client and how many targets it carried */
  const calls: { from: string; targets: number }[] = [];
  const seen = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const notUsed = () => Promise.reject(new Error('not used by the suites'));

  const fabric: Fabric = {
    name: 'emulated',
    timings: TEST_TIMINGS,
    install: notUsed,
    status: notUsed,
    remediate: notUsed,
    peer: notUsed,
    deployWorkloads: (site: FabricSite, namespaces: string[]) => {
      const pod = mustParseCidr(site.plan.cidrs.pod);
      const svc = mustParseCidr(site.plan.cidrs.service);
      const mine: Workloads = { pods: [], services: [] };
      namespaces.forEach((namespace, i) => {
        const s = site.plan.name;
        mine.pods.push(
          {
            site: s,
            namespace,
            name: `${BACKEND_NAME}-${s}-${i}`,
            role: 'backend',
            ip: nthAddress(pod, 10 + 2 * i),
            port: ECHO_PORT,
            labels: { ...BACKEND_LABELS },
          },
          {
            site: s,
            namespace,
            name: CLIENT_NAME,
            role: 'client',
            ip: nthAddress(pod, 11 + 2 * i),
            labels: { ...CLIENT_LABELS },
          },
        );
        mine.services.push({
          site: s,
          namespace,
          name: SERVICE_NAME,
          ip: nthAddress(svc, 10 + i),
          port: SERVICE_PORT,
          selector: { ...BACKEND_LABELS },
        });
      });
      world.pods.push(...mine.pods);
      world.services.push(...mine.services);
      return Promise.resolve(mine);
    },
    applyIsolation: (site: FabricSite, config: IsolationConfig) => {
      applyCalls.push(`${site.plan.name}:${config.mode}`);
      applied.set(site.plan.name, config);
      return Promise.resolve();
    },
    probe: async (
      from: PodRef,
      targets: readonly ProbeTarget[],
      timeoutMs: number,
    ): Promise<ProbeOutcome[]> => {
      calls.push({ from: `${from.site}/${from.namespace}/${from.name}`, targets: targets.length });
      if (targets.some((to) => faults.hang?.(from, to, world)))
        return new Promise<ProbeOutcome[]>(() => {});
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (faults.slow) for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
        return targets.map((to) => {
          const key = `${from.site}/${from.namespace}/${from.name}>${to.ip}:${to.port}`;
          probes.push({ from: `${from.site}/${from.namespace}/${from.name}`, to: key, timeoutMs });
          const n = (seen.get(key) ?? 0) + 1;
          seen.set(key, n);
          if (n <= (faults.probeFails?.(from, to) ?? 0))
            return {
              result: 'error',
              detail: 'the probe did not start within 15000 ms',
              durationMs: 15000,
            };
          return decide(from, to, n, timeoutMs);
        });
      } finally {
        inFlight--;
      }
    },
  };

  const timeout = (ms: number): ProbeOutcome => ({ result: 'timeout', detail: '', durationMs: ms });
  const denied = (ms: number): ProbeOutcome =>
    faults.resetDenied
      ? { result: 'refused', detail: 'ECONNRESET read ECONNRESET', durationMs: 1 }
      : timeout(ms);

  function decide(from: PodRef, to: ProbeTarget, n: number, timeoutMs: number): ProbeOutcome {
    const client = world.pods.find(
      (p) => p.site === from.site && p.namespace === from.namespace && p.name === from.name,
    );
    if (!client) return { result: 'error', detail: `no pod ${from.name}`, durationMs: 1 };
    let backend: PodInfo | undefined;
    let via: ServiceInfo | undefined;
    const pod = world.pods.find((p) => p.ip === to.ip && p.port === to.port);
    if (pod) backend = pod;
    else {
      via = world.services.find((s) => s.ip === to.ip && s.port === to.port);
      if (!via) return timeout(timeoutMs);
      const site = faults.wrongBackend ? from.site : via.site;
      backend = world.pods.find(
        (p) => p.role === 'backend' && p.site === site && p.namespace === via!.namespace,
      );
    }
    if (!backend) return { result: 'refused', detail: 'no backend', durationMs: 1 };
    const targetSite = via ? via.site : backend.site;
    if (faults.dropCrossSite && targetSite !== from.site) return timeout(timeoutMs);
    if (n === 1 && faults.flakyFirst?.(from, to)) return timeout(timeoutMs);
    const config = applied.get(targetSite);
    const enforce = !faults.leak && !(faults.leakOnce && n === 1);
    if (enforce && config && !reaches(config, client, backend, via)) return denied(timeoutMs);
    if (faults.deadBackend?.(backend))
      return { result: 'refused', detail: 'ECONNREFUSED connect ECONNREFUSED', durationMs: 1 };
    return { result: 'connected', detail: `${backend.name}\n`, durationMs: 3 };
  }

  return {
    fabric,
    world,
    applied,
    applyCalls,
    probes,
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}
