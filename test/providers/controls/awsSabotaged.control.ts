/**
 * The contract kit's negative control, run only by contractControls.test.ts
 * (in a child vitest, since these suites are meant to fail): the AWS fixture
 * with one defect put into its provider per suite. Each defect must turn its
 * own test of the kit red; contractControls.test.ts checks which ones did.
 */
import type { RetryPolicy } from '../../../src/providers/cloud/retry.js';
import type { Provider } from '../../../src/providers/provider.js';
import { awsFixture } from '../aws/awsFixture.js';
import { providerContract } from '../contract.js';

/** One defect each: what it breaks, and how it breaks the provider. */
export const SABOTAGES: Record<string, (p: Provider) => void> = {
  // resources are created without the repo tag
  'no repo tag': (p) => {
    const provision = p.provision.bind(p);
    p.provision = (site, plan, ctx) => provision(site, plan, { ...ctx, repo: undefined });
  },
  // destroy searches only the first site's region
  'destroy misses a region': (p) => {
    const destroy = p.destroy.bind(p);
    p.destroy = (target, ctx) => destroy({ ...target, sites: target.sites.slice(0, 1) }, ctx);
  },
  // the catalogue is never asked, so an undersized type goes through
  'no size check': (p) => {
    (p as unknown as { sizes: () => Promise<never[]> }).sizes = async () => [];
  },
  // the janitor takes runs that are still alive for expired ones
  'janitor ignores expiry': (p) => {
    const listExpired = p.listExpired.bind(p);
    p.listExpired = (now, ctx) => listExpired(new Date(now.getTime() + 24 * 3600_000), ctx);
  },
  // the other edges are never let in (no WireGuard rules)
  'no edge rules': (p) => {
    p.authorizeEdges = async () => {};
  },
  // throttling is not retried: the first throttled call fails the run
  'no retries': (p) => {
    const held = p as unknown as { policy: RetryPolicy };
    held.policy = { ...held.policy, deadlineMs: 0 };
  },
  // the host keys from the console are dropped
  'no host keys': (p) => {
    const provision = p.provision.bind(p);
    p.provision = async (site, plan, ctx) => {
      const out = await provision(site, plan, ctx);
      for (const h of out.hosts) delete h.hostKeys;
      return out;
    };
  },
};

for (const [name, sabotage] of Object.entries(SABOTAGES)) {
  providerContract(`aws (control: ${name})`, async () => {
    const fixture = awsFixture();
    const make = fixture.provider.bind(fixture);
    fixture.provider = () => {
      const p = make();
      sabotage(p);
      return p;
    };
    return fixture;
  });
}
