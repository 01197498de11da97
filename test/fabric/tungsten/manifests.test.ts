import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { IsolationMode } from '../../../src/config/types.js';
import { SERVED_BY_K8S_1_10, servedBy110 } from '../../../src/fabric/tungsten/k8s110.js';
import {
  isolationObjects,
  renderYaml,
  workloadObjects,
  type K8sObject,
} from '../../../src/fabric/tungsten/manifests.js';
import { isolationConfig } from '../../../src/suites/isolationConfig.js';
import { ECHO_PORT, SERVICE_PORT } from '../../../src/fabric/workloads.js';

const NS = ['tenant-a', 'tenant-b'];
const MODES: IsolationMode[] = ['default', 'namespace', 'service', 'container'];

function parseStream(text: string): K8sObject[] {
  const docs = parseAllDocuments(text);
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS() as K8sObject);
}

describe('manifests for real TF', () => {
  const rendered = [
    renderYaml(workloadObjects(NS)),
    ...MODES.map((m) => renderYaml(isolationObjects(isolationConfig(m, NS)))),
  ];

  it('parse as YAML and use only API versions and kinds Kubernetes 1.10 serves', () => {
    const all = rendered.flatMap(parseStream);
    expect(all.length).toBe(8 + 4 * 2 + 5);
    const unserved = all.filter((o) => !servedBy110(o.apiVersion, o.kind));
    expect(unserved).toEqual([]);
    expect(new Set(all.map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(
      new Set([
        'v1 Namespace',
        'apps/v1 Deployment',
        'v1 Service',
        'v1 Pod',
        'networking.k8s.io/v1 NetworkPolicy',
      ]),
    );
  });

  it('the 1.10 list rejects what 1.10 does not serve (negative control)', () => {
    expect(servedBy110('networking.k8s.io/v1', 'Ingress')).toBe(false);
    expect(servedBy110('scheduling.k8s.io/v1', 'PriorityClass')).toBe(false);
    expect(servedBy110('apps/v1', 'CronJob')).toBe(false);
    expect(servedBy110('policy/v1', 'PodDisruptionBudget')).toBe(false);
    expect(Object.keys(SERVED_BY_K8S_1_10)).toContain('extensions/v1beta1');
    const bad = parseStream(
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\n',
    );
    expect(bad.filter((o) => !servedBy110(o.apiVersion, o.kind))).toHaveLength(1);
  });

  it('wires backend, service and client together', () => {
    const objs = parseStream(rendered[0]!);
    const dep = objs.find((o) => o.kind === 'Deployment' && o.metadata.namespace === 'tenant-a')!;
    const spec = dep.spec as {
      selector: { matchLabels: Record<string, string> };
      template: {
        metadata: { labels: Record<string, string> };
        spec: {
          containers: { command: string[]; ports: { containerPort: number }[]; env: unknown[] }[];
        };
      };
    };
    expect(spec.selector.matchLabels).toEqual({ app: 'echo' });
    expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
    const c = spec.template.spec.containers[0]!;
    expect(c.ports[0]!.containerPort).toBe(ECHO_PORT);
    expect(c.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(c.command[2]).toContain('httpd -f -p 8080');
    expect(c.env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ]);
    const svc = objs.find((o) => o.kind === 'Service' && o.metadata.namespace === 'tenant-a')!;
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      selector: { app: 'echo' },
      ports: [{ port: SERVICE_PORT, targetPort: ECHO_PORT, protocol: 'TCP' }],
    });
    const client = objs.find((o) => o.kind === 'Pod' && o.metadata.namespace === 'tenant-b')!;
    expect(client.metadata).toMatchObject({ name: 'client', labels: { app: 'client' } });
    const ns = objs.find((o) => o.kind === 'Namespace' && o.metadata.name === 'tenant-b')!;
    expect(ns.metadata.labels).toEqual({
      'tungsten-e2e.io/namespace': 'tenant-b',
      'tungsten-e2e.io/workload': 'true',
    });
    expect(ns.metadata.annotations).toBeUndefined();
  });

  it('renders the isolation annotations as strings and policies with one selector per peer', () => {
    const service = parseStream(rendered[3]!);
    const a = service.find((o) => o.kind === 'Namespace' && o.metadata.name === 'tenant-a')!;
    expect(a.metadata.annotations).toEqual({
      'opencontrail.org/isolation': 'true',
      'opencontrail.org/isolation.service': 'false',
    });
    // quoted in the YAML, so Kubernetes receives strings, not booleans
    expect(rendered[3]).toContain('opencontrail.org/isolation: "true"');
    const container = parseStream(rendered[4]!);
    const policies = container.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([
      'tenant-a/deny-all-ingress',
      'tenant-b/deny-all-ingress',
      'tenant-a/allow-clients',
      'tenant-b/allow-clients',
      'tenant-a/allow-from-tenant-b',
    ]);
    expect(policies[0]!.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
    expect(policies[4]!.spec).toEqual({
      podSelector: { matchLabels: { app: 'echo' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'tungsten-e2e.io/namespace': 'tenant-b' } } },
          ],
        },
      ],
    });
  });
});
