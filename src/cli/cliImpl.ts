/**
 * The CLI: flags in, exit code out. Each command's work lives in src/commands;
 * this file only parses, dispatches and turns errors into one-line messages.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ExitCode, InfraError, isUserError, UserError, userErrorsOf } from '../errors.js';
import type { ExitCodeValue } from '../errors.js';
import { listProfiles } from '../config/profile.js';
import { closest } from '../config/suggest.js';
import { secrets, streamLogger } from '../log.js';
import type { Logger } from '../log.js';
import { planCommand } from '../commands/plan.js';
import type { CommandIO } from '../commands/io.js';
import { VERSION } from '../version.js';

type Options = NonNullable<ParseArgsConfig['options']>;

interface CommandSpec {
  summary: string;
  usage: string;
  options: Options;
  run(values: Record<string, string | boolean | undefined>, io: CommandIO): Promise<ExitCodeValue>;
}

const common: Options = {
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

const notYet =
  (command: string): CommandSpec['run'] =>
  async () => {
    throw new UserError(
      `tungsten-e2e ${command} is not available yet in version ${VERSION}; today you can run "tungsten-e2e plan --sites FILE".`,
    );
  };

export const COMMANDS: Record<string, CommandSpec> = {
  plan: {
    summary: 'validate a site file and print the plan (ranges, gateways, ASNs, peerings)',
    usage:
      'plan --sites FILE [--json] [--profile NAME] [--manifest FILE] [--out DIR] [--check-cloud]',
    options: {
      sites: { type: 'string' },
      json: { type: 'boolean' },
      'check-cloud': { type: 'boolean' },
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
          ...(typeof v.profile === 'string' ? { overrides: { profile: v.profile } } : {}),
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
    usage: 'up --sites FILE --state DIR',
    options: { sites: { type: 'string' }, state: { type: 'string' } },
    run: notYet('up'),
  },
  down: {
    summary: 'tear down everything a run made (idempotent)',
    usage: 'down --state DIR',
    options: { state: { type: 'string' } },
    run: notYet('down'),
  },
  test: {
    summary: 'run the connectivity and isolation suites against sites that are up',
    usage: 'test --state DIR [--results DIR]',
    options: { state: { type: 'string' }, results: { type: 'string' } },
    run: notYet('test'),
  },
  run: {
    summary: 'up, test, report, down',
    usage: 'run --sites FILE [--results DIR] [--teardown always|on-success|never]',
    options: {
      sites: { type: 'string' },
      results: { type: 'string' },
      teardown: { type: 'string' },
    },
    run: notYet('run'),
  },
  janitor: {
    summary: 'delete resources of any run past their expiry',
    usage: 'janitor [--older-than DURATION] [--dry-run]',
    options: { 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    run: notYet('janitor'),
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
    'exit codes: 0 success, 1 checks failed, 2 bad input, 3 infrastructure failure',
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
  try {
    if (!spec) {
      const guess = closest(name, Object.keys(COMMANDS));
      throw new UserError(
        `unknown command "${name}"${guess ? `; did you mean "${guess}"?` : ''} Commands: ${Object.keys(COMMANDS).join(', ')}.`,
      );
    }
    const values = parseFlags(name, spec, rest);
    if (values.help) {
      streams.stdout(`usage: tungsten-e2e ${spec.usage}\n${spec.summary}\n`);
      return ExitCode.ok;
    }
    return await spec.run(values, io);
  } catch (e) {
    return reportError(e, logger);
  }
}

function parseFlags(
  name: string,
  spec: CommandSpec,
  args: string[],
): Record<string, string | boolean | undefined> {
  const options = { ...common, ...spec.options };
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    const msg = (e as Error).message;
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(msg);
    if (unknown) {
      const guess = closest(unknown[2]!, Object.keys(options));
      throw new UserError(
        `tungsten-e2e ${name}: unknown option ${unknown[1]}${unknown[2]}${guess ? `; did you mean --${guess}?` : ''} Usage: tungsten-e2e ${spec.usage}`,
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
