/**
 * The local provider's capacity check: what a plan's local sites need (hosts,
 * BIRDs, echo backends, memory) against this host's cores and available
 * memory, refused before anything is created with the measured limit named.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../../src/config/load.js';
import { UserError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';
import {
  availableMib,
  capacityErrors,
  localNeed,
  MEASURED,
  neighbourLimit,
  RSS_MIB,
} from '../../../src/providers/local/capacity.js';
import { LocalProvider } from '../../../src/providers/local/index.js';
import type { Sys } from '../../../src/providers/local/sys.js';

const dir = mkdtempSync(join(tmpdir(), 'te-capacity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plan(sites: number, workers = 1, namespaces = 2) {
  const text = [
    'tests:',
    `  namespaces: [${Array.from({ length: namespaces }, (_, i) => `ns-${i}`).join(', ')}]`,
    'sites:',
    ...Array.from({ length: sites }, (_, i) => [
      `  - name: s${i}`,
      '    provider: local',
      `    nodes: { workers: ${workers} }`,
    ]).flat(),
    '',
  ].join('\n');
  return buildPlanFromConfig(parseSiteFile(text, 'sites.yml'));
}

describe('local capacity', () => {
  it('counts what the local sites run: a namespace with sshd per host, a BIRD per node and master, an echo per namespace', () => {
    const need = localNeed(plan(2));
    expect(need).toMatchObject({ sites: 2, hosts: 6, birds: 6, backends: 4 });
    // four clients: at most four probers in flight
    expect(need.mib).toBe(
      6 * RSS_MIB.host + 6 * RSS_MIB.bird + 4 * RSS_MIB.echo + 4 * RSS_MIB.prober + RSS_MIB.runner,
    );
    expect(localNeed(plan(2, 3, 3))).toMatchObject({ hosts: 10, birds: 10, backends: 6 });
  });

  it('refuses more hosts per core than the largest run measured, naming it', () => {
    const perCore = MEASURED.hosts / MEASURED.cores;
    const ok = capacityErrors(localNeed(plan(MEASURED.sites)), {
      cores: MEASURED.cores,
      availableMib: 1 << 20,
    });
    expect(ok).toEqual([]);
    const sites = Math.floor(perCore / 3) + 1; // on one core
    const [e, more] = capacityErrors(localNeed(plan(sites)), { cores: 1, availableMib: 1 << 20 });
    expect(more).toBeUndefined();
    expect(e).toBeInstanceOf(UserError);
    expect(e!.message).toBe(
      `the ${sites} local sites need ${sites * 3} hosts (each a namespace with sshd and BIRD), and this machine has 1 CPU core: the largest run measured to pass had ${MEASURED.hosts} hosts (${MEASURED.sites} sites) on ${MEASURED.cores} cores, so at most ${Math.floor(perCore)} hosts here; remove sites or workers, or run on a machine with more cores.`,
    );
  });

  it('refuses more memory than 80% of what is available, with the measured figures', () => {
    const need = localNeed(plan(2));
    expect(capacityErrors(need, { cores: 2, availableMib: Math.ceil(need.mib / 0.8) })).toEqual([]);
    const [e] = capacityErrors(need, { cores: 2, availableMib: need.mib });
    expect(e!.message).toMatch(
      new RegExp(
        `^the 2 local sites need about ${need.mib} MiB \\(measured: ${RSS_MIB.host} MiB per host for sshd and its session, .*\\), and this machine has ${need.mib} MiB available, of which 80% may be used; `,
      ),
    );
    // unknown memory (no /proc/meminfo): only the cores are judged
    expect(capacityErrors(need, { cores: 2, availableMib: undefined })).toEqual([]);
  });

  it("refuses more neighbour entries than the kernel keeps (20 sites on a default kernel lost the last sites' paths), naming the sysctl", () => {
    // as counted on a 20-site run: 1044 entries in the kernel's one arp_cache (40 edges… see capacity.ts)
    const twenty = localNeed(plan(20));
    expect(twenty.neighbours).toBeGreaterThan(1000);
    expect(twenty.neighbours).toBeLessThan(1100);
    const host = { cores: 64, availableMib: 1 << 20, neighbourLimit: 1024 };
    const [e] = capacityErrors(twenty, host);
    expect(e!.message).toBe(
      `the 20 local sites need about ${twenty.neighbours} neighbour (ARP) entries across their namespaces, and this kernel keeps at most 1024 for all namespaces together (net.ipv4.neigh.default.gc_thresh3); past it the last paths made are dropped. Raise it with "sudo sysctl -w net.ipv4.neigh.default.gc_thresh3=2048 net.ipv4.neigh.default.gc_thresh2=1024", or remove sites.`,
    );
    // the figure it suggests is enough; fewer sites fit the default; the test's two sites by far
    expect(capacityErrors(twenty, { ...host, neighbourLimit: 2048 })).toEqual([]);
    expect(capacityErrors(localNeed(plan(18)), host)).toEqual([]);
    expect(localNeed(plan(2)).neighbours).toBeLessThan(50);
  });

  it('reads MemAvailable from /proc/meminfo (and nothing from a file without it)', async () => {
    const file = join(dir, 'meminfo');
    writeFileSync(file, 'MemTotal:       24684000 kB\nMemAvailable:   2048000 kB\nBuffers: 1 kB\n');
    expect(await availableMib(file)).toBe(2000);
    writeFileSync(file, 'MemTotal:       24684000 kB\n');
    expect(await availableMib(file)).toBeUndefined();
    expect(await availableMib(join(dir, 'missing'))).toBeUndefined();
    expect(await availableMib()).toBeGreaterThan(0);
    writeFileSync(file, '1024\n');
    expect(await neighbourLimit(file)).toBe(1024);
    writeFileSync(file, 'x');
    expect(await neighbourLimit(file)).toBeUndefined();
  });

  it('the provider refuses such a plan in preflight, before it runs a single command', async () => {
    const calls: string[][] = [];
    const sys: Sys = {
      run: async (argv) => {
        calls.push([...argv]);
        return { code: 0, stdout: '', stderr: '' };
      },
    };
    const provider = new LocalProvider({
      sys,
      capacity: async () => ({ cores: 1, availableMib: 512, neighbourLimit: 1024 }),
    });
    const p = plan(30);
    const ctx = { logger: memoryLogger(), signal: new AbortController().signal };
    const e = await provider.preflight(p.sites, p, ctx).then(
      () => undefined,
      (x: unknown) => x as Error,
    );
    expect(e?.message).toContain('the 30 local sites need 90 hosts');
    expect(e?.message).toContain('this machine has 512 MiB available');
    expect(e?.message).toContain('net.ipv4.neigh.default.gc_thresh3');
    expect(calls).toEqual([]);
  });
});
