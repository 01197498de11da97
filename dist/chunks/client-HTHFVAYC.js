import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  azureClientFactory,
  azureCredentialSource,
  keyFromInput
} from "./chunk-D66SPQEI.js";
import "./chunk-VE4IKPWZ.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-5VPQFH3J.js";
export {
  azureClientFactory,
  azureCredentialSource,
  keyFromInput
};
