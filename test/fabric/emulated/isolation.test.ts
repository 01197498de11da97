import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IsolationConfig, NetworkPolicy } from '../../../src/fabric/fabric.js';
import { podRules } from '../../../src/fabric/emulated/isolation.js';
import type { PodIdentity } from '../../../src/fabric/emulated/isolation.js';

const world: PodIdentity[] = [];
let n = 0;
for (const site of ['east', 'west']) {
  for (const namespace of ['tenant-a', 'tenant-b']) {
    for (const app of ['echo', 'client']) {
      world.push({
        site,
        namespace,
        name: `${app}-${site}-${namespace}`,
        ip: `10.0.0.${++n}`,
        labels: { app },
      });
    }
  }
}
const pod = (site: string, ns: string, app: string) =>
  world.find((p) => p.site === site && p.namespace === ns && p.labels.app === app)!;
const ipsOf = (pred: (p: PodIdentity) => boolean) =>
  world
    .filter(pred)
    .map((p) => p.ip)
    .sort();
const cfg = (
  annotations: Record<string, Record<string, string>>,
  networkPolicies: NetworkPolicy[] = [],
  labels: Record<string, Record<string, string>> = {},
): IsolationConfig => ({
  mode: 'default',
  namespaces: ['tenant-a', 'tenant-b'].map((name) => ({
    name,
    annotations: annotations[name] ?? {},
    labels: labels[name] ?? {},
  })),
  networkPolicies,
});

describe('isolation rules from the workload configuration', () => {
  it('default: everyone reaches everyone', () => {
    expect(podRules(pod('east', 'tenant-a', 'echo'), cfg({}), world)).toEqual({
      direct: { any: true },
      viaService: { any: true },
      egressDenied: false,
    });
  });

  it('namespace isolation: only the same namespace, at any site (one isolation domain)', () => {
    const config = cfg({ 'tenant-a': { 'opencontrail.org/isolation': 'true' } });
    const sameNs = ipsOf((p) => p.namespace === 'tenant-a');
    expect(podRules(pod('east', 'tenant-a', 'echo'), config, world)).toEqual({
      direct: { any: false, ips: sameNs },
      viaService: { any: false, ips: sameNs },
      egressDenied: false,
    });
    // the other namespace is not isolated
    expect(podRules(pod('west', 'tenant-b', 'echo'), config, world).direct).toEqual({ any: true });
  });

  it('isolation.service "false" opens the services of an isolated namespace, not its pods', () => {
    const config = cfg({
      'tenant-a': {
        'opencontrail.org/isolation': 'true',
        'opencontrail.org/isolation.service': 'false',
      },
    });
    const r = podRules(pod('west', 'tenant-a', 'echo'), config, world);
    expect(r.direct).toEqual({ any: false, ips: ipsOf((p) => p.namespace === 'tenant-a') });
    expect(r.viaService).toEqual({ any: true });
  });

  it('NetworkPolicy: selected pods accept only the listed peers, by pod and namespace selectors', () => {
    const fromClients: NetworkPolicy = {
      name: 'clients',
      namespace: 'tenant-a',
      podSelector: { app: 'echo' },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { app: 'client' } }] }],
    };
    const r = podRules(pod('east', 'tenant-a', 'echo'), cfg({}, [fromClients]), world);
    expect(r.direct).toEqual({
      any: false,
      ips: ipsOf((p) => p.namespace === 'tenant-a' && p.labels.app === 'client'),
    });
    // not selected: unaffected
    expect(
      podRules(pod('east', 'tenant-a', 'client'), cfg({}, [fromClients]), world).direct,
    ).toEqual({ any: true });

    const fromB: NetworkPolicy = {
      ...fromClients,
      ingress: [{ from: [{ namespaceSelector: { team: 'b' } }] }],
    };
    expect(
      podRules(
        pod('west', 'tenant-a', 'echo'),
        cfg({}, [fromB], { 'tenant-b': { team: 'b' } }),
        world,
      ).direct,
    ).toEqual({ any: false, ips: ipsOf((p) => p.namespace === 'tenant-b') });
    // both selectors together; no label is implied (Kubernetes 1.10)
    const both: NetworkPolicy = {
      ...fromClients,
      ingress: [{ from: [{ namespaceSelector: { team: 'b' }, podSelector: { app: 'client' } }] }],
    };
    expect(
      podRules(
        pod('west', 'tenant-a', 'echo'),
        cfg({}, [both], { 'tenant-b': { team: 'b' } }),
        world,
      ).direct,
    ).toEqual({
      any: false,
      ips: ipsOf((p) => p.namespace === 'tenant-b' && p.labels.app === 'client'),
    });
    const byName: NetworkPolicy = {
      ...fromClients,
      ingress: [{ from: [{ namespaceSelector: { 'kubernetes.io/metadata.name': 'tenant-b' } }] }],
    };
    expect(podRules(pod('west', 'tenant-a', 'echo'), cfg({}, [byName]), world).direct).toEqual({
      any: false,
      ips: [],
    });
  });

  it('NetworkPolicy: no rules denies all, a rule without "from" allows all, Egress denies egress', () => {
    const denyAll: NetworkPolicy = {
      name: 'deny',
      namespace: 'tenant-b',
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
    };
    expect(podRules(pod('east', 'tenant-b', 'client'), cfg({}, [denyAll]), world)).toEqual({
      direct: { any: false, ips: [] },
      viaService: { any: false, ips: [] },
      egressDenied: true,
    });
    const allowAll: NetworkPolicy = {
      ...denyAll,
      policyTypes: ['Ingress'],
      ingress: [{ from: [] }],
    };
    expect(
      podRules(pod('east', 'tenant-b', 'client'), cfg({}, [denyAll, allowAll]), world).direct,
    ).toEqual({
      any: true,
    });
  });

  it('namespace isolation and policies both apply', () => {
    const config = cfg({ 'tenant-a': { 'opencontrail.org/isolation': 'true' } }, [
      {
        name: 'from-b',
        namespace: 'tenant-a',
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: {} }] }],
      },
    ]);
    expect(podRules(pod('east', 'tenant-a', 'echo'), config, world).direct).toEqual({
      any: false,
      ips: ipsOf((p) => p.namespace === 'tenant-a'),
    });
  });

  it('never admits a source from another namespace of an isolated one (any annotations)', () => {
    const value = fc.constantFrom('true', 'false', 'yes', '');
    fc.assert(
      fc.property(value, value, value, value, (isoA, svcA, isoB, svcB) => {
        const config = cfg({
          'tenant-a': {
            'opencontrail.org/isolation': isoA,
            'opencontrail.org/isolation.service': svcA,
          },
          'tenant-b': {
            'opencontrail.org/isolation': isoB,
            'opencontrail.org/isolation.service': svcB,
          },
        });
        for (const target of world) {
          const r = podRules(target, config, world);
          const iso = (target.namespace === 'tenant-a' ? isoA : isoB) === 'true';
          if (!iso) expect(r.direct).toEqual({ any: true });
          for (const ips of [r.direct, r.viaService]) {
            if (ips.any) continue;
            for (const ip of ips.ips)
              expect(world.find((p) => p.ip === ip)!.namespace).toBe(target.namespace);
          }
        }
      }),
    );
  });
});
