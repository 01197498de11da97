/**
 * Where a remote command goes: one SSH endpoint, optionally behind another
 * (a site's master for hosts with no public address).
 */
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
