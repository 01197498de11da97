/**
 * The tungsten fabric's install on real hosts: one real OpenSSH sshd per
 * node (two tf-2018 sites, a master and a worker each), the real SSH pool,
 * real bash running the rendered scripts, real files. The system tools the
 * scripts call (yum, rpm, uname, grubby, systemctl, kubeadm, kubectl, curl,
 * docker, …) are stand-ins from ./standins that record each call and answer
 * as the real tools do; every path the install touches is placed under a
 * directory per host (the install's `root`), so this machine is not changed.
 * A reboot is the real pool's reboot against a "machine" that takes its sshd
 * down and brings it back with a new boot id, booted into the kernel grubby
 * was told to use.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSiteFile } from '../../../src/config/load.js';
import { InfraError } from '../../../src/errors.js';
import { ReadinessError, waitReady } from '../../../src/health/waitReady.js';
import type { FabricContext, FabricSite } from '../../../src/fabric/fabric.js';
import { ArtifactCache } from '../../../src/fabric/tungsten/artifacts.js';
import { ImageStore } from '../../../src/fabric/tungsten/images/store.js';
import { TungstenFabric } from '../../../src/fabric/tungsten/index.js';
import { memoryLogger } from '../../../src/log.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  makePool,
  sleep,
  startServer,
  tempDir,
  type Server,
} from '../../remote/harness.js';
import { registryUnavailable, startRegistry } from './registryServer.js';

const STANDINS = resolve('test/fabric/tungsten/standins');
const noRegistry = registryUnavailable('image pushes from a real registry');
const PASSWORD = 'pw-standin-Qx7-never-shown';
const key = generateRunKey();
const cleanup = new Cleanup();
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

interface Node {
  name: string;
  root: string;
  server: Server;
}

/** Plays each machine: on the trigger, sshd goes down, boots the kernel grubby chose, comes back. */
function machine(node: Node): () => Promise<void> {
  const trigger = join(node.root, 'reboot-requested');
  writeFileSync(join(node.root, 'boot_id'), 'boot-1\n');
  let stopped = false;
  let boots = 1;
  const loop = (async () => {
    while (!stopped) {
      if (existsSync(trigger)) {
        rmSync(trigger);
        await node.server.sshd.stop();
        await sleep(300);
        const chosen = join(node.root, 'grub-default');
        if (existsSync(chosen))
          writeFileSync(join(node.root, 'booted-kernel'), readFileSync(chosen));
        writeFileSync(join(node.root, 'boot_id'), `boot-${++boots}\n`);
        await node.server.restart();
      }
      await sleep(20);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

describeWithSshd('tungsten install on real sshd hosts with stand-in tools', () => {
  let plan: Plan;
  let sites: FabricSite[];
  let nodes: Map<string, Node>;
  let log: string;
  let dir: string;
  let steps: string[];
  let fabric: (over?: Partial<ConstructorParameters<typeof TungstenFabric>[0]>) => TungstenFabric;
  let ctx: FabricContext;
  let logger: ReturnType<typeof memoryLogger>;

  const calls = () => readFileSync(log, 'utf8').trim().split('\n');

  beforeAll(async () => {
    dir = tempDir(cleanup, 'te-tf-install-');
    log = join(dir, 'calls.log');
    writeFileSync(log, '');
    plan = buildPlanFromConfig(
      await loadSiteFile('examples/aws-azure.yml', { registryUsername: 'ci-bot' }),
    );
    // the stand-in curl serves known content: pin its checksums (the real pins are tested below)
    plan = structuredClone(plan);
    plan.profile.kubernetes.binaries.checksums = {
      kubeadm: `sha1:${sha1('standin binary kubeadm\n')}`,
      kubectl: `sha1:${sha1('standin binary kubectl\n')}`,
    };
    nodes = new Map();
    for (const site of plan.sites) {
      for (const h of site.hosts.filter((x) => x.role !== 'edge')) {
        const root = join(dir, h.name);
        mkdirSync(root, { recursive: true });
        const server = await startServer(cleanup, key, {
          name: h.name,
          env: {
            PATH: `${STANDINS}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
            TE_ROOT: root,
            TE_LOG: log,
            TE_HOST: h.name,
          },
        });
        const node = { name: h.name, root, server };
        nodes.set(h.name, node);
        cleanup.add(machine(node));
      }
    }
    sites = plan.sites.map((p) => ({
      plan: p,
      machines: {
        name: p.name,
        provider: p.provider,
        hosts: p.hosts
          .filter((h) => h.role !== 'edge')
          .map((h) => ({
            name: h.name,
            site: p.name,
            role: h.role,
            privateAddress: h.privateAddress,
            ssh: { host: '127.0.0.1', port: nodes.get(h.name)!.server.sshd.port, user: 'root' },
          })),
      },
    }));
    const { pool } = makePool(cleanup, key, {
      reboot: {
        command: { script: 'touch "$TE_ROOT/reboot-requested"' },
        bootIdCommand: { script: 'cat "$TE_ROOT/boot_id"' },
        sudo: false,
      },
    });
    const manifest = readFileSync('test/fixtures/manifests/tf-2018-single-step.yaml', 'utf8');
    fabric = (over = {}) =>
      new TungstenFabric({
        runId: 'tstand',
        remote: pool,
        credentials: { registryPassword: PASSWORD },
        manifestText: async () => manifest,
        rootOf: (h) => nodes.get(h)!.root,
        rebootDeadlineMs: 30_000,
        transcriptDir: join(dir, 'transcripts'),
        ...over,
      });
    steps = [];
    logger = memoryLogger();
    ctx = {
      plan,
      logger,
      signal: new AbortController().signal,
      step: async (site, name, fn) => {
        steps.push(`${site}: ${name}`);
        return fn();
      },
    };
  }, 60_000);

  afterAll(() => cleanup.run(), 60_000);

  it('installs both sites: every step in order, each on its hosts, the pinned kernel booted, the workers joined', async () => {
    const f = fabric();
    await Promise.all(sites.map((s) => f.install(s, ctx)));
    const order = [
      'host prep',
      'kernel',
      'container runtime',
      'images',
      'kubernetes',
      'kubeadm init',
      'join',
      'node labels',
      'tf manifest',
    ];
    for (const s of sites) {
      expect(steps.filter((x) => x.startsWith(`${s.plan.name}: `))).toEqual(
        order.map((o) => `${s.plan.name}: ${o}`),
      );
    }
    const all = calls();
    const of = (host: string) =>
      all.filter((l) => l.startsWith(`${host} `)).map((l) => l.slice(host.length + 1));
    const master = `${sites[0]!.plan.name}-master`;
    const worker = `${sites[0]!.plan.name}-worker-1`;
    // the master's calls, in the order of the steps
    const seq = of(master);
    const first = (re: RegExp) => seq.findIndex((l) => re.test(l));
    const marks = [
      /^hostnamectl set-hostname /,
      /^yum install -y kernel-3\.10\.0-862\.14\.4\.el7$/,
      /^grubby --set-default /,
      /^yum install -y docker-1\.13\.1/,
      /^docker login --username ci-bot --password-stdin \S+$/,
      /^curl .*kubeadm$/,
      /^kubeadm init --config /,
      /^kubeadm token create/,
      /^kubectl label node /,
      /^kubectl apply -f /,
    ].map(first);
    expect(
      marks.every((m) => m >= 0),
      seq.join('\n'),
    ).toBe(true);
    expect([...marks].sort((a, b) => a - b)).toEqual(marks);
    // the reboot: once per node, into the pinned kernel
    for (const n of nodes.values()) {
      expect(readFileSync(join(n.root, 'booted-kernel'), 'utf8').trim()).toBe(
        '3.10.0-862.14.4.el7.x86_64',
      );
      expect(readFileSync(join(n.root, 'boot_id'), 'utf8').trim()).toBe('boot-2');
    }
    // the plan's registry mirror, in docker's config before the first pull; docker restarted for it
    for (const n of nodes.values()) {
      expect(JSON.parse(readFileSync(join(n.root, 'etc/docker/daemon.json'), 'utf8'))).toEqual({
        'registry-mirrors': ['https://mirror.gcr.io'],
      });
    }
    expect(seq.indexOf('systemctl restart docker')).toBeGreaterThan(
      first(/^yum install -y docker/),
    );
    expect(seq.indexOf('systemctl restart docker')).toBeLessThan(first(/^docker login/));
    // the worker: no kubeadm init, joined with the master's command, which arrived 0600
    expect(of(worker).some((l) => l.startsWith('kubeadm init'))).toBe(false);
    expect(of(worker)).toContain(
      'kubeadm join 172.16.0.10:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:5d1f',
    );
    const joinFile = join(nodes.get(worker)!.root, 'etc/tungsten-e2e/join.sh');
    expect(statSync(joinFile).mode & 0o777).toBe(0o600);
    // the manifest applied on the master is the rendered one
    const applied = readFileSync(
      join(
        nodes.get(master)!.root,
        'etc/tungsten-e2e/contrail-single-step-cni-install-centos.yaml',
      ),
      'utf8',
    );
    expect(applied).not.toContain('{{ K8S_MASTER_IP }}');
    expect(applied).toContain(
      sites[0]!.plan.hosts.find((h) => h.role === 'master')!.privateAddress,
    );
    // the password: on stdin only (the stand-in counts its bytes), in a 0600 file, never in a call or a log
    expect(all).toContain(`${master} docker-login-password-bytes ${PASSWORD.length}`);
    expect(readFileSync(log, 'utf8')).not.toContain(PASSWORD);
    expect(logger.lines.join('\n')).not.toContain(PASSWORD);
    const pwFile = join(nodes.get(master)!.root, 'etc/tungsten-e2e/registry-password');
    expect(statSync(pwFile).mode & 0o777).toBe(0o600);
    // the transcript per host: each step's exit and time, its output's tail, read without a rerun
    const transcript = join(dir, 'transcripts', `${master}.log`);
    expect(statSync(transcript).mode & 0o777).toBe(0o600);
    const entries = readFileSync(transcript, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('=== '))
      .map((l) => l.replace(/^=== \S+ /, '').replace(/ in [\d.]+s$/, ''));
    expect(entries).toEqual([
      'install / host prep: exit 0',
      'install / kernel: exit 100',
      'install / kernel: exit 0',
      'install / container runtime: exit 0',
      'install / images: exit 0',
      'install / kubernetes: exit 0',
      'install / kubeadm init: exit 0',
      'install / node labels: exit 0',
      'install / tf manifest: exit 0',
    ]);
    expect(readFileSync(transcript, 'utf8')).toContain(
      'kernel 3.10.0-862.14.4.el7.x86_64 installed; rebooting into it',
    );
    expect(readFileSync(transcript, 'utf8')).not.toContain(PASSWORD);
  }, 120_000);

  it('a second install changes nothing: no package installed, no init, no reboot, and it says so', async () => {
    const before = calls().length;
    logger.lines.length = 0;
    await Promise.all(sites.map((s) => fabric().install(s, ctx)));
    const again = calls().slice(before);
    expect(
      again.filter((l) =>
        / (yum install|kubeadm init|kubeadm join|grubby|systemctl restart)/.test(l),
      ),
    ).toEqual([]);
    for (const n of nodes.values()) {
      expect(readFileSync(join(n.root, 'boot_id'), 'utf8').trim()).toBe('boot-2');
    }
    const said = logger.lines.join('\n');
    expect(said).toContain('kernel 3.10.0-862.14.4.el7.x86_64: already running');
    expect(said).toContain('kubeadm init: already done');
    expect(said).toContain('join: already a node');
    expect(said).toMatch(/kubeadm: already installed/);
    expect(said).toContain('/etc/docker/daemon.json: already in place');
  }, 120_000);

  it('a step that fails once is tried again and the install goes on', async () => {
    const master = `${sites[0]!.plan.name}-master`;
    // the next yum call on the master fails (a repository that did not answer)
    rmSync(join(nodes.get(master)!.root, 'var/lib/standin-rpm'), { recursive: true, force: true });
    writeFileSync(join(nodes.get(master)!.root, 'fail-once'), '');
    logger.lines.length = 0;
    await fabric().install(sites[0]!, ctx);
    expect(logger.lines.join('\n')).toMatch(
      new RegExp(
        `install: ${master}: container runtime failed \\(exit 1\\): Error: Cannot retrieve repository metadata .*; trying again`,
      ),
    );
  }, 120_000);

  it("with the runner's artifact cache, the binaries are pushed over SFTP and the nodes download nothing", async () => {
    // the pinned files, served as dl.k8s.io would (kubelet by its .sha512)
    const served: string[] = [];
    const server = createServer((req, res) => {
      served.push(req.url ?? '');
      const name = (req.url ?? '').split('/').pop()!;
      const content = `standin binary ${name.replace('.sha512', '')}\n`;
      res.end(
        name.endsWith('.sha512')
          ? `${createHash('sha512').update(content).digest('hex')}  ${name}\n`
          : content,
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.add(() => new Promise<void>((r) => server.close(() => r())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const local = structuredClone(plan);
    local.profile.kubernetes.binaries.url = `${base}/v{version}/{name}`;
    local.profile.kubernetes.binaries['checksum-url'] = `${base}/v{version}/{name}.sha512`;
    const worker = `${sites[0]!.plan.name}-worker-1`;
    for (const b of ['kubeadm', 'kubelet', 'kubectl']) {
      rmSync(join(nodes.get(worker)!.root, 'usr/local/bin', b), { force: true });
    }
    const cache = new ArtifactCache(join(dir, 'artifact-cache'));
    const before = calls().length;
    logger.lines.length = 0;
    await fabric({ artifacts: cache }).install(sites[0]!, { ...ctx, plan: local });
    expect(cache.downloads).toBe(3);
    const made = calls().slice(before);
    // the worker took the pushed copies: no binary fetched there
    expect(made.filter((l) => l.startsWith(`${worker} curl`) && !l.endsWith('.sha512'))).toEqual(
      [],
    );
    const said = logger.lines.join('\n');
    for (const b of ['kubeadm', 'kubelet', 'kubectl']) {
      expect(said).toContain(`install: ${worker}: ${b}: from the runner's artifact cache`);
      expect(readFileSync(join(nodes.get(worker)!.root, 'usr/local/bin', b), 'utf8')).toBe(
        `standin binary ${b}\n`,
      );
    }
    expect(said).toMatch(
      /install: pushed kubeadm \(downloaded\), kubelet \(downloaded\), kubectl \(downloaded\) to /,
    );
    // a second run of the same fabric pushes from the cache: nothing more is downloaded
    await fabric({ artifacts: new ArtifactCache(join(dir, 'artifact-cache')) }).install(sites[0]!, {
      ...ctx,
      plan: local,
    });
    expect(served.filter((u) => !u.endsWith('.sha512'))).toHaveLength(3);
  }, 120_000);

  it.skipIf(noRegistry)(
    'with registry.images: runner, the images are pulled once on the runner, each node gets only the blobs it lacks over SFTP and loads them; a second install pushes and loads nothing',
    async () => {
      const registry = await startRegistry(cleanup, join(dir, 'registry'));
      const site0 = sites[0]!;
      const tag = site0.plan.manifestValues.CONTRAIL_RELEASE!;
      for (const name of [
        'contrail-controller-control-control',
        'contrail-kubernetes-kube-manager',
      ]) {
        await registry.push(`opencontrailnightly/${name}`, tag, {
          base: 'base\n',
          [name]: `${name}\n`,
        });
      }
      const busybox = await registry.push('library/busybox', '1.28', { busybox: 'busybox\n' });
      const site: FabricSite = {
        ...site0,
        plan: {
          ...site0.plan,
          manifestValues: {
            ...site0.plan.manifestValues,
            CONTRAIL_REPO: `${registry.host}/opencontrailnightly`,
          },
        },
      };
      const runner: Plan = { ...plan, registry: { ...plan.registry, images: 'runner' } };
      const names = site.plan.hosts.filter((h) => h.role !== 'edge').map((h) => h.name);
      const loads = () => calls().filter((l) => / docker-loaded /.test(l));
      const install = async () => {
        logger.lines.length = 0;
        await fabric({
          images: new ImageStore(join(dir, 'image-store')),
          workloadImage: busybox.ref,
        }).install(site, {
          ...ctx,
          plan: runner,
        });
        return logger.lines.join('\n');
      };
      const before = loads().length;
      const first = await install();
      // 3 configs, the shared base layer once, 3 own layers
      expect(first).toContain(
        `install: images: 3 (0 from the runner's store, 3 pulled); pushed ${names.map((n) => `${n} 7 blobs (0.0 MiB)`).join(', ')}`,
      );
      expect(first).toContain(`install: images: pulled ${busybox.ref} (3/3, 0.0 MiB)`);
      const loaded = loads().slice(before);
      for (const n of names) {
        expect(loaded.filter((l) => l.startsWith(`${n} `)).map((l) => l.split(' ').pop())).toEqual([
          `${registry.host}/opencontrailnightly/contrail-controller-control-control:${tag}`,
          `${registry.host}/opencontrailnightly/contrail-kubernetes-kube-manager:${tag}`,
          busybox.ref,
        ]);
        expect(first).toContain(
          `install: ${n}: ${busybox.ref}: loaded from the runner's image store`,
        );
      }
      const second = await install();
      expect(second).toContain(
        `install: images: 3 (3 from the runner's store, 0 pulled); pushed ${names.map((n) => `${n} 0 blobs (0.0 MiB)`).join(', ')}`,
      );
      for (const n of names)
        expect(second).toContain(`install: ${n}: ${busybox.ref}: already loaded`);
      expect(second).not.toContain('install: images: pulled');
      expect(loads().length - before).toBe(3 * names.length);
    },
    120_000,
  );

  it('a checksum that does not match is refused, naming the host, the step, the binary and the URL', async () => {
    const real = buildPlanFromConfig(await loadSiteFile('examples/aws-azure.yml'));
    const worker = `${sites[1]!.plan.name}-worker-1`;
    rmSync(join(nodes.get(worker)!.root, 'usr/local/bin/kubeadm'), { force: true });
    const e = await fabric({ tries: 1 })
      .install(sites[1]!, { ...ctx, plan: { ...plan, profile: real.profile } })
      .catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(InfraError);
    expect(e!.message).toMatch(
      new RegExp(
        // master and worker both check (the master's copy no longer matches either); the first to fail is named
        `^${sites[1]!.plan.name}-(master|worker-1): exit 1: .*kubeadm: checksum mismatch for https://dl\\.k8s\\.io/release/v1\\.10\\.11/bin/linux/amd64/kubeadm`,
      ),
    );
    expect(existsSync(join(nodes.get(worker)!.root, 'usr/local/bin/kubeadm'))).toBe(false);
  }, 120_000);

  it('the readiness ladder on contrail-status: a race a new control pod ends, a race only its own bgp-router ends', async () => {
    const [a, b] = sites as [FabricSite, FabricSite];
    const masterOf = (s: FabricSite) => s.plan.hosts.find((h) => h.role === 'master')!;
    const rootA = nodes.get(masterOf(a).name)!.root;
    const rootB = nodes.get(masterOf(b).name)!.root;
    writeFileSync(join(rootA, 'tf-race'), 'pod');
    writeFileSync(join(rootB, 'tf-race'), 'bgp-router');
    rmSync(join(rootB, 'bgp-routers.json'), { force: true });
    const before = calls().length;
    const result = await waitReady(fabric(), sites, ctx, {
      timeoutMs: 30_000,
      raceRetries: 3,
      pollIntervalMs: 100,
      raceGraceMs: 300,
    });
    const steps = (site: string) =>
      result.remediations
        .filter((r) => r.site === site)
        .map((r) => `${r.action}: ${r.resolved ? 'resolved' : 'not resolved'}`);
    expect(steps(a.plan.name)).toEqual(['delete control pod: resolved']);
    expect(steps(b.plan.name)).toEqual([
      'delete control pod: not resolved',
      'provision bgp-router: resolved',
    ]);
    expect(result.remediations[0]!.problem).toMatch(/No BGP configuration for self/);
    // the commands the real tools got, on the masters only
    const made = calls().slice(before);
    const ns = plan.profile.tf.manifest.namespace;
    const selector = plan.profile.tf['control-pod-selector'];
    expect(made).toContain(`${masterOf(a).name} kubectl -n ${ns} delete pod -l ${selector}`);
    expect(made.filter((l) => / kubectl .* delete pod /.test(l))).toHaveLength(2);
    // one POST, to the config API on the master's own address (the -w format's newline splits the logged line)
    expect(made.filter((l) => / curl .* -X POST /.test(l))).toEqual([
      expect.stringMatching(new RegExp(`^${masterOf(b).name} curl `)),
    ]);
    expect(made.filter((l) => l.endsWith(':8082/bgp-routers'))).toEqual([
      expect.stringMatching(new RegExp(` http://${masterOf(b).privateAddress}:8082/bgp-routers$`)),
    ]);
    // the bgp-router is the control node's own: its hostname, its address, its site's ASN
    const posted = JSON.parse(readFileSync(join(rootB, 'bgp-routers.json'), 'utf8')) as {
      'bgp-router': { fq_name: string[]; bgp_router_parameters: Record<string, unknown> };
    };
    expect(posted['bgp-router'].fq_name.at(-1)).toBe(masterOf(b).name);
    expect(posted['bgp-router'].bgp_router_parameters).toMatchObject({
      router_type: 'control-node',
      autonomous_system: b.plan.asn,
      address: masterOf(b).privateAddress,
    });
    expect(logger.lines.join('\n')).toContain(`bgp-router ${masterOf(b).name} created`);
    // the ladder's steps are in the master's transcript
    expect(readFileSync(join(dir, 'transcripts', `${masterOf(b).name}.log`), 'utf8')).toMatch(
      /remediate \/ provision-bgp-router: exit 0/,
    );
  }, 60_000);

  it("a site not ready by its deadline fails with every host's last contrail-status; a race past every step names the race", async () => {
    const worker = `${sites[0]!.plan.name}-worker-1`;
    writeFileSync(join(nodes.get(worker)!.root, 'tf-stuck'), '');
    try {
      const e = await waitReady(fabric(), [sites[0]!], ctx, {
        timeoutMs: 1_500,
        raceRetries: 3,
        pollIntervalMs: 100,
      }).catch((x: unknown) => x as Error);
      expect(e).toBeInstanceOf(ReadinessError);
      const failure = (e as ReadinessError).failures[0]!;
      expect(failure.reason).toBe('timeout');
      expect(failure.statusText).toContain(`--- ${worker} ---`);
      expect(failure.statusText).toContain(
        'api: initializing (Database:Cassandra connection down)',
      );
    } finally {
      rmSync(join(nodes.get(worker)!.root, 'tf-stuck'), { force: true });
    }
    // a race that neither step ends: the ladder runs out, and says so
    const master = `${sites[0]!.plan.name}-master`;
    writeFileSync(join(nodes.get(master)!.root, 'tf-race'), 'forever');
    try {
      const e = await waitReady(fabric(), [sites[0]!], ctx, {
        timeoutMs: 30_000,
        raceRetries: 2,
        pollIntervalMs: 100,
        raceGraceMs: 200,
      }).catch((x: unknown) => x as Error);
      expect(e).toBeInstanceOf(ReadinessError);
      expect((e as ReadinessError).failures[0]!.reason).toBe('race-exhausted');
      expect((e as ReadinessError).remediations.map((r) => `${r.action}: ${r.resolved}`)).toEqual([
        'delete control pod: false',
        'provision bgp-router: false',
      ]);
    } finally {
      rmSync(join(nodes.get(master)!.root, 'tf-race'), { force: true });
    }
  }, 60_000);
});
