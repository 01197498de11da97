/**
 * Names of everything the local provider and the emulated fabric create on
 * this host. Every name carries the run id, so `down` and the janitor find a
 * run's resources from the id alone (`ip netns list`, `ip link`, /proc, the
 * run directory), with or without the state file:
 *
 *   network namespaces  te-<runid>-<host>       (te-ab12cd-east-master, te-ab12cd-east-edge)
 *                       te-<runid>-wan          (the site-to-site "VPN")
 *                       te-<runid>-<site>-pod-<namespace>-<pod>
 *   links (≤15 chars)   te<runid><kind><n>      (te + 6 + 1 + up to 6 digits)
 *   files, sockets      /run/tungsten-e2e/<runid>/…
 *   processes           argv names a file below /run/tungsten-e2e/<runid>/
 *   nftables tables     te_<runid>              (inside the run's namespaces)
 */
import { RUN_ID } from '../../state/runState.js';

/** Runtime files of every run live below this directory, one subdirectory per run id. */
export const RUN_ROOT = '/run/tungsten-e2e';

export function runDir(runId: string): string {
  return `${RUN_ROOT}/${runId}`;
}

/** A host's own directory: configs, sockets, pid files, logs of what runs "on" it. */
export function hostDir(runId: string, host: string): string {
  return `${runDir(runId)}/${host}`;
}

export const NETNS_PREFIX = 'te-';

export function netnsPrefix(runId: string): string {
  return `${NETNS_PREFIX}${runId}-`;
}

export function hostNetns(runId: string, host: string): string {
  return `${netnsPrefix(runId)}${host}`;
}

export function wanNetns(runId: string): string {
  return `${netnsPrefix(runId)}wan`;
}

export function podNetns(runId: string, site: string, namespace: string, pod: string): string {
  return `${netnsPrefix(runId)}${site}-pod-${namespace}-${pod}`;
}

export function linkPrefix(runId: string): string {
  return `te${runId}`;
}

/**
 * One letter per kind of link; the number is a host, site or pod index.
 * Where the two ends of a veth live is noted after each kind.
 */
export const LINK_KIND = {
  /** the run's bridge in the root namespace (the "public" network) */
  publicBridge: 'r',
  /** a host's public veth: host end (master, edge) */
  publicHost: 'm',
  /** a host's public veth: root end, on the public bridge */
  publicRoot: 'p',
  /** a site's underlay bridge, in the site's edge namespace */
  underlayBridge: 'b',
  /** a node's underlay veth: node end */
  underlayNode: 'u',
  /** a node's underlay veth: bridge end, in the edge namespace */
  underlayBridgePort: 'v',
  /** the WAN bridge in the WAN namespace */
  wanBridge: 'w',
  /** an edge's WAN veth: edge end */
  wanEdge: 'x',
  /** an edge's WAN veth: WAN bridge end */
  wanPort: 'y',
  /** a VXLAN tunnel on a master to another site's master (number: that site's index) */
  tunnel: 't',
  /** an edge's WireGuard interface (number: its site's index; see src/tunnel) */
  wireguard: 'g',
  /** a pod's veth: node end */
  podNode: 'q',
  /** a pod's veth: pod end */
  podSide: 'k',
} as const;
export type LinkKind = keyof typeof LINK_KIND;

export function linkName(runId: string, kind: LinkKind, n?: number): string {
  const name = `${linkPrefix(runId)}${LINK_KIND[kind]}${n ?? ''}`;
  if (name.length > 15) throw new Error(`link name ${name} is longer than Linux's 15 characters`);
  return name;
}

/** nftables table of the run inside a node's namespace (inet family). */
export function nftTable(runId: string): string {
  return `te_${runId}`;
}

export function ownsNetns(runId: string, name: string): boolean {
  return name.startsWith(netnsPrefix(runId));
}

export function ownsLink(runId: string, name: string): boolean {
  return name.startsWith(linkPrefix(runId));
}

/** A process belongs to the run when its argv names a file of the run's directory. */
export function ownsCommandLine(runId: string, argv: readonly string[]): boolean {
  const dir = `${runDir(runId)}/`;
  // wireguard-go names its interface, which carries the run id (te<id>g<site>)
  const tunnel = new RegExp(`^${linkPrefix(runId)}${LINK_KIND.wireguard}\\d+$`);
  return (
    argv.some((a) => a.includes(dir)) ||
    (/(^|\/)wireguard-go$/.test(argv[0] ?? '') && argv.slice(1).some((a) => tunnel.test(a)))
  );
}

/** wireguard-go's control socket per interface: host-wide, so it is the run's to remove. */
export const WIREGUARD_SOCKET_DIR = '/var/run/wireguard';

export function ownsWireguardSocket(runId: string, file: string): boolean {
  return new RegExp(`^${linkPrefix(runId)}${LINK_KIND.wireguard}\\d+\\.sock$`).test(file);
}

/**
 * How a process is named in resources (recorded, reported deleted, listed for
 * the janitor): "<program> <pid> <the run file its argv names>", e.g.
 * "sshd 4242 /run/tungsten-e2e/<id>/east-master/sshd-<id>-east-master.conf".
 * sshd rewrites its argv into one title string, so words are split on spaces.
 */
export function processResourceId(runId: string, pid: number, argv: readonly string[]): string {
  const words = argv.flatMap((a) => a.split(/\s+/)).filter((w) => w !== '');
  const program = (words[0] ?? '?').replace(/:$/, '').split('/').pop()!;
  const file = words.find((w) => w.includes(`${runDir(runId)}/`));
  return file ? `${program} ${pid} ${file}` : `${program} ${pid}`;
}

export function assertRunId(runId: string): void {
  if (!RUN_ID.test(runId)) throw new Error(`not a run id: ${JSON.stringify(runId)}`);
}
