/**
 * The tungsten fabric's install, as data: per site, the named steps in
 * order, each with the hosts it runs on, the files it needs and the bash it
 * runs there. `plan --commands` prints exactly this; the fabric runs exactly
 * this. Every script is strict (`set -euo pipefail`), says what it skips
 * because it is done already (a re-run converges), quotes every value with
 * the one quoting helper and takes secrets from 0600 files, never an argv.
 *
 * Exit status 100 from a step means "done, now reboot the host and run the
 * step again to verify" (the pinned kernel of tf-2018).
 */
import { docStepCommand, docStepHosts, docStepName, type DocStep } from '../../../docs/steps.js';
import type { HostPlan, Plan, SitePlan } from '../../../plan/types.js';
import { quoteArg } from '../../../remote/quote.js';
import { profileFlavour, type Flavour } from './flavour.js';

/** Where the install keeps its files on every node. */
export const STATE_DIR = '/etc/tungsten-e2e';
/** A step's exit status asking for a reboot and a second run. */
export const REBOOT_EXIT = 100;

export interface StepFile {
  path: string;
  /** the content; '***' in what plan --commands shows for a secret */
  content: string;
  mode: number;
  secret?: boolean;
}

export type StepHosts = 'all' | 'master' | 'workers';

export interface InstallStep {
  name: string;
  on: StepHosts;
  /** the step may ask for a reboot (exit REBOOT_EXIT) */
  mayReboot?: boolean;
  files(host: HostPlan): StepFile[];
  script(host: HostPlan): string;
}

export interface InstallSecrets {
  registryPassword?: string;
}

export interface InstallOptions {
  /**
   * A directory every path the install touches is placed under (tests run the
   * scripts on real hosts that must not be changed). Default: the filesystem root.
   */
  root?: string;
}

const q = quoteArg;

/** A path the install touches, under the install's root. */
export type At = (path: string) => string;

function strict(lines: readonly string[]): string {
  return ['#!/bin/bash', 'set -euo pipefail', ...lines, ''].join('\n');
}

function nodesOf(site: SitePlan): HostPlan[] {
  return site.hosts.filter((h) => h.role !== 'edge');
}

/** The lines of /etc/hosts the install keeps between its markers. */
function hostsBlock(site: SitePlan): string {
  return nodesOf(site)
    .map((h) => `${h.privateAddress} ${h.name}`)
    .join('\n');
}

function hostPrep(site: SitePlan, f: Flavour, at: At): InstallStep {
  const dirs = ['/var/log/contrail', '/var/lib/contrail/kafka-logs', '/var/crashes'].map(at);
  return {
    name: 'host prep',
    on: 'all',
    files: () => [
      {
        path: at(`${STATE_DIR}/hosts`),
        content: `# tungsten-e2e begin\n${hostsBlock(site)}\n# tungsten-e2e end\n`,
        mode: 0o644,
      },
      {
        path: at('/etc/sysctl.d/90-tungsten-e2e.conf'),
        content: 'net.bridge.bridge-nf-call-iptables = 1\nnet.ipv4.ip_forward = 1\n',
        mode: 0o644,
      },
      {
        path: at('/etc/modules-load.d/tungsten-e2e.conf'),
        content: 'br_netfilter\n',
        mode: 0o644,
      },
    ],
    script: (host) =>
      strict([
        `hostnamectl set-hostname ${q(host.name)}`,
        'swapoff -a',
        `if [ -f ${q(at('/etc/fstab'))} ]; then sed -i '/\\sswap\\s/s/^[^#]/#&/' ${q(at('/etc/fstab'))}; fi`,
        'if command -v setenforce >/dev/null && [ "$(getenforce)" = Enforcing ]; then setenforce 0; fi',
        `if [ -f ${q(at('/etc/selinux/config'))} ]; then sed -i 's/^SELINUX=enforcing/SELINUX=permissive/' ${q(at('/etc/selinux/config'))}; fi`,
        'if systemctl is-enabled --quiet firewalld 2>/dev/null; then systemctl disable --now firewalld; else echo "firewalld: already off"; fi',
        `systemctl enable --now ${f.timeService}`,
        'modprobe br_netfilter',
        'sysctl --system >/dev/null',
        // the block between the markers is replaced, so a re-run does not add lines
        `touch ${q(at('/etc/hosts'))}`,
        `sed -i '/^# tungsten-e2e begin$/,/^# tungsten-e2e end$/d' ${q(at('/etc/hosts'))}`,
        `cat ${q(at(`${STATE_DIR}/hosts`))} >> ${q(at('/etc/hosts'))}`,
        `mkdir -p ${dirs.map(q).join(' ')}`,
      ]),
  };
}

