/**
 * The README's main command through the bundled CLI, end to end on this host:
 * `run` on two local sites with all four isolation modes passes every check,
 * prints the truth tables and leaves results.json, results.md and junit.xml;
 * `up` + `test --state` + `down` with `leak-isolation` fails the isolation
 * checks with exit 1. The run goes through a copy of the bundle without the
 * AWS SDK's chunks, which proves a local run never loads them. `run
 * --race-retries 0` against the control-node race stops in ready. And the
 * non-root message.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, it } from 'vitest';
import type { ExpectStatic } from 'vitest';
import { NOT_ROOT } from '../../src/providers/local/preflight.js';
import { PHASES_SUITE } from '../../src/report/junit.js';
import type { CheckRecord, RunResults } from '../../src/report/model.js';
import type { RunState } from '../../src/state/runState.js';
import { BUNDLE, runBundleAsync } from '../bundle.js';
import {
  IS_ROOT,
  leftovers,
  NOTHING,
  noteSkip,
  removeScratch,
  Runs,
  scratch,
  siteFile,
} from './helpers.js';

noteSkip('local provider through the CLI');

const MODES = ['default', 'namespace', 'service', 'container'];
// two sites × two namespaces: 4 clients; 4 backends + 4 services as targets
const CLIENTS = 4;
const TARGETS = 8;
const CONNECTIVITY = CLIENTS * (TARGETS / 2); // every client → the other site's targets
const PER_MODE = CLIENTS * TARGETS;

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The bundle without every chunk holding the AWS SDK (found by its EC2 client class). */
function bundleWithoutAws(): { dir: string; removed: string[] } {
  const root = scratch('te-noaws-');
  const dir = join(root, 'bundle');
  cpSync(BUNDLE, dir, { recursive: true });
  cpSync('profiles', join(root, 'profiles'), { recursive: true });
  const removed: string[] = [];
  for (const f of readdirSync(join(dir, 'chunks'))) {
    const path = join(dir, 'chunks', f);
    if (readFileSync(path, 'utf8').includes('EC2Client')) {
      rmSync(path);
      removed.push(f);
    }
  }
  return { dir, removed };
}

/** The truth tables as printed: title line → the rows of that table. */
function printedTables(stdout: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  const blocks = stdout.split('\n\n');
  for (const block of blocks) {
    const [title, , ...rows] = block.split('\n');
    if (title && /: (expected|actual|comparison)$/.test(title)) tables.set(title, rows);
  }
  return tables;
}

const cellsOf = (row: string) => row.replace(/^\S+/, '').trim().split(/\s+/);

function expectResultFiles(
  expect: ExpectStatic,
  dir: string,
): { results: RunResults; markdown: string } {
  const results = readJson<RunResults>(join(dir, 'results.json'));
  const markdown = readFileSync(join(dir, 'results.md'), 'utf8');
  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  expect(XMLValidator.validate(junit)).toBe(true);
  const parsed = new XMLParser({ ignoreAttributes: false }).parse(junit);
  const suites = ([] as { '@_name': string; '@_tests': string; '@_failures': string }[])
    .concat(parsed.testsuites.testsuite)
    .filter((t) => t['@_name'] !== PHASES_SUITE);
  expect(suites.reduce((n, t) => n + Number(t['@_tests']), 0)).toBe(results.checks.length);
  expect(suites.reduce((n, t) => n + Number(t['@_failures']), 0)).toBe(results.totals.fail);
  return { results, markdown };
}

