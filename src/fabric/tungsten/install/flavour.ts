/**
 * What differs between the profiles' installs, read from the profile: the
 * package tool, the kernel (pinned and booted, or the running kernel's
 * headers), the container runtime and how Kubernetes arrives (checked
 * binaries, or the versioned package repository).
 */
import { mustParseCidr, nthAddress } from '../../../net/cidr.js';
import type { Plan, SitePlan } from '../../../plan/types.js';
import { quoteArg } from '../../../remote/quote.js';
import { STATE_DIR, type At, type StepFile } from './steps.js';

const q = quoteArg;

export interface Flavour {
  install: string;
  timeService: string;
  repoFile: string;
  repoText: string;
  kernel: { kind: 'pinned'; release: string; package: string } | { kind: 'headers' };
  runtime: {
    name: string;
    packages: string[];
    service: string;
    /** repositories and such, written before the packages are installed */
    files: StepFile[];
    /**
     * The runtime's own configuration: staged under the install's directory,
     * moved into place and the runtime restarted only when it changed (a
     * re-run restarts nothing, so running pods are left alone).
     */
    config: { path: string; content: string }[];
    /** a line that logs in to the registry with the password from a 0600 file (quoted values) */
    login(user: string, host: string, passwordFile: string): string;
    /** a condition true when the image named by "$ref" is in the runtime (the one Kubernetes uses) */
    hasImage: string;
    /** a command that loads a docker-archive from its stdin */
    loadImage: string;
  };
  kube: {
    files: StepFile[];
    install: string[];
    /** after --config (kubeadm 1.10 takes no other flag with it) */
    initFlags: string;
    /** taints removed from the master so the manifest's DaemonSets can run there */
    untaint: string[];
  };
}

const BINARIES = ['kubeadm', 'kubelet', 'kubectl'] as const;

/** Install packages unless every one is there already (and say so). */
function onlyMissing(install: string, packages: readonly string[]): string {
  const list = packages.map(q).join(' ');
  return `if rpm -q ${list} >/dev/null; then echo "packages ${packages.join(', ')}: already installed"; else ${install} ${list}; fi`;
}

/**
 * Install a binary: skip it when the installed one matches; take the copy the
 * runner pushed (its artifact cache) when that matches; else download and check.
 */
const fetchFunction = (bin: string, pushed: string) => [
  'fetch() { # name url tool sum',
  `  local dest=${q(bin)}/"$1" staged=${q(pushed)}/"$1"`,
  '  if [ -x "$dest" ] && echo "$4  $dest" | "$3" -c --quiet 2>/dev/null; then echo "$1: already installed"; return 0; fi',
  '  if [ -f "$staged" ] && echo "$4  $staged" | "$3" -c --quiet 2>/dev/null; then install -m 0755 "$staged" "$dest"; echo "$1: from the runner\'s artifact cache"; return 0; fi',
  '  curl -fsSL --retry 3 -o "$dest.tmp" "$2"',
  '  if ! echo "$4  $dest.tmp" | "$3" -c --quiet; then rm -f "$dest.tmp"; echo "$1: checksum mismatch for $2" >&2; exit 1; fi',
  '  chmod 0755 "$dest.tmp" && mv -f "$dest.tmp" "$dest"',
  '}',
];

function binaryInstall(plan: Plan, at: At): string[] {
  const k = plan.profile.kubernetes;
  const url = (name: string) =>
    k.binaries.url.replace('{version}', plan.versions.kubernetes).replace('{name}', name);
  const lines = [
    `mkdir -p ${q(at('/usr/local/bin'))}`,
    ...fetchFunction(at('/usr/local/bin'), at(`${STATE_DIR}/artifacts`)),
  ];
  for (const name of BINARIES) {
    const pinned = k.binaries.checksums[name];
    if (pinned) {
      const [algo, sum] = pinned.split(':') as [string, string];
      lines.push(`fetch ${q(name)} ${q(url(name))} ${q(`${algo}sum`)} ${q(sum)}`);
    } else if (k.binaries['checksum-url']) {
      const sumUrl = k.binaries['checksum-url']
        .replace('{version}', plan.versions.kubernetes)
        .replace('{name}', name);
      const tool = sumUrl.endsWith('.sha512') ? 'sha512sum' : 'sha256sum';
      lines.push(
        `sum=$(curl -fsSL --retry 3 ${q(sumUrl)} | cut -d' ' -f1)`,
        `fetch ${q(name)} ${q(url(name))} ${q(tool)} "$sum"`,
      );
    } else {
      throw new Error(`profile ${plan.profile.name} gives no checksum for ${name}`);
    }
  }
  return lines;
}