function kernel(f: Flavour, at: At): InstallStep {
  return {
    name: 'kernel',
    on: 'all',
    mayReboot: f.kernel.kind === 'pinned',
    files: () =>
      f.kernel.kind === 'pinned' ? [{ path: f.repoFile, content: f.repoText, mode: 0o644 }] : [],
    script: () => {
      const k = f.kernel;
      if (k.kind === 'pinned') {
        return strict([
          `want=${q(k.release)}`,
          'if [ "$(uname -r)" = "$want" ]; then echo "kernel $want: already running"; exit 0; fi',
          `if ! rpm -q ${q(k.package)} >/dev/null; then ${f.install} ${q(k.package)}; fi`,
          `grubby --set-default ${q(at('/boot/vmlinuz-'))}"$want"`,
          `echo "kernel $want installed; rebooting into it"`,
          `exit ${REBOOT_EXIT}`,
        ]);
      }
      return strict([
        'want="kernel-devel-$(uname -r)"',
        `if rpm -q "$want" >/dev/null; then echo "$want: already installed"; else ${f.install} "$want"; fi`,
        // vrouter.ko is built against these at container start: they must match the running kernel
        `test -d ${q(at('/usr/src/kernels/'))}"$(uname -r)" || { echo "no headers for $(uname -r) in /usr/src/kernels" >&2; exit 1; }`,
      ]);
    },
  };
}

function runtime(plan: Plan, f: Flavour, secrets: InstallSecrets, at: At): InstallStep {
  const user = plan.registry.username;
  const registryHost = plan.versions.tfRegistry.split('/')[0]!;
  const password = at(`${STATE_DIR}/registry-password`);
  const login = user && secrets.registryPassword !== undefined;
  const staged = (path: string) => at(`${STATE_DIR}/runtime${path.slice(at('').length)}`);
  const svc = q(f.runtime.service);
  return {
    name: 'container runtime',
    on: 'all',
    files: () => [
      ...f.runtime.files,
      ...f.runtime.config.map((c) => ({ path: staged(c.path), content: c.content, mode: 0o644 })),
      ...(login
        ? [{ path: password, content: secrets.registryPassword!, mode: 0o600, secret: true }]
        : []),
    ],
    script: () =>
      strict([
        `if rpm -q ${f.runtime.packages.map(q).join(' ')} >/dev/null; then echo "${f.runtime.name}: already installed"; else ${f.install} ${f.runtime.packages.map(q).join(' ')}; fi`,
        'changed=0',
        // the runtime's config moves into place only when it differs, so a re-run restarts nothing
        ...f.runtime.config.map(
          (c) =>
            `if cmp -s ${q(staged(c.path))} ${q(c.path)}; then echo ${q(`${c.path.slice(at('').length)}: already in place`)}; else install -D -m 0644 ${q(staged(c.path))} ${q(c.path)}; changed=1; fi`,
        ),
        `systemctl enable --now ${svc}`,
        `if [ "$changed" = 1 ]; then systemctl restart ${svc}; fi`,
        // credentials before the first pull; the password only ever on stdin
        ...(login ? [f.runtime.login(q(user!), q(registryHost), q(password))] : []),
      ]),
  };
}

/** Where the runner pushes images (fabric/tungsten/images/push.ts writes this layout). */
export const IMAGE_DIR = `${STATE_DIR}/images`;

/**
 * The images the runner pulled and pushed, loaded into the runtime before
 * anything would pull them: each checked blob by blob against its digest,
 * put together as a docker-archive with tar and loaded, unless the runtime
 * has it already. Nothing pushed (registry.images: nodes) is said and done.
 */
function images(f: Flavour, at: At): InstallStep {
  const root = at(IMAGE_DIR);
  return {
    name: 'images',
    on: 'all',
    files: () => [],
    script: () =>
      strict([
        `root=${q(root)}`,
        'if [ ! -f "$root/list" ]; then echo "images: none pushed from the runner; the runtime pulls them"; exit 0; fi',
        // the list on its own descriptor: nothing in the loop can read it away
        'while read -r d <&3; do',
        '  ref=$(cat "$root/$d/ref")',
        `  if ${f.runtime.hasImage}; then echo "$ref: already loaded"; continue; fi`,
        // a damaged blob is removed, so the next run pushes it again
        '  if ! bad=$(cd "$root" && sha256sum --quiet -c "$d/sums" 2>&1); then',
        '    (cd "$root" && printf "%s\\n" "$bad" | sed -n "s/: FAILED.*$//p" | xargs -r rm -f)',
        '    echo "$ref: a pushed blob does not match its digest (removed; the next run pushes it again): $bad" >&2',
        '    exit 1',
        '  fi',
        `  tar -cf - -C "$root/$d" manifest.json -C "$root" -T "$root/$d/files" | ${f.runtime.loadImage} >/dev/null`,
        '  echo "$ref: loaded from the runner\'s image store"',
        'done 3< "$root/list"',
      ]),
  };
}

function kubernetes(f: Flavour, at: At): InstallStep {
  return {
    name: 'kubernetes',
    on: 'all',
    files: () => f.kube.files,
    script: () =>
      strict([
        ...f.kube.install,
        // no CNI config until TF writes its own: kubelet must not pick a default
        `mkdir -p ${q(at('/etc/cni/net.d'))}`,
        'systemctl daemon-reload',
        'systemctl enable kubelet',
      ]),
  };
}

