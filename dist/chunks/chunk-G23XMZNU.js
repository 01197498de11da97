import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  buildPlanFromConfig,
  loadSiteFile,
  mustParseCidr,
  nthAddress,
  require_dist,
  runnableErrors
} from "./chunk-5N7V7XFQ.js";
import {
  sizeTable
} from "./chunk-WI6UNROS.js";
import {
  quoteArg
} from "./chunk-PYZPH3QF.js";
import {
  CancelledError,
  ExitCode,
  InfraError,
  UserError,
  UserErrors
} from "./chunk-IAZJZTPR.js";
import {
  __toESM
} from "./chunk-5VPQFH3J.js";

// src/commands/interrupt.ts
import { setMaxListeners } from "node:events";
var INTERRUPT_SIGNALS = ["SIGINT", "SIGTERM"];
function listenForInterrupt(options) {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const exit = options.exit ?? ((code) => process.exit(code));
  const target = options.target ?? process;
  let received;
  let downCommand;
  let timer;
  const exitNow = (why) => {
    options.logger.error(
      downCommand ? `${why}: exiting now; what the run made is left standing: tear it down with "${downCommand}"` : `${why}: exiting now`
    );
    exit(ExitCode.interrupted);
  };
  const onSignal = (sig) => {
    if (received) {
      exitNow(`${sig} again`);
      return;
    }
    received = sig;
    options.logger.warn(options.firstMessage(sig));
    controller.abort(new CancelledError(sig));
    if (options.hardExitAfterMs !== void 0) {
      timer = setTimeout(
        () => exitNow(`still busy ${options.hardExitAfterMs} ms after ${sig}`),
        options.hardExitAfterMs
      );
      timer.unref();
    }
  };
  for (const s of INTERRUPT_SIGNALS) target.on(s, onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    setDownCommand: (command) => {
      downCommand = command;
    },
    dispose: () => {
      for (const s of INTERRUPT_SIGNALS) target.off(s, onSignal);
    }
  };
}

// src/plan/format.ts
function planToJson(plan) {
  return {
    profile: {
      name: plan.profile.name,
      kubernetes: plan.versions.kubernetes,
      tfRegistry: plan.versions.tfRegistry,
      tfTag: plan.versions.tfTag,
      os: `${plan.profile.os.distro} ${plan.profile.os.release} (kernel ${plan.profile.os.kernel})`
    },
    ttlSeconds: plan.ttlSeconds,
    sites: plan.sites.map((s) => ({
      name: s.name,
      provider: s.provider,
      ...s.region ? { region: s.region } : {},
      ...s.zone ? { zone: s.zone } : {},
      asn: s.asn,
      routerId: s.routerId,
      gateway: s.gateway,
      cidrs: { ...s.cidrs },
      given: { ...s.given },
      hosts: s.hosts.map((h) => ({
        name: h.name,
        role: h.role,
        privateAddress: h.privateAddress,
        ...h.instanceType ? { instanceType: h.instanceType } : {}
      })),
      ...s.image.ref ? { image: s.image.ref } : {},
      peers: s.peers.map((p) => ({ ...p })),
      kubeadm: { args: s.kubeadm.args }
    })),
    peerings: plan.peerings,
    warnings: plan.warnings
  };
}
function where(s) {
  return [s.provider, s.region, s.zone].filter(Boolean).join(" ");
}
function rangeLine(label, value, given) {
  return `  ${label.padEnd(10)} ${value.padEnd(18)} ${given ? "(given)" : "(chosen)"}`;
}
function planToText(plan) {
  const v = plan.versions;
  const os = plan.profile.os;
  const out = [
    `profile ${plan.profile.name}: Kubernetes ${v.kubernetes}, TF ${v.tfRegistry}:${v.tfTag}, ${os.distro} ${os.release} kernel ${os.kernel}`,
    ""
  ];
  for (const s of plan.sites) {
    out.push(`site ${s.name} (${where(s)})`);
    out.push(
      `  nodes      ${s.hosts.map(
        (h) => `${h.name.slice(s.name.length + 1)} ${h.privateAddress}${h.instanceType ? ` [${h.instanceType}]` : ""}`
      ).join(", ")}`
    );
    out.push(rangeLine("underlay", s.cidrs.underlay, s.given.underlay) + `  gateway ${s.gateway}`);
    out.push(rangeLine("pod", s.cidrs.pod, s.given.pod));
    out.push(rangeLine("service", s.cidrs.service, s.given.service));
    out.push(rangeLine("ip-fabric", s.cidrs.ipFabric, s.given.ipFabric));
    out.push(`  asn        ${s.asn}, router id ${s.routerId}`);
    out.push(
      `  peers      ${s.peers.map((p) => `${p.site} AS${p.asn} at ${p.address}`).join(", ") || "-"}`
    );
    if (s.image.ref) out.push(`  image      ${s.image.ref}`);
    if (s.faults.length) out.push(`  faults     ${s.faults.join(", ")}`);
    out.push("");
  }
  out.push(`BGP: full mesh of ${plan.peerings.length} eBGP session(s) between control nodes.`);
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  return out.join("\n");
}

