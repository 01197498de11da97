/**
 * API versions and kinds a Kubernetes 1.10 API server serves (the subset a
 * workload manifest could use). The kinds the tests' manifests use were
 * looked up in the k8s-openapi crate's `v1_10` module, generated from
 * Kubernetes 1.10's OpenAPI spec (docs.rs/k8s-openapi/0.1.0/k8s_openapi/v1_10/:
 * apps/v1 DaemonSet, networking/v1 NetworkPolicy and the deprecated
 * extensions/v1beta1 one); the rest follows the release history (rbac v1 and
 * batch/v1beta1 CronJob since 1.8).
 * Rendered manifests are checked against it.
 */
export const SERVED_BY_K8S_1_10: Readonly<Record<string, readonly string[]>> = {
  v1: [
    'ConfigMap',
    'Endpoints',
    'LimitRange',
    'Namespace',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'Pod',
    'PodTemplate',
    'ReplicationController',
    'ResourceQuota',
    'Secret',
    'Service',
    'ServiceAccount',
  ],
  'apps/v1': ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'apps/v1beta1': ['ControllerRevision', 'Deployment', 'StatefulSet'],
  'apps/v1beta2': ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'extensions/v1beta1': [
    'DaemonSet',
    'Deployment',
    'Ingress',
    'NetworkPolicy',
    'PodSecurityPolicy',
    'ReplicaSet',
  ],
  'networking.k8s.io/v1': ['NetworkPolicy'],
  'batch/v1': ['Job'],
  'batch/v1beta1': ['CronJob'],
  'policy/v1beta1': ['PodDisruptionBudget', 'PodSecurityPolicy'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'rbac.authorization.k8s.io/v1beta1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
};

export function servedBy110(apiVersion: string, kind: string): boolean {
  return SERVED_BY_K8S_1_10[apiVersion]?.includes(kind) ?? false;
}
