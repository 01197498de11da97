import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  AzureProvider,
  DEFAULT_AZURE_WAITS,
  locationOf
} from "./chunk-B3K64DBC.js";
import "./chunk-NPIUJHSZ.js";
import "./chunk-OZP4MWJ3.js";
import "./chunk-GSI7JE3C.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-5VPQFH3J.js";
export {
  AzureProvider,
  DEFAULT_AZURE_WAITS,
  locationOf
};
