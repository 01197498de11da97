import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatService, parseContrailStatus } from '../../src/health/contrailStatus.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../fixtures/contrail-status', name), 'utf8');

const byName = (text: string) =>
  Object.fromEntries(parseContrailStatus(text).services.map((s) => [`${s.pod}/${s.service}`, s]));

describe('contrail-status parser', () => {
  it('reads the reference demo blocks: control without BGP config, agent with XMPP down', () => {
    const parsed = parseContrailStatus(fixture('demo-race.txt'));
    expect(parsed.columns).toEqual([]);
    expect(parsed.unknown).toEqual([]);
    expect(parsed.sections.map((s) => s.pod)).toEqual(['control', 'vrouter']);
    const s = byName(fixture('demo-race.txt'));
    expect(s['control/control']).toMatchObject({
      state: 'initializing',
      detail: 'No BGP configuration for self',
      line: 2,
    });
    expect(s['vrouter/agent']).toMatchObject({
      state: 'initializing',
      detail: 'XMPP:control-node:10.177.192.154 connection down, No Configuration for self',
    });
    expect(s['control/dns']!.state).toBe('active');
    expect(Object.keys(s)).toHaveLength(6);
  });

  it('reads the 5-column table of a Dec-2018 image, including rows with an empty Pod', () => {
    const parsed = parseContrailStatus(fixture('healthy-tf-2018.txt'));
    expect(parsed.columns).toEqual(['Pod', 'Service', 'Original Name', 'State', 'Status']);
    expect(parsed.containers).toHaveLength(26);
    expect(parsed.containers[0]).toMatchObject({
      pod: '',
      service: 'zookeeper',
      originalName: 'contrail-external-zookeeper',
      state: 'running',
      status: 'Up 2 hours',
      line: 2,
    });
    expect(parsed.containers.find((c) => c.service === 'kube-manager')).toMatchObject({
      pod: 'kubernetes',
      originalName: 'contrail-kubernetes-kube-manager',
    });
    expect(parsed.containers.every((c) => c.id === undefined)).toBe(true);
    expect(parsed.driver).toEqual({ state: 'kernel', text: 'vrouter kernel module is PRESENT' });
    expect(parsed.warnings).toHaveLength(2);
    expect(parsed.warnings[0]!.text).toMatch(/^WARNING: container with original name/);
    expect(parsed.sections.map((s) => s.pod)).toEqual([
      'control',
      'kubernetes',
      'database',
      'analytics',
      'webui',
      'vrouter',
      'config',
    ]);
    expect(parsed.services).toHaveLength(25);
    expect(parsed.services.filter((s) => s.state !== 'active').map(formatService)).toEqual([
      'zookeeper: inactive',
    ]);
    expect(parsed.unknown).toEqual([]);
  });

  it('reads the 7-column table of today with versions, ids and api-N workers', () => {
    const parsed = parseContrailStatus(fixture('healthy-opensdn-24.txt'));
    expect(parsed.columns).toEqual([
      'Pod',
      'Service',
      'Original Name',
      'Original Version',
      'State',
      'Id',
      'Status',
    ]);
    const api = parsed.containers.find((c) => c.originalName === 'opensdn-controller-config-api');
    expect(api).toMatchObject({
      pod: 'config',
      service: 'api',
      originalVersion: '2025-11-03',
      state: 'running',
      status: 'Up 41 minutes',
    });
    expect(api!.id).toMatch(/^[0-9a-f]{12}$/);
    expect(parsed.containers[0]!.pod).toBe('');
    const s = byName(fixture('healthy-opensdn-24.txt'));
    expect(s['config/api-0']!.state).toBe('active');
    expect(s['config/api-1']!.state).toBe('active');
    expect(parsed.services.every((x) => x.state === 'active')).toBe(true);
    expect(parsed.unknown).toEqual([]);
  });

  it('reads the 6-column Id-era table and backup states', () => {
    const parsed = parseContrailStatus(fixture('backup.txt'));
    expect(parsed.columns).toEqual(['Pod', 'Service', 'Original Name', 'State', 'Id', 'Status']);
    expect(parsed.containers.map((c) => c.service)).toContain('device-manager');
    expect(parsed.containers[0]!.status).toBe('Up 3 days');
    const states = parsed.services.map((x) => `${x.pod}/${x.service}=${x.state}`);
    expect(states).toEqual([
      'config/nodemgr=active',
      'config/api=active',
      'config/schema=backup',
      'config/svc-monitor=backup',
      'config/device-manager=backup',
      'kubernetes/kube-manager=backup',
    ]);
    expect(parsed.driver).toBeUndefined();
  });

  it('reads timeout and inactive states and the driver variants', () => {
    const t = byName(fixture('timeout.txt'));
    expect(t['control/control']!.state).toBe('timeout');
    expect(t['control/dns']!.state).toBe('timeout');
    expect(t['control/control']!.detail).toBeUndefined();

    const inactive = parseContrailStatus(fixture('inactive.txt'));
    expect(inactive.driver!.state).toBe('missing');
    expect(inactive.containers[0]).toMatchObject({
      service: 'agent',
      state: 'exited',
      status: 'Exited (1) 4 minutes ago',
    });
    expect(byName(fixture('inactive.txt'))['vrouter/agent']!.state).toBe('inactive');

    expect(parseContrailStatus(fixture('dpdk.txt')).driver!.state).toBe('dpdk');
  });

  it('keeps the detail with its trailing period, trimmed', () => {
    const s = byName(fixture('ntp-unsynchronized.txt'));
    expect(s['control/nodemgr']).toMatchObject({
      state: 'initializing',
      detail: 'NTP state unsynchronized.',
      text: 'nodemgr: initializing (NTP state unsynchronized. )',
    });
  });

  it('keeps and reports every line it does not understand in garbage, without throwing', () => {
    const parsed = parseContrailStatus(fixture('garbage.txt'));
    expect(parsed.unknown.map((u) => u.text)).toEqual([
      '[root@east-master ~]# contrail-status',
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      'Pod Service',
      '== Contrail ==',
      'nodemgr:',
      'dns: active extra words',
      ': active',
      '\u001b[31mred\u001b[0m',
      '==== Contrail ====',
      'Traceback (most recent call last):',
      'File "/root/contrail-status.py", line 412, in <module>',
      "KeyError: u'vrouter'",
    ]);
    expect(parsed.unknown[0]!.line).toBe(1);
    // a recognisable service line with an unknown state is kept as such, never as active
    const s = byName(fixture('garbage.txt'));
    expect(s['control/control']).toMatchObject({ state: 'unknown', stateText: 'weird-state' });
    // a detail missing its closing parenthesis is still read
    expect(s['control/agent']!.detail).toBe('XMPP:control-node:10.0.0.1 connection down');
  });

  it('treats service lines before any section as unknown and accepts CRLF and OpenSDN headers', () => {
    const parsed = parseContrailStatus(
      'agent: active\r\n== OpenSDN vrouter ==\r\nagent: active\r\n',
    );
    expect(parsed.unknown).toEqual([{ line: 1, text: 'agent: active' }]);
    expect(parsed.services).toMatchObject([{ pod: 'vrouter', service: 'agent', state: 'active' }]);
  });

  it('reads a section that follows the table without the blank line', () => {
    const text = [
      'Pod      Service  Original Name           State    Status',
      'vrouter  agent    contrail-vrouter-agent  running  Up 1 minute',
      '== Contrail vrouter ==',
      'agent: active',
    ].join('\n');
    const parsed = parseContrailStatus(text);
    expect(parsed.containers).toHaveLength(1);
    expect(parsed.services).toHaveLength(1);
  });

  it('never throws and accounts for every non-blank line (property)', () => {
    const lineArb = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '== Contrail control ==',
        'control: active',
        'agent: initializing (XMPP:control-node:1.2.3.4 connection down)',
        'Pod  Service  Original Name  State  Status',
        'vrouter  agent  contrail-vrouter-agent  running  Up 2 hours',
        'vrouter kernel module is PRESENT',
        'WARNING: x',
        '',
      ),
    );
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 30 }), (lines) => {
        const text = lines.join('\n');
        const p = parseContrailStatus(text);
        const accounted =
          p.containers.length +
          p.services.length +
          p.sections.length +
          p.warnings.length +
          p.unknown.length +
          (p.columns.length ? 1 : 0);
        const nonBlank = text.split(/\r?\n/).filter((l) => l.trim()).length;
        const driverLines = text
          .split(/\r?\n/)
          .filter((l) => /^vrouter (kernel|DPDK) module is PRESENT$/.test(l.trim())).length;
        return accounted + driverLines === nonBlank;
      }),
    );
  });
});
