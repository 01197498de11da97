import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assessSite,
  defaultTolerations,
  describeProblems,
  detectRace,
  NTP_UNSYNCHRONIZED,
} from '../../src/health/readiness.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../fixtures/contrail-status', name), 'utf8');

describe('readiness', () => {
  it('is ready when every service is active or backup', () => {
    expect(assessSite({ m: fixture('healthy-opensdn-24.txt') }).ready).toBe(true);
    expect(assessSite({ m: fixture('backup.txt') }).ready).toBe(true);
    expect(assessSite({ m: fixture('dpdk.txt') }).ready).toBe(true);
  });

  it('is not ready on timeout, inactive, initializing, unknown states, no output or no host', () => {
    const timeout = assessSite({ 'east-master': fixture('timeout.txt') });
    expect(timeout.ready).toBe(false);
    expect(timeout.problems.map((p) => p.text)).toEqual(['control: timeout', 'dns: timeout']);
    expect(timeout.race).toBeUndefined();

    const inactive = assessSite({ 'east-worker-1': fixture('inactive.txt') });
    expect(inactive.problems).toMatchObject([
      { host: 'east-worker-1', pod: 'vrouter', service: 'agent', state: 'inactive' },
    ]);

    const garbage = assessSite({ m: fixture('garbage.txt') });
    expect(garbage.ready).toBe(false);
    expect(garbage.problems.map((p) => p.state)).toContain('unknown');
    expect(garbage.unknown.length).toBeGreaterThan(5);
    expect(garbage.unknown[0]).toMatchObject({ host: 'm', line: 1 });

    const empty = assessSite({ m: '', w: fixture('healthy-opensdn-24.txt') });
    expect(empty.ready).toBe(false);
    expect(empty.problems).toMatchObject([{ host: 'm', state: 'no-output' }]);

    expect(assessSite({}).ready).toBe(false);
  });

  it('tolerates NTP unsynchronized by default, and not when told to tolerate nothing', () => {
    const text = fixture('ntp-unsynchronized.txt');
    const tolerant = assessSite({ m: text });
    expect(tolerant.ready).toBe(true);
    expect(tolerant.tolerated.map((t) => t.text)).toEqual([
      'nodemgr: initializing (NTP state unsynchronized. )',
      'nodemgr: initializing (NTP state unsynchronized. )',
    ]);
    expect(tolerant.tolerated[0]!.reason).toBe(NTP_UNSYNCHRONIZED.reason);
    const strict = assessSite({ m: text }, []);
    expect(strict.ready).toBe(false);
    expect(strict.problems).toHaveLength(2);
  });

  it('tolerates a detail only when every part of it is harmless', () => {
    const text =
      '== Contrail control ==\nnodemgr: initializing (NTP state unsynchronized., Disk space for analytics low)\n';
    expect(assessSite({ m: text }).ready).toBe(false);
  });

  it("needs tf-2018's zookeeper toleration for a healthy 2018 master", () => {
    const text = fixture('healthy-tf-2018.txt');
    expect(assessSite({ m: text }).problems.map((p) => `${p.pod}/${p.text}`)).toEqual([
      'database/zookeeper: inactive',
    ]);
    expect(assessSite({ m: text }, defaultTolerations('tf-2018')).ready).toBe(true);
    expect(assessSite({ m: text }, defaultTolerations('opensdn-24')).ready).toBe(false);
    // the toleration is narrow: an inactive zookeeper elsewhere still counts
    const other = '== Contrail config-database ==\nzookeeper: inactive\n';
    expect(assessSite({ m: other }, defaultTolerations('tf-2018')).ready).toBe(false);
  });

  it('recognises the race in the reference demo output', () => {
    const health = assessSite({ 'east-master': fixture('demo-race.txt') });
    expect(health.ready).toBe(false);
    expect(health.race).toBeDefined();
    expect(health.race!.problem).toBe(
      'control: initializing (No BGP configuration for self); agent: initializing (XMPP:control-node:10.177.192.154 connection down, No Configuration for self)',
    );
    expect(health.race!.control).toHaveLength(1);
    expect(health.race!.agent).toHaveLength(1);
  });

  it('recognises either half of the race alone, and nothing else as the race', () => {
    const control =
      '== Contrail control ==\ncontrol: initializing (No BGP configuration for self)\n';
    expect(assessSite({ m: control }).race?.control).toHaveLength(1);
    const agent =
      '== Contrail vrouter ==\nagent: initializing (XMPP:control-node:172.16.0.10 connection down)\n';
    expect(assessSite({ w: agent }).race?.agent).toHaveLength(1);
    const notRace = [
      '== Contrail control ==',
      'control: initializing (IFMap Server End-Of-RIB not computed)',
      'dns: initializing (No BGP configuration for self)',
      '== Contrail vrouter ==',
      'agent: initializing (No control-nodes configured)',
      'agent: timeout',
    ].join('\n');
    expect(assessSite({ m: notRace }).race).toBeUndefined();
    // control still starting (no detail, or another reason): the agent's XMPP down is expected
    for (const control of [
      'control: initializing',
      'control: initializing (IFMap Server End-Of-RIB not computed)',
      'control: timeout',
    ]) {
      const starting = `== Contrail control ==\n${control}\n== Contrail vrouter ==\nagent: initializing (XMPP:control-node:172.16.0.10 connection down)\n`;
      expect(assessSite({ m: starting }).race).toBeUndefined();
    }
    expect(detectRace([])).toBeUndefined();
  });

  it('describes problems host by host, bounded', () => {
    const health = assessSite({ 'east-master': fixture('demo-race.txt') });
    expect(describeProblems(health.problems)).toBe(
      'east-master control/control: initializing (No BGP configuration for self), east-master vrouter/agent: initializing (XMPP:control-node:10.177.192.154 connection down, No Configuration for self)',
    );
    expect(describeProblems(health.problems, 1)).toMatch(/\(\+1 more\)$/);
  });
});
