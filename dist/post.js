import { createRequire as __teCreateRequire } from 'node:module'; const require = __teCreateRequire(import.meta.url);
import {
  actionLogger,
  getState,
  maskCredentialInputs,
  setFailed
} from "./chunks/chunk-GEKUSJOI.js";
import "./chunks/chunk-FXJ23UEF.js";
import {
  ExitCode
} from "./chunks/chunk-LQIDMPEG.js";
import "./chunks/chunk-5ZXIGFGG.js";

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
