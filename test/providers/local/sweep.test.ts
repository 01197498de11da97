import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/log.js';
import { sweepRun } from '../../../src/providers/local/sweep.js';
import type { Sys, SysResult } from '../../../src/providers/local/sys.js';

/** iproute2 as a sweep meets it: one link of the run, whose delete answers `deleteAnswer`. */
function iproute(deleteAnswer: SysResult): Sys & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: (argv) => {
      calls.push(argv.join(' '));
      const line = argv.join(' ');
      if (line === 'ip -o link show')
        return Promise.resolve({
          code: 0,
          stdout:
            '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536\n7: teqzxwvup0@if6: <BROADCAST,MULTICAST> mtu 1500\n',
          stderr: '',
        });
      if (line.startsWith('ip link delete')) return Promise.resolve(deleteAnswer);
      return Promise.resolve({ code: 0, stdout: '', stderr: '' });
    },
  };
}

describe('the local sweep, link by link', () => {
  it('a veth the kernel removed meanwhile (its peer namespace went) counts as deleted', async () => {
    const sys = iproute({ code: 2, stdout: '', stderr: 'RTNETLINK answers: No such device\n' });
    const report = await sweepRun('qzxwvu', ['east'], sys, memoryLogger());
    expect(sys.calls).toContain('ip link delete teqzxwvup0');
    expect(report.remaining).toEqual([]);
    expect(report.deleted).toContainEqual({
      provider: 'local',
      site: '',
      kind: 'link',
      id: 'teqzxwvup0',
    });
  });

  it('negative control: a link that refuses to go is reported with the command that deletes it', async () => {
    const sys = iproute({
      code: 2,
      stdout: '',
      stderr: 'RTNETLINK answers: Operation not permitted\n',
    });
    const report = await sweepRun('qzxwvu', ['east'], sys, memoryLogger());
    expect(report.remaining).toEqual([
      {
        resource: { provider: 'local', site: '', kind: 'link', id: 'teqzxwvup0' },
        error: 'RTNETLINK answers: Operation not permitted',
        howToDelete: 'sudo ip link delete teqzxwvup0',
      },
    ]);
  });
});
