/**
 * The action's contract, run exactly as GitHub's runner runs it (runner.ts):
 * the bundled main.js with INPUT_* variables and real GITHUB_OUTPUT,
 * GITHUB_STATE, GITHUB_STEP_SUMMARY and GITHUB_EVENT_PATH files, then post.js
 * with what main saved as STATE_* variables, on two local sites for real.
 *
 *   - a pull request run given every credential input: outputs, the job
 *     summary, the PR comment through the real code path (a loopback GitHub
 *     API validated against GitHub's OpenAPI description), post a no-op,
 *     nothing left, no credential in any log, output, summary, results or
 *     state file;
 *   - main SIGKILLed during the test phase: post tears everything down;
 *   - SIGINT during the ready phase (a long wait: the control-node race):
 *     main exits within seconds with the phase recorded as cancelled; a
 *     teardown that cannot finish fails post, naming what is left and how to
 *     delete it; post again cleans up;
 *   - teardown: never: the run is kept, post prints the exact down command,
 *     and that command deletes it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import { down } from '../../src/pipeline.js';
import { runDir } from '../../src/providers/local/naming.js';
import type { RunResults } from '../../src/report/model.js';
import type { RunState } from '../../src/state/runState.js';
import { BUNDLE } from '../bundle.js';
import { IS_ROOT, leftovers, NOTHING, noteSkip, sleep } from '../local/helpers.js';
import { FAKE_CREDENTIALS, findLeaks, withoutAddMask } from '../masking.js';
import { GitHubApiServer } from '../report/githubApiServer.js';
import { GitHubOpenApi } from '../report/githubOpenApi.js';
import { ActionRunner, readFileCommands } from './runner.js';
import type { StepFiles } from './runner.js';

noteSkip('the action contract (main.js and post.js on local sites)');

const SUITES = 'tests: { suites: [connectivity, isolation], isolation-modes: [namespace] }';
// two sites × two namespaces: 16 connectivity checks, 32 in namespace isolation
const CHECKS = 16 + 32;

function sitesFile(runner: ActionRunner, extra: string, faults = ''): string {
  const text = [
    'ttl: 1h',
    extra,
    'sites:',
    `  - { name: east, provider: local${faults ? `, faults: [${faults}]` : ''} }`,
    '  - { name: west, provider: local }',
    '',
  ].join('\n');
  writeFileSync(join(runner.workspace, 'sites.yml'), text);
  return 'sites.yml';
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

function stateOf(stateDir: string): RunState | undefined {
  try {
    return readJson<RunState>(join(stateDir, 'state.json'));
  } catch {
    return undefined;
  }
}

/** Poll main's saved state and its run state until `when` holds; the state directory. */
async function waitFor(
  files: StepFiles,
  when: (s: RunState) => boolean,
  child: { exitCode: number | null },
): Promise<{ stateDir: string; state: RunState }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const saved = readFileCommands(files.GITHUB_STATE);
    const stateDir = saved['state-dir'];
    const state = stateDir ? stateOf(stateDir) : undefined;
    if (stateDir && state && when(state)) return { stateDir, state };
    if (child.exitCode !== null) throw new Error('main ended before the point to signal it');
    if (Date.now() > deadline) throw new Error('main never reached the point to signal it');
    await sleep(10);
  }
}

const running = (name: string) => (s: RunState) =>
  s.phases.some((p) => p.name === name && !p.endedAt);