// src/commands/plan.ts
import { readFile } from "node:fs/promises";

// src/fabric/tungsten/install/flavour.ts
var q = quoteArg;
var BINARIES = ["kubeadm", "kubelet", "kubectl"];
function onlyMissing(install, packages) {
  const list = packages.map(q).join(" ");
  return `if rpm -q ${list} >/dev/null; then echo "packages ${packages.join(", ")}: already installed"; else ${install} ${list}; fi`;
}
var fetchFunction = (bin) => [
  "fetch() { # name url tool sum",
  `  local dest=${q(bin)}/"$1"`,
  '  if [ -x "$dest" ] && echo "$4  $dest" | "$3" -c --quiet 2>/dev/null; then echo "$1: already installed"; return 0; fi',
  '  curl -fsSL --retry 3 -o "$dest.tmp" "$2"',
  '  if ! echo "$4  $dest.tmp" | "$3" -c --quiet; then rm -f "$dest.tmp"; echo "$1: checksum mismatch for $2" >&2; exit 1; fi',
  '  chmod 0755 "$dest.tmp" && mv -f "$dest.tmp" "$dest"',
  "}"
];
function binaryInstall(plan, at) {
  const k = plan.profile.kubernetes;
  const url = (name) => k.binaries.url.replace("{version}", plan.versions.kubernetes).replace("{name}", name);
  const lines = [`mkdir -p ${q(at("/usr/local/bin"))}`, ...fetchFunction(at("/usr/local/bin"))];
  for (const name of BINARIES) {
    const pinned = k.binaries.checksums[name];
    if (pinned) {
      const [algo, sum] = pinned.split(":");
      lines.push(`fetch ${q(name)} ${q(url(name))} ${q(`${algo}sum`)} ${q(sum)}`);
    } else if (k.binaries["checksum-url"]) {
      const sumUrl = k.binaries["checksum-url"].replace("{version}", plan.versions.kubernetes).replace("{name}", name);
      const tool = sumUrl.endsWith(".sha512") ? "sha512sum" : "sha256sum";
      lines.push(
        `sum=$(curl -fsSL --retry 3 ${q(sumUrl)} | cut -d' ' -f1)`,
        `fetch ${q(name)} ${q(url(name))} ${q(tool)} "$sum"`
      );
    } else {
      throw new Error(`profile ${plan.profile.name} gives no checksum for ${name}`);
    }
  }
  return lines;
}
function kubeletFiles(plan, site, at) {
  const dns = nthAddress(mustParseCidr(site.cidrs.service), 10);
  const pause = plan.profile.kubernetes["pause-image"];
  const flags = [
    "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
    "--kubeconfig=/etc/kubernetes/kubelet.conf",
    "--pod-manifest-path=/etc/kubernetes/manifests",
    "--allow-privileged=true",
    "--network-plugin=cni",
    "--cni-conf-dir=/etc/cni/net.d",
    "--cni-bin-dir=/opt/cni/bin",
    `--cluster-dns=${dns}`,
    "--cluster-domain=cluster.local",
    "--authorization-mode=Webhook",
    "--client-ca-file=/etc/kubernetes/pki/ca.crt",
    "--cgroup-driver=systemd",
    ...pause ? [`--pod-infra-container-image=${pause}`] : []
  ];
  return [
    {
      path: at("/etc/systemd/system/kubelet.service"),
      content: [
        "[Unit]",
        "Description=kubelet (tungsten-e2e)",
        "After=docker.service",
        "[Service]",
        "ExecStart=/usr/local/bin/kubelet",
        "Restart=always",
        "RestartSec=5",
        "[Install]",
        "WantedBy=multi-user.target",
        ""
      ].join("\n"),
      mode: 420
    },
    {
      path: at("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"),
      content: [
        "[Service]",
        `Environment="KUBELET_ARGS=${flags.join(" ")}"`,
        "ExecStart=",
        "ExecStart=/usr/local/bin/kubelet $KUBELET_ARGS",
        ""
      ].join("\n"),
      mode: 420
    }
  ];
}
var CERTS_D = "/etc/containerd/certs.d";
function mirrorParts(mirror) {
  const url = new URL(/^[a-z]+:\/\//.test(mirror) ? mirror : `https://${mirror}`);
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, "") };
}
function dockerConfig(mirror, at) {
  if (!mirror || mirrorParts(mirror).path !== "") return [];
  return [
    {
      path: at("/etc/docker/daemon.json"),
      content: `${JSON.stringify({ "registry-mirrors": [mirrorParts(mirror).origin] }, null, 2)}
`
    }
  ];
}
function containerdMirror(mirror, at) {
  if (!mirror) return [];
  const { origin, path } = mirrorParts(mirror);
  return [
    {
      path: at(`${CERTS_D}/docker.io/hosts.toml`),
      content: [
        'server = "https://registry-1.docker.io"',
        "",
        `[host."${origin}${path ? `/v2${path}` : ""}"]`,
        '  capabilities = ["pull", "resolve"]',
        ...path ? ["  override_path = true"] : [],
        ""
      ].join("\n")
    }
  ];
}
function profileFlavour(plan, site, at = (x) => x) {
  const p = plan.profile;
  const pinned = !p.os["kernel-headers"];
  const yum = /centos/i.test(p.os.distro) && p.os.release.startsWith("7");
  const install = yum ? "yum install -y" : "dnf install -y";
  const repoText = p.os.repos.map((r) => `[${r.name}]
name=${r.name}
baseurl=${r.baseurl}
enabled=1
gpgcheck=0
`).join("\n");
  const docker = p["container-runtime"].name === "docker";
  const pause = p.kubernetes["pause-image"];
  const runtime2 = docker ? {
    name: "docker",
    packages: ["docker", "docker-client", "docker-common"].map((n) => p.os.packages[n] ?? n),
    service: "docker",
    // CentOS's docker unit already runs with the systemd cgroup driver kubelet is given
    files: [],
    config: dockerConfig(plan.registry.mirror, at),
    login: (user, host, file) => `docker login --username ${user} --password-stdin ${host} < ${file}`
  } : {
    name: "containerd",
    packages: ["containerd.io"],
    service: "containerd",
    files: [
      {
        path: at("/etc/yum.repos.d/docker-ce.repo"),
        content: "[docker-ce-stable]\nname=Docker CE Stable\nbaseurl=https://download.docker.com/linux/rhel/$releasever/$basearch/stable\nenabled=1\ngpgcheck=1\ngpgkey=https://download.docker.com/linux/rhel/gpg\n",
        mode: 420
      }
    ],
    config: [
      {
        path: at("/etc/containerd/config.toml"),
        content: [
          "version = 2",
          'imports = ["/etc/containerd/conf.d/*.toml"]',
          '[plugins."io.containerd.grpc.v1.cri"]',
          ...pause ? [`  sandbox_image = "${pause}"`] : [],
          '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
          "  SystemdCgroup = true",
          ...plan.registry.mirror ? ['[plugins."io.containerd.grpc.v1.cri".registry]', `  config_path = "${CERTS_D}"`] : [],
          ""
        ].join("\n")
      },
      ...containerdMirror(plan.registry.mirror, at)
    ],
    // the password goes from its file into a 0600 config through the shell, never an argv
    login: (user, host, file) => [
      `install -d -m 0700 ${q(at("/etc/containerd/conf.d"))}`,
      `pw=$(cat ${file})`,
      `umask 077; printf '[plugins."io.containerd.grpc.v1.cri".registry.configs.%s.auth]\\n  username = %s\\n  password = "%s"\\n' '"'${host}'"' '"'${user}'"' "$pw" > ${q(at("/etc/containerd/conf.d/registry-auth.toml"))}`,
      "systemctl restart containerd"
    ].join("\n")
  };
  const repo = p.kubernetes["package-repo"];
  const version = plan.versions.kubernetes;
  const kube = repo ? {
    files: [
      {
        path: at("/etc/yum.repos.d/kubernetes.repo"),
        content: `[kubernetes]
name=Kubernetes
baseurl=${repo}
enabled=1
gpgcheck=1
gpgkey=${repo}repodata/repomd.xml.key
`,
        mode: 420
      }
    ],
    install: [
      onlyMissing(install, [
        "socat",
        "conntrack-tools",
        ...["kubelet", "kubeadm", "kubectl"].map((n) => `${n}-${version}`),
        "cri-tools"
      ])
    ],
    initFlags: "",
    untaint: ["node-role.kubernetes.io/control-plane:NoSchedule-"]
  } : {
    files: kubeletFiles(plan, site, at),
    install: [
      onlyMissing(install, ["socat", "ebtables", "ethtool", "conntrack-tools"]),
      ...binaryInstall(plan, at)
    ],
    initFlags: "",
    untaint: []
  };
  return {
    install,
    timeService: "chronyd",
    repoFile: at("/etc/yum.repos.d/tungsten-e2e.repo"),
    repoText,
    kernel: pinned ? {
      kind: "pinned",
      release: p.os.kernel,
      package: p.os.packages.kernel ?? `kernel-${p.os.kernel.replace(/\.x86_64$/, "")}`
    } : { kind: "headers" },
    runtime: runtime2,
    kube
  };
}

