/**
 * The CLI: flags in, exit code out. Each command's work lives in src/commands;
 * this file only parses, dispatches and turns errors into one-line messages.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ExitCode, InfraError, isUserError, UserError, userErrorsOf } from '../errors.js';
import type { ExitCodeValue } from '../errors.js';
import { checkProfileName, listProfiles } from '../config/profile.js';
import type { ConfigOverrides } from '../config/load.js';
import { parseRaceRetries } from '../health/waitReady.js';
import { closest } from '../config/suggest.js';
import { secrets, streamLogger } from '../log.js';
import type { Logger } from '../log.js';
import { planCommand } from '../commands/plan.js';
import { downCommand as downRunCommand } from '../commands/down.js';
import type { CommandIO } from '../commands/io.js';
import { reexecAsRoot, shouldReexecAsRoot, sitesNeedRoot } from '../commands/root.js';
import { runCommand } from '../commands/run.js';
import { testCommand } from '../commands/test.js';
import { upCommand } from '../commands/up.js';
import { listenForInterrupt } from '../commands/interrupt.js';
import type { Interrupt } from '../commands/interrupt.js';
import { janitorCommand } from '../commands/janitor.js';
import { lintDocsCommand } from '../commands/lintDocs.js';
import { aggregateCommand, USAGE as AGGREGATE_USAGE } from '../commands/aggregate.js';
import { matrixCommand } from '../commands/matrix.js';
import { TEARDOWN_POLICIES } from '../config/schema.js';
import { resultsExitCode } from '../report/results.js';
import type { TeardownPolicy } from '../config/types.js';
import { newRunId, StateStore } from '../state/runState.js';
import { downCommandLine } from '../state/teardown.js';
import { join } from 'node:path';
import { VERSION } from '../version.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Start handling Ctrl-C / SIGTERM; `first` says what the first one does. */
type Listen = (first: string) => Interrupt;

interface CommandSpec {
  summary: string;
  usage: string;
  options: Options;
  /** takes arguments besides its flags (lint-docs: the files) */
  positionals?: true;
  run(
    values: Record<string, string | boolean | undefined>,
    io: CommandIO,
    args: string[],
    listen: Listen,
    positionals: string[],
  ): Promise<ExitCodeValue>;
}

const AGAIN = 'press Ctrl-C again to exit at once';

async function stateNeedsRoot(stateDir: string): Promise<boolean> {
  try {
    const s = (await StateStore.open(stateDir)).state;
    const providers = [...s.sites.map((x) => x.provider), ...s.resources.map((r) => r.provider)];
    return providers.length === 0 || providers.includes('local');
  } catch {
    return false;
  }
}

function teardownPolicy(v: string | boolean | undefined): TeardownPolicy | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (TEARDOWN_POLICIES as readonly string[]).includes(v)) {
    return v as TeardownPolicy;
  }
  throw new UserError(
    `tungsten-e2e run: --teardown must be one of ${TEARDOWN_POLICIES.join(', ')}, not "${String(v)}".`,
  );
}

/** A string flag's value; '' when it was not given. */
function flag(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  return typeof v === 'string' ? v : '';
}

/** `--profile NAME`, checked against the shipped profiles, as config overrides. */
function profileOverride(values: Record<string, string | boolean | undefined>): {
  overrides?: ConfigOverrides;
} {
  const profile = flag(values, 'profile');
  if (profile === '') return {};
  checkProfileName(profile, '--profile');
  return { overrides: { profile } };
}

