import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  UserError
} from "./chunk-IAZJZTPR.js";

// src/providers/cloud/jsonInput.ts
function jsonInput(text, notJson) {
  const raw = text?.trim();
  if (!raw) return void 0;
  try {
    return JSON.parse(raw);
  } catch {
    throw new UserError(notJson);
  }
}

export {
  jsonInput
};
