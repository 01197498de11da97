import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  GcpProvider
} from "./chunk-DMXWRGKS.js";
import {
  gcpCredentialSource
} from "./chunk-RLTD5BZQ.js";
import "./chunk-OZP4MWJ3.js";
import "./chunk-GSI7JE3C.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-5VPQFH3J.js";

// src/providers/gcp/sizeCatalogue.ts
function gcpSizeCatalogue(options = {}) {
  const provider = new GcpProvider({
    ...options.key ? { key: options.key } : {},
    ...options.clients ? { clients: options.clients } : {},
    retry: { deadlineMs: 6e4 }
  });
  return {
    provider: "gcp",
    credentialSource: () => gcpCredentialSource(options.env, options.home, options.key),
    credentialsHint: "set GOOGLE_APPLICATION_CREDENTIALS, run gcloud auth application-default login, or use google-github-actions/auth",
    async check(sites, plan, ctx) {
      const rows = [];
      for (const site of sites.filter((s) => s.provider === "gcp")) {
        rows.push(...await provider.sizes(site, plan, ctx));
      }
      return rows;
    }
  };
}
export {
  gcpSizeCatalogue
};