describe.skipIf(!IS_ROOT)('the action as the runner runs it', { concurrent: true }, () => {
  const runners: ActionRunner[] = [];
  const mounts: string[] = [];
  let api: GitHubApiServer;

  const newRunner = (options: ConstructorParameters<typeof ActionRunner>[0]) => {
    const r = new ActionRunner(options);
    runners.push(r);
    return r;
  };

  beforeAll(async () => {
    api = await GitHubApiServer.start(GitHubOpenApi.load());
    api.addToken(FAKE_CREDENTIALS['github-token'], {
      kind: 'app',
      botLogin: 'github-actions[bot]',
    });
  });

  afterAll(async () => {
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    // whatever a failed test left standing: tear it down from the state main saved
    for (const r of runners) {
      const stateDir = r.main ? r.savedState()['state-dir'] : undefined;
      if (stateDir && existsSync(join(stateDir, 'state.json'))) {
        await down({ stateDir }, { logger: memoryLogger() }).catch(() => undefined);
      }
      r.dispose();
    }
    await api?.close();
  }, 60_000);

  it('a pull request run given every credential: outputs, summary and PR comment; post is a no-op; nothing left; no credential anywhere', async ({
    expect,
  }) => {
    const runner = newRunner({
      inputs: { sites: 'sites.yml', ...FAKE_CREDENTIALS },
      event: { name: 'pull_request', payload: { number: 7, pull_request: { number: 7 } } },
      env: { GITHUB_API_URL: api.url },
    });
    sitesFile(runner, SUITES);
    const main = await runner.runMain();
    expect(main.code, main.stdout + main.stderr).toBe(0);

    // every credential is masked before anything else is printed
    const firstLines = main.stdout.split('\n');
    const masks = firstLines.findIndex((l) => !l.startsWith('::add-mask::'));
    expect(masks).toBeGreaterThan(Object.keys(FAKE_CREDENTIALS).length);
    expect(firstLines.slice(0, masks)).toContain(
      `::add-mask::${FAKE_CREDENTIALS['aws-secret-access-key']}`,
    );

    // each phase folds into a log group of its own, every group closed
    const groups = main.stdout.split('\n').filter((l) => /^::(group|endgroup)::/.test(l));
    for (const p of ['provision', 'install', 'ready', 'connect', 'test', 'report', 'teardown']) {
      expect(groups).toContain(`::group::tungsten-e2e: ${p}`);
    }
    expect(groups.filter((l) => l.startsWith('::group::')).length).toBe(
      groups.filter((l) => l === '::endgroup::').length,
    );
    expect(
      groups.every((l, i) => (i % 2 === 0 ? l.startsWith('::group::') : l === '::endgroup::')),
    ).toBe(true);

    const outputs = runner.outputs(main);
    expect(outputs.passed).toBe('true');
    expect(outputs['results-json']).toBe('tungsten-e2e-results/results.json');
    expect(outputs['results-markdown']).toBe('tungsten-e2e-results/results.md');
    const results = readJson<RunResults>(join(runner.workspace, outputs['results-json']!));
    expect(results.totals).toEqual({ pass: CHECKS, fail: 0, flaky: 0, error: 0, reprobed: 0 });
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

    // the job summary: the verdict, the truth tables, the timeline, the link back to the run
    const summary = runner.summary(main);
    expect(summary).toContain(
      `## ✅ tungsten-e2e passed (east, west): ${CHECKS} passed, 0 failed, 0 flaky (${CHECKS} checks)`,
    );
    expect(summary).toContain('isolation / namespace');
    expect(summary).toContain('```mermaid\ngantt');
    expect(summary).toContain('https://github.com/tungsten-e2e/demo/actions/runs/4242');

    // the PR comment, created through the real code path, and its URL as an output
    api.assertClean();
    const comments = api.issueComments('tungsten-e2e', 'demo', 7);
    expect(comments).toHaveLength(1);
    expect(outputs['comment-url']).toBe(comments[0]!.html_url);
    expect(String(comments[0]!.body)).toMatch(
      /^<!-- tungsten-e2e:sites=east,west profile=tf-2018 -->\n## ✅ tungsten-e2e passed/,
    );

    const saved = runner.savedState();
    expect(saved).toMatchObject({ 'run-id': results.runId, teardown: 'done' });
    expect(saved['state-dir']).toBe(join(runner.temp, 'tungsten-e2e', results.runId));
    const stateDir = saved['state-dir']!;
    const stateFiles = readdirSync(stateDir).map((f) => join(stateDir, f));
    const texts: Record<string, string> = {
      'main stdout': withoutAddMask(main.stdout),
      'main stderr': main.stderr,
      GITHUB_OUTPUT: readFileSync(main.files.GITHUB_OUTPUT, 'utf8'),
      GITHUB_STATE: readFileSync(main.files.GITHUB_STATE, 'utf8'),
      'job summary': summary,
      'PR comment': comments.map((c) => String(c.body)).join('\n'),
      'API requests': JSON.stringify(api.requests.map((r) => r.body)),
    };
    const resultsDir = join(runner.workspace, 'tungsten-e2e-results');
    for (const f of readdirSync(resultsDir)) texts[f] = readFileSync(join(resultsDir, f), 'utf8');
    for (const f of stateFiles) texts[f] = readFileSync(f, 'utf8');
    expect(Object.keys(texts)).toEqual(
      expect.arrayContaining([
        'results.json',
        'results.md',
        'junit.xml',
        join(stateDir, 'state.json'),
      ]),
    );

    const post = await runner.runPost();
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toContain(`tungsten-e2e post: main already tore down run ${results.runId}`);
    expect(post.stdout).toContain('nothing to do.');
    texts['post stdout'] = withoutAddMask(post.stdout);
    texts['post stderr'] = post.stderr;
    texts['post summary'] = runner.summary(post);
    expect(findLeaks(texts)).toEqual([]);
    // the control: the same scan finds the credentials in what the runner masks
    expect(findLeaks({ 'main stdout': main.stdout }).length).toBeGreaterThan(0);
    runner.emptyTemp();
    expect(leftovers(results.runId)).toEqual(NOTHING);
  }, 120_000);

  it('main killed with SIGKILL during the test phase: post tears everything down', async ({
    expect,
  }) => {
    const runner = newRunner({ inputs: { sites: 'sites.yml' } });
    sitesFile(runner, SUITES);
    const main = runner.startMain();
    const { stateDir } = await waitFor(main.files, running('test'), main.child);
    main.child.kill('SIGKILL');
    const killed = await main.done;
    expect(killed.signal).toBe('SIGKILL');
    const state = stateOf(stateDir)!;
    const runId = state.runId;
    expect(state.teardown).toBeUndefined();
    // it really was half way: the sites still stand
    const before = leftovers(runId);
    expect(before.netns.length).toBeGreaterThan(0);
    expect(before.processes.length).toBeGreaterThan(0);
    expect(runner.savedState()).toEqual({ 'run-id': runId, 'state-dir': stateDir });

    const post = await runner.runPost();
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toMatch(
      new RegExp(`tungsten-e2e post: tore down run ${runId}: deleted \\d+ resources`),
    );
    const again = await runner.runPost();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`tungsten-e2e post: main already tore down run ${runId}`);
    runner.emptyTemp();
    expect(leftovers(runId)).toEqual(NOTHING);
  }, 120_000);

  it('SIGINT during the ready phase: main exits within seconds; a teardown that cannot finish fails post with what is left; post again cleans up', async ({
    expect,
  }) => {
    const runner = newRunner({ inputs: { sites: 'sites.yml' } });
    // the control-node race keeps ready waiting for its grace period (3 s)
    sitesFile(runner, 'tests: { suites: [connectivity] }', 'control-race');
    const main = runner.startMain();
    const { stateDir } = await waitFor(main.files, running('ready'), main.child);
    const signalled = Date.now();
    main.child.kill('SIGINT');
    const ended = await main.done;
    const exitMs = Date.now() - signalled;
    expect(ended.code, ended.stdout + ended.stderr).toBe(130);
    expect(exitMs).toBeLessThan(4_000);
    expect(ended.stdout).not.toContain('still busy');
    expect(ended.stdout).toContain('SIGINT: the job is being cancelled');

    const state = stateOf(stateDir)!;
    const runId = state.runId;
    const ready = state.phases.find((p) => p.name === 'ready')!;
    expect(ready).toMatchObject({ status: 'cancelled', error: 'cancelled by SIGINT' });
    expect(state.phases.map((p) => p.name)).not.toContain('connect');
    expect(state.teardown).toBeUndefined();
    expect(runner.savedState().teardown).toBeUndefined();
    const results = readJson<RunResults>(
      join(runner.workspace, 'tungsten-e2e-results', 'results.json'),
    );
    expect(results.passed).toBe(false);
    expect(results.error).toBe('cancelled by SIGINT');
    expect(runner.outputs(ended).passed).toBe('false');
    expect(runner.summary(ended)).toContain('cancelled by SIGINT');
    expect(leftovers(runId).netns.length).toBeGreaterThan(0);

    // a mount inside the run directory: the directory cannot be removed
    const busy = join(runDir(runId), 'busy');
    mkdirSync(busy);
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', busy]);
    mounts.push(busy);
    const failed = await runner.runPost();
    expect(failed.code).toBe(3);
    expect(failed.stdout).toContain(
      `::error::tungsten-e2e post: teardown of run ${runId} left 1 resources`,
    );
    expect(failed.stdout).toContain(`dir ${runDir(runId)}: EBUSY`);
    expect(failed.stdout).toContain(`delete with: sudo rm -rf ${runDir(runId)}`);
    expect(runner.summary(failed)).toContain('tungsten-e2e teardown incomplete');
    // everything else is gone already
    expect(leftovers(runId).netns).toEqual([]);

    execFileSync('umount', [busy]);
    const post = await runner.runPost();
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toMatch(new RegExp(`tore down run ${runId}: deleted \\d+ resources`));
    runner.emptyTemp();
    expect(leftovers(runId)).toEqual(NOTHING);
  }, 120_000);

  it('teardown: never keeps the run; post keeps it too and prints the exact down command, which deletes it', async ({
    expect,
  }) => {
    const runner = newRunner({ inputs: { sites: 'sites.yml', teardown: 'never' } });
    sitesFile(runner, 'tests: { suites: [connectivity] }');
    const main = await runner.runMain();
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const saved = runner.savedState();
    const runId = saved['run-id']!;
    expect(saved).toMatchObject({
      teardown: 'kept',
      'kept-state-dir': 'tungsten-e2e-results/state',
    });
    // root here, so no sudo; node with the bundle's own cli.js and the absolute state path: it runs as printed
    const command = `node ${resolve(BUNDLE, 'cli.js')} down --state ${resolve(runner.workspace, 'tungsten-e2e-results/state')}`;
    expect(main.stdout).toContain(
      `::notice title=tungsten-e2e%3A run kept::keeping run ${runId} (teardown: never)`,
    );
    expect(main.stdout).toContain(`To delete them now: ${command}`);

    const post = await runner.runPost();
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toContain(
      `keeping run ${runId} (teardown: never); its resources still expire at`,
    );
    expect(post.stdout).toContain('after which "tungsten-e2e janitor" deletes them');
    expect(post.stdout).toContain(command);
    expect(runner.summary(post)).toContain(`\`${command}\``);
    expect(leftovers(runId).netns.length).toBeGreaterThan(0);

    // the printed command, as a user runs it, from the workspace
    const r = spawnSync('sh', ['-c', command], {
      cwd: runner.workspace,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`run ${runId}: deleted \\d+ resources`));
    // the runner empties RUNNER_TEMP (the state directory main used) after the job
    runner.emptyTemp();
    expect(leftovers(runId)).toEqual(NOTHING);
  }, 120_000);
  it('teardown: on-success keeps a failing run (exit 1, the down command printed) and tears a passing one down in main', async ({
    expect,
  }) => {
    const failing = newRunner({ inputs: { sites: 'sites.yml', teardown: 'on-success' } });
    sitesFile(failing, SUITES, 'leak-isolation');
    const passing = newRunner({ inputs: { sites: 'sites.yml', teardown: 'on-success' } });
    sitesFile(passing, 'tests: { suites: [connectivity] }');
    const [bad, good] = await Promise.all([failing.runMain(), passing.runMain()]);

    // the failing run: checks failed, so it is kept for debugging
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    const kept = failing.savedState();
    const keptId = kept['run-id']!;
    expect(kept).toMatchObject({ teardown: 'kept' });
    const command = `node ${resolve(BUNDLE, 'cli.js')} down --state ${resolve(failing.workspace, 'tungsten-e2e-results/state')}`;
    expect(bad.stdout).toContain(
      `::notice title=tungsten-e2e%3A run kept::keeping run ${keptId} (teardown: on-success)`,
    );
    expect(bad.stdout).toContain(`To delete them now: ${command}`);
    const badPost = await failing.runPost();
    expect(badPost.code, badPost.stdout + badPost.stderr).toBe(0);
    expect(badPost.stdout).toContain(`keeping run ${keptId} (teardown: on-success)`);
    expect(leftovers(keptId).netns.length).toBeGreaterThan(0);

    // the passing run: main tore it down, post has nothing to do
    expect(good.code, good.stdout + good.stderr).toBe(0);
    const goneId = passing.savedState()['run-id']!;
    expect(passing.savedState().teardown).not.toBe('kept');
    expect(good.stdout).not.toContain('run kept');
    // (its state directory in RUNNER_TEMP stays until the runner empties it after the job)
    expect({ ...leftovers(goneId), files: [] }).toEqual(NOTHING);
    const goodPost = await passing.runPost();
    expect(goodPost.code, goodPost.stdout + goodPost.stderr).toBe(0);
    passing.emptyTemp();
    expect(leftovers(goneId)).toEqual(NOTHING);

    // the kept run goes with the printed command
    const r = spawnSync('sh', ['-c', command], { cwd: failing.workspace, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    failing.emptyTemp();
    expect(leftovers(keptId)).toEqual(NOTHING);
  }, 180_000);
});
