import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  AwsProvider
} from "./chunk-LSVF3LRS.js";
import "./chunk-A7FLL4EU.js";
import {
  CATALOGUE_RETRY,
  providerSizeCatalogue
} from "./chunk-WI6UNROS.js";
import {
  awsCredentialSource
} from "./chunk-AERCAA66.js";
import "./chunk-2HS6D2WA.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-GCSWPIX6.js";
import "./chunk-5VPQFH3J.js";

// src/providers/aws/sizeCatalogue.ts
function awsSizeCatalogue(options = {}) {
  const provider = new AwsProvider({
    ...options.keys ? { keys: options.keys } : {},
    ...options.clients ? { clients: options.clients } : {},
    retry: CATALOGUE_RETRY
  });
  return providerSizeCatalogue("aws", provider, {
    credentialSource: () => awsCredentialSource(options.env, options.home, options.keys),
    credentialsHint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or assume a role (aws-actions/configure-aws-credentials)"
  });
}
export {
  awsSizeCatalogue
};
