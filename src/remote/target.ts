/**
 * Where a remote command goes: one SSH endpoint, optionally behind another
 * (a site's master for hosts with no public address).
 */
import type { Host } from '../providers/provider.js';

export interface RemoteHost {
  /** for messages and log prefixes, e.g. "east-master" */
  name: string;
  /** address to connect to (from the jump host, when there is one) */
  host: string;
  port: number;
  user: string;
  /** reach this host through another (ssh2 forwardOut) */
  jump?: RemoteHost;
  /** provider-supplied OpenSSH public host keys to pin ("ssh-ed25519 AAAA…") */
  hostKeys?: string[];
}

/** "east-master (10.0.0.5:22 via east-edge)": how messages name a host. */
export function describeHost(host: RemoteHost): string {
  const via = host.jump ? ` via ${host.jump.name}` : '';
  return `${host.name} (${host.user}@${host.host}:${host.port}${via})`;
}

/** A stable key for one endpoint reached one way (the pool keeps one connection per key). */
export function endpointKey(host: RemoteHost): string {
  const self = `${host.name}|${host.user}@${host.host}:${host.port}`;
  return host.jump ? `${self}>${endpointKey(host.jump)}` : self;
}

/**
 * The provider's hosts as remote targets, resolving `ssh.jumpHost` names to the
 * jump host's own target. Throws on an unknown or cyclic jump host name.
 */
export function remoteHostsOf(hosts: readonly Host[]): Map<string, RemoteHost> {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const out = new Map<string, RemoteHost>();
  const resolve = (name: string, seen: string[]): RemoteHost => {
    const done = out.get(name);
    if (done) return done;
    const h = byName.get(name);
    if (!h) throw new Error(`host ${seen.at(-1) ?? name} jumps through unknown host ${name}`);
    if (seen.includes(name))
      throw new Error(`jump hosts form a cycle: ${[...seen, name].join(' -> ')}`);
    const target: RemoteHost = {
      name: h.name,
      host: h.ssh.host,
      port: h.ssh.port,
      user: h.ssh.user,
    };
    if (h.hostKeys?.length) target.hostKeys = [...h.hostKeys];
    if (h.ssh.jumpHost) target.jump = resolve(h.ssh.jumpHost, [...seen, name]);
    out.set(name, target);
    return target;
  };
  for (const h of hosts) resolve(h.name, []);
  return out;
}
