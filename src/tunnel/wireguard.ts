/**
 * The site-to-site tunnel: WireGuard between the sites' edge hosts, as data.
 *
 * One interface per edge, a peer per other site with AllowedIPs = that
 * site's underlay, a persistent keepalive (so a handshake happens as soon as
 * both ends are configured, and NAT state stays open), and a route per other
 * underlay through the interface. A key pair per edge per run, made here on
 * the runner: the private key reaches its edge only as a 0600 file; public
 * keys are not secret and go into the run state.
 *
 * The same script runs on a cloud edge (kernel WireGuard) and on the local
 * provider's edge (wireguard-go, the userspace implementation, where the
 * kernel has no module): it takes whichever the host has.
 */
import { randomBytes } from 'node:crypto';
import { rawKeyPair } from '../remote/keys.js';
import type { Plan } from '../plan/types.js';
import { quoteArg } from '../remote/quote.js';

/** WireGuard's registered port. */
export const WIREGUARD_PORT = 51820;
/** IPv4 outer header 20 + UDP 8 + WireGuard 32 */
export const WIREGUARD_OVERHEAD = 60;
/** the underlay MTU every provider gives its VMs and the local veths */
export const UNDERLAY_MTU = 1500;
/** the largest overlay header between sites: VXLAN on IPv4, outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 (MPLSoUDP is 32) */
export const OVERLAY_OVERHEAD = 50;
/** the pod MTU across sites: the underlay less the sites' tunnel less the overlay */
export const POD_MTU = UNDERLAY_MTU - WIREGUARD_OVERHEAD - OVERLAY_OVERHEAD;
/** seconds between keepalives: below every cloud NAT's UDP timeout */
export const KEEPALIVE_SECONDS = 25;
/** where an edge VM keeps its private key, and where the login user's copy waits for sudo */
export const EDGE_FILES: EdgeFiles = { keyDir: '/etc/tungsten-e2e/wireguard', stageDir: '/tmp' };

export interface EdgeFiles {
  keyDir: string;
  stageDir: string;
}

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** A Curve25519 key pair in WireGuard's base64 form. */
export function keyPair(): KeyPair {
  const { secret, pub } = rawKeyPair('x25519');
  return { privateKey: secret.toString('base64'), publicKey: pub.toString('base64') };
}

/** A public key nobody holds the private half of (the wrong-tunnel-key fault). */
export function strangerKey(): string {
  return randomBytes(32).toString('base64');
}

const KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/;

export interface TunnelPeer {
  site: string;
  publicKey: string;
  /** address:port where the peer's edge listens */
  endpoint: string;
  /** the peer site's underlay (what may arrive from it, and is routed to it) */
  allowedIps: string[];
}

export interface EdgeTunnel {
  site: string;
  /** the edge host's name in the plan */
  host: string;
  /** the interface: unique per run and site (wireguard-go's control socket is host-wide) */
  device: string;
  listenPort: number;
  mtu: number;
  keys: KeyPair;
  peers: TunnelPeer[];
  files: EdgeFiles;
}

export interface EdgeEndpoint {
  site: string;
  host: string;
  /** where the other edges reach this one (a cloud: its public address; local: its WAN address) */
  address: string;
  /** default EDGE_FILES; the local provider's edges share this host's disk, so their run directory */
  files?: EdgeFiles;
}

/** What every tunnel device of a run starts with: teardown finds them by it. */
export const tunnelDevicePrefix = (runId: string): string => `te${runId}g`;

/** The interface name on every edge of a run: te<run id>g<site index> (15 characters at most). */
export function tunnelDevice(runId: string, siteIndex: number): string {
  return `${tunnelDevicePrefix(runId)}${siteIndex}`;
}

/** Every edge's tunnel for a run: each site a peer of every other. */
export function planTunnels(
  runId: string,
  plan: Pick<Plan, 'sites'>,
  edges: EdgeEndpoint[],
): EdgeTunnel[] {
  const keys = new Map(edges.map((e) => [e.site, keyPair()]));
  return edges.map((e) => {
    const site = plan.sites.find((s) => s.name === e.site)!;
    const wrongKey = site.faults.includes('wrong-tunnel-key');
    return {
      site: e.site,
      host: e.host,
      device: tunnelDevice(runId, site.index),
      listenPort: WIREGUARD_PORT,
      mtu: UNDERLAY_MTU - WIREGUARD_OVERHEAD,
      keys: keys.get(e.site)!,
      files: e.files ?? EDGE_FILES,
      peers: edges
        .filter((o) => o.site !== e.site)
        .map((o) => ({
          site: o.site,
          // the fault: this edge expects keys nobody has, so no handshake completes either way
          publicKey: wrongKey ? strangerKey() : keys.get(o.site)!.publicKey,
          endpoint: `${o.address}:${WIREGUARD_PORT}`,
          allowedIps: [plan.sites.find((s) => s.name === o.site)!.cidrs.underlay],
        })),
    };
  });
}

