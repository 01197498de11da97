import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  DEFAULT_GCP_WAITS,
  GcpProvider,
  placeOf
} from "./chunk-DMXWRGKS.js";
import "./chunk-RLTD5BZQ.js";
import "./chunk-OZP4MWJ3.js";
import "./chunk-GSI7JE3C.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-5VPQFH3J.js";
export {
  DEFAULT_GCP_WAITS,
  GcpProvider,
  placeOf
};
