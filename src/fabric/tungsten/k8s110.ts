/**
 * API versions and kinds a Kubernetes 1.10 API server serves (the subset a
 * workload manifest could use; general Kubernetes knowledge: apps/v1 is GA
 * since 1.9, networking.k8s.io/v1 NetworkPolicy since 1.7, rbac v1 since 1.8;
 * batch/v1beta1 CronJob since 1.8; policy/v1beta1 for PodDisruptionBudget).
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
