/**
 * What a site's cluster shows once the test workloads run, for the kubectl
 * stand-in ($TE_ROOT/world.json, as `kubectl get pods,services -o json`
 * prints it), and what its client pods' nc sees ($TE_ROOT/net.txt).
 */
export interface SiteWorld {
  site: string;
  /** pods at 10.<octet>.0.x, services at 10.<octet+1>.0.x */
  octet: number;
}

export const NAMESPACES = ['tenant-a', 'tenant-b'];

const echoName = (site: string, i: number) => `echo-5d8f-${site}${i}`;
const podIp = (w: SiteWorld, i: number) => `10.${w.octet}.0.${10 + i}`;
const serviceIp = (w: SiteWorld, i: number) => `10.${w.octet + 1}.0.${10 + i}`;

export function kubeWorld(w: SiteWorld): string {
  const items = NAMESPACES.flatMap((ns, i) => [
    {
      kind: 'Pod',
      metadata: {
        name: echoName(w.site, i),
        namespace: ns,
        labels: { app: 'echo', 'tungsten-e2e.io/workload': 'true' },
      },
      spec: { containers: [{ ports: [{ containerPort: 8080 }] }] },
      status: { phase: 'Running', podIP: podIp(w, i) },
    },
    {
      kind: 'Pod',
      metadata: {
        name: `client-${w.site}${i}`,
        namespace: ns,
        labels: { app: 'client', 'tungsten-e2e.io/workload': 'true' },
      },
      spec: { containers: [{}] },
      status: { phase: 'Running', podIP: `10.${w.octet}.0.${20 + i}` },
    },
    {
      kind: 'Service',
      metadata: { name: 'echo', namespace: ns, labels: { 'tungsten-e2e.io/workload': 'true' } },
      spec: { clusterIP: serviceIp(w, i), selector: { app: 'echo' }, ports: [{ port: 80 }] },
    },
  ]);
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

/**
 * net.txt for a flat network: every backend and service of every site
 * answers, naming its pod; `refuse` lists sites whose backends refuse instead.
 */
export function openNet(worlds: readonly SiteWorld[], refuse: readonly string[] = []): string {
  return worlds
    .flatMap((w) =>
      NAMESPACES.flatMap((_, i) => {
        const how = refuse.includes(w.site) ? 'refused' : `connected ${echoName(w.site, i)}`;
        return [`${podIp(w, i)}:8080 ${how}`, `${serviceIp(w, i)}:80 ${how}`];
      }),
    )
    .join('\n');
}
