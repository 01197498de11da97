import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __filename = __teFileURLToPath(import.meta.url); const __dirname = __teDirname(__filename);
import {
  AwsProvider,
  DEFAULT_AWS_WAITS
} from "./chunk-7677Z2ZM.js";
import "./chunk-YBZBZLCY.js";
import "./chunk-CH5HV6GF.js";
import "./chunk-3UD3JZBJ.js";
import "./chunk-YAE2FCBS.js";
export {
  AwsProvider,
  DEFAULT_AWS_WAITS
};
