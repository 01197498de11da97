/**
 * The tungsten fabric's install as data (src/fabric/tungsten/install/): per
 * profile the steps in order on the right hosts, every script strict and
 * clean under the real shellcheck, secrets only in 0600 files, and
 * `plan --commands` printing exactly this.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../../src/config/load.js';
import {
  installSteps,
  renderedCommands,
  REBOOT_EXIT,
  stepHosts,
} from '../../../src/fabric/tungsten/install/steps.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import { runBundleAsync } from '../../bundle.js';
import { needsTool } from '../../support/requirements.js';

const noShellcheck = needsTool('the install scripts under shellcheck', 'shellcheck', 'shellcheck');

async function planOf(file: string, username?: string): Promise<Plan> {
  return buildPlanFromConfig(
    await loadSiteFile(file, username ? { registryUsername: username } : {}),
  );
}

function shellcheck(script: string): { code: number | null; out: string } {
  const r = spawnSync('shellcheck', ['--shell=bash', '--severity=info', '-'], {
    input: script,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

const EXAMPLES = [
  { file: 'examples/aws-azure.yml', profile: 'tf-2018' },
  { file: 'examples/opensdn-aws-gcp.yml', profile: 'opensdn-24' },
];
const STEPS = [
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

describe('the tungsten install, as data', () => {
  for (const { file, profile } of EXAMPLES) {
    it(`${profile}: every step in order, on the hosts it belongs to`, async () => {
      const plan = await planOf(file);
      expect(plan.profile.name).toBe(profile);
      for (const site of plan.sites) {
        const steps = installSteps(plan, site);
        expect(steps.map((s) => s.name)).toEqual(STEPS);
        const on = (name: string) =>
          stepHosts(
            site,
            steps.find((s) => s.name === name)!,
          ).map((h) => h.role);
        expect(on('host prep').sort()).toEqual(['master', 'worker']);
        expect(on('kubeadm init')).toEqual(['master']);
        expect(on('join')).toEqual(['worker']);
        // the edge VM runs no Kubernetes
        expect(steps.flatMap((s) => stepHosts(site, s)).some((h) => h.role === 'edge')).toBe(false);
      }
    });

    it.skipIf(noShellcheck)(
      `${profile}: every rendered script is strict and clean under shellcheck`,
      async () => {
        const plan = await planOf(file, 'ci-bot');
        const site = plan.sites[0]!;
        for (const step of installSteps(plan, site, { registryPassword: 'x' })) {
          for (const host of stepHosts(site, step)) {
            const script = step.script(host);
            expect(script.startsWith('#!/bin/bash\nset -euo pipefail\n')).toBe(true);
            const r = shellcheck(script);
            expect(r.out, `${step.name} on ${host.name}`).toBe('');
            expect(r.code).toBe(0);
          }
        }
      },
    );
  }

  it.skipIf(noShellcheck)('negative control: shellcheck does flag an unquoted expansion', () => {
    const r = shellcheck('#!/bin/bash\nset -euo pipefail\ndir=$1\nls $dir\n');
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('SC2086');
  });

  it('tf-2018 asks for a reboot into the pinned kernel and verifies it; opensdn-24 checks the headers of the running one', async () => {
    const old = await planOf('examples/aws-azure.yml');
    const k = installSteps(old, old.sites[0]!).find((s) => s.name === 'kernel')!;
    const master = old.sites[0]!.hosts.find((h) => h.role === 'master')!;
    expect(k.mayReboot).toBe(true);
    expect(k.script(master)).toContain(
      'want=3.10.0-862.14.4.el7.x86_64\nif [ "$(uname -r)" = "$want" ]; then echo "kernel $want: already running"; exit 0; fi',
    );
    expect(k.script(master)).toContain(`exit ${REBOOT_EXIT}`);
    const now = await planOf('examples/opensdn-aws-gcp.yml');
    const h = installSteps(now, now.sites[0]!).find((s) => s.name === 'kernel')!;
    expect(h.mayReboot).toBeFalsy();
    expect(h.script(master)).toContain('kernel-devel-$(uname -r)');
  });

  it('a registry mirror is written on every node before the first pull: docker takes a host, containerd a host and path', async () => {
    const withMirror = (plan: Plan, mirror?: string): Plan => ({
      ...plan,
      registry: { ...(mirror ? { mirror } : {}), images: mirror ? 'nodes' : 'runner' },
    });
    const runtimeOf = (plan: Plan) => {
      const site = plan.sites[0]!;
      const step = installSteps(plan, site).find((s) => s.name === 'container runtime')!;
      const host = site.hosts.find((h) => h.role === 'worker')!;
      return { files: step.files(host), script: step.script(host) };
    };
    const old = await planOf('examples/aws-azure.yml');
    const docker = runtimeOf(withMirror(old, 'mirror.example.com:5000'));
    const daemon = docker.files.find((f) => f.path.endsWith('/runtime/etc/docker/daemon.json'))!;
    expect(JSON.parse(daemon.content)).toEqual({
      'registry-mirrors': ['https://mirror.example.com:5000'],
    });
    // moved into place only when it changed; the runtime restarted only then
    expect(docker.script).toContain(
      "if cmp -s /etc/tungsten-e2e/runtime/etc/docker/daemon.json /etc/docker/daemon.json; then echo '/etc/docker/daemon.json: already in place'; else install -D -m 0644",
    );
    expect(docker.script).toContain('if [ "$changed" = 1 ]; then systemctl restart docker; fi');
    // dockerd refuses a mirror with a path: nothing written (TF images come through it by name)
    expect(
      runtimeOf(withMirror(old, 'cache.example.com/dockerhub')).files.map((f) => f.path),
    ).toEqual([]);
    expect(runtimeOf(withMirror(old)).script).not.toContain('daemon.json');

    const now = await planOf('examples/opensdn-aws-gcp.yml');
    const containerd = runtimeOf(withMirror(now, 'cache.example.com/dockerhub'));
    const hostsToml = containerd.files.find((f) =>
      f.path.endsWith('certs.d/docker.io/hosts.toml'),
    )!;
    expect(hostsToml.content).toBe(
      'server = "https://registry-1.docker.io"\n\n[host."https://cache.example.com/v2/dockerhub"]\n  capabilities = ["pull", "resolve"]\n  override_path = true\n',
    );
    const config = containerd.files.find((f) => f.path.endsWith('/etc/containerd/config.toml'))!;
    expect(config.content).toContain('config_path = "/etc/containerd/certs.d"');
    expect(runtimeOf(withMirror(now)).files.some((f) => f.path.includes('certs.d'))).toBe(false);
    if (!noShellcheck) {
      for (const r of [docker, containerd])
        expect(shellcheck(r.script)).toEqual({ code: 0, out: '' });
    }
  });

  it('the registry password reaches a host only as a 0600 file, read on stdin or by the shell, never in a script', async () => {
    for (const { file } of EXAMPLES) {
      const plan = await planOf(file, 'ci-bot');
      const site = plan.sites[0]!;
      const password = 'pw-Zq81-never-printed';
      const steps = installSteps(plan, site, { registryPassword: password });
      for (const step of steps) {
        for (const host of stepHosts(site, step)) {
          expect(step.script(host)).not.toContain(password);
          for (const f of step.files(host).filter((x) => x.content.includes(password))) {
            expect(f).toMatchObject({ mode: 0o600, secret: true });
          }
        }
      }
      const runtime = steps.find((s) => s.name === 'container runtime')!;
      const master = site.hosts.find((h) => h.role === 'master')!;
      expect(runtime.files(master).some((f) => f.secret)).toBe(true);
      expect(runtime.script(master)).toMatch(/--password-stdin|pw=\$\(cat /);
      // what plan --commands shows
      const shown = renderedCommands(plan, { registryPassword: password });
      expect(JSON.stringify(shown)).not.toContain(password);
      expect(shown.find((c) => c.step === 'container runtime')!.script).toContain('***');
    }
  });

  it('plan --commands prints every host and step (text and json); a local-only file is refused', async () => {
    const text = await runBundleAsync('cli', [
      'plan',
      '--sites',
      'examples/opensdn-aws-gcp.yml',
      '--commands',
    ]);
    expect(text.code, text.stderr).toBe(0);
    const plan = await planOf('examples/opensdn-aws-gcp.yml');
    const headings = text.stdout.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual(
      renderedCommands(plan).map((c) => `### ${c.site} / ${c.host} / ${c.step}`),
    );
    expect(headings).toContain(
      `### ${plan.sites[0]!.name} / ${plan.sites[0]!.name}-master / kubeadm init`,
    );
    const json = await runBundleAsync('cli', [
      'plan',
      '--sites',
      'examples/aws-azure.yml',
      '--commands',
      '--json',
    ]);
    expect(json.code, json.stderr).toBe(0);
    const list = JSON.parse(json.stdout) as {
      site: string;
      host: string;
      step: string;
      script: string;
    }[];
    expect(Object.keys(list[0]!).sort()).toEqual(['host', 'script', 'site', 'step']);
    expect(new Set(list.map((c) => c.step))).toEqual(new Set(STEPS));
    const local = await runBundleAsync('cli', [
      'plan',
      '--sites',
      'examples/local.yml',
      '--commands',
    ]);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('plan --commands shows the install on cloud and static sites');
  });
});
