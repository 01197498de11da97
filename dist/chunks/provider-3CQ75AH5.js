import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  AzureProvider,
  DEFAULT_AZURE_WAITS,
  locationOf
} from "./chunk-PK5IQGLF.js";
import "./chunk-L5IGFQKU.js";
import "./chunk-6RD35ASW.js";
import "./chunk-P52PXDPM.js";
import "./chunk-VAEAUNQO.js";
import "./chunk-5VPQFH3J.js";
export {
  AzureProvider,
  DEFAULT_AZURE_WAITS,
  locationOf
};
