#!/usr/bin/env node
import { createRequire as __teCreateRequire } from 'node:module'; const require = __teCreateRequire(import.meta.url);
import {
  listProfiles,
  planCommand
} from "./chunks/chunk-MIAPLI33.js";
import {
  closest
} from "./chunks/chunk-FXJ23UEF.js";
import "./chunks/chunk-O4GONDKJ.js";
import {
  ExitCode,
  InfraError,
  UserError,
  isUserError,
  secrets,
  streamLogger,
  userErrorsOf
} from "./chunks/chunk-LQIDMPEG.js";
import "./chunks/chunk-5ZXIGFGG.js";

// src/cli/cliImpl.ts
import { parseArgs } from "node:util";

// src/version.ts
var VERSION = "0.1.0";

// src/cli/cliImpl.ts
var common = {
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" }
};
var notYet = (command) => async () => {
  throw new UserError(
    `tungsten-e2e ${command} is not available yet in version ${VERSION}; today you can run "tungsten-e2e plan --sites FILE".`
  );
};
var COMMANDS = {
  plan: {
    summary: "validate a site file and print the plan (ranges, gateways, ASNs, peerings)",
    usage: "plan --sites FILE [--json] [--profile NAME] [--manifest FILE] [--out DIR] [--check-cloud]",
    options: {
      sites: { type: "string" },
      json: { type: "boolean" },
      "check-cloud": { type: "boolean" },
      profile: { type: "string" },
      manifest: { type: "string" },
      out: { type: "string" }
    },
    run: async (v, io) => {
      await planCommand(
        {
          sites: required(v, "sites", "plan"),
          json: Boolean(v.json),
          checkCloud: Boolean(v["check-cloud"]),
          ...typeof v.profile === "string" ? { overrides: { profile: v.profile } } : {},
          ...typeof v.manifest === "string" ? { manifest: v.manifest } : {},
          ...typeof v.out === "string" ? { out: v.out } : {}
        },
        io
      );
      return ExitCode.ok;
    }
  },
  up: {
    summary: "provision and install every site, join them, leave them running",
    usage: "up --sites FILE --state DIR",
    options: { sites: { type: "string" }, state: { type: "string" } },
    run: notYet("up")
  },
  down: {
    summary: "tear down everything a run made (idempotent)",
    usage: "down --state DIR",
    options: { state: { type: "string" } },
    run: notYet("down")
  },
  test: {
    summary: "run the connectivity and isolation suites against sites that are up",
    usage: "test --state DIR [--results DIR]",
    options: { state: { type: "string" }, results: { type: "string" } },
    run: notYet("test")
  },
  run: {
    summary: "up, test, report, down",
    usage: "run --sites FILE [--results DIR] [--teardown always|on-success|never]",
    options: {
      sites: { type: "string" },
      results: { type: "string" },
      teardown: { type: "string" }
    },
    run: notYet("run")
  },
  janitor: {
    summary: "delete resources of any run past their expiry",
    usage: "janitor [--older-than DURATION] [--dry-run]",
    options: { "older-than": { type: "string" }, "dry-run": { type: "boolean" } },
    run: notYet("janitor")
  },
  profiles: {
    summary: "list the version profiles",
    usage: "profiles",
    options: {},
    run: async (_v, io) => {
      io.stdout(`${listProfiles().join("\n")}
`);
      return ExitCode.ok;
    }
  }
};
function required(values, name, command) {
  const v = values[name];
  if (typeof v !== "string" || v === "") {
    throw new UserError(
      `tungsten-e2e ${command} needs --${name}; usage: tungsten-e2e ${COMMANDS[command].usage}`
    );
  }
  return v;
}
function helpText() {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return [
    `tungsten-e2e ${VERSION}: Kubernetes + Tungsten Fabric across sites, end to end.`,
    "",
    "usage: tungsten-e2e <command> [options]",
    "",
    ...rows,
    "",
    "exit codes: 0 success, 1 checks failed, 2 bad input, 3 infrastructure failure",
    `run "tungsten-e2e <command> --help" for a command's options.`
  ].join("\n");
}
var processStreams = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t)
};
async function runCli(argv, streams = processStreams) {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    streams.stdout(`${helpText()}
`);
    return name ? ExitCode.ok : ExitCode.badInput;
  }
  if (name === "--version") {
    streams.stdout(`${VERSION}
`);
    return ExitCode.ok;
  }
  const logger = streamLogger((line) => streams.stderr(`${line}
`), {
    verbose: rest.includes("--verbose") || rest.includes("-v")
  });
  const io = { logger, stdout: (t) => streams.stdout(secrets.redact(t)) };
  const spec = COMMANDS[name];
  try {
    if (!spec) {
      const guess = closest(name, Object.keys(COMMANDS));
      throw new UserError(
        `unknown command "${name}"${guess ? `; did you mean "${guess}"?` : ""} Commands: ${Object.keys(COMMANDS).join(", ")}.`
      );
    }
    const values = parseFlags(name, spec, rest);
    if (values.help) {
      streams.stdout(`usage: tungsten-e2e ${spec.usage}
${spec.summary}
`);
      return ExitCode.ok;
    }
    return await spec.run(values, io);
  } catch (e) {
    return reportError(e, logger);
  }
}
function parseFlags(name, spec, args) {
  const options = { ...common, ...spec.options };
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return values;
  } catch (e) {
    const msg = e.message;
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(msg);
    if (unknown) {
      const guess = closest(unknown[2], Object.keys(options));
      throw new UserError(
        `tungsten-e2e ${name}: unknown option ${unknown[1]}${unknown[2]}${guess ? `; did you mean --${guess}?` : ""} Usage: tungsten-e2e ${spec.usage}`
      );
    }
    throw new UserError(
      `tungsten-e2e ${name}: ${msg.replace(/\.$/, "")}. Usage: tungsten-e2e ${spec.usage}`
    );
  }
}
function reportError(e, logger) {
  if (isUserError(e)) {
    for (const err of userErrorsOf(e)) logger.error(err.message);
    return ExitCode.badInput;
  }
  if (e instanceof InfraError) {
    logger.error(e.message);
    return ExitCode.infrastructure;
  }
  logger.error(`unexpected failure: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  return ExitCode.infrastructure;
}

// src/cli.ts
process.exitCode = await runCli(process.argv.slice(2));
