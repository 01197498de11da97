/**
 * `run` on a static site file, through every phase, as a user with two
 * machines of their own would start it: the real static provider logs in to
 * each site's master (a real OpenSSH sshd on its own loopback address) with
 * the user's key and installs the run key; the tungsten fabric installs
 * Kubernetes and OpenSDN with the profile's scripts, waits for
 * contrail-status, peers the control nodes through the config API, deploys
 * the workloads and probes them with `kubectl exec`; the report is written
 * and the teardown takes the run key and directory off the machines again.
 *
 * Stand-ins (./standins, answering in the real tools' formats) play the
 * system tools the scripts call (dnf, rpm, systemctl, kubeadm, kubectl,
 * contrail-status, …) and the pods' nc; the config API and introspect are the
 * in-test stand-in (configApiStandIn.ts). Every path the install touches is
 * under a directory per machine, so this machine is not changed. The sites
 * have no edge host (a static pair the user has already connected): no
 * WireGuard tunnel is made here; the tunnel is proven on the local provider.
 * This machine is smaller than the profile's master minimum, so the
 * provider is handed the profile with low minimums; every other part of the
 * plan is the site file's.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSiteFile } from '../../../src/config/load.js';
import { runCommand } from '../../../src/commands/run.js';
import { TungstenFabric } from '../../../src/fabric/tungsten/index.js';
import { memoryLogger } from '../../../src/log.js';
import type { PipelineEnv } from '../../../src/pipeline.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import type { Provider } from '../../../src/providers/provider.js';
import { StaticProvider } from '../../../src/providers/static/provider.js';
import { HostKeyStore } from '../../../src/remote/hostKeys.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  startServer,
  tempDir,
  type Server,
} from '../../remote/harness.js';
import { ConfigApiStandIn } from './configApiStandIn.js';
import { kubeWorld, openNet, type SiteWorld } from './kubeWorld.js';

const STANDINS = resolve('test/fabric/tungsten/standins');
const MANIFEST = readFileSync('test/fixtures/manifests/opensdn-standalone.yaml', 'utf8');
const DOC = 'test/fixtures/docs/install-steps.md';
const SITES = [
  {
    name: 'east',
    underlay: '172.16.0.0/24',
    master: '172.16.0.10',
    edge: '172.16.0.5',
    asn: 64512,
    octet: 32,
  },
  {
    name: 'west',
    underlay: '172.17.0.0/24',
    master: '172.17.0.10',
    edge: '172.17.0.5',
    asn: 64513,
    octet: 40,
  },
];

interface Machine {
  site: string;
  host: string;
  root: string;
  server: Server;
  api: ConfigApiStandIn;
  markerRoot: string;
}

/** A site's edge: its own sshd, the edge stand-ins (ip, wg) first on its PATH. */
interface Edge {
  site: string;
  host: string;
  root: string;
  server: Server;
  markerRoot: string;
}

