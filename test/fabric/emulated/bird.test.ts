import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAgentConfig, renderControlConfig } from '../../../src/fabric/emulated/bird.js';
import type { ControlConfigInput } from '../../../src/fabric/emulated/bird.js';
import { findTool } from '../../../src/providers/local/preflight.js';
import { tempDir } from '../../helpers.js';
import { needsTool } from '../../support/requirements.js';

const BIRD = findTool('bird');
const noBird = needsTool('BIRD parsing the rendered configurations (bird -p)', 'bird', 'bird2');

/** BIRD's own parser (`bird -p`) on a rendered configuration: no root needed. */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function birdParses(config: string): { ok: boolean; error: string } {
  const dir = tempDir('te-bird-');
  dirs.push(dir);
  const file = join(dir, 'bird.conf');
  writeFileSync(file, config);
  const r = spawnSync(BIRD!, ['-p', '-c', file], { encoding: 'utf8' });
  return { ok: r.status === 0, error: r.stderr.trim() };
}

const base: ControlConfigInput = {
  title: 'test control node',
  asn: 64512,
  routerId: '172.16.0.10',
  logFile: '/run/tungsten-e2e/ab12cd/east-master/control.log',
  selfConfigured: true,
  aggregates: ['10.32.0.0/12', '10.96.0.0/12'],
  agents: [{ host: 'east-worker-1', address: '172.16.0.11' }],
  peers: [{ site: 'west-2', asn: 64513, address: '172.16.1.10', nextHop: '169.254.0.0' }],
  tunnelPattern: 'teab12cdt*',
};

describe('BIRD configurations of the emulated fabric', () => {
  it('a configured control node: announces the site ranges, reflects for agents, peers over eBGP', () => {
    const text = renderControlConfig(base);
    expect(text).toContain('router id 172.16.0.10;');
    expect(text).toContain('protocol static self_config {');
    expect(text).toContain('route 10.32.0.0/12 unreachable;');
    expect(text).toContain('protocol bgp agent_east_worker_1 from agent {');
    expect(text).toContain('protocol bgp peer_west_2 {');
    expect(text).toContain('neighbor 172.16.1.10 as 64513;');
    expect(text).toContain('next hop address 169.254.0.0;');
    expect(text).toContain('export where proto = "self_config";');
    expect(text).toMatch(/connect retry time 1;/);
  });

  it('the race: a control node without its own configuration speaks BGP to no one', () => {
    const text = renderControlConfig({ ...base, selfConfigured: false });
    expect(text).not.toContain('protocol bgp');
    expect(text).not.toContain('self_config');
    expect(text).toContain('protocol kernel');
  });

  it("agents: a worker announces its slice and VIPs; the master's only holds its session", () => {
    const worker = renderAgentConfig({
      title: 'worker agent',
      asn: 64512,
      routerId: '172.16.0.11',
      logFile: '/tmp/agent.log',
      control: '172.16.0.10',
      local: '172.16.0.11',
      statusOnly: false,
      announce: ['10.32.1.0/24', '10.96.0.10/32'],
    });
    expect(worker).toContain('protocol bgp xmpp {');
    expect(worker).toContain('route 10.96.0.10/32 unreachable;');
    expect(worker).toContain('export where proto = "node"; next hop self;');
    const master = renderAgentConfig({
      title: 'master agent',
      asn: 64512,
      routerId: '127.0.0.2',
      logFile: '/tmp/agent.log',
      control: '127.0.0.1',
      local: '127.0.0.2',
      statusOnly: true,
      announce: [],
    });
    expect(master).not.toContain('protocol kernel');
    expect(master).toContain('import none; export none;');
  });

  it.skipIf(noBird)('every variant is accepted by BIRD itself (bird -p)', () => {
    for (const config of [
      renderControlConfig(base),
      renderControlConfig({ ...base, selfConfigured: false }),
      renderControlConfig({ ...base, peers: [], agents: [] }),
      renderAgentConfig({
        title: 'w',
        asn: 64512,
        routerId: '172.16.0.11',
        logFile: '/tmp/a.log',
        control: '172.16.0.10',
        local: '172.16.0.11',
        statusOnly: false,
        announce: ['10.32.1.0/24'],
      }),
      renderAgentConfig({
        title: 'm',
        asn: 64512,
        routerId: '127.0.0.2',
        logFile: '/tmp/a.log',
        control: '127.0.0.1',
        local: '127.0.0.2',
        statusOnly: true,
        announce: [],
      }),
    ]) {
      expect(birdParses(config)).toEqual({ ok: true, error: '' });
    }
    // and the parser is a real check: a broken config is refused
    expect(birdParses('router id 1.2.3.4;\nprotocol bgp self {}\n').ok).toBe(false);
  });
});
