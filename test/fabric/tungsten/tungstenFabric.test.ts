import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../../src/config/profile.js';
import { exitCodeOf, InfraError } from '../../../src/errors.js';
import type { CommandResult } from '../../../src/fabric/tungsten/commands.js';
import { TungstenFabric, type TungstenShell } from '../../../src/fabric/tungsten/tungstenFabric.js';
import { assessSite } from '../../../src/health/readiness.js';
import { localSites, testContext } from '../../support/sites.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures/contrail-status', name), 'utf8');

/** Records what the fabric asks a host to run and answers from a table (our seam to the remote layer). */
function recordingShell(answer: (host: string, argv: string[]) => Partial<CommandResult>) {
  const calls: { host: string; argv: string[]; sudo: boolean }[] = [];
  const shell: TungstenShell = {
    run: (host, argv, options) => {
      calls.push({ host, argv, sudo: options.sudo ?? false });
      return Promise.resolve({
        exitCode: 0,
        stdout: '',
        stderr: '',
        durationMs: 5,
        ...answer(host, argv),
      });
    },
  };
  return { shell, calls };
}

describe('TungstenFabric (skeleton over a shell)', () => {
  const { plan, sites } = localSites();
  const east = sites[0]!;
  const profile = loadProfile('tf-2018');

  it('reads contrail-status with sudo on the master and workers, not the edge', async () => {
    const { shell, calls } = recordingShell((host) =>
      host.endsWith('master')
        ? { stdout: fixture('demo-race.txt') }
        : { exitCode: 1, stdout: '', stderr: 'sudo: contrail-status: command not found' },
    );
    const { ctx } = testContext(plan);
    const status = await new TungstenFabric(shell, profile).status(east, ctx);
    expect(calls.map((c) => [c.host, c.argv.join(' '), c.sudo])).toEqual([
      ['east-master', 'contrail-status', true],
      ['east-worker-1', 'contrail-status', true],
    ]);
    expect(Object.keys(status)).toEqual(['east-master', 'east-worker-1']);
    const health = assessSite(status);
    expect(health.race).toBeDefined();
    expect(health.unknown.map((u) => u.text)).toEqual(['sudo: contrail-status: command not found']);
  });

  it('ladder step 1 deletes the control pod by the profile selector', async () => {
    const { shell, calls } = recordingShell(() => ({}));
    const { ctx } = testContext(plan);
    await new TungstenFabric(shell, profile).remediate(east, 'delete-control-pod', ctx);
    expect(calls.map((c) => [c.host, ...c.argv])).toEqual([
      [
        'east-master',
        'kubectl',
        '-n',
        'kube-system',
        'delete',
        'pod',
        '-l',
        'app=contrail-controller-control',
      ],
    ]);
  });

  it("ladder step 2 provisions the control node's own bgp-router under its hostname", async () => {
    const { shell, calls } = recordingShell((_host, argv) =>
      argv[0] === 'hostname'
        ? { stdout: 'ip-172-16-0-10\n' }
        : { stdout: '{"bgp-router": {}}\n200' },
    );
    const { ctx, logger } = testContext(plan);
    await new TungstenFabric(shell, profile).remediate(east, 'provision-bgp-router', ctx);
    expect(calls[0]!.argv).toEqual(['hostname', '-s']);
    const curl = calls[1]!.argv;
    expect(curl[0]).toBe('curl');
    expect(curl.at(-1)).toBe('http://172.16.0.10:8082/bgp-routers');
    const body = JSON.parse(curl[curl.indexOf('--data-binary') + 1]!) as {
      'bgp-router': {
        fq_name: string[];
        bgp_router_parameters: { autonomous_system: number; address: string };
      };
    };
    expect(body['bgp-router'].fq_name.at(-1)).toBe('ip-172-16-0-10');
    expect(body['bgp-router'].bgp_router_parameters).toMatchObject({
      autonomous_system: 64512,
      address: '172.16.0.10',
    });
    expect(logger.lines).toContain('info:ready: east: bgp-router ip-172-16-0-10 created');
  });

  it('a failed step is an InfraError the ladder records', async () => {
    const { shell } = recordingShell((_h, argv) =>
      argv[0] === 'curl' ? { stdout: 'Forbidden\n403' } : { stdout: 'm\n' },
    );
    const { ctx } = testContext(plan);
    await expect(
      new TungstenFabric(shell, profile).remediate(east, 'provision-bgp-router', ctx),
    ).rejects.toThrow(/provisioning bgp-router m failed \(HTTP 403\): Forbidden/);
    const failing = recordingShell(() => ({
      exitCode: 1,
      stderr: 'error: the server could not find the requested resource',
    }));
    await expect(
      new TungstenFabric(failing.shell, profile).remediate(east, 'delete-control-pod', ctx),
    ).rejects.toBeInstanceOf(InfraError);
  });

  it('probes from the client pod through kubectl on the master of the client site', async () => {
    const { shell, calls } = recordingShell(() => ({
      stdout: 'HTTP/1.0 200 OK\r\n\r\necho-abc\n',
    }));
    const { ctx } = testContext(plan);
    const outcome = await new TungstenFabric(shell, profile).probe(
      { site: 'west', namespace: 'tenant-a', name: 'client' },
      { ip: '10.96.0.10', port: 80 },
      2000,
      ctx,
    );
    expect(outcome.result).toBe('connected');
    expect(calls[0]!.host).toBe('west-master');
    expect(calls[0]!.argv.slice(0, 7)).toEqual([
      'timeout',
      '17',
      'kubectl',
      'exec',
      '-n',
      'tenant-a',
      'client',
    ]);
  });

  it('says plainly what it cannot do yet (exit 3)', async () => {
    const { shell, calls } = recordingShell(() => ({}));
    const f = new TungstenFabric(shell, profile);
    const { ctx } = testContext(plan);
    for (const p of [f.install(), f.peer(), f.deployWorkloads(), f.applyIsolation()]) {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InfraError);
      expect(exitCodeOf(err)).toBe(3);
      expect((err as Error).message).toMatch(/not available yet/);
    }
    expect(calls).toEqual([]);
    expect(ctx).toBeDefined();
  });
});
