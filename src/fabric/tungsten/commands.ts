/**
 * Commands the tungsten fabric runs on a site's master over SSH, as argv (the
 * remote layer quotes them with quoteArgv), and readers of their output.
 * Values are checked here, at the edge, before they become arguments.
 */
import type { Profile } from '../../config/profile.js';
import { InfraError } from '../../errors.js';
import { parseIp } from '../../net/cidr.js';
import type {
  PodInfo,
  PodRef,
  ProbeOutcome,
  ProbeTarget,
  ServiceInfo,
  Workloads,
} from '../fabric.js';
import { quoteArgv } from '../../remote/quote.js';
import { BACKEND_LABELS, CLIENT_LABELS } from '../workloads.js';
import { WORKLOAD_LABEL } from './manifests.js';

const K8S_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

function checkName(what: string, value: string): string {
  if (!K8S_NAME.test(value))
    throw new InfraError(`not a Kubernetes ${what} name: ${JSON.stringify(value)}`);
  return value;
}

function checkIp(value: string): string {
  if (parseIp(value) === undefined)
    throw new InfraError(`not an IPv4 address: ${JSON.stringify(value)}`);
  return value;
}

function checkPort(value: number): string {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new InfraError(`not a TCP port: ${value}`);
  }
  return String(value);
}

/** The shell line for an argv, quoted by the one quoting helper. */
export const shellLine = (argv: readonly string[]): string => quoteArgv(argv);

/** `contrail-status` as installed on every TF node by node-init; it needs root (run with sudo). */
export function contrailStatusCommand(): string[] {
  return ['contrail-status'];
}

/** Apply a manifest file already uploaded to the master. */
export function kubectlApplyCommand(path: string): string[] {
  return ['kubectl', 'apply', '-f', path];
}

/** Drop a namespace's NetworkPolicies before applying a mode's (apply never deletes). */
export function deletePoliciesCommand(namespace: string): string[] {
  return ['kubectl', '-n', checkName('namespace', namespace), 'delete', 'networkpolicy', '--all'];
}

/**
 * The test namespaces (and with them their pods, services and policies), by
 * the label the harness puts on them, waited for: a kept cluster is left as
 * it was before the run.
 */
export function deleteWorkloadNamespacesCommand(): string[] {
  return [
    'kubectl',
    'delete',
    'namespace',
    '-l',
    `${WORKLOAD_LABEL}=true`,
    '--ignore-not-found',
    '--wait=true',
    '--timeout=300s',
  ];
}

/** The suites' pods and services on a site, as JSON. */
export function workloadsQueryCommand(): string[] {
  return [
    'kubectl',
    'get',
    'pods,services',
    '--all-namespaces',
    '-l',
    `${WORKLOAD_LABEL}=true`,
    '-o',
    'json',
  ];
}

/** Ladder step 1: delete the control pod; its DaemonSet starts a new one, which provisions itself again. */
export function deleteControlPodCommand(profile: Profile): string[] {
  return [
    'kubectl',
    '-n',
    profile.tf.manifest.namespace,
    'delete',
    'pod',
    '-l',
    profile.tf['control-pod-selector'],
  ];
}

/** Slack for kubectl exec itself on top of the connect timeout. */
export const PROBE_EXEC_SLACK_S = 15;

/** A script in the client pod under a wall timeout: the connect timeout plus kubectl's slack. */
function inClientPod(from: PodRef, seconds: number, script: string, args: string[]): string[] {
  return [
    'timeout',
    String(seconds + PROBE_EXEC_SLACK_S),
    'kubectl',
    'exec',
    '-n',
    checkName('namespace', from.namespace),
    checkName('pod', from.name),
    '--',
    'sh',
    '-c',
    script,
    'probe',
    ...args,
  ];
}

const connectSeconds = (timeoutMs: number) => Math.max(1, Math.ceil(timeoutMs / 1000));

/**
 * The probes, run in the client pod (busybox sh): an HTTP/1.0 request through
 * nc per target with a connect timeout; each reply carries the backend's pod
 * name. Many probes in one exec: every target at once in the background, each nc's output and exit status in its own file,
 * then one line per target in the targets' order:
 * `<index>\t<exit>\t<last line of stdout>\t<last line of stderr>`.
 * Arguments: $1 the connect timeout in seconds, then address:port pairs.
 */
