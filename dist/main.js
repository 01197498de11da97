import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  actionLogger,
  maskCredentialInputs,
  readInputs
} from "./chunks/chunk-JGYDK4KI.js";
import {
  planCommand
} from "./chunks/chunk-3CHTDA4S.js";
import {
  error,
  info,
  setFailed,
  setOutput
} from "./chunks/chunk-G6IZW67M.js";
import "./chunks/chunk-P52PXDPM.js";
import {
  ExitCode,
  InfraError,
  UserError,
  isUserError,
  userErrorsOf
} from "./chunks/chunk-VAEAUNQO.js";
import "./chunks/chunk-5VPQFH3J.js";

// src/action/mainImpl.ts
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
async function runMain() {
  maskCredentialInputs();
  const logger = actionLogger();
  try {
    const inputs = readInputs();
    if (inputs.command === "plan") {
      const json = await planCommand(
        {
          sites: inputs.sites,
          sitesLabel: "action input 'sites'",
          overrides: {
            ...inputs.profile ? { profile: inputs.profile } : {},
            ...inputs.ttl ? { ttl: inputs.ttl } : {},
            ...inputs.suites ? { suites: inputs.suites } : {}
          }
        },
        { logger, stdout: (t) => info(t.replace(/\n$/, "")) }
      );
      await mkdir(inputs.resultsDir, { recursive: true });
      const path = join(inputs.resultsDir, "plan.json");
      await writeFile(path, `${JSON.stringify(json, null, 2)}
`);
      setOutput("plan-json", path);
      setOutput("passed", "true");
      return ExitCode.ok;
    }
    throw new UserError(
      `action command '${inputs.command}' is not available yet in this version; use command: plan for now.`
    );
  } catch (e) {
    return fail(e);
  }
}
function fail(e) {
  setOutput("passed", "false");
  if (isUserError(e)) {
    const errors = userErrorsOf(e);
    for (const err of errors) {
      const p = err.position;
      error(
        err.message,
        p ? {
          file: p.file,
          startLine: p.line,
          startColumn: p.col,
          title: "tungsten-e2e: bad input"
        } : { title: "tungsten-e2e: bad input" }
      );
    }
    setFailed(
      errors.length === 1 ? errors[0].message : `${errors.length} problems in the input (see the errors above).`
    );
    return ExitCode.badInput;
  }
  const message = e instanceof InfraError ? e.message : `unexpected failure: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
  setFailed(message);
  return ExitCode.infrastructure;
}

// src/main.ts
process.exitCode = await runMain();
