/**
 * GitHub's runner, as far as a JavaScript action sees it: each step (main,
 * then post) is `node <entry>` in the workspace with its inputs as INPUT_*
 * variables (action.yml's defaults filled in for the ones not given), its own
 * set of file-command files (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY,
 * GITHUB_ENV, GITHUB_PATH), RUNNER_TEMP, and the event payload file. The
 * values main saved in its GITHUB_STATE file reach post as STATE_<name>.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { BUNDLE } from '../bundle.js';
import { tempDir } from '../helpers.js';
import { noteProgress } from '../support/progressNotes.js';

export interface StepFiles {
  GITHUB_OUTPUT: string;
  GITHUB_STATE: string;
  GITHUB_STEP_SUMMARY: string;
  GITHUB_ENV: string;
  GITHUB_PATH: string;
}

export interface StepResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  files: StepFiles;
  /** ms from start to exit */
  tookMs: number;
}

export interface RunnerOptions {
  /** the action's inputs (names as in action.yml) */
  inputs: Record<string, string>;
  /** GITHUB_EVENT_NAME and the payload written to GITHUB_EVENT_PATH */
  event?: { name: string; payload: unknown };
  /** extra environment (GITHUB_API_URL of a loopback API, …) */
  env?: Record<string, string>;
  /** a command the step runs under (e.g. nsenter into a sandbox): argv before `node entry.js` */
  wrap?: string[];
}

/** `name<<DELIMITER`, the value's lines, `DELIMITER`: how @actions/core writes GITHUB_OUTPUT and GITHUB_STATE. */
export function readFileCommands(path: string): Record<string, string> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const m = /^([^<=]+)<<(.+)$/.exec(line);
    if (!m) throw new Error(`unexpected line in ${path}: ${line}`);
    const end = lines.indexOf(m[2]!, i + 1);
    if (end < 0) throw new Error(`${path}: ${m[1]} is not terminated`);
    out[m[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

interface ActionYml {
  inputs: Record<string, { default?: string }>;
}

/** The input defaults action.yml declares; `${{ github.token }}` becomes the job's token. */
function inputDefaults(token: string): Record<string, string> {
  const yml = parse(readFileSync('action.yml', 'utf8')) as ActionYml;
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(yml.inputs)) {
    if (spec.default === undefined) continue;
    out[name] = spec.default.replace(/\$\{\{\s*github\.token\s*\}\}/, token);
  }
  return out;
}

export class ActionRunner {
  readonly root = tempDir('te-runner-');
  readonly workspace = join(this.root, 'workspace');
  readonly temp = join(this.root, 'runner-temp');
  readonly eventPath = join(this.root, 'event.json');
  private steps = 0;
  main?: StepResult;

  constructor(readonly options: RunnerOptions) {
    mkdirSync(this.workspace, { recursive: true });
    mkdirSync(this.temp, { recursive: true });
    writeFileSync(this.eventPath, JSON.stringify(options.event?.payload ?? {}));
  }

  /** The job's GITHUB_TOKEN (the github-token input's default). */
  static readonly TOKEN = 'ghs_jobTokenOfTheSimulatedRunner0001';

  private newFiles(): StepFiles {
    const dir = join(this.root, `step-${++this.steps}`);
    mkdirSync(dir);
    const files: StepFiles = {
      GITHUB_OUTPUT: join(dir, 'set_output'),
      GITHUB_STATE: join(dir, 'save_state'),
      GITHUB_STEP_SUMMARY: join(dir, 'step_summary'),
      GITHUB_ENV: join(dir, 'set_env'),
      GITHUB_PATH: join(dir, 'add_path'),
    };
    for (const f of Object.values(files)) writeFileSync(f, '');
    return files;
  }

  private env(files: StepFiles, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const inputs = { ...inputDefaults(ActionRunner.TOKEN), ...this.options.inputs };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_REPOSITORY: 'tungsten-e2e/demo',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_EVENT_NAME: this.options.event?.name ?? 'push',
      GITHUB_EVENT_PATH: this.eventPath,
      RUNNER_TEMP: this.temp,
      RUNNER_OS: 'Linux',
      ...this.options.env,
      ...files,
      ...extra,
    };
    for (const [name, value] of Object.entries(inputs)) {
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    }
    return env;
  }

  /** Start main: its process (to signal it), its files (to watch them), and its end. */
  startMain(): { child: ChildProcess; files: StepFiles; done: Promise<StepResult> } {
    const files = this.newFiles();
    const { child, done } = this.start('main', files, {});
    return {
      child,
      files,
      done: done.then((r) => {
        this.main = r;
        return r;
      }),
    };
  }

  async runMain(): Promise<StepResult> {
    return this.startMain().done;
  }

  /** What main saved, as post gets it: STATE_<name>. */
  savedState(): Record<string, string> {
    if (!this.main) throw new Error('main has not run');
    return readFileCommands(this.main.files.GITHUB_STATE);
  }

  async runPost(): Promise<StepResult> {
    const state = Object.fromEntries(
      Object.entries(this.savedState()).map(([k, v]) => [`STATE_${k}`, v]),
    );
    return this.start('post', this.newFiles(), state).done;
  }

  outputs(step: StepResult): Record<string, string> {
    return readFileCommands(step.files.GITHUB_OUTPUT);
  }

  summary(step: StepResult): string {
    return readFileSync(step.files.GITHUB_STEP_SUMMARY, 'utf8');
  }

  private start(
    entry: 'main' | 'post',
    files: StepFiles,
    extra: Record<string, string>,
  ): { child: ChildProcess; done: Promise<StepResult> } {
    const started = Date.now();
    const argv = [...(this.options.wrap ?? []), process.execPath, resolve(BUNDLE, `${entry}.js`)];
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: this.workspace,
      env: this.env(files, extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      noteProgress(`action ${entry} (pid ${child.pid})`, stdout.slice(-1000));
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    const done = new Promise<StepResult>((ok, fail) => {
      child.on('error', fail);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        ok({ code, signal, stdout, stderr, files, tookMs: Date.now() - started });
      });
    });
    return { child, done };
  }

  /** What the runner does after the job: RUNNER_TEMP is emptied. */
  emptyTemp(): void {
    rmSync(this.temp, { recursive: true, force: true });
    mkdirSync(this.temp);
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