function kubeletFiles(plan: Plan, site: SitePlan, at: At): StepFile[] {
  const dns = nthAddress(mustParseCidr(site.cidrs.service), 10);
  const pause = plan.profile.kubernetes['pause-image'];
  const flags = [
    '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
    '--kubeconfig=/etc/kubernetes/kubelet.conf',
    '--pod-manifest-path=/etc/kubernetes/manifests',
    '--allow-privileged=true',
    '--network-plugin=cni',
    '--cni-conf-dir=/etc/cni/net.d',
    '--cni-bin-dir=/opt/cni/bin',
    `--cluster-dns=${dns}`,
    '--cluster-domain=cluster.local',
    '--authorization-mode=Webhook',
    '--client-ca-file=/etc/kubernetes/pki/ca.crt',
    '--cgroup-driver=systemd',
    ...(pause ? [`--pod-infra-container-image=${pause}`] : []),
  ];
  return [
    {
      path: at('/etc/systemd/system/kubelet.service'),
      content: [
        '[Unit]',
        'Description=kubelet (tungsten-e2e)',
        'After=docker.service',
        '[Service]',
        'ExecStart=/usr/local/bin/kubelet',
        'Restart=always',
        'RestartSec=5',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
      mode: 0o644,
    },
    {
      path: at('/etc/systemd/system/kubelet.service.d/10-kubeadm.conf'),
      content: [
        '[Service]',
        `Environment="KUBELET_ARGS=${flags.join(' ')}"`,
        'ExecStart=',
        'ExecStart=/usr/local/bin/kubelet $KUBELET_ARGS',
        '',
      ].join('\n'),
      mode: 0o644,
    },
  ];
}

const CERTS_D = '/etc/containerd/certs.d';

/** Where a mirror answers: https unless it names another scheme; its host and its path apart. */
function mirrorParts(mirror: string): { origin: string; path: string } {
  const url = new URL(/^[a-z]+:\/\//.test(mirror) ? mirror : `https://${mirror}`);
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
}

/**
 * Docker pulls Docker Hub's images through `registry-mirrors`, which takes a
 * host only (dockerd refuses a mirror URL with a path). TF's images come
 * through the mirror by name in any case (the plan rewrites their registry).
 */
function dockerConfig(mirror: string | undefined, at: At): { path: string; content: string }[] {
  if (!mirror || mirrorParts(mirror).path !== '') return [];
  return [
    {
      path: at('/etc/docker/daemon.json'),
      content: `${JSON.stringify({ 'registry-mirrors': [mirrorParts(mirror).origin] }, null, 2)}\n`,
    },
  ];
}

/** containerd's per-registry hosts file: Docker Hub through the mirror, its path kept (override_path). */
function containerdMirror(mirror: string | undefined, at: At): { path: string; content: string }[] {
  if (!mirror) return [];
  const { origin, path } = mirrorParts(mirror);
  return [
    {
      path: at(`${CERTS_D}/docker.io/hosts.toml`),
      content: [
        'server = "https://registry-1.docker.io"',
        '',
        `[host."${origin}${path ? `/v2${path}` : ''}"]`,
        '  capabilities = ["pull", "resolve"]',
        ...(path ? ['  override_path = true'] : []),
        '',
      ].join('\n'),
    },
  ];
}

export function profileFlavour(plan: Plan, site: SitePlan, at: At = (x) => x): Flavour {
  const p = plan.profile;
  const pinned = !p.os['kernel-headers'];
  const yum = /centos/i.test(p.os.distro) && p.os.release.startsWith('7');
  const install = yum ? 'yum install -y' : 'dnf install -y';
  const repoText = p.os.repos
    .map((r) => `[${r.name}]\nname=${r.name}\nbaseurl=${r.baseurl}\nenabled=1\ngpgcheck=0\n`)
    .join('\n');
  const docker = p['container-runtime'].name === 'docker';
  const pause = p.kubernetes['pause-image'];
  const runtime: Flavour['runtime'] = docker
    ? {
        name: 'docker',
        packages: ['docker', 'docker-client', 'docker-common'].map((n) => p.os.packages[n] ?? n),
        service: 'docker',
        // CentOS's docker unit already runs with the systemd cgroup driver kubelet is given
        files: [],
        config: dockerConfig(plan.registry.mirror, at),
        login: (user, host, file) =>
          `docker login --username ${user} --password-stdin ${host} < ${file}`,
        hasImage: 'docker image inspect "$ref" >/dev/null 2>&1',
        loadImage: 'docker load',
      }
    : {
        name: 'containerd',
        packages: ['containerd.io'],
        service: 'containerd',
        files: [
          {
            path: at('/etc/yum.repos.d/docker-ce.repo'),
            content:
              '[docker-ce-stable]\nname=Docker CE Stable\nbaseurl=https://download.docker.com/linux/rhel/$releasever/$basearch/stable\nenabled=1\ngpgcheck=1\ngpgkey=https://download.docker.com/linux/rhel/gpg\n',
            mode: 0o644,
          },
        ],
        config: [
          {
            path: at('/etc/containerd/config.toml'),
            content: [
              'version = 2',
              'imports = ["/etc/containerd/conf.d/*.toml"]',
              '[plugins."io.containerd.grpc.v1.cri"]',
              ...(pause ? [`  sandbox_image = "${pause}"`] : []),
              '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
              '  SystemdCgroup = true',
              ...(plan.registry.mirror
                ? ['[plugins."io.containerd.grpc.v1.cri".registry]', `  config_path = "${CERTS_D}"`]
                : []),
              '',
            ].join('\n'),
          },
          ...containerdMirror(plan.registry.mirror, at),
        ],
        // the password goes from its file into a 0600 config through the shell, never an argv
        login: (user, host, file) =>
          [
            `install -d -m 0700 ${q(at('/etc/containerd/conf.d'))}`,
            `pw=$(cat ${file})`,
            `umask 077; printf '[plugins."io.containerd.grpc.v1.cri".registry.configs.%s.auth]\\n  username = %s\\n  password = "%s"\\n' '"'${host}'"' '"'${user}'"' "$pw" > ${q(at('/etc/containerd/conf.d/registry-auth.toml'))}`,
            'systemctl restart containerd',
          ].join('\n'),
        // kubelet's images live in containerd's k8s.io namespace
        hasImage: 'ctr -n k8s.io images ls -q | grep -Fxq "$ref"',
        loadImage: 'ctr -n k8s.io images import -',
      };
  const repo = p.kubernetes['package-repo'];
  const version = plan.versions.kubernetes;
  const kube: Flavour['kube'] = repo
    ? {
        files: [
          {
            path: at('/etc/yum.repos.d/kubernetes.repo'),
            content: `[kubernetes]\nname=Kubernetes\nbaseurl=${repo}\nenabled=1\ngpgcheck=1\ngpgkey=${repo}repodata/repomd.xml.key\n`,
            mode: 0o644,
          },
        ],
        install: [
          onlyMissing(install, [
            'socat',
            'conntrack-tools',
            ...['kubelet', 'kubeadm', 'kubectl'].map((n) => `${n}-${version}`),
            'cri-tools',
          ]),
        ],
        initFlags: '',
        untaint: ['node-role.kubernetes.io/control-plane:NoSchedule-'],
      }
    : {
        files: kubeletFiles(plan, site, at),
        install: [
          onlyMissing(install, ['socat', 'ebtables', 'ethtool', 'conntrack-tools']),
          ...binaryInstall(plan, at),
        ],
        initFlags: '',
        untaint: [],
      };
  return {
    install,
    timeService: 'chronyd',
    repoFile: at('/etc/yum.repos.d/tungsten-e2e.repo'),
    repoText,
    kernel: pinned
      ? {
          kind: 'pinned',
          release: p.os.kernel,
          package: p.os.packages.kernel ?? `kernel-${p.os.kernel.replace(/\.x86_64$/, '')}`,
        }
      : { kind: 'headers' },
    runtime,
    kube,
  };
}
