import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  SAVED,
  actionLogger,
  maskCredentialInputs,
  providerCredentials,
  readCredentialInputs
} from "./chunks/chunk-HYENJWGN.js";
import {
  INLINE_SITES_LABEL,
  STATE_FILE,
  TEARDOWN_POLICIES,
  looksInline,
  postTeardown,
  reexecAsRoot,
  shouldReexecAsRoot
} from "./chunks/chunk-LZG3BL2F.js";
import "./chunks/chunk-D66SPQEI.js";
import "./chunks/chunk-AERCAA66.js";
import "./chunks/chunk-2HS6D2WA.js";
import "./chunks/chunk-T5G7RGOZ.js";
import "./chunks/chunk-VE4IKPWZ.js";
import {
  ExitCode
} from "./chunks/chunk-IAZJZTPR.js";
import {
  getInput,
  getState,
  notice,
  setFailed,
  summary
} from "./chunks/chunk-RQ7FSDD4.js";
import "./chunks/chunk-XCWAR6IE.js";
import "./chunks/chunk-5VPQFH3J.js";

// src/action/postImpl.ts
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
function savedRun() {
  const get = (name) => getState(name) || void 0;
  const decision = get(SAVED.decision);
  return {
    ...get(SAVED.stateDir) ? { stateDir: get(SAVED.stateDir) } : {},
    ...get(SAVED.runId) ? { runId: get(SAVED.runId) } : {},
    ...decision === "done" || decision === "kept" ? { decision } : {},
    ...get(SAVED.keptStateDir) ? { keptStateDir: get(SAVED.keptStateDir) } : {}
  };
}
function policyInput() {
  const v = getInput("teardown").trim();
  return TEARDOWN_POLICIES.includes(v) ? v : "always";
}
async function runPost() {
  maskCredentialInputs();
  const logger = actionLogger();
  const saved = savedRun();
  if (!saved.stateDir && !saved.runId) {
    logger.info("tungsten-e2e post: main created nothing, so there is nothing to tear down.");
    return ExitCode.ok;
  }
  const stateFile = saved.stateDir ? join(saved.stateDir, STATE_FILE) : void 0;
  if (shouldReexecAsRoot(stateFile !== void 0 && onlyRootCanRead(stateFile))) {
    return reexecAsRoot([]);
  }
  const sites = getInput("sites");
  try {
    const credentials = providerCredentials(readCredentialInputs());
    const r = await postTeardown(
      {
        saved,
        policy: policyInput(),
        ...sites.trim() ? { sites, ...looksInline(sites) ? { sitesLabel: INLINE_SITES_LABEL } : {} } : {}
      },
      { logger, credentials }
    );
    switch (r.kind) {
      case "nothing":
        logger.info(`tungsten-e2e post: ${r.reason}; nothing to tear down.`);
        break;
      case "already-down":
        logger.info(
          `tungsten-e2e post: main already tore down run ${r.runId} (at ${r.at}); nothing to do.`
        );
        break;
      case "kept":
        logger.warn(`tungsten-e2e post: ${r.message}`);
        notice(r.message, { title: "tungsten-e2e: run kept" });
        await summary.addRaw(
          `
> [!WARNING]
> tungsten-e2e: ${r.message.replace(r.command, `\`${r.command}\``)}
`,
          true
        ).write().catch(() => void 0);
        break;
      case "torn-down": {
        const n = r.deleted.length + r.swept.length;
        logger.info(
          n === 0 ? `tungsten-e2e post: run ${r.runId}: nothing left to delete.` : `tungsten-e2e post: tore down run ${r.runId}: deleted ${n} resources` + (r.swept.length ? ` (${r.swept.length} found only by the sweep by run id)` : "")
        );
        break;
      }
    }
    return ExitCode.ok;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    setFailed(`tungsten-e2e post: ${message}`);
    await summary.addRaw(`
### \u274C tungsten-e2e teardown incomplete

\`\`\`
${message}
\`\`\`
`, true).write().catch(() => void 0);
    return ExitCode.infrastructure;
  }
}
function onlyRootCanRead(path) {
  try {
    accessSync(path, constants.R_OK);
    return false;
  } catch (e) {
    return e.code === "EACCES";
  }
}

// src/post.ts
process.exitCode = await runPost();
