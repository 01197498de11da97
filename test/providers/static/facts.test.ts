import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../../src/config/profile.js';
import type { HostPlan } from '../../../src/plan/types.js';
import { factsProblem, parseFacts } from '../../../src/providers/static/facts.js';

const master: HostPlan = {
  name: 'onprem-master',
  role: 'master',
  privateAddress: '192.168.10.10',
  ssh: { address: '203.0.113.10', port: 22, user: 'centos' },
};
const profile = loadProfile('tf-2018');

describe('static host facts', () => {
  it('reads kernel, MemTotal, root filesystem size and whether the user can become root', () => {
    expect(parseFacts('3.10.0-862.14.4.el7.x86_64\n32779164\n51473888\nroot-ok\n')).toEqual({
      kernel: '3.10.0-862.14.4.el7.x86_64',
      memTotalKiB: 32779164,
      rootFsKiB: 51473888,
      canBecomeRoot: true,
    });
    expect(parseFacts('Linux\nnot a number\n1\nroot-ok')).toBeUndefined();
    expect(parseFacts('5.14.0\n1000\n1000\n')).toBeUndefined();
  });

  it('accepts a 32 GiB machine whose MemTotal is a little under 32 GiB', () => {
    const facts = parseFacts('5.14.0\n32003404\n52428800\nroot-ok')!;
    expect(factsProblem(master, 'centos@203.0.113.10:22', facts, profile)).toBeUndefined();
  });

  it('refuses with the real figures, and a user without sudo', () => {
    const small = parseFacts('5.14.0\n16265820\n31441920\nroot-ok')!;
    expect(factsProblem(master, 'centos@203.0.113.10:22', small, profile)).toBe(
      'static host onprem-master (centos@203.0.113.10:22) has 16 GiB of memory (MemTotal 16265820 kB) and a 30 GiB root filesystem, but profile tf-2018 needs a master with at least 32 GiB of memory and 50 GiB of disk (90 % of that is accepted, for what the kernel and filesystem keep); use a larger machine for this role.',
    );
    const noSudo = parseFacts('5.14.0\n33554432\n52428800\nno-sudo')!;
    expect(factsProblem(master, 'x', noSudo, profile)).toMatch(/give centos passwordless sudo/);
  });
});