export const keyPath = (t: Pick<EdgeTunnel, 'device' | 'files'>): string =>
  `${t.files.keyDir}/${t.device}.key`;

/**
 * The edge's setup: the interface (kernel module, else wireguard-go), its key
 * from the 0600 file, a peer per other site, the MTU, a route per other
 * underlay, forwarding on. Re-running converges (an existing interface is
 * kept, `wg set` and `ip route replace` overwrite).
 */
export function edgeScript(t: EdgeTunnel, stagedKey: string): string {
  const q = quoteArg;
  for (const p of t.peers) {
    if (!KEY.test(p.publicKey)) throw new Error(`not a WireGuard public key: ${p.publicKey}`);
  }
  const dev = q(t.device);
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    // the tools: present locally; an edge VM's image may need them
    'if ! command -v wg >/dev/null; then apt-get update -qq && apt-get install -y -qq wireguard-tools >/dev/null; fi',
    // the key arrived as the login user's 0600 file: into place, root's only
    `install -D -m 0600 ${q(stagedKey)} ${q(keyPath(t))}`,
    `rm -f ${q(stagedKey)}`,
    `if ip link show dev ${dev} >/dev/null 2>&1; then echo ${q(`${t.device}: already present`)}`,
    `elif ip link add dev ${dev} type wireguard 2>/dev/null; then echo ${q(`${t.device}: kernel WireGuard`)}`,
    // the userspace implementation daemonizes; its banner about the kernel module is noise here
    `elif command -v wireguard-go >/dev/null; then wireguard-go ${dev} >/dev/null; echo ${q(`${t.device}: wireguard-go`)}`,
    `else echo 'no WireGuard on this host: neither the kernel module nor wireguard-go' >&2; exit 1; fi`,
    `wg set ${dev} private-key ${q(keyPath(t))} listen-port ${t.listenPort}`,
    ...t.peers.map(
      (p) =>
        `wg set ${dev} peer ${q(p.publicKey)} endpoint ${q(p.endpoint)} allowed-ips ${q(p.allowedIps.join(','))} persistent-keepalive ${KEEPALIVE_SECONDS}`,
    ),
    `ip link set dev ${dev} mtu ${t.mtu} up`,
    ...t.peers.flatMap((p) => p.allowedIps.map((cidr) => `ip route replace ${q(cidr)} dev ${dev}`)),
    'sysctl -qw net.ipv4.ip_forward=1',
    '',
  ].join('\n');
}

/** What `wg show` prints per peer without the private key: latest handshakes, then transfer. */
export function statusScript(device: string): string {
  const dev = quoteArg(device);
  return `set -euo pipefail\nwg show ${dev} latest-handshakes\necho --\nwg show ${dev} transfer\n`;
}

export interface PeerStats {
  publicKey: string;
  /** seconds since the epoch of the latest handshake; 0 = none yet */
  latestHandshake: number;
  rxBytes: number;
  txBytes: number;
}

/** Read statusScript's output: "<key>\t<epoch>" lines, "--", "<key>\t<rx>\t<tx>" lines. */
export function parseStatus(text: string): PeerStats[] {
  const [hs = '', tr = ''] = text.split(/^--$/m);
  const rows = (part: string) =>
    part
      .split('\n')
      .map((l) => l.trim().split('\t'))
      .filter((f) => f.length >= 2 && KEY.test(f[0]!));
  const transfer = new Map(rows(tr).map((f) => [f[0]!, { rx: Number(f[1]), tx: Number(f[2]) }]));
  return rows(hs).map((f) => ({
    publicKey: f[0]!,
    latestHandshake: Number(f[1]),
    rxBytes: transfer.get(f[0]!)?.rx ?? 0,
    txBytes: transfer.get(f[0]!)?.tx ?? 0,
  }));
}
