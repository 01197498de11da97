import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  AzureProvider
} from "./chunk-B3K64DBC.js";
import {
  azureCredentialSource
} from "./chunk-NPIUJHSZ.js";
import "./chunk-OZP4MWJ3.js";
import "./chunk-GSI7JE3C.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-5VPQFH3J.js";

// src/providers/azure/sizeCatalogue.ts
function azureSizeCatalogue(options = {}) {
  const provider = new AzureProvider({
    ...options.key ? { key: options.key } : {},
    ...options.clients ? { clients: options.clients } : {},
    ...options.env ? { env: options.env } : {},
    retry: { deadlineMs: 6e4 }
  });
  return {
    provider: "azure",
    credentialSource: () => azureCredentialSource(options.env, options.home, options.key),
    credentialsHint: "set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or log in with az login), and AZURE_SUBSCRIPTION_ID",
    async check(sites, plan, ctx) {
      const rows = [];
      for (const site of sites.filter((s) => s.provider === "azure")) {
        rows.push(...await provider.sizes(site, plan, ctx));
      }
      return rows;
    }
  };
}
export {
  azureSizeCatalogue
};
