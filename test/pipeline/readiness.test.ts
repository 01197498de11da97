import { describe, expect, it } from 'vitest';
import { notReady, serviceLines, showsControlRace } from '../../src/pipeline/readiness.js';

describe('simple readiness', () => {
  const race = {
    'east-master':
      '== Contrail control ==\ncontrol: initializing (No BGP configuration for self)\nnodemgr: active\n\n== Contrail vrouter ==\nagent: initializing (XMPP:control-node:172.16.0.10 connection down, No Configuration for self)\n',
    'east-worker-1': '== Contrail vrouter ==\nnodemgr: active\nagent: backup\n',
  };

  it('reads service lines and what is not ready', () => {
    expect(serviceLines(race)).toHaveLength(5);
    expect(notReady(race)).toEqual([
      {
        host: 'east-master',
        service: 'control',
        state: 'initializing',
        detail: 'No BGP configuration for self',
      },
      {
        host: 'east-master',
        service: 'agent',
        state: 'initializing',
        detail: 'XMPP:control-node:172.16.0.10 connection down, No Configuration for self',
      },
    ]);
    expect(showsControlRace(notReady(race))).toBe(true);
    expect(
      showsControlRace(
        notReady({ h: 'control: initializing (IFMap Server End-Of-RIB not computed)' }),
      ),
    ).toBe(false);
    expect(notReady({ h: '== Contrail control ==\ncontrol: active\n' })).toEqual([]);
  });
});