export const PROBE_BATCH_SCRIPT = [
  't=$1; shift',
  'd=$(mktemp -d)',
  'i=0',
  'for target in "$@"; do',
  '  i=$((i+1))',
  `  ( printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w "$t" "\${target%:*}" "\${target##*:}" >"$d/$i.out" 2>"$d/$i.err"; echo $? >"$d/$i.rc" ) &`,
  'done',
  'wait',
  'n=$i; i=0',
  'while [ "$i" -lt "$n" ]; do',
  '  i=$((i+1))',
  `  printf '%s\\t%s\\t%s\\t%s\\n' "$i" "$(cat "$d/$i.rc")" "$(tr -d '\\r\\t' <"$d/$i.out" | tail -n 1)" "$(tr -d '\\r\\t' <"$d/$i.err" | tail -n 1)"`,
  'done',
  'rm -rf "$d"',
].join('\n');

export function probeBatchCommand(
  from: PodRef,
  targets: readonly ProbeTarget[],
  timeoutMs: number,
): string[] {
  const seconds = connectSeconds(timeoutMs);
  return inClientPod(from, seconds, PROBE_BATCH_SCRIPT, [
    String(seconds),
    ...targets.map((t) => `${checkIp(t.ip)}:${checkPort(t.port)}`),
  ]);
}

/** One outcome per target from the batch's lines; a target without its line is an error. */
export function parseProbeBatch(r: CommandResult, targets: readonly ProbeTarget[]): ProbeOutcome[] {
  if (r.exitCode !== 0) {
    const why =
      r.exitCode === 124
        ? 'kubectl exec did not return (exit 124 from timeout)'
        : `kubectl exec failed (exit ${r.exitCode})`;
    const detail = `${why}: ${(r.stderr.trim() || r.stdout.trim()).slice(0, 300)}`;
    return targets.map(() => ({ result: 'error', detail, durationMs: r.durationMs }));
  }
  const lines = new Map<number, string[]>();
  for (const line of r.stdout.split('\n')) {
    const f = line.split('\t');
    if (f.length >= 2 && /^\d+$/.test(f[0]!)) lines.set(Number(f[0]), f);
  }
  return targets.map((t, i) => {
    const f = lines.get(i + 1);
    if (!f) {
      return {
        result: 'error',
        detail: `no answer for ${t.ip}:${t.port} in the probe's output`,
        durationMs: r.durationMs,
      };
    }
    return parseProbeResult({
      exitCode: Number(f[1]),
      stdout: f[2] ?? '',
      stderr: f[3] ?? '',
      durationMs: r.durationMs,
    });
  });
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Read what the probe printed: busybox nc says "Connection refused" or "timed out". */
export function parseProbeResult(r: CommandResult): ProbeOutcome {
  const said = `${r.stderr}\n${r.stdout}`;
  if (r.exitCode === 124) {
    return {
      result: 'error',
      detail: `kubectl exec did not return (exit 124 from timeout): ${r.stderr.trim()}`,
      durationMs: r.durationMs,
    };
  }
  if (/connection refused/i.test(said)) {
    return { result: 'refused', detail: 'connection refused', durationMs: r.durationMs };
  }
  if (/no route to host|network is unreachable|host is unreachable/i.test(said)) {
    return {
      result: 'refused',
      detail: said.match(/no route to host|network is unreachable|host is unreachable/i)![0],
      durationMs: r.durationMs,
    };
  }
  if (/timed out/i.test(said)) {
    return { result: 'timeout', detail: 'timed out', durationMs: r.durationMs };
  }
  if (r.exitCode === 0) {
    return { result: 'connected', detail: r.stdout, durationMs: r.durationMs };
  }
  const detail = (r.stderr.trim() || r.stdout.trim() || `exit code ${r.exitCode}`).slice(0, 500);
  return { result: 'error', detail, durationMs: r.durationMs };
}

export interface BgpRouterInput {
  /** the bgp-router's name: the control node's hostname, which is how control finds "self" */
  name: string;
  /** the control node's address (identifier and BGP address) */
  address: string;
  asn: number;
  port?: number;
  routerType?: 'control-node' | 'external-control-node';
  families?: string[];
  /** names of bgp-routers to peer with explicitly (eBGP needs them; iBGP auto-mesh fills them) */
  peers?: string[];
}

const IP_FABRIC = ['default-domain', 'default-project', 'ip-fabric', '__default__'];
const DEFAULT_FAMILIES = ['route-target', 'inet-vpn', 'e-vpn', 'erm-vpn', 'inet6-vpn'];

/** The VNC API body that creates a bgp-router, as `provision_control.py --oper add` does. */
export function bgpRouterBody(input: BgpRouterInput): Record<string, unknown> {
  checkName('bgp-router', input.name);
  checkIp(input.address);
  if (!Number.isInteger(input.asn) || input.asn < 1 || input.asn > 4294967294) {
    throw new InfraError(`not an AS number: ${input.asn}`);
  }
  const type = input.routerType ?? 'control-node';
  const families =
    input.families ??
    (type === 'control-node' ? DEFAULT_FAMILIES : DEFAULT_FAMILIES.filter((f) => f !== 'erm-vpn'));
  return {
    'bgp-router': {
      fq_name: [...IP_FABRIC, input.name],
      parent_type: 'routing-instance',
      bgp_router_parameters: {
        router_type: type,
        vendor: 'contrail',
        autonomous_system: input.asn,
        identifier: input.address,
        address: input.address,
        port: input.port ?? 179,
        address_families: { family: families },
      },
      ...(input.peers?.length
        ? {
            bgp_router_refs: input.peers.map((peer) => ({
              to: [...IP_FABRIC, checkName('bgp-router', peer)],
              attr: { session: [{ attributes: [{ address_families: { family: [] } }] }] },
            })),
          }
        : {}),
    },
  };
}

/** Ladder step 2: POST the bgp-router to the config API (no auth: the manifests set AUTH_MODE noauth). */
export function provisionBgpRouterCommand(
  apiAddress: string,
  body: Record<string, unknown>,
  apiPort = 8082,
): string[] {
  return [
    'curl',
    '-sS',
    '--max-time',
    '30',
    '-X',
    'POST',
    '-H',
    'Content-Type: application/json',
    '--data-binary',
    JSON.stringify(body),
    '-w',
    '\n%{http_code}',
    `http://${checkIp(apiAddress)}:${checkPort(apiPort)}/bgp-routers`,
  ];
}

export interface BgpRouterResponse {
  outcome: 'created' | 'exists' | 'failed';
  httpStatus?: number;
  body: string;
}

/** curl's output ends with the HTTP status on its own line (-w); 409 means the router exists already. */
export function interpretBgpRouterResponse(r: CommandResult): BgpRouterResponse {
  const lines = r.stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  const body = lines.join('\n');
  if (r.exitCode !== 0 || !Number.isInteger(status) || status === 0) {
    return { outcome: 'failed', body: (r.stderr.trim() || r.stdout.trim()).slice(0, 500) };
  }
  if (status >= 200 && status < 300) return { outcome: 'created', httpStatus: status, body };
  if (status === 409) return { outcome: 'exists', httpStatus: status, body };
  return { outcome: 'failed', httpStatus: status, body: body.slice(0, 500) };
}

interface KubeObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: {
    clusterIP?: string;
    selector?: Record<string, string>;
    ports?: { port?: number }[];
    containers?: { ports?: { containerPort?: number }[] }[];
  };
  status?: { phase?: string; podIP?: string };
}

