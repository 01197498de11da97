/**
 * The local provider + emulated fabric, end to end: wall time of `up` phase
 * by phase and of `down`, for 2 and 8 sites (one worker each), with the
 * baseline beside it: the same 2-site run with BIRD's default BGP timers
 * (connect delay 5 s, connect retry 120 s, hold 240 s). Then the 2-site full
 * run (up, every suite in every mode, down) with probes batched per client
 * and with one probe per call, side by side, and the test phase's speedup;
 * and the full run with the sites joined by plain routes over the WAN (how
 * they were joined before WireGuard) beside the WireGuard one.
 *
 *   npm run bench -- local [--reps N] [--sizes 2,8] [--no-baseline]
 *
 * Needs root, like the local provider.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIRD_DEFAULT_TIMERS } from '../src/fabric/emulated/bird.js';
import { silentLogger } from '../src/log.js';
import { MAX_LOCAL_SITES } from '../src/providers/local/topology.js';
import { down, up } from '../src/pipeline.js';
import { testAndReport } from '../src/pipeline/testRun.js';
import type { PipelineEnv } from '../src/pipeline.js';
import { emulatedFabric, type FabricFactory } from '../src/pipeline/registry.js';

const PHASES = ['provision', 'install', 'ready', 'connect'] as const;

interface Sample {
  label: string;
  sites: number;
  /** the test phase, when the run was a full one */
  test?: number;
  checks?: string;
  phases: Record<string, number>;
  up: number;
  down: number;
  established: string;
}

function siteFile(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'te-bench-'));
  const lines = ['ttl: 1h', 'sites:'];
  for (let i = 0; i < n; i++)
    lines.push(`  - { name: s${i}, provider: local, nodes: { workers: 1 } }`);
  const path = join(dir, 'sites.yml');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const ms = (a: string, b?: string) => (b ? Date.parse(b) - Date.parse(a) : NaN);
const s = (x: number) => (Number.isNaN(x) ? '-' : `${(x / 1000).toFixed(2)}s`);

/** Aborted by the first Ctrl-C (or kill): the current `up` stops, is torn down, and the bench exits 130. */
const stop = new AbortController();
/** The state directory of the run in progress (a second Ctrl-C names it). */
let current: string | undefined;

async function once(
  label: string,
  n: number,
  env: Partial<PipelineEnv>,
  suites?: { batchProbes: boolean },
): Promise<Sample> {
  const file = siteFile(n);
  const stateDir = join(mkdtempSync(join(tmpdir(), 'te-bench-state-')), 'state');
  current = stateDir;
  const t0 = Date.now();
  let upMs = NaN;
  let downMs = NaN;
  const phases: Record<string, number> = {};
  let established = '';
  let testMs: number | undefined;
  let checks: string | undefined;
  let failure: unknown;
  try {
    const live = await up(
      { sites: file, stateDir },
      { logger: silentLogger, signal: stop.signal, ...env },
    );
    upMs = Date.now() - t0;
    for (const p of live.store.state.phases) phases[p.name] = ms(p.startedAt, p.endedAt);
    established = `${live.connect.established.length}/${live.plan.peerings.length}`;
    if (suites) {
      const report = await testAndReport(live, {
        resultsDir: join(dirname(stateDir), 'results'),
        probing: suites,
      });
      const test = report.results.phases.find((p) => p.name === 'test');
      testMs = test ? ms(test.startedAt, test.endedAt) : NaN;
      const t = report.results.totals;
      checks = `${t.pass}/${report.results.checks.length}`;
    }
    await live.close();
  } catch (e) {
    failure = e;
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
  // an up that failed before it made anything has no state to tear down
  if (existsSync(join(stateDir, 'state.json'))) {
    const t1 = Date.now();
    try {
      await down({ stateDir }, { logger: silentLogger });
    } catch (e) {
      console.error(
        `local benchmark: down failed; the run's state is kept: finish with "tungsten-e2e down --state ${stateDir}"`,
      );
      throw e;
    }
    downMs = Date.now() - t1;
  }
  rmSync(dirname(stateDir), { recursive: true, force: true });
  current = undefined;
  if (stop.signal.aborted) process.exit(130);
  if (failure) throw failure;
  return {
    label,
    sites: n,
    phases,
    up: upMs,
    down: downMs,
    established,
    ...(testMs !== undefined ? { test: testMs, checks } : {}),
  };
}

function row(x: Sample): string {
  return [
    x.label.padEnd(22),
    String(x.sites).padStart(5),
    ...PHASES.map((p) => s(x.phases[p] ?? NaN).padStart(10)),
    s(x.up).padStart(9),
    s(x.down).padStart(8),
    x.established.padStart(7),
    s(x.test ?? NaN).padStart(8),
    (x.checks ?? '-').padStart(8),
  ].join(' ');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Bad arguments: one sentence naming the flag, exit 2 (as for every user error). */
function usage(message: string): never {
  console.error(`npm run bench -- local: ${message}`);
  process.exit(2);
}

function parseArgs(args: string[]): { reps: number; sizes: number[]; baseline: boolean } {
  let reps = 3;
  let sizes = [2, 8];
  let baseline = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--no-baseline') {
      baseline = false;
      continue;
    }
    const text = args[++i];
    if (a === '--reps') {
      if (text === undefined || !/^[1-9]\d*$/.test(text))
        usage(`--reps must be a positive integer, got ${JSON.stringify(text ?? '')}`);
      reps = Number(text);
    } else if (a === '--sizes') {
      const list = (text ?? '').split(',');
      if (!list.every((x) => /^\d+$/.test(x) && Number(x) >= 1 && Number(x) <= MAX_LOCAL_SITES))
        usage(
          `--sizes must be a comma-separated list of site counts from 1 to ${MAX_LOCAL_SITES}, got ${JSON.stringify(text ?? '')}`,
        );
      sizes = list.map(Number);
    } else {
      usage(
        `unknown argument ${JSON.stringify(a)}; it takes --reps N, --sizes N,N and --no-baseline`,
      );
    }
  }
  return { reps, sizes, baseline };
}

