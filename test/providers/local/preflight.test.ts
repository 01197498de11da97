import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/log.js';
import { LocalProvider } from '../../../src/providers/local/index.js';
import {
  missingTools,
  missingToolsError,
  NOT_ROOT,
  preflightLocal,
  PROBE_PREFIX,
  probeNetns,
} from '../../../src/providers/local/preflight.js';
import { hostSys } from '../../../src/providers/local/sys.js';
import type { Sys } from '../../../src/providers/local/sys.js';
import { ownsCommandLine } from '../../../src/providers/local/naming.js';
import { localSites } from '../../support/sites.js';

const ROOMY = { cores: 64, availableMib: 1 << 20 };

describe('local preflight', () => {
  it('names the missing tools and the one apt-get line that installs them', () => {
    const missing = missingTools((name) =>
      ['bird', 'birdc', 'nft'].includes(name) ? undefined : `/usr/sbin/${name}`,
    );
    expect(missing.map((m) => m.tool)).toEqual(['bird', 'birdc', 'nft']);
    expect(missingToolsError(missing).message).toBe(
      'the local provider needs bird, birdc and nft, which are not installed; install them with: sudo apt-get install -y bird2 nftables',
    );
    expect(missingToolsError([{ tool: 'sshd', pkg: 'openssh-server' }]).message).toBe(
      'the local provider needs sshd, which is not installed; install it with: sudo apt-get install -y openssh-server',
    );
    expect(missingTools(() => '/bin/x')).toEqual([]);
  });

  it('tells a user without root to use sudo, in one sentence', () => {
    expect(NOT_ROOT).toMatch(/^the local provider .* needs root: run the command with sudo/);
    expect(NOT_ROOT.split('. ').length).toBe(1);
  });

  it("finds a run's processes by the run directory in their argv only", () => {
    expect(
      ownsCommandLine('ab12cd', [
        'bird',
        '-c',
        '/run/tungsten-e2e/ab12cd/east-master/control.conf',
      ]),
    ).toBe(true);
    expect(
      ownsCommandLine('ab12cd', ['bird', '-c', '/run/tungsten-e2e/ab12cdx/control.conf']),
    ).toBe(false);
    expect(ownsCommandLine('ab12cd', ['sleep', 'ab12cd'])).toBe(false);
  });
});

describe.skipIf(process.getuid?.() !== 0)('local preflight: the kernel probe', () => {
  const made: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const ns of made.splice(0)) {
      spawnSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
    }
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  const netnsList = () =>
    (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '');

  it('is never taken for a run: the janitor, looking while it exists, does not list it', async () => {
    const seen: { probe?: string; runs: string[] } = { runs: [] };
    const sys: Sys = {
      run: async (argv, options) => {
        const r = await hostSys.run(argv, options);
        if (argv.join(' ').startsWith('ip netns add ') && r.code === 0) {
          seen.probe = argv[3]!;
          made.push(seen.probe);
          // another run's janitor looks now
          const expired = await new LocalProvider().listExpired(new Date(), {
            logger: memoryLogger(),
            signal: new AbortController().signal,
          });
          seen.runs = expired.flatMap((x) => x.resources.map((res) => res.id));
        }
        return r;
      },
    };
    await preflightLocal(sys, localSites().plan, ROOMY);
    expect(seen.probe).toMatch(/^tepf-\d+-[0-9a-f]{6}$/);
    expect(seen.probe!.startsWith(`${PROBE_PREFIX}${process.pid}-`)).toBe(true);
    expect(seen.runs).not.toContain(seen.probe);
    // and it is gone when preflight returns
    expect(netnsList()).not.toContain(seen.probe);
  });

  it("a probe whose preflight died is removed by the next one; a live one's is left alone", async () => {
    const dead = spawnSync('true').pid;
    const live = spawn('sleep', ['30']);
    children.push(live);
    const stale = probeNetns(dead);
    const busy = probeNetns(live.pid!);
    for (const ns of [stale, busy]) {
      made.push(ns);
      expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
    }
    await preflightLocal(hostSys, localSites().plan, ROOMY);
    const after = netnsList();
    expect(after).not.toContain(stale);
    expect(after).toContain(busy);
  });
});
