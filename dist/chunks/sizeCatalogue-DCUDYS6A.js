import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  GcpProvider
} from "./chunk-WH7OFZZN.js";
import "./chunk-A7FLL4EU.js";
import {
  CATALOGUE_RETRY,
  providerSizeCatalogue
} from "./chunk-WI6UNROS.js";
import "./chunk-2HS6D2WA.js";
import {
  gcpCredentialSource
} from "./chunk-T5G7RGOZ.js";
import "./chunk-VE4IKPWZ.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-5VPQFH3J.js";

// src/providers/gcp/sizeCatalogue.ts
function gcpSizeCatalogue(options = {}) {
  const provider = new GcpProvider({
    ...options.key ? { key: options.key } : {},
    ...options.clients ? { clients: options.clients } : {},
    retry: CATALOGUE_RETRY
  });
  return providerSizeCatalogue("gcp", provider, {
    credentialSource: () => gcpCredentialSource(options.env, options.home, options.key),
    credentialsHint: "set GOOGLE_APPLICATION_CREDENTIALS, run gcloud auth application-default login, or use google-github-actions/auth"
  });
}
export {
  gcpSizeCatalogue
};