/** Read `kubectl get pods,services -o json` into the suites' workloads; pods not yet running are listed as pending. */
export function parseWorkloads(site: string, json: string): Workloads & { pending: string[] } {
  let list: { items?: KubeObject[] };
  try {
    list = JSON.parse(json) as { items?: KubeObject[] };
  } catch (e) {
    throw new InfraError(`site ${site}: kubectl get did not print JSON: ${(e as Error).message}`);
  }
  const out: Workloads & { pending: string[] } = { pods: [], services: [], pending: [] };
  const matches = (labels: Record<string, string>, sel: Readonly<Record<string, string>>) =>
    Object.entries(sel).every(([k, v]) => labels[k] === v);
  for (const item of list.items ?? []) {
    const name = item.metadata?.name;
    const namespace = item.metadata?.namespace;
    if (!name || !namespace) continue;
    const labels = item.metadata?.labels ?? {};
    if (item.kind === 'Service') {
      const port = item.spec?.ports?.[0]?.port;
      const ip = item.spec?.clusterIP;
      if (!ip || port === undefined) continue;
      const service: ServiceInfo = {
        site,
        namespace,
        name,
        ip,
        port,
        selector: { ...(item.spec?.selector ?? {}) },
      };
      out.services.push(service);
    } else if (item.kind === 'Pod') {
      const role = matches(labels, BACKEND_LABELS)
        ? 'backend'
        : matches(labels, CLIENT_LABELS)
          ? 'client'
          : undefined;
      if (!role) continue;
      const ip = item.status?.podIP;
      if (item.status?.phase !== 'Running' || !ip) {
        out.pending.push(`${namespace}/${name} (${item.status?.phase ?? 'unknown'})`);
        continue;
      }
      const port = item.spec?.containers?.[0]?.ports?.[0]?.containerPort;
      const pod: PodInfo = {
        site,
        namespace,
        name,
        role,
        ip,
        labels: { ...labels },
        ...(port !== undefined ? { port } : {}),
      };
      out.pods.push(pod);
    }
  }
  return out;
}
