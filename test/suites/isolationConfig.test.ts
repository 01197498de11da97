import { describe, expect, it } from 'vitest';
import type { IsolationMode } from '../../src/config/types.js';
import type { PodInfo, ServiceInfo } from '../../src/fabric/fabric.js';
import { expectedVerdict } from '../../src/suites/expected.js';
import {
  ISOLATION_ANNOTATION,
  isolationConfig,
  SERVICE_ISOLATION_ANNOTATION,
} from '../../src/suites/isolationConfig.js';
import { BACKEND_LABELS, CLIENT_LABELS, NAMESPACE_LABEL } from '../../src/fabric/workloads.js';
import { reaches } from '../support/enforcer.js';

const NS = ['tenant-a', 'tenant-b'];

describe('isolation config per mode', () => {
  it('default: no annotation, no policy, every namespace labelled', () => {
    expect(isolationConfig('default', NS)).toEqual({
      mode: 'default',
      namespaces: [
        { name: 'tenant-a', labels: { [NAMESPACE_LABEL]: 'tenant-a' }, annotations: {} },
        { name: 'tenant-b', labels: { [NAMESPACE_LABEL]: 'tenant-b' }, annotations: {} },
      ],
      networkPolicies: [],
    });
  });

  it('namespace: all but the last namespace annotated isolated, services isolated by default', () => {
    const c = isolationConfig('namespace', ['a', 'b', 'c']);
    expect(c.namespaces.map((n) => n.annotations)).toEqual([
      { 'opencontrail.org/isolation': 'true' },
      { 'opencontrail.org/isolation': 'true' },
      {},
    ]);
    expect(c.networkPolicies).toEqual([]);
  });

  it('service: isolated namespaces also carry isolation.service "false"', () => {
    const c = isolationConfig('service', NS);
    expect(c.namespaces[0]!.annotations).toEqual({
      [ISOLATION_ANNOTATION]: 'true',
      [SERVICE_ISOLATION_ANNOTATION]: 'false',
    });
    expect(c.namespaces[1]!.annotations).toEqual({});
  });

  it('container: default deny in each namespace plus explicit allows, one selector per peer (1.10)', () => {
    const c = isolationConfig('container', NS);
    expect(c.namespaces.every((n) => Object.keys(n.annotations).length === 0)).toBe(true);
    expect(c.networkPolicies).toEqual([
      {
        name: 'deny-all-ingress',
        namespace: 'tenant-a',
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [],
      },
      {
        name: 'deny-all-ingress',
        namespace: 'tenant-b',
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [],
      },
      {
        name: 'allow-clients',
        namespace: 'tenant-a',
        podSelector: BACKEND_LABELS,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: CLIENT_LABELS }] }],
      },
      {
        name: 'allow-clients',
        namespace: 'tenant-b',
        podSelector: BACKEND_LABELS,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: CLIENT_LABELS }] }],
      },
      {
        name: 'allow-from-tenant-b',
        namespace: 'tenant-a',
        podSelector: BACKEND_LABELS,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { [NAMESPACE_LABEL]: 'tenant-b' } }] }],
      },
    ]);
    for (const p of c.networkPolicies) {
      for (const rule of p.ingress) {
        for (const peer of rule.from) {
          expect(Object.keys(peer)).toHaveLength(1);
        }
      }
    }
  });
});

describe('config, read as a fabric reads it, meets the expected verdicts (two independent derivations)', () => {
  const modes: IsolationMode[] = ['default', 'namespace', 'service', 'container'];
  const shapes: [string[], string[]][] = [
    [
      ['east', 'west'],
      ['tenant-a', 'tenant-b'],
    ],
    [
      ['east', 'west', 'north'],
      ['a', 'b', 'c'],
    ],
    [
      ['east', 'west'],
      ['a', 'b', 'c', 'd'],
    ],
  ];
  it.each(shapes)('sites %j, namespaces %j', (sites, namespaces) => {
    const pods: PodInfo[] = [];
    const services: ServiceInfo[] = [];
    for (const site of sites) {
      for (const namespace of namespaces) {
        pods.push(
          {
            site,
            namespace,
            name: `echo-${site}`,
            role: 'backend',
            ip: '',
            labels: { ...BACKEND_LABELS },
          },
          { site, namespace, name: 'client', role: 'client', ip: '', labels: { ...CLIENT_LABELS } },
        );
        services.push({
          site,
          namespace,
          name: 'echo',
          ip: '',
          port: 80,
          selector: BACKEND_LABELS,
        });
      }
    }
    let compared = 0;
    for (const mode of modes) {
      const config = isolationConfig(mode, namespaces);
      for (const from of pods.filter((p) => p.role === 'client')) {
        for (const backend of pods.filter((p) => p.role === 'backend')) {
          const want = expectedVerdict(mode, namespaces, from, { ...backend, kind: 'pod' });
          expect([
            mode,
            from.site,
            from.namespace,
            backend.site,
            backend.namespace,
            reaches(config, from, backend) ? 'allow' : 'deny',
          ]).toEqual([mode, from.site, from.namespace, backend.site, backend.namespace, want]);
          compared++;
        }
        for (const s of services) {
          const backend = pods.find(
            (p) => p.role === 'backend' && p.site === s.site && p.namespace === s.namespace,
          )!;
          const want = expectedVerdict(mode, namespaces, from, { ...s, kind: 'service' });
          expect(reaches(config, from, backend, s) ? 'allow' : 'deny').toBe(want);
          compared++;
        }
      }
    }
    expect(compared).toBe(modes.length * (sites.length * namespaces.length) ** 2 * 2);
  });

  it('negative control: a config missing its annotations no longer meets the expectations', () => {
    const config = isolationConfig('namespace', NS);
    config.namespaces[0]!.annotations = {};
    const from: PodInfo = {
      site: 'east',
      namespace: 'tenant-b',
      name: 'client',
      role: 'client',
      ip: '',
      labels: CLIENT_LABELS,
    };
    const backend: PodInfo = {
      site: 'west',
      namespace: 'tenant-a',
      name: 'echo',
      role: 'backend',
      ip: '',
      labels: BACKEND_LABELS,
    };
    expect(expectedVerdict('namespace', NS, from, { ...backend, kind: 'pod' })).toBe('deny');
    expect(reaches(config, from, backend)).toBe(true);
  });
});