describe.skipIf(!IS_ROOT)(
  'tungsten-e2e run / up / test / down (bundled CLI)',
  { concurrent: true },
  () => {
    const runs = new Runs();
    afterAll(async () => {
      await runs.downAll();
      removeScratch();
    }, 60_000);

    it('run: two sites, all four modes: every check passes, truth tables printed, results on disk; the AWS SDK is never loaded', async ({
      expect,
    }) => {
      const noAws = bundleWithoutAws();
      expect(noAws.removed.length, 'the bundle has AWS chunks to remove').toBeGreaterThan(0);
      const dir = scratch('te-cli-run-');
      const stateDir = join(dir, 'state');
      const resultsDir = join(dir, 'results');
      runs.track(stateDir);
      const r = await runBundleAsync(
        'cli',
        ['run', '--sites', 'examples/local.yml', '--state', stateDir, '--results', resultsDir],
        { bundle: noAws.dir },
      );
      const state = readJson<RunState>(join(stateDir, 'state.json'));
      expect(r.code, r.stderr).toBe(0);

      // the truth tables, three views per suite and mode, all as expected
      const tables = printedTables(r.stdout);
      const groups = ['connectivity', ...MODES.map((m) => `isolation / ${m}`)];
      expect([...tables.keys()]).toEqual(
        groups.flatMap((g) => ['expected', 'actual', 'comparison'].map((v) => `${g}: ${v}`)),
      );
      for (const g of groups) {
        const comparison = tables.get(`${g}: comparison`)!;
        expect(comparison).toHaveLength(CLIENTS);
        expect(comparison.flatMap(cellsOf).every((c) => c === '.')).toBe(true);
        // expected and actual agree cell by cell
        expect(tables.get(`${g}: actual`)).toEqual(tables.get(`${g}: expected`));
      }
      // the isolating modes block something, so the tables are not all dots
      expect(tables.get('isolation / namespace: expected')!.join('')).toContain('X');
      expect(tables.get('isolation / container: expected')!.join('')).toContain('X');
      const total = CONNECTIVITY + MODES.length * PER_MODE;
      expect(r.stdout).toContain(
        `PASSED: run ${state.runId}, ${total} checks: ${total} pass, 0 fail, 0 flaky\n`,
      );
      expect(r.stdout).toContain(`run ${state.runId}: torn down\n`);

      // results.json, results.md, junit.xml
      const { results, markdown } = expectResultFiles(expect, resultsDir);
      expect(results).toMatchObject({ runId: state.runId, passed: true, remediations: [] });
      expect(results.totals).toEqual({ pass: total, fail: 0, flaky: 0, error: 0, reprobed: 0 });
      expect(results.checks.filter((c) => c.suite === 'connectivity')).toHaveLength(CONNECTIVITY);
      for (const m of MODES) {
        expect(results.checks.filter((c) => c.mode === m)).toHaveLength(PER_MODE);
      }
      expect(
        results.checks.every((c: CheckRecord) => c.status === 'pass' && c.attempts === 1),
      ).toBe(true);
      expect(results.checks.filter((c) => c.expected === 'deny').length).toBeGreaterThan(0);
      // what each probe saw: the emulated vrouter drops where TF drops
      for (const c of results.checks) {
        expect(c.observed).toBe(c.expected === 'deny' ? 'timeout' : 'connected');
      }
      expect(results.phases.map((p) => `${p.name}:${p.status}`)).toEqual([
        'load:ok',
        'plan:ok',
        'provision:ok',
        'install:ok',
        'ready:ok',
        'connect:ok',
        'test:ok',
        'report:ok',
        'teardown:ok',
      ]);
      expect(results.phases.every((p) => p.endedAt)).toBe(true);
      // the fabric's named steps, per site, inside their phases
      const stepsOf = (phase: string) =>
        results.phases
          .find((p) => p.name === phase)!
          .steps!.map((st) => `${st.site}: ${st.name}: ${st.status}`)
          .sort();
      const perSite = (names: string[]) =>
        ['east', 'west'].flatMap((site) => names.map((n) => `${site}: ${n}: ok`)).sort();
      expect(stepsOf('install')).toEqual(
        perSite(['control node', 'pod network', 'vrouter agents']),
      );
      expect(stepsOf('provision')).toEqual(perSite(['WireGuard tunnel']));
      expect(stepsOf('connect')).toEqual(perSite(['VXLAN and BGP peers']));
      expect(stepsOf('test')).toEqual(perSite(['pods and services', 'workload registry']));
      expect(r.stderr).toMatch(/install east: vrouter agents: done in /);
      // root here: no sudo; the bundle's cli.js and the site file, both absolute, so it runs as printed
      expect(results.reproduce).toBe(
        `node ${join(noAws.dir, 'cli.js')} run --sites ${resolve('examples/local.yml')}`,
      );
      expect(markdown.startsWith(`## ✅ tungsten-e2e passed (east, west): ${total} passed`)).toBe(
        true,
      );
      expect(markdown).toContain('isolation / container');

      expect(state.phases.map((p) => p.name)).toEqual(results.phases.map((p) => p.name));
      expect(state.teardown).toMatchObject({ complete: true, remaining: [] });
      expect(leftovers(state.runId)).toEqual(NOTHING);
    }, 150_000);

    it('up, then test --state with leak-isolation: the isolation checks fail and test exits 1; down; test after down is refused', async ({
      expect,
    }) => {
      const sites = siteFile([{ name: 'east', faults: ['leak-isolation'] }, { name: 'west' }]);
      const dir = scratch('te-cli-leak-');
      const stateDir = join(dir, 'state');
      const resultsDir = join(dir, 'results');
      runs.track(stateDir);
      const up = await runBundleAsync('cli', ['up', '--sites', sites, '--state', stateDir]);
      expect(up.code, up.stderr).toBe(0);

      const test = await runBundleAsync('cli', [
        'test',
        '--state',
        stateDir,
        '--results',
        resultsDir,
      ]);
      expect(test.code, test.stderr).toBe(1);
      const { results } = expectResultFiles(expect, resultsDir);
      expect(results.passed).toBe(false);
      // connectivity and the default mode do not depend on isolation rules
      const connectivity = results.checks.filter((c) => c.suite === 'connectivity');
      expect(connectivity.length).toBe(CONNECTIVITY);
      expect(connectivity.every((c) => c.status === 'pass')).toBe(true);
      expect(
        results.checks.filter((c) => c.mode === 'default').every((c) => c.status === 'pass'),
      ).toBe(true);
      // every failure is a leak into the site that never applied its rules
      const failed = results.checks.filter((c) => c.status === 'fail');
      expect(failed.length).toBeGreaterThan(0);
      for (const c of failed) {
        expect(c).toMatchObject({ suite: 'isolation', expected: 'deny', actual: 'allow' });
        expect(c.to.startsWith('east/'), `${c.from} → ${c.to}`).toBe(true);
      }
      expect(new Set(failed.map((c) => c.mode))).toEqual(
        new Set(['namespace', 'service', 'container']),
      );
      expect(results.totals.fail).toBe(failed.length);
      // the same run enforces at west: a check into west that should be blocked passes
      expect(
        results.checks.some(
          (c) => c.expected === 'deny' && c.to.startsWith('west/') && c.status === 'pass',
        ),
      ).toBe(true);
      // the printed comparison tables mark the leaks
      const tables = printedTables(test.stdout);
      expect(tables.get('isolation / namespace: comparison')!.join('\n')).toContain('X');
      expect(tables.get('isolation / default: comparison')!.flatMap(cellsOf)).toSatisfy(
        (cells: string[]) => cells.every((c) => c === '.'),
      );
      expect(test.stdout).toContain(`FAILED: run ${results.runId}`);
      const state = readJson<RunState>(join(stateDir, 'state.json'));
      expect(state.phases.slice(-2).map((p) => `${p.name}:${p.status}`)).toEqual([
        'test:ok',
        'report:ok',
      ]);

      const down = await runBundleAsync('cli', ['down', '--state', stateDir]);
      expect(down.code, down.stderr).toBe(0);
      expect(leftovers(results.runId)).toEqual(NOTHING);
      const again = await runBundleAsync('cli', ['test', '--state', stateDir]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain(`run ${results.runId} was torn down`);
    }, 150_000);

    it('run --race-retries 0 with the control-node race: no remediation step, stopped in ready, exit 3, torn down', async ({
      expect,
    }) => {
      const sites = siteFile([{ name: 'east', faults: ['control-race'] }, { name: 'west' }]);
      const dir = scratch('te-cli-race-');
      const stateDir = join(dir, 'state');
      const resultsDir = join(dir, 'results');
      runs.track(stateDir);
      const r = await runBundleAsync('cli', [
        'run',
        '--sites',
        sites,
        '--state',
        stateDir,
        '--results',
        resultsDir,
        '--race-retries',
        '0',
      ]);
      expect(r.code, r.stderr).toBe(3);
      const results = readJson<RunResults>(join(resultsDir, 'results.json'));
      expect(results.error).toMatch(
        /site east: the control-node race .* persisted after 0 remediation steps \(race-retries 0\)/,
      );
      expect(results.remediations).toEqual([]);
      expect(results.phases.find((p) => p.name === 'ready')?.status).toBe('failed');
      expect(leftovers(results.runId)).toEqual(NOTHING);
    }, 150_000);

    it('run with dead-backend: the reachability baseline names the stopped backend, no check is made up, exit 3, torn down', async ({
      expect,
    }) => {
      const sites = siteFile([{ name: 'east' }, { name: 'west', faults: ['dead-backend'] }]);
      const dir = scratch('te-cli-dead-');
      const stateDir = join(dir, 'state');
      const resultsDir = join(dir, 'results');
      runs.track(stateDir);
      const r = await runBundleAsync('cli', [
        'run',
        '--sites',
        sites,
        '--state',
        stateDir,
        '--results',
        resultsDir,
      ]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stdout + r.stderr).toMatch(
        /fault dead-backend: stopping the echo backend west\/tenant-a\/\S+/,
      );
      const results = readJson<RunResults>(join(resultsDir, 'results.json'));
      expect(results.error).toMatch(
        /reachability baseline: 2 of 8 backends and services did not answer .*pod west\/tenant-a\/\S+ \([\d.]+:8080\) from \S+: refused/,
      );
      expect(results.checks).toEqual([]);
      expect(results.phases.find((p) => p.name === 'test')?.status).toBe('failed');
      // each host's state, gathered after the failed phase
      const diagnostics = join(resultsDir, 'diagnostics');
      expect(readdirSync(diagnostics).sort()).toEqual(
        ['east-master', 'east-worker-1', 'west-master', 'west-worker-1'].map((h) => `${h}.txt`),
      );
      const master = readFileSync(join(diagnostics, 'west-master.txt'), 'utf8');
      expect(master).toMatch(/### birdc control: show protocols all\n(.*\n)*BIRD [\d.]+ ready\./);
      expect(master).toContain('peer_east');
      const worker = readFileSync(join(diagnostics, 'west-worker-1.txt'), 'utf8');
      expect(worker).toMatch(/### nft list ruleset\n(.*\n)*table inet te_\w+_svc/);
      expect(results.phases.find((p) => p.name === 'teardown')?.status).toBe('ok');
      expect(leftovers(results.runId)).toEqual(NOTHING);
    }, 150_000);

    it('plan --check-cloud for an AWS site needs the chunks removed above (the control of the first test)', async ({
      expect,
    }) => {
      const noAws = bundleWithoutAws();
      const aws = join(scratch('te-cli-aws-'), 'aws.yml');
      const site = (name: string) => `  - { name: ${name}, provider: aws, region: us-east-1 }\n`;
      writeFileSync(aws, `sites:\n${site('east')}${site('west')}`);
      const env = { AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
      const full = await runBundleAsync('cli', ['plan', '--sites', aws, '--check-cloud'], { env });
      expect(full.code, full.stderr).toBe(0);
      expect(full.stdout).toContain('instance sizes on aws were not checked: no aws credentials');
      const stripped = await runBundleAsync('cli', ['plan', '--sites', aws, '--check-cloud'], {
        env,
        bundle: noAws.dir,
      });
      expect(stripped.code).toBe(3);
      expect(stripped.stderr).toMatch(/Cannot find module .*chunks/);
    });

    it("run on 20 local sites with the kernel's default neighbour cap: refused in preflight naming the sysctl, exit 2, nothing made", async ({
      expect,
      skip,
    }) => {
      const cap = Number(readFileSync('/proc/sys/net/ipv4/neigh/default/gc_thresh3', 'utf8'));
      if (cap > 1024) skip(`this host's gc_thresh3 is ${cap}, raised above the default 1024`);
      const sites = siteFile(Array.from({ length: 20 }, (_, i) => ({ name: `s${i}` })));
      const dir = scratch('te-cli-cap-');
      const stateDir = join(dir, 'state');
      // other tests' runs come and go meanwhile: only a new namespace of these sites counts
      const netns = () =>
        spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
          .stdout.split('\n')
          .map((l) => l.split(' ')[0]!)
          .filter(Boolean);
      const before = new Set(netns());
      const r = await runBundleAsync('cli', ['run', '--sites', sites, '--state', stateDir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /^error: the 20 local sites need about \d+ neighbour \(ARP\) entries .* Raise it with "sudo sysctl -w net\.ipv4\.neigh\.default\.gc_thresh3=2048 net\.ipv4\.neigh\.default\.gc_thresh2=1024", or remove sites\.\n$/,
      );
      expect(existsSync(stateDir)).toBe(false);
      // (tests beside it run sites named east and west; this file's are s0…s19)
      expect(netns().filter((n) => !before.has(n) && /^te-[a-z0-9]{6}-s\d+-/.test(n))).toEqual([]);
    });

    it('says to use sudo when not root (and sudo -n does not work), exit 2, before making anything', ({
      expect,
    }) => {
      const stateDir = join(scratch('te-cli-'), 'state');
      const r = spawnSync(
        process.execPath,
        [resolve(BUNDLE, 'cli.js'), 'up', '--sites', 'examples/local.yml', '--state', stateDir],
        { uid: 65534, gid: 65534, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } },
      );
      expect(r.stderr).toBe(`error: ${NOT_ROOT}\n`);
      expect(r.status).toBe(2);
    });
  },
);