describeWithSshd('run on a static site file through every phase (stand-in tools)', () => {
  const cleanup = new Cleanup();
  const userKey = generateRunKey();
  const machines: Machine[] = [];
  const edges: Edge[] = [];
  const worlds: SiteWorld[] = SITES.map((s) => ({ site: s.name, octet: s.octet }));
  let dir: string;
  let log: string;
  let sitesText: string;
  let plan: Plan;

  beforeAll(async () => {
    dir = tempDir(cleanup, 'te-static-run-');
    log = join(dir, 'calls.log');
    writeFileSync(log, '');
    const second = 100 + Math.floor(Math.random() * 150);
    for (const [i, s] of SITES.entries()) {
      const host = `${s.name}-master`;
      const root = join(dir, host);
      mkdirSync(root, { recursive: true });
      // a Rocky 9 machine (the uname stand-in answers with the kernel booted)
      writeFileSync(join(root, 'booted-kernel'), '5.14.0-427.13.1.el9_4.x86_64\n');
      const server = await startServer(cleanup, userKey, {
        name: host,
        listenAddress: `127.${second}.${i}.1`,
        env: {
          PATH: `${STANDINS}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
          TE_ROOT: root,
          TE_LOG: log,
          TE_HOST: host,
          TE_PROFILE: 'opensdn-24',
        },
      });
      const api = new ConfigApiStandIn(host, s.master);
      await api.start();
      cleanup.add(() => api.stop());
      api.seedCluster();
      machines.push({
        site: s.name,
        host,
        root,
        server,
        api,
        markerRoot: join(dir, `runs-${host}`),
      });
      const edgeHost = `${s.name}-edge`;
      const edgeRoot = join(dir, edgeHost);
      mkdirSync(join(edgeRoot, 'tmp'), { recursive: true });
      edges.push({
        site: s.name,
        host: edgeHost,
        root: edgeRoot,
        markerRoot: join(dir, `runs-${edgeHost}`),
        server: await startServer(cleanup, userKey, {
          name: edgeHost,
          listenAddress: `127.${second}.${i}.2`,
          env: {
            PATH: `${STANDINS}/edge:${STANDINS}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
            TE_ROOT: edgeRoot,
            TE_LOG: log,
            TE_HOST: edgeHost,
          },
        }),
      });
    }
    sitesText = [
      'profile: opensdn-24',
      'tests: { suites: [connectivity] }',
      'sites:',
      ...SITES.flatMap((s, i) => [
        `  - name: ${s.name}`,
        '    provider: static',
        `    cidrs: { underlay: ${s.underlay} }`,
        `    asn: ${s.asn}`,
        '    hosts:',
        `      - { address: ${machines[i]!.server.host.host}, port: ${machines[i]!.server.sshd.port}, role: master, private-address: ${s.master} }`,
        `      - { address: ${edges[i]!.server.host.host}, port: ${edges[i]!.server.sshd.port}, role: edge, private-address: ${s.edge} }`,
      ]),
      '',
    ].join('\n');
    writeFileSync(join(dir, 'sites.yml'), sitesText);
    plan = buildPlanFromConfig(await loadSiteFile(join(dir, 'sites.yml')));
  }, 60_000);

  afterAll(() => cleanup.run(), 60_000);

  /** Each machine's cluster: the workloads running, its client pods' network as `net` says. */
  const setWorld = (net: (site: string) => string) => {
    for (const [i, m] of machines.entries()) {
      writeFileSync(join(m.root, 'world.json'), kubeWorld(worlds[i]!));
      writeFileSync(join(m.root, 'net.txt'), net(m.site));
      writeFileSync(join(m.root, 'gets'), '0');
    }
  };

  const env = (): Omit<PipelineEnv, 'logger'> => {
    const byHost = (name: string) => machines.find((m) => m.host === name)!;
    const anyHost = (name: string) => [...machines, ...edges].find((m) => m.host === name)!;
    const edgeKeys = (name: string) => join(anyHost(name).root, 'etc/tungsten-e2e/wireguard');
    const staticProvider = new StaticProvider({
      privateKey: userKey.privateKey,
      sites: plan.sites,
      markerRoot: (h) => anyHost(h.name).markerRoot,
      authorizedKeysFile: (h) => anyHost(h.name).server.sshd.files.authorizedKeys,
      hostKeys: new HostKeyStore(),
      edgeKeyDir: (h) => edgeKeys(h.name),
    });
    // this machine is smaller than a master: the facts are checked against low minimums
    const small = (p: Plan): Plan => {
      const q = structuredClone(p);
      for (const role of ['master', 'worker', 'edge'] as const)
        q.profile.minimums[role] = { 'memory-gib': 1, 'disk-gib': 1 };
      return q;
    };
    const provider: Provider = {
      name: 'static',
      keepsMachines: staticProvider.keepsMachines,
      preflight: (sites, p, ctx) => staticProvider.preflight(sites, small(p), ctx),
      provision: (site, p, ctx) => staticProvider.provision(site, small(p), ctx),
      destroy: (t, ctx) => staticProvider.destroy(t, ctx),
      listExpired: (now, ctx) => staticProvider.listExpired(now, ctx),
    };
    return {
      providers: async () => provider,
      fabric: () => (run) =>
        new TungstenFabric({
          runId: run.runId,
          remote: run.remote,
          credentials: run.credentials,
          manifestText: async () => MANIFEST,
          rootOf: (h) => byHost(h).root,
          endpoints: (m) => ({
            address: '127.0.0.1',
            configPort: byHost(m.name).api.configPort,
            introspectPort: byHost(m.name).api.introspectPort,
          }),
          pollMs: 100,
          workloadDeadlineMs: 10_000,
          ...(run.transcriptDir ? { transcriptDir: run.transcriptDir } : {}),
          ...(run.docSteps ? { docSteps: run.docSteps } : {}),
        }),
      readyDeadlineMs: 20_000,
      connectDeadlineMs: 10_000,
      // the edges' keys under their stand-in roots, not this machine's /etc
      edgeFiles: (_site, host) => ({
        keyDir: edgeKeys(host),
        stageDir: join(anyHost(host).root, 'tmp'),
      }),
    };
  };

  const runOnce = async (runId: string, doc?: string) => {
    const logger = memoryLogger();
    const annotations: string[] = [];
    const out: string[] = [];
    const results = join(dir, `results-${runId}`);
    const report = await runCommand(
      {
        sites: join(dir, 'sites.yml'),
        runId,
        stateDir: join(dir, `state-${runId}`),
        resultsDir: results,
        ...(doc ? { doc } : {}),
      },
      {
        logger: { ...logger, errorAt: (m, w) => annotations.push(`${w.file}:${w.line} ${m}`) },
        stdout: (t) => out.push(t),
      },
      env(),
    );
    return { report, logger, out: out.join(''), results, annotations };
  };

  it('provisions, installs, waits for TF, peers, deploys, probes, reports and tears down: every check passes', async () => {
    setWorld(() => openNet(worlds));
    const { report, logger, out, results } = await runOnce('kstat1');
    const lines = logger.lines.join('\n');
    expect(report.exitCode, `${out}\n${lines}`).toBe(0);
    // every phase ran, in order
    expect(report.results.phases.map((p) => `${p.name} ${p.status}`)).toEqual([
      'load ok',
      'plan ok',
      'provision ok',
      'install ok',
      'ready ok',
      'connect ok',
      'test ok',
      'report ok',
      'teardown ok',
    ]);
    // the install's steps on each site, then TF's own checks and the peering through the config API
    for (const s of SITES) {
      const install = report.results.phases.find((p) => p.name === 'install')!;
      const steps = install.steps!.filter((x) => x.site === s.name).map((x) => x.name);
      expect(steps).toEqual(expect.arrayContaining(['host prep', 'kubeadm init', 'tf manifest']));
    }
    const calls = readFileSync(log, 'utf8');
    for (const m of machines) {
      expect(calls).toContain(`${m.host} kubeadm init --config `);
      expect(calls).toContain(`${m.host} contrail-status`);
      expect(calls).toMatch(
        new RegExp(`${m.host} kubectl exec -n tenant-a client-${m.site}0 -- sh -c`),
      );
      const peer = machines.find((x) => x !== m)!;
      expect(
        m.api.requests.some(
          (r) =>
            r.method === 'POST' &&
            r.path === '/bgp-routers' &&
            JSON.stringify(r.body).includes(peer.host),
        ),
      ).toBe(true);
    }
    // connectivity: every client reaches every backend and service of both sites
    const checks = report.results.checks.filter((c) => c.suite === 'connectivity');
    expect(checks.length).toBe(16);
    expect(checks.every((c) => c.status === 'pass')).toBe(true);
    expect(report.results.sites.map((s) => `${s.name} ${s.provider}`)).toEqual([
      'east static',
      'west static',
    ]);
    expect(existsSync(join(results, 'results.json'))).toBe(true);
    // what the fabric ran on each machine, for the user to read
    for (const m of machines) {
      expect(readFileSync(join(results, 'transcripts', `${m.host}.log`), 'utf8')).toContain(
        'kubeadm init',
      );
    }
    expect(readFileSync(join(results, 'results.md'), 'utf8')).toContain('connectivity');
    // the truth tables and totals of the emulated fabric's runs, from the same code
    expect(out).toContain('connectivity: expected');
    expect(out).toContain('connectivity: 16 checks, 16 pass, 0 fail, 0 flaky');
    expect(out).toContain('run kstat1: torn down');
    // the sites joined over their edges: the tunnel set up by the edge script, its handshake read back
    expect(report.results.tunnels).toEqual([
      { a: 'east', b: 'west', handshake: true, rxBytes: 4096, txBytes: 8192 },
    ]);
    for (const [i, e] of edges.entries()) {
      const dev = `tekstat1g${i}`;
      expect(calls).toContain(`${e.host} ip link add dev ${dev} type wireguard`);
      expect(calls).toContain(
        `${e.host} wg set ${dev} private-key ${join(e.root, 'etc/tungsten-e2e/wireguard')}/${dev}.key listen-port 51820`,
      );
      expect(calls).toMatch(
        new RegExp(
          `${e.host} ip route replace ${SITES[1 - i]!.underlay.replace(/[./]/g, '\\$&')} dev ${dev}`,
        ),
      );
    }
    // nothing of the run is left on the edges: the devices, their routes and their keys are gone
    for (const e of edges) {
      expect(readdirSync(join(e.root, 'links'))).toEqual([]);
      expect(readFileSync(join(e.root, 'routes'), 'utf8')).toBe('');
      expect(readdirSync(join(e.root, 'etc/tungsten-e2e/wireguard'))).toEqual([]);
    }
    // nothing of the run is left on the kept clusters: test namespaces, peers, route targets
    for (const m of machines) {
      const peer = machines.find((x) => x !== m)!;
      expect(calls).toContain(
        `${m.host} kubectl delete namespace -l tungsten-e2e.io/workload=true --ignore-not-found --wait=true --timeout=300s`,
      );
      expect(m.api.all('bgp-router').map((r) => (r.fq_name as string[]).at(-1))).toEqual([m.host]);
      // the network's own route target stays; the shared one the run added is gone
      for (const vn of m.api.all('virtual-network')) {
        expect(vn.route_target_list).toEqual({ route_target: ['target:64512:8000003'] });
      }
      expect(lines).toContain(
        `teardown kstat1: ${m.site}: removed namespace tenant-a, namespace tenant-b, bgp-router ${peer.host}, route target `,
      );
    }
    // nothing of the run is left on the machines: its key and its run directory are gone
    for (const m of [...machines, ...edges]) {
      expect(readFileSync(m.server.sshd.files.authorizedKeys, 'utf8')).not.toContain('kstat1');
      expect(existsSync(m.markerRoot) ? readdirSync(m.markerRoot) : []).toEqual([]);
    }
  }, 120_000);

  it("the control: west's backends refuse east's clients, so every check from east into west fails and the run exits 1", async () => {
    setWorld((site) => openNet(worlds, site === 'east' ? ['west'] : []));
    const { report, out } = await runOnce('kstat2');
    expect(report.exitCode, out).toBe(1);
    const failed = report.results.checks.filter((c) => c.status === 'fail');
    expect(failed.length).toBe(8);
    expect(failed.every((c) => c.from.startsWith('east/') && c.to.startsWith('west/'))).toBe(true);
    expect(out).toContain('run kstat2: torn down');
  }, 120_000);

  it("run --doc: the doc's marked steps, as the site renders them, run in place of the TF apply with the plan's values", async () => {
    setWorld(() => openNet(worlds));
    const { report, out, logger } = await runOnce('kstat3', DOC);
    expect(report.exitCode, `${out}\n${logger.lines.join('\n')}`).toBe(0);
    const install = report.results.phases.find((p) => p.name === 'install')!;
    const east = install.steps!.filter((x) => x.site === 'east').map((x) => x.name);
    expect(east.slice(-2)).toEqual([`doc step 1 (${DOC}:11)`, `doc step 2 (${DOC}:19)`]);
    expect(east).not.toContain('tf manifest');
    for (const [i, m] of machines.entries()) {
      // the doc's example address replaced by the master's, the manifest applied
      expect(readFileSync(join(m.root, 'tf.yaml'), 'utf8')).toBe(`server: ${SITES[i]!.master}\n`);
      expect(existsSync(join(m.root, 'var/lib/contrail/kafka-logs'))).toBe(true);
    }
  }, 120_000);

  it("run --doc, the control: the edit that dropped {% raw %} breaks the sed at the doc's line, reported there", async () => {
    setWorld(() => openNet(worlds));
    const broken = join(dir, 'install-steps.md');
    writeFileSync(broken, readFileSync(DOC, 'utf8').replace(/\{% (end)?raw %\}\n/g, ''));
    const { report, annotations } = await runOnce('kstat4', broken);
    expect(report.exitCode).toBe(3);
    expect(report.results.error).toMatch(
      new RegExp(
        `${broken}:18: the doc's step failed on (east|west)-master \\(exit 1\\): .*no previous regular expression`,
      ),
    );
    // the broken doc's own line: the block starts a line earlier without its {% raw %}
    expect(annotations.some((a) => a.startsWith(`${broken}:18 `))).toBe(true);
    expect(report.teardown?.complete).toBe(true);
  }, 120_000);
});