const common: Options = {
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

export const COMMANDS: Record<string, CommandSpec> = {
  plan: {
    summary: 'validate a site file and print the plan (ranges, gateways, ASNs, peerings)',
    usage:
      'plan --sites FILE [--json] [--profile NAME] [--manifest FILE] [--out DIR] [--check-cloud] [--commands [--doc FILE]]',
    options: {
      sites: { type: 'string' },
      json: { type: 'boolean' },
      'check-cloud': { type: 'boolean' },
      commands: { type: 'boolean' },
      doc: { type: 'string' },
      profile: { type: 'string' },
      manifest: { type: 'string' },
      out: { type: 'string' },
    },
    run: async (v, io) => {
      await planCommand(
        {
          sites: required(v, 'sites', 'plan'),
          json: Boolean(v.json),
          checkCloud: Boolean(v['check-cloud']),
          commands: Boolean(v.commands),
          ...(typeof v.doc === 'string' ? { doc: v.doc } : {}),
          ...profileOverride(v),
          ...(typeof v.manifest === 'string' ? { manifest: v.manifest } : {}),
          ...(typeof v.out === 'string' ? { out: v.out } : {}),
        },
        io,
      );
      return ExitCode.ok;
    },
  },
  up: {
    summary: 'provision and install every site, join them, leave them running',
    usage: 'up --sites FILE --state DIR [--profile NAME] [--race-retries N]',
    options: {
      sites: { type: 'string' },
      state: { type: 'string' },
      profile: { type: 'string' },
      'race-retries': { type: 'string' },
    },
    run: async (v, io, args, listen) => {
      const sites = required(v, 'sites', 'up');
      const stateDir = required(v, 'state', 'up');
      const overrides = profileOverride(v);
      const raceRetries = parseRaceRetries(flag(v, 'race-retries'), '--race-retries');
      const root = await sitesNeedRoot(sites);
      if (shouldReexecAsRoot(root)) return reexecAsRoot(args);
      const interrupt = listen(`stopping; tearing down what up made so far (${AGAIN})`);
      interrupt.setDownCommand(downCommandLine(stateDir, root ? ['local'] : []));
      await upCommand({ sites, stateDir, ...overrides }, io, {
        signal: interrupt.signal,
        raceRetries,
      });
      return ExitCode.ok;
    },
  },
  down: {
    summary: 'tear down everything a run made (idempotent)',
    usage: 'down --state DIR',
    options: { state: { type: 'string' } },
    run: async (v, io, args, listen) => {
      const stateDir = required(v, 'state', 'down');
      const root = await stateNeedsRoot(stateDir);
      if (shouldReexecAsRoot(root)) return reexecAsRoot(args);
      listen(`finishing the teardown (${AGAIN})`).setDownCommand(
        downCommandLine(stateDir, root ? ['local'] : []),
      );
      await downRunCommand({ stateDir }, io);
      return ExitCode.ok;
    },
  },
  test: {
    summary: 'run the connectivity and isolation suites against sites that are up',
    usage: 'test --state DIR [--results DIR]',
    options: { state: { type: 'string' }, results: { type: 'string' } },
    run: async (v, io, args, listen) => {
      const stateDir = required(v, 'state', 'test');
      const root = await stateNeedsRoot(stateDir);
      if (shouldReexecAsRoot(root)) return reexecAsRoot(args);
      const interrupt = listen(`stopping the suites; the run stays up (${AGAIN})`);
      interrupt.setDownCommand(downCommandLine(stateDir, root ? ['local'] : []));
      const report = await testCommand(
        { stateDir, ...(typeof v.results === 'string' ? { resultsDir: v.results } : {}) },
        io,
        { signal: interrupt.signal },
      );
      return resultsExitCode(report.results);
    },
  },
  run: {
    summary: 'up, test, report, down',
    usage:
      'run --sites FILE [--state DIR] [--results DIR] [--teardown always|on-success|never] [--profile NAME] [--race-retries N] [--doc FILE]',
    options: {
      sites: { type: 'string' },
      state: { type: 'string' },
      results: { type: 'string' },
      teardown: { type: 'string' },
      profile: { type: 'string' },
      'race-retries': { type: 'string' },
      doc: { type: 'string' },
    },
    run: async (v, io, args, listen) => {
      const sites = required(v, 'sites', 'run');
      const teardown = teardownPolicy(v.teardown);
      const overrides = profileOverride(v);
      const raceRetries = parseRaceRetries(flag(v, 'race-retries'), '--race-retries');
      const root = await sitesNeedRoot(sites);
      if (shouldReexecAsRoot(root)) return reexecAsRoot(args);
      const runId = newRunId();
      const stateDir = typeof v.state === 'string' ? v.state : join('.tungsten-e2e', runId);
      const interrupt = listen(`stopping; tearing down what the run made (${AGAIN})`);
      interrupt.setDownCommand(downCommandLine(stateDir, root ? ['local'] : []));
      const report = await runCommand(
        {
          sites,
          runId,
          stateDir,
          ...(typeof v.results === 'string' ? { resultsDir: v.results } : {}),
          ...(teardown ? { teardown } : {}),
          ...(typeof v.doc === 'string' ? { doc: v.doc } : {}),
          ...overrides,
        },
        io,
        { signal: interrupt.signal, raceRetries },
      );
      return report.exitCode;
    },
  },
  janitor: {
    summary: 'delete resources of any run past their expiry',
    usage: 'janitor [--older-than DURATION] [--dry-run] [--region REGION]... [--sites FILE]',
    options: {
      'older-than': { type: 'string' },
      'dry-run': { type: 'boolean' },
      region: { type: 'string', multiple: true },
      sites: { type: 'string' },
    },
    run: async (v, io, args, listen) => {
      // the local provider's resources need root to delete (a dry run only reads)
      if (!v['dry-run'] && shouldReexecAsRoot(true)) return reexecAsRoot(args);
      const interrupt = listen(`stopping after the run being deleted (${AGAIN})`);
      const regions = (v.region as unknown as string[] | undefined) ?? [];
      const report = await janitorCommand(
        {
          ...(typeof v['older-than'] === 'string' ? { olderThan: v['older-than'] } : {}),
          ...(v['dry-run'] ? { dryRun: true } : {}),
          ...(regions.length ? { regions } : {}),
          ...(typeof v.sites === 'string' ? { sites: v.sites } : {}),
        },
        io,
        { signal: interrupt.signal },
      );
      const left = report.runs.some((r) => r.remaining.length > 0) || report.failed.length > 0;
      return left ? ExitCode.infrastructure : ExitCode.ok;
    },
  },
  'lint-docs': {
    summary:
      'find Liquid that a Jekyll site (the TF website) would eat inside the code of Markdown docs',
    usage: 'lint-docs [--site-root DIR] [--format text|json|markdown] FILE...',
    options: {
      'site-root': { type: 'string' },
      format: { type: 'string' },
    },
    positionals: true,
    run: async (v, io, _args, _listen, files) =>
      lintDocsCommand(
        {
          files,
          ...(typeof v['site-root'] === 'string' ? { siteRoot: v['site-root'] } : {}),
          ...(typeof v.format === 'string' ? { format: v.format } : {}),
        },
        io,
      ),
  },
  aggregate: {
    summary:
      "the legs of a matrix (each run's results directory) as one compatibility grid: markdown, JSON and HTML",
    usage: AGGREGATE_USAGE,
    options: {
      out: { type: 'string' },
      previous: { type: 'string' },
      format: { type: 'string' },
      'tracking-issue': { type: 'boolean' },
    },
    positionals: true,
    run: async (v, io, _args, _listen, dirs) =>
      (
        await aggregateCommand(
          {
            dirs,
            ...(typeof v.out === 'string' ? { out: v.out } : {}),
            ...(typeof v.previous === 'string' ? { previous: v.previous } : {}),
            ...(typeof v.format === 'string' ? { format: v.format } : {}),
            ...(v['tracking-issue'] === true ? { trackingIssue: true } : {}),
          },
          io,
        )
      ).exitCode,
  },
  matrix: {
    summary:
      "the nightly's legs (every profile × the data file's site files) as a GitHub Actions matrix",
    usage: 'matrix --legs FILE',
    options: { legs: { type: 'string' } },
    run: async (v, io) => matrixCommand({ legs: required(v, 'legs', 'matrix') }, io),
  },
  profiles: {
    summary: 'list the version profiles',
    usage: 'profiles',
    options: {},
    run: async (_v, io) => {
      io.stdout(`${listProfiles().join('\n')}\n`);
      return ExitCode.ok;
    },
  },
};

function required(
  values: Record<string, string | boolean | undefined>,
  name: string,
  command: string,
): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') {
    throw new UserError(
      `tungsten-e2e ${command} needs --${name}; usage: tungsten-e2e ${COMMANDS[command]!.usage}`,
    );
  }
  return v;
}

