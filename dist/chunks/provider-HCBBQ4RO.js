import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  AwsProvider,
  DEFAULT_AWS_WAITS
} from "./chunk-IZJS2I7O.js";
import "./chunk-6RD35ASW.js";
import "./chunk-P52PXDPM.js";
import "./chunk-VAEAUNQO.js";
import "./chunk-GCSWPIX6.js";
import "./chunk-5VPQFH3J.js";
export {
  AwsProvider,
  DEFAULT_AWS_WAITS
};