export async function run(args: string[]): Promise<void> {
  const { reps, sizes, baseline } = parseArgs(args);
  if (process.getuid?.() !== 0) {
    console.error('the local benchmark needs root (network namespaces): run it with sudo');
    process.exit(2);
  }
  const interrupted = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      if (current)
        console.error(
          `local benchmark: tear down what is left with "tungsten-e2e down --state ${current}"`,
        );
      process.exit(130);
    }
    console.error(`local benchmark: ${signal}: stopping and tearing the current run down`);
    stop.abort(new Error(`interrupted (${signal})`));
  };
  process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
  const defaults: FabricFactory = () => (run) =>
    emulatedFabric(run, { bgpTimers: BIRD_DEFAULT_TIMERS });

  console.log(
    [
      'run'.padEnd(22),
      'sites'.padStart(5),
      ...PHASES.map((p) => p.padStart(10)),
      'up'.padStart(9),
      'down'.padStart(8),
      'bgp'.padStart(7),
      'test'.padStart(8),
      'passed'.padStart(8),
    ].join(' '),
  );
  const samples: Sample[] = [];
  for (const n of sizes) {
    for (let r = 1; r <= reps; r++) {
      const x = await once(`tuned timers #${r}`, n, {});
      samples.push(x);
      console.log(row(x));
    }
  }
  if (baseline) {
    const x = await once('BIRD default timers', 2, {
      fabric: defaults,
      readyDeadlineMs: 300_000,
      connectDeadlineMs: 300_000,
    });
    samples.push(x);
    console.log(row(x));
  }
  // the full run, batched and not, alternating so a busy moment hits both alike
  for (let r = 1; r <= reps; r++) {
    for (const batchProbes of [true, false]) {
      const label = `${batchProbes ? 'full, batched' : 'full, one per call'} #${r}`;
      const x = await once(label, 2, {}, { batchProbes });
      samples.push(x);
      console.log(row(x));
    }
    const x = await once(
      `full, plain WAN #${r}`,
      2,
      { siteJoin: 'plain-routes' },
      { batchProbes: true },
    );
    samples.push(x);
    console.log(row(x));
  }
  console.log('');
  for (const n of sizes) {
    const xs = samples.filter((x) => x.sites === n && x.label.startsWith('tuned'));
    console.log(
      `local ${n} sites (median of ${xs.length}): up ${s(median(xs.map((x) => x.up)))} (${PHASES.map((p) => `${p} ${s(median(xs.map((x) => x.phases[p] ?? NaN)))}`).join(', ')}), down ${s(median(xs.map((x) => x.down)))}`,
    );
  }
  const full = (prefix: string) => samples.filter((x) => x.label.startsWith(prefix));
  const batched = full('full, batched');
  const single = full('full, one per call');
  const total = (x: Sample) => x.up + (x.test ?? 0) + x.down;
  const plain = full('full, plain WAN');
  console.log(
    `local 2 sites, full run (median of ${reps}): sites joined by WireGuard ${s(median(batched.map(total)))} (provision ${s(median(batched.map((x) => x.phases.provision ?? NaN)))}, test ${s(median(batched.map((x) => x.test!)))}), by plain WAN routes ${s(median(plain.map(total)))} (provision ${s(median(plain.map((x) => x.phases.provision ?? NaN)))}, test ${s(median(plain.map((x) => x.test!)))}): WireGuard costs ${((median(batched.map(total)) / median(plain.map(total)) - 1) * 100).toFixed(1)}%`,
  );
  console.log(
    `local 2 sites, full run (median of ${reps}): batched ${s(median(batched.map(total)))} (test ${s(median(batched.map((x) => x.test!)))}), one probe per call ${s(median(single.map(total)))} (test ${s(median(single.map((x) => x.test!)))})`,
  );
  console.log(
    `probe batching speedup: ${(median(single.map((x) => x.test!)) / median(batched.map((x) => x.test!))).toFixed(1)}x (test phase)`,
  );
  const base = samples.find((x) => x.label.startsWith('BIRD default'));
  const tuned2 = samples.filter((x) => x.sites === 2 && x.label.startsWith('tuned'));
  if (base && tuned2.length > 0) {
    console.log(
      `baseline, 2 sites with BIRD's default timers: up ${s(base.up)} (ready ${s(base.phases.ready ?? NaN)}, connect ${s(base.phases.connect ?? NaN)}); tuned timers are ${(base.up / median(tuned2.map((x) => x.up))).toFixed(1)}x faster`,
    );
  }
}
