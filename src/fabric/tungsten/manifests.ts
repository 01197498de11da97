/**
 * Kubernetes manifests for the test workloads on real TF, valid for
 * Kubernetes 1.10 (and still served by 1.28): v1 Namespace, Service and Pod,
 * apps/v1 Deployment (GA since 1.9), networking.k8s.io/v1 NetworkPolicy
 * (since 1.7; one selector per peer, as 1.10 allows).
 *
 * The echo backend: the reference demo ran k8s.gcr.io/echoserver:1.4 on 8080,
 * whose reply does not carry the pod's name. Ours is busybox's httpd serving
 * one file holding the pod name (from the downward API), so the probe's reply
 * names the backend that answered. busybox:1.28 (2018) is old enough for the
 * docker 1.13 of tf-2018 to pull (no OCI index) and has httpd, nc and sh.
 */
import { stringify } from 'yaml';
import type { IsolationConfig, NetworkPolicy } from '../fabric.js';
import { quoteArg } from '../../remote/quote.js';
import {
  BACKEND_LABELS,
  BACKEND_NAME,
  CLIENT_LABELS,
  CLIENT_NAME,
  ECHO_PORT,
  NAMESPACE_LABEL,
  SERVICE_NAME,
  SERVICE_PORT,
} from '../workloads.js';

export const ECHO_IMAGE = 'busybox:1.28';
/** on every object the suites create, to find them all with one selector */
export const WORKLOAD_LABEL = 'tungsten-e2e.io/workload';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface WorkloadOptions {
  image?: string;
}

/** The echo server: write the pod name where httpd serves it, then serve it on the port. */
export function echoServerScript(port = ECHO_PORT, root = '/www'): string {
  const dir = quoteArg(root);
  return `mkdir -p ${dir} && echo "$POD_NAME" > ${dir}/index.html && exec httpd -f -p ${port} -h ${dir}`;
}

/** The client idles until deleted (and stops at once on TERM). */
export const CLIENT_SCRIPT = "trap 'exit 0' TERM; while :; do sleep 60 & wait $!; done";

const workload = { [WORKLOAD_LABEL]: 'true' };

export function namespaceObject(
  name: string,
  annotations: Record<string, string> = {},
  labels: Record<string, string> = { [NAMESPACE_LABEL]: name },
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { ...labels, ...workload },
      ...(Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
    },
  };
}

/** Per test namespace: the namespace, the echo Deployment, its ClusterIP Service, the client Pod. */
export function workloadObjects(
  namespaces: readonly string[],
  options: WorkloadOptions = {},
): K8sObject[] {
  const image = options.image ?? ECHO_IMAGE;
  return namespaces.flatMap((ns) => [
    namespaceObject(ns),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: BACKEND_NAME, namespace: ns, labels: { ...BACKEND_LABELS, ...workload } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { ...BACKEND_LABELS } },
        template: {
          metadata: { labels: { ...BACKEND_LABELS, ...workload } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'echo',
                image,
                command: ['sh', '-c', echoServerScript()],
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                ],
                ports: [{ containerPort: ECHO_PORT, protocol: 'TCP' }],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE_NAME, namespace: ns, labels: { ...workload } },
      spec: {
        type: 'ClusterIP',
        selector: { ...BACKEND_LABELS },
        ports: [{ name: 'http', protocol: 'TCP', port: SERVICE_PORT, targetPort: ECHO_PORT }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: CLIENT_NAME, namespace: ns, labels: { ...CLIENT_LABELS, ...workload } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'client', image, command: ['sh', '-c', CLIENT_SCRIPT] }],
      },
    },
  ]);
}

function policyObject(p: NetworkPolicy): K8sObject {
  const selector = (labels: Record<string, string>) => ({ matchLabels: { ...labels } });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: p.name, namespace: p.namespace, labels: { ...workload } },
    spec: {
      podSelector: Object.keys(p.podSelector).length ? selector(p.podSelector) : {},
      policyTypes: [...p.policyTypes],
      ingress: p.ingress.map((rule) => ({
        from: rule.from.map((peer) => ({
          ...(peer.namespaceSelector
            ? { namespaceSelector: selector(peer.namespaceSelector) }
            : {}),
          ...(peer.podSelector ? { podSelector: selector(peer.podSelector) } : {}),
        })),
      })),
    },
  };
}

/**
 * A mode's configuration as objects to `kubectl apply`: the namespaces with the
 * mode's annotations (apply's three-way merge drops the previous mode's) and
 * its NetworkPolicies (delete the namespace's policies first: see commands.ts).
 */
export function isolationObjects(config: IsolationConfig): K8sObject[] {
  return [
    ...config.namespaces.map((n) => namespaceObject(n.name, n.annotations, n.labels)),
    ...config.networkPolicies.map(policyObject),
  ];
}

/** One YAML stream, documents separated by `---`. */
export function renderYaml(objects: readonly K8sObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
