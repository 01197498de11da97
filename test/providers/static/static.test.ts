/**
 * The static provider against real sshd "machines" on loopback: the run key
 * really logs in after provision and is really refused after teardown; the
 * user's own key and files are untouched; facts come from the host itself.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../../src/config/load.js';
import type { Profile } from '../../../src/config/profile.js';
import { isUserError, UserError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { buildPlan } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import type { ProviderContext } from '../../../src/providers/provider.js';
import {
  remoteHostsOf,
  StaticProvider,
  STATIC_KEY_ENV,
  staticPrivateKey,
} from '../../../src/providers/static/provider.js';
import { SshConnectError } from '../../../src/remote/errors.js';
import { HostKeyStore } from '../../../src/remote/hostKeys.js';
import { RemotePool } from '../../../src/remote/pool.js';
import { sshdUnavailableReason } from '../../../src/remote/sshd.js';
import { unavailable } from '../../support/requirements.js';
import { testKeyPair } from '../keys.js';
import { staticFixture } from './staticFixture.js';
import type { StaticFixture } from './staticFixture.js';

const skipReason = unavailable('static provider on real sshd', sshdUnavailableReason());

function planOf(f: StaticFixture, profile: Profile): Plan {
  const text = JSON.stringify({
    sites: [0, 1].map((i) => ({ name: ['east', 'west'][i], ...f.site(i as 0 | 1) })),
  });
  return buildPlan(parseSiteFile(text, 'static-test.yml'), profile);
}

function ctxOf(f: StaticFixture, runId: string, publicKey: string): ProviderContext {
  return {
    runId,
    expiresAt: new Date(Date.now() + 3600_000),
    sshPublicKey: publicKey,
    stateDir: f.dir,
    logger: memoryLogger(),
    signal: new AbortController().signal,
    recordResource: async () => {},
  };
}

const op = () => ({ logger: memoryLogger(), signal: new AbortController().signal });

describe.skipIf(skipReason)(
  `static provider on real sshd${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let f: StaticFixture | undefined;
    const pools: RemotePool[] = [];
    afterEach(async () => {
      for (const p of pools.splice(0)) await p.close();
      await f?.cleanup();
      f = undefined;
    });

    const poolWith = (privateKey: string) => {
      const p = new RemotePool({
        privateKey,
        hostKeys: new HostKeyStore(),
        logger: memoryLogger(),
        connectTimeoutMs: 5_000,
      });
      pools.push(p);
      return p;
    };

    it('installs the run key so it logs in everywhere (the worker through its jump host), and teardown takes it away again', async () => {
      f = await staticFixture();
      const plan = planOf(f, f.lowMinimums());
      const runKey = testKeyPair('run-key');
      const provider = f.provider();
      const ctx = ctxOf(f, 'kstat1', runKey.public);
      const userKeysBefore = f.machines.map((m) =>
        readFileSync(m.sshd.files.authorizedKeys, 'utf8'),
      );
      const sites = [];
      for (const s of plan.sites) sites.push(await provider.provision(s, plan, ctx));

      const worker = sites[0]!.hosts.find((h) => h.role === 'worker')!;
      expect(worker.ssh.jumpHost).toBe('east-master');
      expect(worker.publicAddress).toBeUndefined();
      const remote = remoteHostsOf(plan.sites[0]!);
      const runPool = poolWith(runKey.private);
      for (const target of remote.values()) {
        const out = await runPool.run(target, ['sh', '-c', 'echo "$SSH_CONNECTION"']);
        // the worker's connection arrives from the master's side of the jump
        expect(out.stdout.trim().split(' ')[2]).toBe(target.host);
      }

      const report = await f
        .provider()
        .destroy({ runId: 'kstat1', sites: plan.sites.map((s) => ({ name: s.name })) }, op());
      expect(report.remaining).toEqual([]);
      expect(report.deleted.filter((d) => d.kind === 'authorized-key')).toHaveLength(6);
      await runPool.close();
      const after = poolWith(runKey.private);
      const master = remote.get('east-master')!;
      const refused = await after.exec(master, ['true']).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(SshConnectError);
      expect((refused as SshConnectError).reason).toBe('auth');
      // the user's own access is exactly as it was
      expect(f.machines.map((m) => readFileSync(m.sshd.files.authorizedKeys, 'utf8'))).toEqual(
        userKeysBefore,
      );
      const userPool = poolWith(f.userKey.private);
      expect((await userPool.run(master, ['true'])).code).toBe(0);
    });

    it('teardown removes what the installed list names (a path entry too) and leaves everything else', async () => {
      f = await staticFixture();
      const plan = planOf(f, f.lowMinimums());
      const runKey = testKeyPair('run-key');
      await f.provider().provision(plan.sites[0]!, plan, ctxOf(f, 'kstat2', runKey.public));
      const m = f.machines.find((x) => x.hostName === 'east-master')!;
      const ours = join(f.dir, 'installed-by-run.conf');
      const theirs = join(f.dir, 'users-own.conf');
      writeFileSync(ours, 'made by the run\n');
      writeFileSync(theirs, 'the user keeps this\n');
      // a version that installs files on the hosts lists them in the run directory like this
      appendFileSync(join(m.markerRoot, 'kstat2', 'installed'), `path\t${ours}\n`);

      const report = await f
        .provider()
        .destroy({ runId: 'kstat2', sites: [{ name: 'east' }] }, op());
      expect(report.remaining).toEqual([]);
      expect(report.deleted.map((d) => d.id)).toContain(`east-master:${ours}`);
      expect(existsSync(ours)).toBe(false);
      expect(readFileSync(theirs, 'utf8')).toBe('the user keeps this\n');
      expect(existsSync(join(m.markerRoot, 'kstat2'))).toBe(false);
    });

    it("refuses a host below the profile's minimums with the host's real figures, before installing anything", async () => {
      f = await staticFixture();
      const memKiB = Number(
        /^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1],
      );
      const needGiB = Math.ceil(memKiB / 1024 / 1024) + 8;
      const profile = f.lowMinimums();
      profile.minimums.master = { 'memory-gib': needGiB, 'disk-gib': 1 };
      const plan = planOf(f, profile);
      const provider = f.provider();
      const error = await provider
        .provision(plan.sites[0]!, plan, ctxOf(f, 'kstat3', testKeyPair('k').public))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(UserError);
      const message = (error as UserError).message;
      expect(message).toContain('east-master');
      expect(message).toContain(`MemTotal ${memKiB} kB`);
      expect(message).toContain(`${needGiB} GiB of memory`);
      expect(message).not.toContain('east-worker-1');
      for (const m of f.machines) expect(existsSync(join(m.markerRoot, 'kstat3'))).toBe(false);
    });

    it('refuses an unreachable host and a key the hosts do not accept, naming the host', async () => {
      f = await staticFixture();
      const plan = planOf(f, f.lowMinimums());
      const edge = plan.sites[1]!.hosts.find((h) => h.role === 'edge')!;
      const m = f.machines.find((x) => x.hostName === edge.name)!;
      await m.sshd.stop();
      const slow = f.providerWith({ reachMs: 3_000 });
      const unreachable = await slow.preflight([plan.sites[1]!], plan, op()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isUserError(unreachable)).toBe(true);
      expect((unreachable as Error).message).toContain(
        `west-edge (root@${m.address}:${m.sshd.port})`,
      );
      expect((unreachable as Error).message).toContain('cannot be reached over SSH');

      const stranger = f.providerWith({
        privateKey: testKeyPair('stranger').private,
        reachMs: 3_000,
      });
      const denied = await stranger.preflight([plan.sites[0]!], plan, op()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isUserError(denied)).toBe(true);
      expect((denied as Error).message).toMatch(/east-(master|worker-1|edge).*cannot be reached/);
    }, 60_000);

    it('host-key in the site file pins a host before it is reached; without it, the output says the key was trusted on first use', async () => {
      f = await staticFixture();
      const keyOf = (m: StaticFixture['machines'][number]) => m.sshd.hostPublicKeys[0]!;
      const east = f.machines.filter((m) => m.site === 'east');
      const withKeys = (keys: (m: StaticFixture['machines'][number]) => string) =>
        buildPlan(
          parseSiteFile(
            JSON.stringify({
              sites: [0, 1].map((i) => {
                const site = f!.site(i as 0 | 1) as { hosts: Record<string, unknown>[] };
                return {
                  name: ['east', 'west'][i],
                  ...site,
                  hosts: site.hosts.map((h, j: number) =>
                    i === 0 ? { ...h, 'host-key': keys(east[j]!) } : h,
                  ),
                };
              }),
            }),
            'static-test.yml',
          ),
          f!.lowMinimums(),
        );
      // a provider serving exactly this plan's sites, as a run's does
      const providerFor = (plan: Plan) => {
        const machine = (h: { name: string }) => f!.machines.find((m) => m.hostName === h.name)!;
        return new StaticProvider({
          privateKey: f!.userKey.private,
          sites: plan.sites,
          markerRoot: (h) => machine(h).markerRoot,
          authorizedKeysFile: (h) => machine(h).sshd.files.authorizedKeys,
          hostKeys: new HostKeyStore(),
          reachMs: 3_000,
        });
      };
      // pinned right: east connects with no first-use note; west has none, so each of its hosts gets one
      const pinned = withKeys(keyOf);
      const logger = memoryLogger();
      await providerFor(pinned).preflight(pinned.sites, pinned, {
        logger,
        signal: new AbortController().signal,
      });
      const notes = logger.lines.filter((l) => l.includes('trusted on first use'));
      expect(notes.map((l) => /static (\S+):/.exec(l)?.[1]).sort()).toEqual([
        'west-edge',
        'west-master',
        'west-worker-1',
      ]);
      const westMaster = f.machines.find((m) => m.hostName === 'west-master')!;
      expect(notes.find((l) => l.includes('west-master'))).toContain(
        `add to sites[1].hosts[${f.machines.filter((m) => m.site === 'west').indexOf(westMaster)}]: host-key: "${keyOf(westMaster).split(' ').slice(0, 2).join(' ')}"`,
      );
      // negative control: a host-key that is not the host's refuses it, naming both fingerprints
      const wrong = withKeys(() => testKeyPair('impostor').public.trim());
      const refused = await providerFor(wrong)
        .preflight([wrong.sites[0]!], wrong, op())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isUserError(refused)).toBe(true);
      expect((refused as Error).message).toMatch(/east-\S+ .*host key .* has changed: expected/);
    }, 60_000);
  },
);

describe('static provider: key and jump hosts', () => {
  it('takes the key from the input, else the environment, never anything else', () => {
    expect(staticPrivateKey('KEY-FROM-INPUT', { [STATIC_KEY_ENV]: 'KEY-FROM-ENV' })).toBe(
      'KEY-FROM-INPUT\n',
    );
    expect(staticPrivateKey('', { [STATIC_KEY_ENV]: 'KEY-FROM-ENV' })).toBe('KEY-FROM-ENV\n');
    expect(staticPrivateKey(undefined, {})).toBeUndefined();
  });

  it('says where the key must come from when it is missing', async () => {
    const { StaticProvider } = await import('../../../src/providers/static/provider.js');
    const text = JSON.stringify({
      sites: [
        {
          name: 'east',
          provider: 'static',
          cidrs: { underlay: '192.168.10.0/24' },
          hosts: [{ address: '192.0.2.10', role: 'master', 'private-address': '192.168.10.10' }],
        },
        { name: 'west', provider: 'local' },
      ],
    });
    const plan = buildPlan(
      parseSiteFile(text, 's.yml'),
      (await import('../../../src/config/profile.js')).loadProfile('tf-2018'),
    );
    const p = new StaticProvider({ sites: [plan.sites[0]!] });
    await expect(p.preflight(plan.sites, plan, op())).rejects.toThrow(
      new RegExp(`ssh-private-key input or the ${STATIC_KEY_ENV} environment variable`),
    );
  });

  it('reaches a host through the site host whose address its jump names', async () => {
    const { loadProfile } = await import('../../../src/config/profile.js');
    const site = (jump: string) =>
      JSON.stringify({
        sites: [
          {
            name: 'onprem',
            provider: 'static',
            cidrs: { underlay: '192.168.10.0/24' },
            hosts: [
              {
                address: '203.0.113.10',
                role: 'master',
                user: 'centos',
                'private-address': '192.168.10.10',
              },
              { address: '192.168.10.11', role: 'worker', jump },
            ],
          },
          { name: 'west', provider: 'local' },
        ],
      });
    const plan = buildPlan(parseSiteFile(site('203.0.113.10'), 's.yml'), loadProfile('tf-2018'));
    const hosts = remoteHostsOf(plan.sites[0]!);
    expect(hosts.get('onprem-worker-1')!.jump?.name).toBe('onprem-master');
    expect(hosts.get('onprem-worker-1')!.jump?.user).toBe('centos');
    const bad = buildPlan(parseSiteFile(site('198.51.100.1'), 's.yml'), loadProfile('tf-2018'));
    expect(() => remoteHostsOf(bad.sites[0]!)).toThrow(
      /jump 198\.51\.100\.1 is not the address of another host/,
    );
  });
});
