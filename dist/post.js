import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  actionLogger,
  maskCredentialInputs
} from "./chunks/chunk-JGYDK4KI.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-G6IZW67M.js";
import {
  ExitCode
} from "./chunks/chunk-VAEAUNQO.js";
import "./chunks/chunk-5VPQFH3J.js";

// src/action/postImpl.ts
var STATE_DIR_KEY = "state-dir";
async function runPost() {
  maskCredentialInputs();
  const logger = actionLogger();
  const stateDir = getState(STATE_DIR_KEY);
  if (!stateDir) {
    logger.info("tungsten-e2e post: main created nothing, so there is nothing to tear down.");
    return ExitCode.ok;
  }
  setFailed(
    `tungsten-e2e post: state ${stateDir} was saved but teardown is not available yet in this version.`
  );
  return ExitCode.infrastructure;
}

// src/post.ts
process.exitCode = await runPost();