function kubeadmInit(site: SitePlan, f: Flavour, at: At): InstallStep {
  const config = at(`${STATE_DIR}/kubeadm.yaml`);
  const admin = at('/etc/kubernetes/admin.conf');
  const joinFile = at(`${STATE_DIR}/join.sh`);
  return {
    name: 'kubeadm init',
    on: 'master',
    files: () => [{ path: config, content: site.kubeadm.config, mode: 0o600 }],
    script: () =>
      strict([
        `if [ -f ${q(admin)} ]; then echo "kubeadm init: already done"; else`,
        `  kubeadm init --config ${q(config)}${f.kube.initFlags}`,
        'fi',
        `mkdir -p ${q(at('/root/.kube'))}`,
        `install -m 0600 ${q(admin)} ${q(at('/root/.kube/config'))}`,
        // a join command for the workers, with a token of its own (the fabric copies it over)
        `kubeadm token create --ttl 2h --print-join-command > ${q(joinFile)}`,
        `chmod 0600 ${q(joinFile)}`,
      ]),
  };
}

/** Where the master's join command is, and where the fabric copies it on each worker. */
export const JOIN_FILE = `${STATE_DIR}/join.sh`;

function join(at: At): InstallStep {
  return {
    name: 'join',
    on: 'workers',
    files: () => [],
    script: () =>
      strict([
        `if [ -f ${q(at('/etc/kubernetes/kubelet.conf'))} ]; then echo "join: already a node"; exit 0; fi`,
        `bash ${q(at(JOIN_FILE))}`,
      ]),
  };
}

function labels(site: SitePlan, f: Flavour): InstallStep {
  const master = site.hosts.find((h) => h.role === 'master')!;
  return {
    name: 'node labels',
    on: 'master',
    files: () => [],
    script: () =>
      strict([
        // the TF manifest runs its controller DaemonSets on nodes with this label
        `kubectl label node ${q(master.name)} node-role.kubernetes.io/master= --overwrite`,
        ...f.kube.untaint.map((t) => `kubectl taint node ${q(master.name)} ${q(t)} || true`),
      ]),
  };
}

/** Where the rendered TF manifest goes on the master. */
export const manifestPath = (plan: Plan): string => `${STATE_DIR}/${plan.profile.tf.manifest.name}`;

function manifest(plan: Plan, at: At): InstallStep {
  const path = at(manifestPath(plan));
  return {
    name: 'tf manifest',
    on: 'master',
    // rendered from the profile's manifest (downloaded at install) and the site's plan
    files: () => [{ path, content: '(the rendered TF manifest)', mode: 0o600 }],
    script: () => strict([`kubectl apply -f ${q(path)}`]),
  };
}

/** The install of one site, in order. */
export function installSteps(
  plan: Plan,
  site: SitePlan,
  secrets: InstallSecrets = {},
  options: InstallOptions = {},
): InstallStep[] {
  const at: At = (path) => `${options.root ?? ''}${path}`;
  const f = profileFlavour(plan, site, at);
  return [
    hostPrep(site, f, at),
    kernel(f, at),
    runtime(plan, f, secrets, at),
    images(f, at),
    kubernetes(f, at),
    kubeadmInit(site, f, at),
    join(at),
    labels(site, f),
    manifest(plan, at),
  ];
}

/** The hosts of a site a step runs on. */
export function stepHosts(site: SitePlan, step: InstallStep): HostPlan[] {
  const nodes = nodesOf(site);
  if (step.on === 'master') return nodes.filter((h) => h.role === 'master');
  if (step.on === 'workers') return nodes.filter((h) => h.role === 'worker');
  return nodes;
}

export interface RenderedCommand {
  site: string;
  host: string;
  step: string;
  /** the whole shell text run there, files written first (secrets as ***) */
  script: string;
}

/** What `plan --commands` shows: per host and step, the files and the script. */
export function renderedCommands(
  plan: Plan,
  secrets: InstallSecrets = {},
  /** run --doc: the doc's steps in place of the TF manifest step */
  docSteps: readonly DocStep[] = [],
): RenderedCommand[] {
  return plan.sites
    .filter((s) => s.provider !== 'local')
    .flatMap((site) =>
      installSteps(plan, site, secrets).flatMap((step) => {
        if (step.name === 'tf manifest' && docSteps.length > 0) {
          return docSteps.flatMap((d, i) =>
            docStepHosts(site.hosts, d).map((host) => ({
              site: site.name,
              host: host.name,
              step: docStepName(d, i),
              script: docStepCommand(d, site),
            })),
          );
        }
        return stepHosts(site, step).map((host) => {
          const files = step
            .files(host)
            .map(
              (f) =>
                `# file ${f.path} (mode ${f.mode.toString(8).padStart(4, '0')})\n${f.secret ? '***' : f.content.trimEnd()}\n# end of ${f.path}`,
            );
          return {
            site: site.name,
            host: host.name,
            step: step.name,
            script: [...files, step.script(host).trimEnd()].join('\n'),
          };
        });
      }),
    );
}
