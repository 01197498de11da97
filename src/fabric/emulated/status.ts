/**
 * contrail-status text from the emulation's real state (pure): BIRD's
 * protocol table, as `birdc show protocols` prints it, for the control node
 * and for each agent.
 *
 *   control  inactive when the control node's BIRD is not running;
 *            initializing (No BGP configuration for self) while it runs without
 *            its own configuration (no "self" protocol); active otherwise
 *   agent    active when its "xmpp" session to the control node is
 *            Established; initializing (XMPP:control-node:<ip> connection down,
 *            No Configuration for self) otherwise (an agent's configuration
 *            reaches it over that session); inactive when not running
 *   nodemgr  active: it is what reports this
 *   named, dns: part of the control pod, so they follow its process
 */
import type { BgpSession } from '../fabric.js';
import { AGENT_SESSION, PEER_PREFIX, SELF_PROTOCOL } from './bird.js';
import { birdSymbol } from './layout.js';

export interface BirdProtocol {
  name: string;
  proto: string;
  table: string;
  state: string;
  /** BGP session state (Established, Active, Connect, …) when there is one */
  bgpState?: string;
  info: string;
}

const BGP_STATES = /\b(Idle|Connect|Active|OpenSent|OpenConfirm|Established|Close|Down)\b/;

/** Rows of `birdc show protocols`; undefined when BIRD did not answer. */
export function parseProtocols(text: string): BirdProtocol[] | undefined {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /^Name\s+Proto\s+Table\s+State/.test(l));
  if (header < 0) return undefined;
  const out: BirdProtocol[] = [];
  for (const line of lines.slice(header + 1)) {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line.trimEnd());
    if (!m) continue;
    const row: BirdProtocol = {
      name: m[1]!,
      proto: m[2]!,
      table: m[3]!,
      state: m[4]!,
      info: m[5]!.trim(),
    };
    if (row.proto === 'BGP') {
      const s = BGP_STATES.exec(row.info);
      if (s) row.bgpState = s[1]!;
    }
    out.push(row);
  }
  return out;
}

export type ServiceState = 'active' | 'initializing' | 'inactive';

export function controlState(protocols: BirdProtocol[] | undefined): {
  state: ServiceState;
  detail?: string;
} {
  if (!protocols) return { state: 'inactive' };
  if (!protocols.some((p) => p.name === SELF_PROTOCOL)) {
    return { state: 'initializing', detail: 'No BGP configuration for self' };
  }
  return { state: 'active' };
}

export function agentState(
  protocols: BirdProtocol[] | undefined,
  controlAddress: string,
): { state: ServiceState; detail?: string } {
  if (!protocols) return { state: 'inactive' };
  const xmpp = protocols.find((p) => p.name === AGENT_SESSION);
  if (xmpp?.bgpState === 'Established') return { state: 'active' };
  return {
    state: 'initializing',
    detail: `XMPP:control-node:${controlAddress} connection down, No Configuration for self`,
  };
}

function line(service: string, s: { state: ServiceState; detail?: string }): string {
  return `${service}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`;
}

export interface NodeBirdState {
  /** undefined when the node runs no control node */
  control?: BirdProtocol[] | undefined;
  hasControl: boolean;
  agent: BirdProtocol[] | undefined;
  controlAddress: string;
}

export function renderStatus(node: NodeBirdState): string {
  const out: string[] = [];
  if (node.hasControl) {
    const control = controlState(node.control);
    const pod: ServiceState = node.control ? 'active' : 'inactive';
    out.push(
      '== Contrail control ==',
      line('control', control),
      line('nodemgr', { state: 'active' }),
      line('named', { state: pod }),
      line('dns', { state: pod }),
      '',
    );
  }
  out.push(
    '== Contrail vrouter ==',
    line('nodemgr', { state: 'active' }),
    line('agent', agentState(node.agent, node.controlAddress)),
    '',
  );
  return out.join('\n');
}

/** The control node's sessions to other sites, from its protocol table. */
export function peerSessions(
  protocols: BirdProtocol[] | undefined,
  sites: readonly string[],
): BgpSession[] {
  return sites.map((site) => {
    const name = birdSymbol(PEER_PREFIX, site);
    const row = protocols?.find((p) => p.name === name);
    const state = !protocols
      ? 'control node not running'
      : !row
        ? 'not configured'
        : (row.bgpState ?? row.state);
    return { site, state, established: row?.bgpState === 'Established' };
  });
}
