import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  DEFAULT_GCP_WAITS,
  GcpProvider,
  placeOf
} from "./chunk-WH7OFZZN.js";
import "./chunk-A7FLL4EU.js";
import "./chunk-WI6UNROS.js";
import "./chunk-2HS6D2WA.js";
import "./chunk-T5G7RGOZ.js";
import "./chunk-VE4IKPWZ.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-5VPQFH3J.js";
export {
  DEFAULT_GCP_WAITS,
  GcpProvider,
  placeOf
};