// src/fabric/tungsten/install/steps.ts
var STATE_DIR = "/etc/tungsten-e2e";
var REBOOT_EXIT = 100;
var q2 = quoteArg;
function strict(lines) {
  return ["#!/bin/bash", "set -euo pipefail", ...lines, ""].join("\n");
}
function nodesOf(site) {
  return site.hosts.filter((h) => h.role !== "edge");
}
function hostsBlock(site) {
  return nodesOf(site).map((h) => `${h.privateAddress} ${h.name}`).join("\n");
}
function hostPrep(site, f, at) {
  const dirs = ["/var/log/contrail", "/var/lib/contrail/kafka-logs", "/var/crashes"].map(at);
  return {
    name: "host prep",
    on: "all",
    files: () => [
      {
        path: at(`${STATE_DIR}/hosts`),
        content: `# tungsten-e2e begin
${hostsBlock(site)}
# tungsten-e2e end
`,
        mode: 420
      },
      {
        path: at("/etc/sysctl.d/90-tungsten-e2e.conf"),
        content: "net.bridge.bridge-nf-call-iptables = 1\nnet.ipv4.ip_forward = 1\n",
        mode: 420
      },
      {
        path: at("/etc/modules-load.d/tungsten-e2e.conf"),
        content: "br_netfilter\n",
        mode: 420
      }
    ],
    script: (host) => strict([
      `hostnamectl set-hostname ${q2(host.name)}`,
      "swapoff -a",
      `if [ -f ${q2(at("/etc/fstab"))} ]; then sed -i '/\\sswap\\s/s/^[^#]/#&/' ${q2(at("/etc/fstab"))}; fi`,
      'if command -v setenforce >/dev/null && [ "$(getenforce)" = Enforcing ]; then setenforce 0; fi',
      `if [ -f ${q2(at("/etc/selinux/config"))} ]; then sed -i 's/^SELINUX=enforcing/SELINUX=permissive/' ${q2(at("/etc/selinux/config"))}; fi`,
      'if systemctl is-enabled --quiet firewalld 2>/dev/null; then systemctl disable --now firewalld; else echo "firewalld: already off"; fi',
      `systemctl enable --now ${f.timeService}`,
      "modprobe br_netfilter",
      "sysctl --system >/dev/null",
      // the block between the markers is replaced, so a re-run does not add lines
      `touch ${q2(at("/etc/hosts"))}`,
      `sed -i '/^# tungsten-e2e begin$/,/^# tungsten-e2e end$/d' ${q2(at("/etc/hosts"))}`,
      `cat ${q2(at(`${STATE_DIR}/hosts`))} >> ${q2(at("/etc/hosts"))}`,
      `mkdir -p ${dirs.map(q2).join(" ")}`
    ])
  };
}
function kernel(f, at) {
  return {
    name: "kernel",
    on: "all",
    mayReboot: f.kernel.kind === "pinned",
    files: () => f.kernel.kind === "pinned" ? [{ path: f.repoFile, content: f.repoText, mode: 420 }] : [],
    script: () => {
      const k = f.kernel;
      if (k.kind === "pinned") {
        return strict([
          `want=${q2(k.release)}`,
          'if [ "$(uname -r)" = "$want" ]; then echo "kernel $want: already running"; exit 0; fi',
          `if ! rpm -q ${q2(k.package)} >/dev/null; then ${f.install} ${q2(k.package)}; fi`,
          `grubby --set-default ${q2(at("/boot/vmlinuz-"))}"$want"`,
          `echo "kernel $want installed; rebooting into it"`,
          `exit ${REBOOT_EXIT}`
        ]);
      }
      return strict([
        'want="kernel-devel-$(uname -r)"',
        `if rpm -q "$want" >/dev/null; then echo "$want: already installed"; else ${f.install} "$want"; fi`,
        // vrouter.ko is built against these at container start: they must match the running kernel
        `test -d ${q2(at("/usr/src/kernels/"))}"$(uname -r)" || { echo "no headers for $(uname -r) in /usr/src/kernels" >&2; exit 1; }`
      ]);
    }
  };
}
function runtime(plan, f, secrets, at) {
  const user = plan.registry.username;
  const registryHost = plan.versions.tfRegistry.split("/")[0];
  const password = at(`${STATE_DIR}/registry-password`);
  const login = user && secrets.registryPassword !== void 0;
  const staged = (path) => at(`${STATE_DIR}/runtime${path.slice(at("").length)}`);
  const svc = q2(f.runtime.service);
  return {
    name: "container runtime",
    on: "all",
    files: () => [
      ...f.runtime.files,
      ...f.runtime.config.map((c) => ({ path: staged(c.path), content: c.content, mode: 420 })),
      ...login ? [{ path: password, content: secrets.registryPassword, mode: 384, secret: true }] : []
    ],
    script: () => strict([
      `if rpm -q ${f.runtime.packages.map(q2).join(" ")} >/dev/null; then echo "${f.runtime.name}: already installed"; else ${f.install} ${f.runtime.packages.map(q2).join(" ")}; fi`,
      "changed=0",
      // the runtime's config moves into place only when it differs, so a re-run restarts nothing
      ...f.runtime.config.map(
        (c) => `if cmp -s ${q2(staged(c.path))} ${q2(c.path)}; then echo ${q2(`${c.path.slice(at("").length)}: already in place`)}; else install -D -m 0644 ${q2(staged(c.path))} ${q2(c.path)}; changed=1; fi`
      ),
      `systemctl enable --now ${svc}`,
      `if [ "$changed" = 1 ]; then systemctl restart ${svc}; fi`,
      // credentials before the first pull; the password only ever on stdin
      ...login ? [f.runtime.login(q2(user), q2(registryHost), q2(password))] : []
    ])
  };
}
function kubernetes(f, at) {
  return {
    name: "kubernetes",
    on: "all",
    files: () => f.kube.files,
    script: () => strict([
      ...f.kube.install,
      // no CNI config until TF writes its own: kubelet must not pick a default
      `mkdir -p ${q2(at("/etc/cni/net.d"))}`,
      "systemctl daemon-reload",
      "systemctl enable kubelet"
    ])
  };
}
function kubeadmInit(site, f, at) {
  const config = at(`${STATE_DIR}/kubeadm.yaml`);
  const admin = at("/etc/kubernetes/admin.conf");
  const joinFile = at(`${STATE_DIR}/join.sh`);
  return {
    name: "kubeadm init",
    on: "master",
    files: () => [{ path: config, content: site.kubeadm.config, mode: 384 }],
    script: () => strict([
      `if [ -f ${q2(admin)} ]; then echo "kubeadm init: already done"; else`,
      `  kubeadm init --config ${q2(config)}${f.kube.initFlags}`,
      "fi",
      `mkdir -p ${q2(at("/root/.kube"))}`,
      `install -m 0600 ${q2(admin)} ${q2(at("/root/.kube/config"))}`,
      // a join command for the workers, with a token of its own (the fabric copies it over)
      `kubeadm token create --ttl 2h --print-join-command > ${q2(joinFile)}`,
      `chmod 0600 ${q2(joinFile)}`
    ])
  };
}
var JOIN_FILE = `${STATE_DIR}/join.sh`;
function join(at) {
  return {
    name: "join",
    on: "workers",
    files: () => [],
    script: () => strict([
      `if [ -f ${q2(at("/etc/kubernetes/kubelet.conf"))} ]; then echo "join: already a node"; exit 0; fi`,
      `bash ${q2(at(JOIN_FILE))}`
    ])
  };
}
function labels(site, f) {
  const master = site.hosts.find((h) => h.role === "master");
  return {
    name: "node labels",
    on: "master",
    files: () => [],
    script: () => strict([
      // the TF manifest runs its controller DaemonSets on nodes with this label
      `kubectl label node ${q2(master.name)} node-role.kubernetes.io/master= --overwrite`,
      ...f.kube.untaint.map((t) => `kubectl taint node ${q2(master.name)} ${q2(t)} || true`)
    ])
  };
}
var manifestPath = (plan) => `${STATE_DIR}/${plan.profile.tf.manifest.name}`;
function manifest(plan, at) {
  const path = at(manifestPath(plan));
  return {
    name: "tf manifest",
    on: "master",
    // rendered from the profile's manifest (downloaded at install) and the site's plan
    files: () => [{ path, content: "(the rendered TF manifest)", mode: 384 }],
    script: () => strict([`kubectl apply -f ${q2(path)}`])
  };
}
function installSteps(plan, site, secrets = {}, options = {}) {
  const at = (path) => `${options.root ?? ""}${path}`;
  const f = profileFlavour(plan, site, at);
  return [
    hostPrep(site, f, at),
    kernel(f, at),
    runtime(plan, f, secrets, at),
    kubernetes(f, at),
    kubeadmInit(site, f, at),
    join(at),
    labels(site, f),
    manifest(plan, at)
  ];
}
function stepHosts(site, step) {
  const nodes = nodesOf(site);
  if (step.on === "master") return nodes.filter((h) => h.role === "master");
  if (step.on === "workers") return nodes.filter((h) => h.role === "worker");
  return nodes;
}
function renderedCommands(plan, secrets = {}) {
  return plan.sites.filter((s) => s.provider !== "local").flatMap(
    (site) => installSteps(plan, site, secrets).flatMap(
      (step) => stepHosts(site, step).map((host) => {
        const files = step.files(host).map(
          (f) => `# file ${f.path} (mode ${f.mode.toString(8).padStart(4, "0")})
${f.secret ? "***" : f.content.trimEnd()}
# end of ${f.path}`
        );
        return {
          site: site.name,
          host: host.name,
          step: step.name,
          script: [...files, step.script(host).trimEnd()].join("\n")
        };
      })
    )
  );
}