export function helpText(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return [
    `tungsten-e2e ${VERSION}: Kubernetes + Tungsten Fabric across sites, end to end.`,
    '',
    'usage: tungsten-e2e <command> [options]',
    '',
    ...rows,
    '',
    'exit codes: 0 success, 1 checks failed, 2 bad input, 3 infrastructure failure, 130 interrupted',
    'run "tungsten-e2e <command> --help" for a command\'s options.',
  ].join('\n');
}

export interface CliStreams {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processStreams: CliStreams = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export async function runCli(
  argv: string[],
  streams: CliStreams = processStreams,
): Promise<ExitCodeValue> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    streams.stdout(`${helpText()}\n`);
    return name ? ExitCode.ok : ExitCode.badInput;
  }
  if (name === '--version') {
    streams.stdout(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const logger: Logger = streamLogger((line) => streams.stderr(`${line}\n`), {
    verbose: rest.includes('--verbose') || rest.includes('-v'),
  });
  const io: CommandIO = { logger, stdout: (t) => streams.stdout(secrets.redact(t)) };
  const spec = COMMANDS[name];
  let interrupt: Interrupt | undefined;
  const listen: Listen = (first) => {
    interrupt ??= listenForInterrupt({ logger, firstMessage: (sig) => `${sig}: ${first}` });
    return interrupt;
  };
  try {
    if (!spec) {
      const guess = closest(name, Object.keys(COMMANDS));
      throw new UserError(
        `unknown command "${name}"${guess ? `; did you mean "${guess}"?` : ''} Commands: ${Object.keys(COMMANDS).join(', ')}.`,
      );
    }
    const { values, positionals } = parseFlags(name, spec, rest);
    if (values.help) {
      streams.stdout(`usage: tungsten-e2e ${spec.usage}\n${spec.summary}\n`);
      return ExitCode.ok;
    }
    const code = await spec.run(
      values,
      io,
      rest.length ? [name, ...rest] : [name],
      listen,
      positionals,
    );
    return interrupt?.received ? ExitCode.interrupted : code;
  } catch (e) {
    const code = reportError(e, logger);
    return interrupt?.received ? ExitCode.interrupted : code;
  } finally {
    interrupt?.dispose();
  }
}

function parseFlags(
  name: string,
  spec: CommandSpec,
  args: string[],
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options = { ...common, ...spec.options };
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: spec.positionals === true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    const msg = (e as Error).message;
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(msg);
    if (unknown) {
      const guess = closest(unknown[2]!, Object.keys(options));
      throw new UserError(
        `tungsten-e2e ${name}: unknown option ${unknown[1]}${unknown[2]}${guess ? `; did you mean --${guess}?` : '.'} Usage: tungsten-e2e ${spec.usage}`,
      );
    }
    throw new UserError(
      `tungsten-e2e ${name}: ${msg.replace(/\.$/, '')}. Usage: tungsten-e2e ${spec.usage}`,
    );
  }
}

export function reportError(e: unknown, logger: Logger): ExitCodeValue {
  if (isUserError(e)) {
    for (const err of userErrorsOf(e)) logger.error(err.message);
    return ExitCode.badInput;
  }
  if (e instanceof InfraError) {
    logger.error(e.message);
    return ExitCode.infrastructure;
  }
  logger.error(`unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return ExitCode.infrastructure;
}
