import { describe, expect, it } from 'vitest';
import { parseProtocols, peerSessions, renderStatus } from '../../../src/fabric/emulated/status.js';

// as birdc 2.0.12 prints them (timeformat protocol iso long)
const CONTROL_UP = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     2026-11-27 23:31:57  
tunnels    Direct     ---        up     2026-11-27 23:31:57  
kernel1    Kernel     master4    up     2026-11-27 23:31:57  
self_config Static     master4    up     2026-11-27 23:31:57  
agent_east_worker_1 BGP        ---        up     2026-11-27 23:31:58  Established   
agent_master BGP        ---        up     2026-11-27 23:31:58  Established   
peer_west  BGP        ---        start  2026-11-27 23:33:41  Active        Socket: Connection refused
`;
const CONTROL_RACE = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     2026-11-27 23:31:57  
tunnels    Direct     ---        up     2026-11-27 23:31:57  
kernel1    Kernel     master4    up     2026-11-27 23:31:57  
`;
const AGENT_DOWN = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     2026-11-27 23:31:57  
xmpp       BGP        ---        start  2026-11-27 23:33:45  Connect       Socket: Connection refused
`;
const AGENT_UP = AGENT_DOWN.replace(
  'start  2026-11-27 23:33:45  Connect       Socket: Connection refused',
  'up     2026-11-27 23:33:56  Established   ',
);
const NOT_RUNNING =
  'Unable to connect to server control socket (/run/x/control.ctl): Connection refused\n';

describe('contrail-status from BIRD state', () => {
  it('parses birdc show protocols, with BGP states', () => {
    const rows = parseProtocols(CONTROL_UP)!;
    expect(rows.map((r) => r.name)).toEqual([
      'device1',
      'tunnels',
      'kernel1',
      'self_config',
      'agent_east_worker_1',
      'agent_master',
      'peer_west',
    ]);
    expect(rows.find((r) => r.name === 'peer_west')).toMatchObject({
      proto: 'BGP',
      state: 'start',
      bgpState: 'Active',
    });
    expect(parseProtocols(NOT_RUNNING)).toBeUndefined();
  });

  it('healthy master', () => {
    expect(
      renderStatus({
        hasControl: true,
        control: parseProtocols(CONTROL_UP),
        agent: parseProtocols(AGENT_UP),
        controlAddress: '172.16.0.10',
      }),
    ).toBe(
      [
        '== Contrail control ==',
        'control: active',
        'nodemgr: active',
        'named: active',
        'dns: active',
        '',
        '== Contrail vrouter ==',
        'nodemgr: active',
        'agent: active',
        '',
      ].join('\n'),
    );
  });

  it("the race, in the demo's words", () => {
    const text = renderStatus({
      hasControl: true,
      control: parseProtocols(CONTROL_RACE),
      agent: parseProtocols(AGENT_DOWN),
      controlAddress: '10.177.192.154',
    });
    expect(text).toContain('control: initializing (No BGP configuration for self)');
    expect(text).toContain(
      'agent: initializing (XMPP:control-node:10.177.192.154 connection down, No Configuration for self)',
    );
  });

  it('processes that do not run are inactive; workers have no control section', () => {
    const text = renderStatus({
      hasControl: true,
      control: undefined,
      agent: undefined,
      controlAddress: '172.16.0.10',
    });
    expect(text).toContain('control: inactive');
    expect(text).toContain('named: inactive');
    expect(text).toContain('agent: inactive');
    const worker = renderStatus({
      hasControl: false,
      agent: parseProtocols(AGENT_UP),
      controlAddress: '172.16.0.10',
    });
    expect(worker).not.toContain('Contrail control');
    expect(worker).toContain('agent: active');
  });

  it('lists each peer session, configured or not', () => {
    expect(peerSessions(parseProtocols(CONTROL_UP), ['west', 'north'])).toEqual([
      { site: 'west', state: 'Active', established: false },
      { site: 'north', state: 'not configured', established: false },
    ]);
    expect(peerSessions(undefined, ['west'])).toEqual([
      { site: 'west', state: 'control node not running', established: false },
    ]);
  });
});