// src/plan/render/manifest.ts
var import_yaml = __toESM(require_dist(), 1);
var PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
var ANY_PLACEHOLDER = /\{\{.*?\}\}/g;
function renderManifest(input) {
  const filled = input.text.replace(
    PLACEHOLDER,
    (whole, name) => Object.hasOwn(input.placeholders, name) ? input.placeholders[name] : whole
  );
  refuseLeftovers(filled, input);
  const docs = (0, import_yaml.parseAllDocuments)(filled);
  if (!Array.isArray(docs)) return filled;
  const broken = docs.flatMap((d) => d.errors);
  if (broken.length > 0) {
    const e = broken[0];
    const line = e.linePos?.[0]?.line;
    throw new UserError(
      `${input.source}${line ? `:${line}` : ""}: the rendered manifest is not valid YAML (${e.message.split("\n")[0]}); check the manifest at that line.`
    );
  }
  const pending = new Map(input.edits.map((e) => [`${e.namespace}/${e.name}`, e]));
  const changed = /* @__PURE__ */ new Set();
  docs.forEach((doc, i) => {
    const meta = configMapIdentity(doc);
    if (!meta) return;
    const edit = pending.get(`${meta.namespace}/${meta.name}`);
    if (!edit) return;
    for (const [key, value] of Object.entries(edit.data)) {
      const node = new import_yaml.Scalar(value);
      node.type = import_yaml.Scalar.QUOTE_DOUBLE;
      doc.setIn(["data", key], node);
    }
    pending.delete(`${meta.namespace}/${meta.name}`);
    changed.add(i);
  });
  if (pending.size > 0) {
    const missing = [...pending.values()].map((e) => `${e.namespace}/${e.name}`).join(", ");
    throw new UserError(
      `${input.source}: the manifest has no ConfigMap ${missing}, which profile ${input.profile} expects to edit; use the manifest the profile names or update the profile.`
    );
  }
  return reassemble(filled, docs, changed);
}
function refuseLeftovers(text, input) {
  const errors = [];
  const lines = text.split("\n");
  const seen = /* @__PURE__ */ new Set();
  lines.forEach((line, i) => {
    for (const m of line.matchAll(ANY_PLACEHOLDER)) {
      if (seen.has(m[0])) continue;
      seen.add(m[0]);
      const known = Object.keys(input.placeholders).join(", ");
      errors.push(
        new UserError(
          `${input.source}:${i + 1}: placeholder ${m[0]} is not filled by profile ${input.profile} (it fills ${known}); add it to the profile's tf.manifest.placeholders or remove it from the manifest.`
        )
      );
    }
  });
  if (errors.length > 0) throw new UserErrors(errors);
}
function configMapIdentity(doc) {
  const js = doc.toJS();
  if (!js || js.kind !== "ConfigMap" || typeof js.metadata?.name !== "string") return void 0;
  const namespace = typeof js.metadata.namespace === "string" ? js.metadata.namespace : "default";
  return { name: js.metadata.name, namespace };
}
function reassemble(text, docs, changed) {
  const starts = docs.map((d, i) => i === 0 ? 0 : d.range[0]);
  return docs.map((doc, i) => {
    const original = text.slice(starts[i], i + 1 < docs.length ? starts[i + 1] : text.length);
    if (!changed.has(i)) return original;
    let out = doc.toString({ lineWidth: 0 });
    if (/^---/.test(original) && !/^---/.test(out)) out = `---
${out}`;
    return out;
  }).join("");
}

