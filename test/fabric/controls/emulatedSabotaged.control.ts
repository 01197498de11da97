/**
 * The fabric contract kit's negative control, run only by
 * contractControls.test.ts (in a child vitest, since these suites are meant
 * to fail): the emulated fabric with one defect per suite. Each defect must
 * turn its own test of the kit red.
 */
import { afterAll, describe } from 'vitest';
import type { Fabric, ProbeOutcome } from '../../../src/fabric/fabric.js';
import { removeScratch } from '../../local/helpers.js';
import { fabricContract, type KitTest } from '../contract.js';
import { emulatedFixture } from '../emulated/emulatedFixture.js';

/**
 * The kit's tests each control runs: the one its defect must fail and those it
 * builds on (the rest are skipped, to keep the control short).
 */
const RUNS: Record<string, readonly KitTest[]> = {
  'install not idempotent': ['install'],
  'no steps': ['install'],
  'status not contrail-status': ['install', 'status'],
  'no peering': ['install', 'peer'],
  'unlabelled backends': ['install', 'workloads'],
  'leaks isolation': ['install', 'peer', 'workloads', 'isolation'],
  'rejects instead of dropping': ['install', 'peer', 'workloads', 'denyKinds'],
  'probes out of order': ['install', 'peer', 'workloads', 'batch'],
};

/** One defect each: how it breaks the fabric (the fabric object is changed in place). */
export const SABOTAGES: Record<string, (f: Fabric) => void> = {
  // a second install (a retried up) fails
  'install not idempotent': (f) => {
    const install = f.install.bind(f);
    const done = new Set<string>();
    f.install = async (site, ctx) => {
      if (done.has(site.plan.name)) throw new Error(`${site.plan.name} is already installed`);
      done.add(site.plan.name);
      await install(site, ctx);
    };
  },
  // install is one opaque call: no named steps
  'no steps': (f) => {
    const install = f.install.bind(f);
    f.install = (site, ctx) =>
      install(site, { plan: ctx.plan, logger: ctx.logger, signal: ctx.signal });
  },
  // status is not in contrail-status form
  'status not contrail-status': (f) => {
    const status = f.status.bind(f);
    f.status = async (site, ctx) => {
      const out = await status(site, ctx);
      return Object.fromEntries(Object.keys(out).map((h) => [h, `{"host":"${h}","ok":true}`]));
    };
  },
  // peering is never configured
  'no peering': (f) => {
    f.peer = async () => {};
  },
  // backends lose the labels the isolation configurations select on
  'unlabelled backends': (f) => {
    const deploy = f.deployWorkloads.bind(f);
    f.deployWorkloads = async (site, namespaces, ctx) => {
      const w = await deploy(site, namespaces, ctx);
      for (const p of w.pods) if (p.role === 'backend') p.labels = {};
      return w;
    };
  },
  // isolation is accepted and never enforced
  'leaks isolation': (f) => {
    const apply = f.applyIsolation.bind(f);
    f.applyIsolation = (site, config, world, ctx) =>
      apply(site, { ...config, namespaces: [], networkPolicies: [] }, world, ctx);
  },
  // denies are resets, where TF drops
  'rejects instead of dropping': (f) => {
    const probe = f.probe.bind(f);
    f.probe = async (from, targets, timeoutMs, ctx) =>
      (await probe(from, targets, timeoutMs, ctx)).map((o): ProbeOutcome =>
        o.result === 'timeout' ? { ...o, result: 'refused' } : o,
      );
  },
  // a batch's outcomes come back in another order
  'probes out of order': (f) => {
    const probe = f.probe.bind(f);
    f.probe = async (from, targets, timeoutMs, ctx) =>
      (await probe(from, targets, timeoutMs, ctx)).reverse();
  },
};

afterAll(removeScratch);

for (const [defect, sabotage] of Object.entries(SABOTAGES)) {
  describe(`(control: ${defect})`, () => {
    fabricContract(
      'emulated, sabotaged',
      () =>
        emulatedFixture((f) => {
          sabotage(f);
          return f;
        }),
      { only: RUNS[defect]! },
    );
  });
}
