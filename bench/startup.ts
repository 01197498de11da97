/**
 * Start-up cost per cloud: wall time of `node dist/main.js` (the action,
 * `command: plan`, which touches nothing) and of `node dist/cli.js plan
 * --check-cloud`, from spawn to the first line of output, for a site file on
 * one cloud each (no credentials, so nothing is asked over the network),
 * beside the baseline of a local-only site file; and the one-off cost of importing each
 * cloud's SDK chunk (what a run pays when it makes that cloud's clients),
 * beside `node -e ''`. Also lists which SDK chunks each run loaded: a run on
 * one cloud must load no other cloud's SDK.
 *
 *   npm run build && npm run bench -- startup [--reps N] [--dist DIR]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SITES: Record<string, string> = {
  local: 'sites:\n  - { name: a, provider: local }\n  - { name: b, provider: local }\n',
  aws: 'profile: opensdn-24\nsites:\n  - { name: a, provider: aws, region: us-east-1 }\n  - { name: b, provider: aws, region: eu-west-1 }\n',
  gcp: 'profile: opensdn-24\nsites:\n  - { name: a, provider: gcp, region: us-central1, zone: us-central1-a }\n  - { name: b, provider: gcp, region: europe-west1, zone: europe-west1-b }\n',
  azure:
    'profile: opensdn-24\nsites:\n  - { name: a, provider: azure, region: westeurope }\n  - { name: b, provider: azure, region: eastus }\n',
};

interface Timed {
  ms: number;
  loaded: string[];
}

function firstLine(args: string[], env: NodeJS.ProcessEnv, loadedFile: string): Promise<Timed> {
  return new Promise((done, fail) => {
    writeFileSync(loadedFile, '');
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      ['--import', resolve('scripts/record-modules.mjs'), ...args],
      {
        env: { ...env, TE_LOADED_MODULES: loadedFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let ms: number | undefined;
    const mark = () => {
      ms ??= Number(process.hrtime.bigint() - started) / 1e6;
    };
    child.stdout.once('data', mark);
    child.stderr.once('data', mark);
    child.on('error', fail);
    child.on('close', (code) => {
      mark();
      if (code !== 0) fail(new Error(`${args.join(' ')} exited ${code}`));
      else done({ ms: ms!, loaded: readFileSync(loadedFile, 'utf8').split('\n').filter(Boolean) });
    });
  });
}

/** The environment the runner gives the action's main step, for `command: plan` on one site file. */
function actionEnv(base: NodeJS.ProcessEnv, dir: string, sites: string): NodeJS.ProcessEnv {
  // the runner creates these files before the step starts
  for (const f of ['github-output', 'github-state', 'github-summary'])
    writeFileSync(join(dir, f), '');
  return {
    ...base,
    INPUT_COMMAND: 'plan',
    INPUT_SITES: sites,
    'INPUT_RESULTS-DIR': join(dir, 'results'),
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: join(dir, 'github-output'),
    GITHUB_STATE: join(dir, 'github-state'),
    GITHUB_STEP_SUMMARY: join(dir, 'github-summary'),
  };
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)]!;
  return `median ${median.toFixed(0)} ms (min ${s[0]!.toFixed(0)}, max ${s[s.length - 1]!.toFixed(0)})`;
}

export async function run(args: string[]): Promise<void> {
  const reps = Number(args[args.indexOf('--reps') + 1] || 7) || 7;
  const dist = resolve(args.includes('--dist') ? args[args.indexOf('--dist') + 1]! : 'dist');
  const dir = mkdtempSync(join(tmpdir(), 'te-bench-startup-'));
  // no credentials anywhere: HOME is empty, no cloud variables
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir };
  const loadedFile = join(dir, 'loaded.txt');
  const chunks = readdirSync(join(dist, 'chunks'));
  // an SDK chunk: large, and holding that SDK's own client class
  const sdkOf = (file: string): string | undefined => {
    const text = readFileSync(join(dist, 'chunks', file), 'utf8');
    if (text.length < 1_000_000) return undefined;
    if (text.includes('google.cloud.compute.v1')) return 'gcp';
    if (text.includes('NetworkManagementClient')) return 'azure';
    if (text.includes('EC2Client')) return 'aws';
    return undefined;
  };
  const sdkChunks = new Map(chunks.flatMap((c) => (sdkOf(c) ? [[c, sdkOf(c)!] as const] : [])));
  try {
    console.log(`node ${process.version}, ${reps} runs each, dist ${dist}`);
    const files: Record<string, string> = {};
    for (const [cloud, text] of Object.entries(SITES)) {
      const file = join(dir, `${cloud}.yml`);
      writeFileSync(file, text);
      files[cloud] = file;
    }
    const sdksOf = (loaded: string[]) => {
      const sdks = [
        ...new Set(loaded.flatMap((u) => sdkChunks.get(u.split('/').pop() ?? '') ?? [])),
      ];
      return sdks.length ? sdks.join(', ') : 'none';
    };
    console.log(
      '\nnode dist/main.js (the action, command plan), spawn to first log line (no credentials):',
    );
    // one line per cloud: spawn to first line, reps times, and the SDK chunks the last run loaded
    const perCloud = async (
      argvOf: (cloud: string) => string[],
      envOf: (cloud: string) => NodeJS.ProcessEnv,
    ) => {
      for (const cloud of Object.keys(SITES)) {
        const times: number[] = [];
        let loaded: string[] = [];
        for (let i = 0; i < reps; i++) {
          const t = await firstLine(argvOf(cloud), envOf(cloud), loadedFile);
          times.push(t.ms);
          loaded = t.loaded;
        }
        const note = cloud === 'local' ? '  <- baseline, no cloud' : '';
        console.log(
          `  ${cloud.padEnd(6)} ${stats(times)}; SDK chunks loaded: ${sdksOf(loaded)}${note}`,
        );
      }
    };
    await perCloud(
      () => [join(dist, 'main.js')],
      (cloud) => actionEnv(env, dir, files[cloud]!),
    );
    console.log('\ncli.js plan --check-cloud, spawn to first output line (no credentials):');
    await perCloud(
      (cloud) => [join(dist, 'cli.js'), 'plan', '--sites', files[cloud]!, '--check-cloud'],
      () => env,
    );
    console.log("\nimporting one SDK chunk (what making that cloud's clients costs once):");
    const base: number[] = [];
    for (let i = 0; i < reps; i++)
      base.push((await firstLine(['-e', 'console.log(1)'], env, loadedFile)).ms);
    console.log(`  ${'(none)'.padEnd(6)} ${stats(base)}  <- node -e baseline`);
    for (const [chunk, cloud] of sdkChunks) {
      const times: number[] = [];
      const url = `file://${join(dist, 'chunks', chunk)}`;
      for (let i = 0; i < reps; i++) {
        times.push(
          (
            await firstLine(
              ['-e', `import(${JSON.stringify(url)}).then(() => console.log(1))`],
              env,
              loadedFile,
            )
          ).ms,
        );
      }
      const size = (readFileSync(join(dist, 'chunks', chunk)).length / 1e6).toFixed(1);
      console.log(`  ${cloud.padEnd(6)} ${stats(times)}  (${chunk}, ${size} MB)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
