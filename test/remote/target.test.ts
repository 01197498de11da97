import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/providers/provider.js';
import { describeHost, endpointKey } from '../../src/remote/target.js';
import { remoteHostsOf } from '../../src/providers/remoteHosts.js';

const host = (name: string, jumpHost?: string): Host => ({
  name,
  site: 'east',
  role: 'worker',
  privateAddress: '10.0.0.9',
  ssh: { host: `${name}.example`, port: 22, user: 'ubuntu', ...(jumpHost ? { jumpHost } : {}) },
});

describe('remote targets from provider hosts', () => {
  it('resolves jump hosts by name', () => {
    const targets = remoteHostsOf([
      host('east-worker-1', 'east-master'),
      { ...host('east-master'), hostKeys: ['ssh-ed25519 AAAA'] },
    ]);
    const worker = targets.get('east-worker-1')!;
    expect(worker.jump).toBe(targets.get('east-master'));
    expect(worker.jump?.hostKeys).toEqual(['ssh-ed25519 AAAA']);
    expect(describeHost(worker)).toBe(
      'east-worker-1 (ubuntu@east-worker-1.example:22 via east-master)',
    );
    expect(endpointKey(worker)).not.toBe(endpointKey({ ...worker, jump: undefined }));
  });

  it('rejects unknown and cyclic jump hosts', () => {
    expect(() => remoteHostsOf([host('a', 'nobody')])).toThrow(
      /a jumps through unknown host nobody/,
    );
    expect(() => remoteHostsOf([host('a', 'b'), host('b', 'a')])).toThrow(/cycle/);
  });
});
