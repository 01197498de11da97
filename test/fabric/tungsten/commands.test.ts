import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../../src/config/profile.js';
import { InfraError } from '../../../src/errors.js';
import {
  bgpRouterBody,
  deleteControlPodCommand,
  deletePoliciesCommand,
  interpretBgpRouterResponse,
  parseProbeBatch,
  parseProbeResult,
  parseWorkloads,
  probeBatchCommand,
  PROBE_BATCH_SCRIPT,
  provisionBgpRouterCommand,
  shellLine,
  workloadsQueryCommand,
  type CommandResult,
} from '../../../src/fabric/tungsten/commands.js';
import { echoServerScript } from '../../../src/fabric/tungsten/manifests.js';
import { replyNames } from '../../../src/suites/runner.js';
import { tempDir } from '../../helpers.js';
import { needsRoot, needsTool } from '../../support/requirements.js';

const busybox = spawnSync('sh', ['-c', 'command -v busybox']).stdout.toString().trim();
/** In CI busybox is installed by .ci/run and the tests run as root: there these must run, never skip. */
const noBusybox = needsTool('the probe and echo server on busybox', 'busybox', 'busybox');
const asRootWithBusybox = it.skipIf(
  noBusybox ?? needsRoot('the probe timeout (a network namespace with nftables)'),
);

/** busybox's applets the probe, the batch and the echo server use, as commands in `bin` */
function linkApplets(bin: string): void {
  for (const applet of [
    'sh',
    'nc',
    'httpd',
    'printf',
    'mkdir',
    'echo',
    'mktemp',
    'cat',
    'tr',
    'tail',
    'rm',
  ]) {
    symlinkSync(busybox, join(bin, applet));
  }
}

/** Run a shell line the way the remote login shell would (sh -c), capturing everything. */
function runLine(line: string, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) =>
      resolve({ exitCode: code ?? -1, stdout, stderr, durationMs: Date.now() - started }),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The probe as the client pod runs it: the argv after `kubectl exec … --`. */
function inPodArgv(argv: string[]): string[] {
  return argv.slice(argv.indexOf('--') + 1);
}

