/**
 * nftables programs of a node (pure): the services table (DNAT from a VIP to
 * the backends this node hosts, where the VIP's route leads) and the
 * isolation table (filtering in front of each pod on this node). What the
 * isolation table denies it drops, as TF's security groups and policies do
 * (the client sees a timeout, never a reset). Each program
 * replaces its table in one transaction, so a mode change never leaves a mix.
 */
import type { PodRules, Sources } from './isolation.js';

export function servicesTable(runId: string): string {
  return `te_${runId}_svc`;
}

export function isolationTable(runId: string): string {
  return `te_${runId}_iso`;
}

/** An nft program that (re)creates `table inet <name>` with the given body. */
function replaceTable(name: string, body: readonly string[]): string {
  return [
    `table inet ${name} {}`,
    `delete table inet ${name}`,
    `table inet ${name} {`,
    ...body.map((l) => `  ${l}`),
    '}',
    '',
  ].join('\n');
}

export interface NodeService {
  vip: string;
  port: number;
  targetPort: number;
  /** backends on this node */
  backends: string[];
}

export function renderServices(runId: string, services: readonly NodeService[]): string {
  const rules = services
    .filter((s) => s.backends.length > 0)
    .map((s) => {
      const to =
        s.backends.length === 1
          ? `${s.backends[0]}:${s.targetPort}`
          : `numgen random mod ${s.backends.length} map { ${s.backends.map((b, i) => `${i} : ${b}`).join(', ')} }:${s.targetPort}`;
      return `    ip daddr ${s.vip} tcp dport ${s.port} dnat ip to ${to}`;
    });
  return replaceTable(servicesTable(runId), [
    'chain prerouting {',
    '  type nat hook prerouting priority dstnat; policy accept;',
    ...rules.map((r) => r.slice(2)),
    '}',
  ]);
}

export interface NodePodRules {
  pod: string;
  /** the pod's veth, node end */
  link: string;
  rules: PodRules;
}

function saddr(s: Sources): string | undefined {
  if (s.any) return '';
  if (s.ips.length === 0) return undefined;
  return `ip saddr { ${s.ips.join(', ')} } `;
}

export function renderIsolation(runId: string, pods: readonly NodePodRules[]): string {
  const dispatch: string[] = [];
  const chains: string[] = [];
  pods.forEach((p, i) => {
    const { direct, viaService, egressDenied } = p.rules;
    if (egressDenied) {
      dispatch.push(`iifname "${p.link}" drop comment "egress ${p.pod}"`);
    }
    if (direct.any && viaService.any) return;
    const chain = `to_${i}`;
    dispatch.push(`oifname "${p.link}" jump ${chain} comment "ingress ${p.pod}"`);
    const body: string[] = [];
    // through a service: the DNAT happened on this node, so conntrack knows
    const s = saddr(viaService);
    if (s !== undefined) body.push(`ct status dnat ${s}accept`);
    body.push('ct status dnat drop');
    const d = saddr(direct);
    if (d !== undefined) body.push(`${d}accept`);
    body.push('drop');
    chains.push(`chain ${chain} {`, ...body.map((b) => `  ${b}`), '}');
  });
  return replaceTable(isolationTable(runId), [
    'chain forward {',
    '  type filter hook forward priority filter; policy accept;',
    '  ct state established,related accept',
    ...dispatch.map((d) => `  ${d}`),
    '}',
    ...chains,
  ]);
}
