import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  DEFAULT_GCP_WAITS,
  GcpProvider,
  placeOf
} from "./chunk-ZMVVOHFL.js";
import "./chunk-TCOUY5V7.js";
import "./chunk-6RD35ASW.js";
import "./chunk-P52PXDPM.js";
import "./chunk-VAEAUNQO.js";
import "./chunk-5VPQFH3J.js";
export {
  DEFAULT_GCP_WAITS,
  GcpProvider,
  placeOf
};