// src/plan/render/site.ts
function renderSiteManifest(text, source, plan, site) {
  const m = plan.profile.tf.manifest;
  return renderManifest({
    text,
    source,
    profile: plan.profile.name,
    placeholders: site.manifestValues,
    edits: [
      { name: m["env-configmap"], namespace: m.namespace, data: site.configMapValues.env },
      {
        name: m["kube-manager-configmap"],
        namespace: m.namespace,
        data: site.configMapValues.kubeManager
      }
    ]
  });
}

// src/providers/catalogues.ts
var SIZE_CATALOGUES = {
  aws: async () => (await import("./sizeCatalogue-DPU6DMSA.js")).awsSizeCatalogue(),
  gcp: async () => (await import("./sizeCatalogue-EFIPOIGC.js")).gcpSizeCatalogue(),
  azure: async () => (await import("./sizeCatalogue-53PDLJYV.js")).azureSizeCatalogue()
};

// src/commands/cloudSizes.ts
var CLOUDS = ["aws", "gcp", "azure"];
function cloudsOf(plan) {
  return CLOUDS.filter((c) => plan.sites.some((s) => s.provider === c));
}
async function checkCloudSizes(plan, io, catalogues = SIZE_CATALOGUES) {
  const out = { checked: [], notChecked: [] };
  for (const cloud of cloudsOf(plan)) {
    const load = catalogues[cloud];
    if (!load) {
      out.notChecked.push({
        provider: cloud,
        reason: `this version cannot ask ${cloud}'s catalogue yet`
      });
      continue;
    }
    const catalogue = await load();
    const credentials = catalogue.credentialSource();
    if (!credentials) {
      out.notChecked.push({
        provider: cloud,
        reason: `no ${cloud} credentials found (${catalogue.credentialsHint})`
      });
      continue;
    }
    io.logger.info(`asking ${cloud}'s catalogue (credentials from ${credentials})`);
    const rows = await catalogue.check(plan.sites, plan, {
      logger: io.logger,
      signal: new AbortController().signal
    });
    out.checked.push({ provider: cloud, credentials, rows });
  }
  return out;
}
function cloudSizesText(result) {
  const lines = [];
  for (const c of result.checked) {
    lines.push(`instance sizes from ${c.provider}'s catalogue:`);
    lines.push(...sizeTable(c.rows));
  }
  for (const n of result.notChecked) {
    lines.push(`instance sizes on ${n.provider} were not checked: ${n.reason}.`);
  }
  return lines.join("\n");
}
function refuseUndersizedRows(result) {
  const problems = result.checked.flatMap((c) => c.rows.filter((r) => !r.ok));
  if (problems.length === 1) throw new UserError(problems[0].problem);
  if (problems.length > 1) throw new UserErrors(problems.map((p) => new UserError(p.problem)));
}
var OFFLINE_NOTE = `instance sizes were not checked against the clouds' catalogues (plan is offline); run "tungsten-e2e plan --check-cloud" with credentials to check them.`;

