/**
 * A private view of this host for tests that act on every run they can see
 * (the janitor): new mount, network and PID namespaces, with their own
 * /run/netns and /run/tungsten-e2e (tmpfs) and /proc. Inside, the janitor
 * finds only the runs a test made there, so it can delete for real without
 * touching the runs of other tests (or other people) on the same machine.
 * Stopping the sandbox ends its processes, network namespaces and links.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleep } from './helpers.js';

export class Sandbox {
  private constructor(
    private readonly child: ChildProcess,
    /** the host pid of the sandbox's init (pid 1 inside) */
    readonly pid: number,
  ) {}

  static async start(): Promise<Sandbox> {
    const child = spawn(
      'unshare',
      [
        '--mount',
        '--net',
        '--pid',
        '--fork',
        '--mount-proc',
        '--propagation',
        'private',
        '--kill-child',
        'bash',
        '-c',
        // bash as init reaps what the janitor kills
        'mount -t tmpfs tmpfs /run/netns && mkdir -p /run/tungsten-e2e && mount -t tmpfs tmpfs /run/tungsten-e2e && echo ready && while :; do sleep 1; done',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!out.includes('ready')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the sandbox did not start: ${out}`);
      }
      await sleep(10);
    }
    const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8');
    const pid = Number(children.trim().split(/\s+/)[0]);
    return new Sandbox(child, pid);
  }

  /** argv before a command that runs it inside the sandbox */
  get prefix(): string[] {
    return ['nsenter', '-t', String(this.pid), '-m', '-n', '-p', '--'];
  }

  /** Run a bash script inside; throws with its output when it fails. */
  sh(script: string): string {
    const r = spawnSync(this.prefix[0]!, [...this.prefix.slice(1), 'bash', '-c', script], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`sandbox script failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  /** What the sandbox holds of a run: network namespaces, links, live processes of `pids`, its directory. */
  inventory(
    runId: string,
    pids: readonly number[],
  ): { netns: number; links: number; processes: number; dir: boolean } {
    const out = this.sh(
      [
        `echo netns $(ip netns list | grep -c -- "-${runId}-" || true)`,
        `echo links $(ip -o link show | grep -c "te${runId}" || true)`,
        // live, not zombies
        `echo processes $(ps -o stat= -p ${pids.join(',') || '0'} | grep -vc Z || true)`,
        `echo dir $(test -d /run/tungsten-e2e/${runId} && echo 1 || echo 0)`,
      ].join('\n'),
    );
    const n = (k: string) => Number(new RegExp(`^${k} (\\d+)$`, 'm').exec(out)?.[1] ?? NaN);
    return { netns: n('netns'), links: n('links'), processes: n('processes'), dir: n('dir') === 1 };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const closed = new Promise((r) => this.child.on('close', r));
    // the end of a PID namespace's init ends every process in it
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // gone already
    }
    this.child.kill('SIGKILL');
    await closed;
  }
}

/**
 * A local run as the janitor finds it, made by hand inside a sandbox: its
 * marker (run.json with the expiry), a network namespace with a process in
 * it, a root link, and a process whose argv names the run's directory.
 */
export function fakeRun(
  box: Sandbox,
  runId: string,
  o: { createdAt: Date; expiresAt: Date; block: number },
): number[] {
  const marker = JSON.stringify({
    runId,
    createdAt: o.createdAt.toISOString(),
    expiresAt: o.expiresAt.toISOString(),
    stateDir: '/nonexistent',
    publicBlock: o.block,
  });
  const out = box.sh(
    [
      'set -e',
      `mkdir -p /run/tungsten-e2e/${runId}/east-master`,
      `printf '%s' '${marker}' > /run/tungsten-e2e/${runId}/run.json`,
      `ip netns add te-${runId}-east-master`,
      `ip link add te${runId}r type bridge`,
      // one found by its namespace, one by its argv
      `setsid ip netns exec te-${runId}-east-master sleep 3600 </dev/null >/dev/null 2>&1 & echo $!`,
      `setsid bash -c "exec -a 'sshd: /run/tungsten-e2e/${runId}/east-master/sshd.conf' sleep 3600" </dev/null >/dev/null 2>&1 & echo $!`,
    ].join('\n'),
  );
  return out.trim().split(/\s+/).map(Number);
}
