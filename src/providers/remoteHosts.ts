/** A provider's hosts as the SSH layer's targets. */
import type { RemoteHost } from '../remote/target.js';
import type { Host } from './provider.js';

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