describe('many probes in one exec, run for real with busybox', () => {
  const id = randomBytes(3).toString('hex');
  const netns = `te-batch-${id}`;
  let dir = '';
  let bin = '';
  let made = false;

  afterAll(() => {
    if (made) spawnSync('ip', ['netns', 'del', netns]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  asRootWithBusybox(
    'every target at once: connected (naming the backend), refused and dropped, one outcome each in order, in one timeout',
    async () => {
      dir = tempDir('te-batch-');
      bin = join(dir, 'bin');
      mkdirSync(bin);
      linkApplets(bin);
      execFileSync('ip', ['netns', 'add', netns]);
      made = true;
      execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
      execFileSync('ip', [
        'netns',
        'exec',
        netns,
        'nft',
        'add table inet probe; add chain inet probe out { type filter hook output priority 0 ; } ; add rule inet probe out tcp dport 7777 drop',
      ]);
      const pod = `echo-west-${id}`;
      // the echo server in the namespace, a daemon that dies with it
      spawn(
        'ip',
        [
          'netns',
          'exec',
          netns,
          'env',
          `PATH=${bin}`,
          `POD_NAME=${pod}`,
          'sh',
          '-c',
          echoServerScript(8080, join(dir, 'www')),
        ],
        {
          stdio: 'ignore',
          detached: true,
        },
      ).unref();
      const inNs = (argv: string[]) =>
        runLine(shellLine(['ip', 'netns', 'exec', netns, 'env', `PATH=${bin}`, ...argv]));
      for (let i = 0; i < 100; i++) {
        if ((await inNs(['sh', '-c', 'printf x | nc -w 1 127.0.0.1 8080'])).exitCode === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const targets = [
        { ip: '127.0.0.1', port: 8080 },
        { ip: '127.0.0.1', port: 9 },
        { ip: '127.0.0.1', port: 7777 },
        { ip: '127.0.0.1', port: 8080 },
      ];
      const argv = probeBatchCommand(
        { site: 'west', namespace: 'tenant-a', name: 'client' },
        targets,
        1000,
      );
      const r = await inNs(inPodArgv(argv));
      const outcomes = parseProbeBatch(r, targets);
      expect(outcomes.map((o) => o.result)).toEqual([
        'connected',
        'refused',
        'timeout',
        'connected',
      ]);
      expect(replyNames(outcomes[0]!.detail, [pod])).toBe(pod);
      // at once: the drop's second is waited out once, not once per target
      expect(r.durationMs).toBeGreaterThanOrEqual(900);
      expect(r.durationMs).toBeLessThan(1900);
      spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' })
        .stdout.split(/\s+/)
        .filter((p) => /^\d+$/.test(p))
        .forEach((p) => process.kill(Number(p)));
    },
  );

  it('a failed exec is an error for every target; a missing line is an error for its target', () => {
    const targets = [
      { ip: '10.0.0.1', port: 80 },
      { ip: '10.0.0.2', port: 80 },
    ];
    expect(
      parseProbeBatch(
        {
          exitCode: 1,
          stdout: '',
          stderr: 'error: unable to upgrade connection: pod not found',
          durationMs: 40,
        },
        targets,
      ),
    ).toEqual(
      targets.map(() => ({
        result: 'error',
        detail: 'kubectl exec failed (exit 1): error: unable to upgrade connection: pod not found',
        durationMs: 40,
      })),
    );
    const half = parseProbeBatch(
      { exitCode: 0, stdout: '1\t0\techo-x\t\n', stderr: '', durationMs: 5 },
      targets,
    );
    expect(half.map((o) => o.result)).toEqual(['connected', 'error']);
    expect(half[1]!.detail).toBe("no answer for 10.0.0.2:80 in the probe's output");
    expect(() =>
      probeBatchCommand(
        { site: 'e', namespace: 'a', name: 'client' },
        [{ ip: '10.0.0.1; rm -rf /', port: 80 }],
        1000,
      ),
    ).toThrow(InfraError);
  });
});

describe('probe command', () => {
  it('is kubectl exec in the client pod under a wall timeout, with the addresses as arguments', () => {
    expect(
      probeBatchCommand(
        { site: 'east', namespace: 'tenant-a', name: 'client' },
        [{ ip: '10.96.0.10', port: 80 }],
        2000,
      ),
    ).toEqual([
      'timeout',
      '17',
      'kubectl',
      'exec',
      '-n',
      'tenant-a',
      'client',
      '--',
      'sh',
      '-c',
      PROBE_BATCH_SCRIPT,
      'probe',
      '2',
      '10.96.0.10:80',
    ]);
  });

  it('refuses values that are not what they claim to be', () => {
    const from = { site: 'e', namespace: 'a', name: 'client' };
    const one = (ip: string, port: number, pod = from) =>
      probeBatchCommand(pod, [{ ip, port }], 2000);
    expect(() => one('10.0.0.1; reboot', 80)).toThrow(InfraError);
    expect(() => one('10.0.0.1', 0)).toThrow(InfraError);
    expect(() => one('10.0.0.1', 80, { ...from, name: 'client$(id)' })).toThrow(InfraError);
    expect(() => deletePoliciesCommand('Tenant A')).toThrow(InfraError);
  });

  it('reads kubectl exec failures and wall timeouts as probe errors', () => {
    expect(
      parseProbeResult({ exitCode: 124, stdout: '', stderr: '', durationMs: 17000 }).result,
    ).toBe('error');
    expect(
      parseProbeResult({
        exitCode: 1,
        stdout: '',
        stderr: 'Error from server (NotFound): pods "client" not found',
        durationMs: 300,
      }),
    ).toMatchObject({
      result: 'error',
      detail: 'Error from server (NotFound): pods "client" not found',
    });
    expect(
      parseProbeResult({
        exitCode: 1,
        stdout: '',
        stderr:
          "nc: can't connect to remote host (10.0.0.1): No route to host\ncommand terminated with exit code 1",
        durationMs: 5,
      }).result,
    ).toBe('refused');
  });
});

describe('control pod deletion', () => {
  it('selects the control pod of each profile in kube-system', () => {
    expect(deleteControlPodCommand(loadProfile('tf-2018'))).toEqual([
      'kubectl',
      '-n',
      'kube-system',
      'delete',
      'pod',
      '-l',
      'app=contrail-controller-control',
    ]);
    expect(deleteControlPodCommand(loadProfile('opensdn-24')).at(-1)).toBe(
      'app=opensdn-controller-control',
    );
  });
});

describe('bgp-router provisioning against a real HTTP server through a real shell and curl', () => {
  let server: Server;
  let port = 0;
  const received: { method: string; url: string; type: string; body: string }[] = [];
  let reply = { status: 200, body: '{"bgp-router": {"uuid": "0b1c"}}' };
  const noCurl = needsTool('provisioning a bgp-router over the config API (curl)', 'curl', 'curl');

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({
          method: req.method!,
          url: req.url!,
          type: req.headers['content-type'] ?? '',
          body,
        });
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterEach(() => {
    received.length = 0;
  });

  const body = bgpRouterBody({ name: 'east-master', address: '172.16.0.10', asn: 64512 });

  it('builds the VNC API body that provision_control.py --oper add creates', () => {
    expect(body).toEqual({
      'bgp-router': {
        fq_name: ['default-domain', 'default-project', 'ip-fabric', '__default__', 'east-master'],
        parent_type: 'routing-instance',
        bgp_router_parameters: {
          router_type: 'control-node',
          vendor: 'contrail',
          autonomous_system: 64512,
          identifier: '172.16.0.10',
          address: '172.16.0.10',
          port: 179,
          address_families: {
            family: ['route-target', 'inet-vpn', 'e-vpn', 'erm-vpn', 'inet6-vpn'],
          },
        },
      },
    });
    const peered = bgpRouterBody({
      name: 'west-master',
      address: '172.16.1.10',
      asn: 64513,
      routerType: 'external-control-node',
      peers: ['east-master'],
    });
    const router = peered['bgp-router'] as {
      bgp_router_refs: { to: string[] }[];
      bgp_router_parameters: { address_families: { family: string[] } };
    };
    expect(router.bgp_router_refs[0]!.to.at(-1)).toBe('east-master');
    expect(router.bgp_router_parameters.address_families.family).not.toContain('erm-vpn');
    expect(() => bgpRouterBody({ name: 'x y', address: '1.2.3.4', asn: 1 })).toThrow(InfraError);
  });

  it.skipIf(noCurl)(
    'POSTs the body to /bgp-routers and reads 200 as created, 409 as exists',
    async () => {
      const line = shellLine(provisionBgpRouterCommand('127.0.0.1', body, port));
      const created = interpretBgpRouterResponse(await runLine(line));
      expect(created).toEqual({
        outcome: 'created',
        httpStatus: 200,
        body: '{"bgp-router": {"uuid": "0b1c"}}',
      });
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        method: 'POST',
        url: '/bgp-routers',
        type: 'application/json',
      });
      expect(JSON.parse(received[0]!.body)).toEqual(body);

      reply = { status: 409, body: '{"msg": "exists"}' };
      expect(interpretBgpRouterResponse(await runLine(line)).outcome).toBe('exists');
      reply = { status: 500, body: 'boom' };
      expect(interpretBgpRouterResponse(await runLine(line))).toEqual({
        outcome: 'failed',
        httpStatus: 500,
        body: 'boom',
      });
      const closed = await freePort();
      const refused = interpretBgpRouterResponse(
        await runLine(shellLine(provisionBgpRouterCommand('127.0.0.1', body, closed))),
      );
      expect(refused.outcome).toBe('failed');
      expect(refused.body).toMatch(/curl: \(7\)/);
    },
  );
});

describe('workloads from kubectl get -o json', () => {
  it('reads running pods with their role and port, services with their address, and lists pending pods', () => {
    expect(workloadsQueryCommand()).toEqual([
      'kubectl',
      'get',
      'pods,services',
      '--all-namespaces',
      '-l',
      'tungsten-e2e.io/workload=true',
      '-o',
      'json',
    ]);
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'echo-5c7d9f6b8-x2kqv',
            namespace: 'tenant-a',
            labels: {
              app: 'echo',
              'pod-template-hash': '173895264',
              'tungsten-e2e.io/workload': 'true',
            },
          },
          spec: {
            containers: [
              {
                name: 'echo',
                image: 'busybox:1.28',
                ports: [{ containerPort: 8080, protocol: 'TCP' }],
              },
            ],
          },
          status: { phase: 'Running', podIP: '10.47.255.251', hostIP: '172.16.0.11' },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'client',
            namespace: 'tenant-a',
            labels: { app: 'client', 'tungsten-e2e.io/workload': 'true' },
          },
          spec: { containers: [{ name: 'client', image: 'busybox:1.28' }] },
          status: { phase: 'Running', podIP: '10.47.255.250' },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'client', namespace: 'tenant-b', labels: { app: 'client' } },
          spec: { containers: [{ name: 'client' }] },
          status: { phase: 'Pending' },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: {
            name: 'echo',
            namespace: 'tenant-a',
            labels: { 'tungsten-e2e.io/workload': 'true' },
          },
          spec: {
            type: 'ClusterIP',
            clusterIP: '10.97.114.9',
            selector: { app: 'echo' },
            ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
          },
        },
      ],
    });
    const w = parseWorkloads('east', json);
    expect(w.pods).toEqual([
      {
        site: 'east',
        namespace: 'tenant-a',
        name: 'echo-5c7d9f6b8-x2kqv',
        role: 'backend',
        ip: '10.47.255.251',
        port: 8080,
        labels: {
          app: 'echo',
          'pod-template-hash': '173895264',
          'tungsten-e2e.io/workload': 'true',
        },
      },
      {
        site: 'east',
        namespace: 'tenant-a',
        name: 'client',
        role: 'client',
        ip: '10.47.255.250',
        labels: { app: 'client', 'tungsten-e2e.io/workload': 'true' },
      },
    ]);
    expect(w.services).toEqual([
      {
        site: 'east',
        namespace: 'tenant-a',
        name: 'echo',
        ip: '10.97.114.9',
        port: 80,
        selector: { app: 'echo' },
      },
    ]);
    expect(w.pending).toEqual(['tenant-b/client (Pending)']);
    expect(() =>
      parseWorkloads('east', 'error: the server doesn\'t have a resource type "pods,services"'),
    ).toThrow(InfraError);
  });
});
