/**
 * BIRD 2 configurations of the emulated control node and vrouter agents
 * (pure). Timers are tuned so sessions come up in about a second: BIRD's
 * defaults (connect delay 5 s, connect retry 120 s, hold 240 s) wait minutes.
 */
import { birdSymbol } from './layout.js';

export const TUNED_TIMERS = [
  'hold time 6;',
  'startup hold time 6;',
  'keepalive time 2;',
  'connect delay time 0;',
  'connect retry time 1;',
  'error wait time 1, 4;',
  'error forget time 10;',
];

/** BIRD's own defaults (no timer lines): the benchmark's baseline. */
export const BIRD_DEFAULT_TIMERS: string[] = [];

/** Control node ↔ the master's own agent: a loopback session (XMPP's stand-in on the master). */
export const MASTER_AGENT_LINK = { control: '127.0.0.1', agent: '127.0.0.2' } as const;

export const SELF_PROTOCOL = 'self_config';
export const AGENT_SESSION = 'xmpp';
export const PEER_PREFIX = 'peer';
export const AGENT_PREFIX = 'agent';

export interface ControlPeer {
  site: string;
  asn: number;
  address: string;
  /** this control node's end of the VXLAN tunnel to that site: the next hop it announces */
  nextHop: string;
}

export interface ControlConfigInput {
  /** a comment line naming the run and site */
  title: string;
  asn: number;
  routerId: string;
  logFile: string;
  /**
   * false reproduces the control-node race: the control node starts without
   * the BGP configuration for itself, so it speaks BGP to no one.
   */
  selfConfigured: boolean;
  /** the site's pod and service ranges, announced to the other sites */
  aggregates: string[];
  /** worker agents (the master's own agent is always there) */
  agents: { host: string; address: string }[];
  /** other sites' control nodes; empty until peering is configured */
  peers: ControlPeer[];
  /** interface name pattern of the VXLAN tunnels (for next-hop resolution) */
  tunnelPattern: string;
  /** BGP timer lines; default TUNED_TIMERS */
  timers?: readonly string[];
}

function block(head: string, lines: readonly string[], indent = ''): string[] {
  return [`${indent}${head} {`, ...lines.map((l) => `${indent}  ${l}`), `${indent}}`];
}

/** What every BIRD config of the fabric starts with: title, log, router id, the device protocol. */
function preamble(c: { title: string; logFile: string; routerId: string }): string[] {
  return [
    `# ${c.title}`,
    `log "${c.logFile}" { info, remote, warning, error, auth, fatal, bug };`,
    `router id ${c.routerId};`,
    'timeformat protocol iso long;',
    '',
    ...block('protocol device', ['scan time 5;']),
  ];
}

export function renderControlConfig(c: ControlConfigInput): string {
  const out: string[] = [
    ...preamble(c),
    // the tunnels' /31s: routes learned from peers resolve their next hops here
    ...block('protocol direct tunnels', ['ipv4;', `interface "${c.tunnelPattern}";`]),
    // the master's forwarding: everything learned over BGP (peers and agents)
    ...block('protocol kernel', [
      'ipv4 { import none; export where source = RTS_BGP; };',
      'scan time 10;',
    ]),
  ];
  if (!c.selfConfigured) {
    out.push('', '# no bgp-router for self: the control node waits for its configuration');
    return `${out.join('\n')}\n`;
  }
  out.push(
    '',
    ...block(`protocol static ${SELF_PROTOCOL}`, [
      'ipv4;',
      ...c.aggregates.map((a) => `route ${a} unreachable;`),
    ]),
    '',
    ...block(`template bgp ${AGENT_PREFIX}`, [
      `local ${c.routerId} as ${c.asn};`,
      // agents share the underlay with the control node: next hops resolve on it directly
      'direct;',
      'strict bind yes;',
      'rr client;',
      ...(c.timers ?? TUNED_TIMERS),
      'ipv4 { import all; export where source = RTS_BGP; next hop self ebgp; };',
    ]),
  );
  for (const a of c.agents) {
    out.push(
      ...block(`protocol bgp ${birdSymbol(AGENT_PREFIX, a.host)} from ${AGENT_PREFIX}`, [
        `neighbor ${a.address} as ${c.asn};`,
      ]),
    );
  }
  out.push(
    ...block(`protocol bgp ${AGENT_PREFIX}_master`, [
      `local ${MASTER_AGENT_LINK.control} as ${c.asn};`,
      `neighbor ${MASTER_AGENT_LINK.agent} as ${c.asn};`,
      'strict bind yes;',
      ...(c.timers ?? TUNED_TIMERS),
      // loopback addresses are no next hop BIRD accepts by itself; nothing is exchanged anyway
      `ipv4 { import none; export none; next hop address ${MASTER_AGENT_LINK.control}; };`,
    ]),
  );
  for (const p of c.peers) {
    out.push(
      '',
      ...block(`protocol bgp ${birdSymbol(PEER_PREFIX, p.site)}`, [
        `description "control node of site ${p.site}";`,
        `local ${c.routerId} as ${c.asn};`,
        `neighbor ${p.address} as ${p.asn};`,
        'multihop 8;',
        'strict bind yes;',
        ...(c.timers ?? TUNED_TIMERS),
        'ipv4 {',
        '  import all;',
        `  export where proto = "${SELF_PROTOCOL}";`,
        `  next hop address ${p.nextHop};`,
        '};',
      ]),
    );
  }
  return `${out.join('\n')}\n`;
}

export interface AgentConfigInput {
  title: string;
  asn: number;
  routerId: string;
  logFile: string;
  /** the control node's address, and this agent's own end of the session */
  control: string;
  local: string;
  /**
   * the master's agent: a loopback session with no routes either way (the
   * control node programs the master); its router id must differ from the
   * control node's, so the caller passes the loopback address
   */
  statusOnly: boolean;
  /** the node's pod slice and the VIPs of the backends it hosts */
  announce: string[];
  /** BGP timer lines; default TUNED_TIMERS */
  timers?: readonly string[];
}

export function renderAgentConfig(c: AgentConfigInput): string {
  const out: string[] = [...preamble(c)];
  if (!c.statusOnly) {
    out.push(
      ...block('protocol kernel', [
        'ipv4 { import none; export where source = RTS_BGP; };',
        'scan time 10;',
      ]),
      ...block('protocol static node', [
        'ipv4;',
        ...c.announce.map((a) => `route ${a} unreachable;`),
      ]),
    );
  }
  out.push(
    ...block(`protocol bgp ${AGENT_SESSION}`, [
      `description "XMPP to control node ${c.control}";`,
      `local ${c.local} as ${c.asn};`,
      `neighbor ${c.control} as ${c.asn};`,
      ...(c.statusOnly ? ['strict bind yes;'] : ['direct;']),
      ...(c.timers ?? TUNED_TIMERS),
      c.statusOnly
        ? `ipv4 { import none; export none; next hop address ${c.local}; };`
        : 'ipv4 { import all; export where proto = "node"; next hop self; };',
    ]),
  );
  return `${out.join('\n')}\n`;
}