// src/commands/outputFiles.ts
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join as join2 } from "node:path";
var USER_CAUSES = {
  ENOTDIR: "a part of the path is a file, not a directory",
  EEXIST: "a file of that name is in the way",
  EISDIR: "a directory of that name is in the way",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENAMETOOLONG: "the name is too long",
  ENOENT: "a part of the path does not exist",
  ELOOP: "the path loops through symbolic links"
};
async function writeInto(dir, label, files) {
  const written = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join2(dir, name);
    await attempt(() => mkdir(dirname(path), { recursive: true }), dir, label, dirname(path));
    await attempt(() => writeFile(path, text), dir, label, path);
    written.push(path);
  }
  return written;
}
async function attempt(op, dir, label, path) {
  try {
    await op();
  } catch (e) {
    const code = e.code ?? "";
    const cause = USER_CAUSES[code];
    if (cause) {
      throw new UserError(
        `${label} ${dir}: cannot write ${path} (${cause}); choose a directory you can write to.`
      );
    }
    throw new InfraError(
      `cannot write ${path} under ${label} ${dir}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e }
    );
  }
}

// src/commands/plan.ts
var PLAN_JSON = "plan.json";
function planJsonText(json) {
  return `${JSON.stringify(json, null, 2)}
`;
}
async function writePlanJson(dir, label, json) {
  const [path] = await writeInto(dir, label, { [PLAN_JSON]: planJsonText(json) });
  return path;
}
async function planCommand(options, io) {
  const config = await loadSiteFile(options.sites, options.overrides, options.sitesLabel);
  const unrunnable = runnableErrors(config);
  if (unrunnable.length > 0) throw new UserErrors(unrunnable);
  const plan = buildPlanFromConfig(config);
  const json = planToJson(plan);
  if (options.checkCloud) json.cloudSizes = await checkCloudSizes(plan, io, options.catalogues);
  let manifestText;
  if (options.manifest) {
    try {
      manifestText = await readFile(options.manifest, "utf8");
    } catch {
      throw new UserError(
        `${options.manifest}: cannot read the manifest; pass the path of a TF manifest file.`
      );
    }
  }
  const rendered = plan.sites.map((site) => ({
    site,
    manifest: manifestText === void 0 ? void 0 : renderSiteManifest(manifestText, options.manifest, plan, site)
  }));
  if (options.out) {
    const files = {};
    for (const { site, manifest: manifest2 } of rendered) {
      files[`${site.name}/kubeadm.yaml`] = site.kubeadm.config;
      if (manifest2 !== void 0) files[`${site.name}/tf.yaml`] = manifest2;
    }
    files[PLAN_JSON] = planJsonText(json);
    await writeInto(options.out, "--out", files);
  }
  if (options.commands) {
    const commands = renderedCommands(plan, { registryPassword: "***" });
    if (commands.length === 0) {
      throw new UserError(
        "plan --commands shows the install on cloud and static sites (the tungsten fabric); every site here is local, which runs the emulated fabric."
      );
    }
    if (options.json) io.stdout(`${JSON.stringify(commands, null, 2)}
`);
    else {
      for (const c of commands) {
        io.stdout(`### ${c.site} / ${c.host} / ${c.step}
${c.script}

`);
      }
    }
    for (const w of plan.warnings) io.logger.warn(w);
    return json;
  }
  if (options.json) {
    io.stdout(`${JSON.stringify(json, null, 2)}
`);
    for (const w of plan.warnings) io.logger.warn(w);
  } else {
    io.stdout(`${planToText(plan)}
`);
    if (manifestText !== void 0) {
      io.stdout(
        `manifest ${options.manifest} renders for ${plan.sites.length} sites with no placeholder left.
`
      );
    }
    if (options.out)
      io.stdout(`wrote ${options.out}/plan.json and per-site files under ${options.out}/
`);
    if (json.cloudSizes) io.stdout(`${cloudSizesText(json.cloudSizes)}
`);
    else if (cloudsOf(plan).length) io.stdout(`${OFFLINE_NOTE}
`);
  }
  for (const note of plan.profile.unverified)
    io.logger.debug(`unverified in profile ${plan.profile.name}: ${note}`);
  if (json.cloudSizes) refuseUndersizedRows(json.cloudSizes);
  return json;
}

export {
  listenForInterrupt,
  planToJson,
  writePlanJson,
  planCommand
};
