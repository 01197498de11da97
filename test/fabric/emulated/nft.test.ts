import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { renderIsolation, renderServices } from '../../../src/fabric/emulated/nft.js';
import { newRunId } from '../../../src/state/runState.js';
import { needsRoot } from '../../support/requirements.js';

const notRoot = needsRoot('nftables programs accepted by the kernel (nft -c)');

describe('nftables programs of the emulated vrouter', () => {
  const services = renderServices('ab12cd', [
    { vip: '10.96.0.10', port: 80, targetPort: 8080, backends: ['10.32.1.2'] },
    { vip: '10.96.0.11', port: 80, targetPort: 8080, backends: ['10.32.1.3', '10.32.1.4'] },
    { vip: '10.96.0.12', port: 80, targetPort: 8080, backends: [] },
  ]);
  const isolation = renderIsolation('ab12cd', [
    {
      pod: 'tenant-a/echo',
      link: 'teab12cdq0',
      rules: {
        direct: { any: false, ips: ['10.32.1.2', '10.128.1.2'] },
        viaService: { any: true },
        egressDenied: false,
      },
    },
    {
      pod: 'tenant-b/echo',
      link: 'teab12cdq1',
      rules: { direct: { any: true }, viaService: { any: true }, egressDenied: true },
    },
    {
      pod: 'tenant-b/client',
      link: 'teab12cdq2',
      rules: {
        direct: { any: false, ips: [] },
        viaService: { any: false, ips: [] },
        egressDenied: false,
      },
    },
  ]);

  it('DNATs each VIP to the backends on this node, replacing the table in one transaction', () => {
    expect(services.split('\n').slice(0, 3)).toEqual([
      'table inet te_ab12cd_svc {}',
      'delete table inet te_ab12cd_svc',
      'table inet te_ab12cd_svc {',
    ]);
    expect(services).toContain('ip daddr 10.96.0.10 tcp dport 80 dnat ip to 10.32.1.2:8080');
    expect(services).toContain(
      'ip daddr 10.96.0.11 tcp dport 80 dnat ip to numgen random mod 2 map { 0 : 10.32.1.3, 1 : 10.32.1.4 }:8080',
    );
    expect(services).not.toContain('10.96.0.12');
  });

  it('filters in front of each pod: via a service, directly, and its egress', () => {
    expect(isolation).toContain('ct state established,related accept');
    expect(isolation).toContain('oifname "teab12cdq0" jump to_0');
    expect(isolation).toContain('ct status dnat accept');
    expect(isolation).toContain('ip saddr { 10.32.1.2, 10.128.1.2 } accept');
    expect(isolation).toContain('iifname "teab12cdq1" drop');
    // denied traffic is dropped as TF drops it (the client times out), never rejected
    expect(isolation).not.toContain('reject');
    expect(isolation).not.toContain('jump to_1');
    // nothing allowed: no accept at all in its chain
    const chain = isolation.slice(isolation.indexOf('chain to_2 {'));
    expect(chain.slice(0, chain.indexOf('}'))).not.toContain('accept');
  });

  describe.skipIf(notRoot)(
    'accepted by the kernel (nft -c in a throwaway namespace, as root)',
    () => {
      const ns = `te-${newRunId()}-nfttest`;
      afterAll(() => {
        spawnSync('ip', ['netns', 'delete', ns]);
      });
      it('both programs check, twice in a row (the replacement works on an existing table)', () => {
        expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
        for (let i = 0; i < 2; i++) {
          for (const program of [services, isolation]) {
            const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
              input: program,
              encoding: 'utf8',
            });
            expect(r.stderr).toBe('');
            expect(r.status).toBe(0);
          }
        }
        const list = spawnSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables'], {
          encoding: 'utf8',
        });
        expect(list.stdout.trim().split('\n').sort()).toEqual([
          'table inet te_ab12cd_iso',
          'table inet te_ab12cd_svc',
        ]);
      });
    },
  );
});
