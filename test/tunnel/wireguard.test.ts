/**
 * The site-to-site tunnel as data (src/tunnel/wireguard.ts): keys the real
 * `wg` agrees with, the edge script under shellcheck with no private key in
 * it, a peer per other site, the wrong-tunnel-key fault, `wg show` output
 * read back; and the local provider's sweep of a wireguard-go that was
 * killed (its control socket is host-wide and stays behind).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../src/config/load.js';
import { buildPlanFromConfig } from '../../src/plan/plan.js';
import { memoryLogger } from '../../src/log.js';
import {
  ownsCommandLine,
  ownsWireguardSocket,
  WIREGUARD_SOCKET_DIR,
} from '../../src/providers/local/naming.js';
import { sweepRun } from '../../src/providers/local/sweep.js';
import { hostSys } from '../../src/providers/local/sys.js';
import {
  edgeScript,
  keyPair,
  keyPath,
  parseStatus,
  planTunnels,
  statusScript,
  tunnelDevice,
  UNDERLAY_MTU,
  WIREGUARD_OVERHEAD,
} from '../../src/tunnel/wireguard.js';
import { IS_ROOT } from '../local/helpers.js';
import { needsTool } from '../support/requirements.js';

const noWg = needsTool('WireGuard keys checked by wg', 'wg', 'wireguard-tools');
const noShellcheck = needsTool('the edge script under shellcheck', 'shellcheck', 'shellcheck');
const noWgGo = needsTool('a killed wireguard-go swept', 'wireguard-go', 'wireguard-go');

async function threeSites() {
  return buildPlanFromConfig(await loadSiteFile('examples/local-three.yml'));
}

const EDGES = [
  { site: 'east', host: 'east-edge', address: '198.19.0.10' },
  { site: 'west', host: 'west-edge', address: '198.19.0.11' },
  { site: 'north', host: 'north-edge', address: '198.19.0.12' },
];

describe('WireGuard tunnels as data', () => {
  it.skipIf(noWg)(
    "a key pair is one the real wg accepts: its public key is the private key's",
    () => {
      for (let i = 0; i < 5; i++) {
        const k = keyPair();
        expect(
          execFileSync('wg', ['pubkey'], { input: `${k.privateKey}\n`, encoding: 'utf8' }).trim(),
        ).toBe(k.publicKey);
      }
    },
  );

  it("every edge peers with every other: its underlay allowed and routed, the other end's key, MTU less the overhead", async () => {
    const plan = await threeSites();
    const edges = EDGES.filter((e) => plan.sites.some((s) => s.name === e.site));
    expect(edges.length).toBe(plan.sites.length);
    const tunnels = planTunnels('abc123', plan, edges);
    for (const t of tunnels) {
      const site = plan.sites.find((s) => s.name === t.site)!;
      expect(t.device).toBe(tunnelDevice('abc123', site.index));
      expect(t.device.length).toBeLessThanOrEqual(15);
      expect(t.mtu).toBe(UNDERLAY_MTU - WIREGUARD_OVERHEAD);
      expect(t.peers.map((p) => p.site)).toEqual(
        edges.filter((e) => e.site !== t.site).map((e) => e.site),
      );
      for (const p of t.peers) {
        const other = tunnels.find((x) => x.site === p.site)!;
        expect(p.publicKey).toBe(other.keys.publicKey);
        expect(p.endpoint).toBe(`${edges.find((e) => e.site === p.site)!.address}:51820`);
        expect(p.allowedIps).toEqual([plan.sites.find((s) => s.name === p.site)!.cidrs.underlay]);
      }
      const script = edgeScript(t, '/tmp/staged.key');
      expect(script).not.toContain(t.keys.privateKey);
      expect(script).toContain(`wg set ${t.device} private-key ${keyPath(t)} listen-port 51820`);
      for (const p of t.peers) {
        expect(script).toContain(`ip route replace ${p.allowedIps[0]} dev ${t.device}`);
      }
      expect(script).toContain(`install -D -m 0600 /tmp/staged.key ${keyPath(t)}`);
      if (!noShellcheck) {
        const r = spawnSync('shellcheck', ['--shell=bash', '--severity=info', '-'], {
          input: script,
          encoding: 'utf8',
        });
        expect({ code: r.status, out: r.stdout }).toEqual({ code: 0, out: '' });
      }
    }
  });

  it('wrong-tunnel-key: that site expects keys nobody holds; the other sites are unchanged', async () => {
    const plan = await threeSites();
    const faulty = structuredClone(plan);
    faulty.sites[0]!.faults = ['wrong-tunnel-key'];
    const edges = EDGES.filter((e) => plan.sites.some((s) => s.name === e.site));
    const tunnels = planTunnels('abc123', faulty, edges);
    const [bad, ...good] = tunnels;
    for (const p of bad!.peers) {
      expect(tunnels.map((t) => t.keys.publicKey)).not.toContain(p.publicKey);
      expect(p.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
    for (const t of good) {
      for (const p of t.peers)
        expect(p.publicKey).toBe(tunnels.find((x) => x.site === p.site)!.keys.publicKey);
    }
  });

  it('reads wg show: the handshake time and the counters per peer, no private key asked for', () => {
    const a = keyPair().publicKey;
    const b = keyPair().publicKey;
    expect(statusScript('teabc123g0')).not.toMatch(/private|dump|showconf/);
    expect(parseStatus(`${a}\t1796620826\n${b}\t0\n--\n${a}\t564\t656\n${b}\t0\t148\n`)).toEqual([
      { publicKey: a, latestHandshake: 1796620826, rxBytes: 564, txBytes: 656 },
      { publicKey: b, latestHandshake: 0, rxBytes: 0, txBytes: 148 },
    ]);
    expect(parseStatus('Unable to access interface: No such device\n')).toEqual([]);
  });

  it("the local sweep knows a run's wireguard-go by its interface, and its control socket", () => {
    expect(ownsCommandLine('abc123', ['wireguard-go', 'teabc123g0'])).toBe(true);
    expect(ownsCommandLine('abc123', ['/usr/bin/wireguard-go', 'teabc123g12'])).toBe(true);
    expect(ownsCommandLine('abc123', ['wireguard-go', 'tezzz999g0'])).toBe(false);
    expect(ownsCommandLine('abc123', ['bash', 'teabc123g0'])).toBe(false);
    expect(ownsWireguardSocket('abc123', 'teabc123g3.sock')).toBe(true);
    expect(ownsWireguardSocket('abc123', 'teabc123g3.sockx')).toBe(false);
    expect(ownsWireguardSocket('abc123', 'wg0.sock')).toBe(false);
  });

  it.skipIf(!IS_ROOT || noWgGo)(
    'a killed wireguard-go leaves its socket; teardown stops the process and removes the socket',
    async () => {
      const runId =
        'swg' +
        Math.random()
          .toString(36)
          .slice(2, 5)
          .replace(/[^a-z0-9]/g, 'x');
      const ns = `te-${runId}-east-edge`;
      const dev = tunnelDevice(runId, 0);
      execFileSync('ip', ['netns', 'add', ns]);
      try {
        execFileSync('ip', ['netns', 'exec', ns, 'wireguard-go', dev], { stdio: 'ignore' });
        const socket = `${WIREGUARD_SOCKET_DIR}/${dev}.sock`;
        expect(existsSync(socket)).toBe(true);
        const pid = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
          .trim()
          .split(/\s+/)[0]!;
        process.kill(Number(pid), 'SIGKILL');
        await new Promise((r) => setTimeout(r, 200));
        expect(existsSync(socket)).toBe(true);
        const report = await sweepRun(runId, ['east'], hostSys, memoryLogger());
        expect(existsSync(socket)).toBe(false);
        expect(report.deleted.map((r) => `${r.kind} ${r.id}`)).toEqual(
          expect.arrayContaining([`socket ${socket}`, `netns ${ns}`]),
        );
        expect(report.remaining).toEqual([]);
      } finally {
        spawnSync('ip', ['netns', 'del', ns]);
      }
    },
  );
});
