import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  AzureProvider
} from "./chunk-XEKVM3L3.js";
import "./chunk-A7FLL4EU.js";
import {
  CATALOGUE_RETRY,
  providerSizeCatalogue
} from "./chunk-WI6UNROS.js";
import {
  azureCredentialSource
} from "./chunk-D66SPQEI.js";
import "./chunk-2HS6D2WA.js";
import "./chunk-VE4IKPWZ.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-5VPQFH3J.js";

// src/providers/azure/sizeCatalogue.ts
function azureSizeCatalogue(options = {}) {
  const provider = new AzureProvider({
    ...options.key ? { key: options.key } : {},
    ...options.clients ? { clients: options.clients } : {},
    ...options.env ? { env: options.env } : {},
    retry: CATALOGUE_RETRY
  });
  return providerSizeCatalogue("azure", provider, {
    credentialSource: () => azureCredentialSource(options.env, options.home, options.key),
    credentialsHint: "set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or log in with az login), and AZURE_SUBSCRIPTION_ID"
  });
}
export {
  azureSizeCatalogue
};
