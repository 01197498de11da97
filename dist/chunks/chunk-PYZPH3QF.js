import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);

// src/tunnel/wireguard.ts
import { generateKeyPairSync, randomBytes } from "node:crypto";

// src/remote/quote.ts
var SAFE_WORD = /^[A-Za-z0-9_./@:,+-]+$/;
var RESERVED_FIRST_WORDS = /* @__PURE__ */ new Set([
  "!",
  "[[",
  "]]",
  "{",
  "}",
  "case",
  "coproc",
  "do",
  "done",
  "elif",
  "else",
  "esac",
  "fi",
  "for",
  "function",
  "if",
  "in",
  "select",
  "then",
  "time",
  "until",
  "while"
]);
function quoteArg(s) {
  if (s.includes("\0")) {
    throw new TypeError(`a shell argument cannot contain a NUL byte: ${JSON.stringify(s)}`);
  }
  if (s === "") return "''";
  if (SAFE_WORD.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
function quoteArgv(argv) {
  if (argv.length === 0) throw new TypeError("cannot quote an empty command");
  return argv.map((arg, i) => {
    if (i === 0 && (RESERVED_FIRST_WORDS.has(arg) || arg.includes("="))) {
      return `'${arg.replace(/'/g, `'\\''`)}'`;
    }
    return quoteArg(arg);
  }).join(" ");
}
var ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
function checkEnvName(name) {
  if (!ENV_NAME.test(name)) {
    throw new TypeError(`not a valid environment variable name: ${JSON.stringify(name)}`);
  }
  return name;
}

// src/tunnel/wireguard.ts
var WIREGUARD_PORT = 51820;
var WIREGUARD_OVERHEAD = 60;
var UNDERLAY_MTU = 1500;
var KEEPALIVE_SECONDS = 25;
var EDGE_FILES = { keyDir: "/etc/tungsten-e2e/wireguard", stageDir: "/tmp" };
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  const b64 = (jwkValue) => Buffer.from(jwkValue, "base64url").toString("base64");
  return {
    privateKey: b64(privateKey.export({ format: "jwk" }).d),
    publicKey: b64(publicKey.export({ format: "jwk" }).x)
  };
}
function strangerKey() {
  return randomBytes(32).toString("base64");
}
var KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/;
function tunnelDevice(runId, siteIndex) {
  return `te${runId}g${siteIndex}`;
}
function planTunnels(runId, plan, edges) {
  const keys = new Map(edges.map((e) => [e.site, keyPair()]));
  return edges.map((e) => {
    const site = plan.sites.find((s) => s.name === e.site);
    const wrongKey = site.faults.includes("wrong-tunnel-key");
    return {
      site: e.site,
      host: e.host,
      device: tunnelDevice(runId, site.index),
      listenPort: WIREGUARD_PORT,
      mtu: UNDERLAY_MTU - WIREGUARD_OVERHEAD,
      keys: keys.get(e.site),
      files: e.files ?? EDGE_FILES,
      peers: edges.filter((o) => o.site !== e.site).map((o) => ({
        site: o.site,
        // the fault: this edge expects keys nobody has, so no handshake completes either way
        publicKey: wrongKey ? strangerKey() : keys.get(o.site).publicKey,
        endpoint: `${o.address}:${WIREGUARD_PORT}`,
        allowedIps: [plan.sites.find((s) => s.name === o.site).cidrs.underlay]
      }))
    };
  });
}
var keyPath = (t) => `${t.files.keyDir}/${t.device}.key`;
function edgeScript(t, stagedKey) {
  const q = quoteArg;
  for (const p of t.peers) {
    if (!KEY.test(p.publicKey)) throw new Error(`not a WireGuard public key: ${p.publicKey}`);
  }
  const dev = q(t.device);
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    // the tools: present locally; an edge VM's image may need them
    "if ! command -v wg >/dev/null; then apt-get update -qq && apt-get install -y -qq wireguard-tools >/dev/null; fi",
    // the key arrived as the login user's 0600 file: into place, root's only
    `install -D -m 0600 ${q(stagedKey)} ${q(keyPath(t))}`,
    `rm -f ${q(stagedKey)}`,
    `if ip link show dev ${dev} >/dev/null 2>&1; then echo ${q(`${t.device}: already present`)}`,
    `elif ip link add dev ${dev} type wireguard 2>/dev/null; then echo ${q(`${t.device}: kernel WireGuard`)}`,
    // the userspace implementation daemonizes; its banner about the kernel module is noise here
    `elif command -v wireguard-go >/dev/null; then wireguard-go ${dev} >/dev/null; echo ${q(`${t.device}: wireguard-go`)}`,
    `else echo 'no WireGuard on this host: neither the kernel module nor wireguard-go' >&2; exit 1; fi`,
    `wg set ${dev} private-key ${q(keyPath(t))} listen-port ${t.listenPort}`,
    ...t.peers.map(
      (p) => `wg set ${dev} peer ${q(p.publicKey)} endpoint ${q(p.endpoint)} allowed-ips ${q(p.allowedIps.join(","))} persistent-keepalive ${KEEPALIVE_SECONDS}`
    ),
    `ip link set dev ${dev} mtu ${t.mtu} up`,
    ...t.peers.flatMap((p) => p.allowedIps.map((cidr) => `ip route replace ${q(cidr)} dev ${dev}`)),
    "sysctl -qw net.ipv4.ip_forward=1",
    ""
  ].join("\n");
}
function statusScript(device) {
  const dev = quoteArg(device);
  return `set -euo pipefail
wg show ${dev} latest-handshakes
echo --
wg show ${dev} transfer
`;
}
function parseStatus(text) {
  const [hs = "", tr = ""] = text.split(/^--$/m);
  const rows = (part) => part.split("\n").map((l) => l.trim().split("	")).filter((f) => f.length >= 2 && KEY.test(f[0]));
  const transfer = new Map(rows(tr).map((f) => [f[0], { rx: Number(f[1]), tx: Number(f[2]) }]));
  return rows(hs).map((f) => ({
    publicKey: f[0],
    latestHandshake: Number(f[1]),
    rxBytes: transfer.get(f[0])?.rx ?? 0,
    txBytes: transfer.get(f[0])?.tx ?? 0
  }));
}

export {
  quoteArg,
  quoteArgv,
  checkEnvName,
  WIREGUARD_PORT,
  WIREGUARD_OVERHEAD,
  UNDERLAY_MTU,
  planTunnels,
  edgeScript,
  statusScript,
  parseStatus
};
