/**
 * The test workloads every fabric deploys per test namespace, like the
 * reference demo's echoheaders-loc/-rmt: an echo backend that answers with its
 * own pod name, a ClusterIP service in front of it, and a client pod to probe
 * from. Isolation configs select these by the labels below, so a fabric's
 * deployWorkloads must put them on its pods.
 */
export const BACKEND_LABELS: Readonly<Record<string, string>> = { app: 'echo' };
export const CLIENT_LABELS: Readonly<Record<string, string>> = { app: 'client' };
/** on every test namespace, so NetworkPolicy namespaceSelectors can name it (Kubernetes 1.10 sets no such label itself) */
export const NAMESPACE_LABEL = 'tungsten-e2e.io/namespace';

export const BACKEND_NAME = 'echo';
export const SERVICE_NAME = 'echo';
export const CLIENT_NAME = 'client';
/** the echo server's port in the backend pod */
export const ECHO_PORT = 8080;
/** the service's port (→ ECHO_PORT), as in the demo's port 80 → targetPort 8080 */
export const SERVICE_PORT = 80;

export function matchesLabels(
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
