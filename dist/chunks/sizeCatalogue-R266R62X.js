import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  AwsProvider
} from "./chunk-HGM6G4OU.js";
import "./chunk-OZP4MWJ3.js";
import "./chunk-GSI7JE3C.js";
import {
  awsCredentialSource
} from "./chunk-AERCAA66.js";
import "./chunk-IAZJZTPR.js";
import "./chunk-QUBSOS7W.js";
import "./chunk-5VPQFH3J.js";

// src/providers/aws/sizeCatalogue.ts
function awsSizeCatalogue(options = {}) {
  const provider = new AwsProvider({
    ...options.keys ? { keys: options.keys } : {},
    ...options.clients ? { clients: options.clients } : {},
    retry: { deadlineMs: 6e4 }
  });
  return {
    provider: "aws",
    credentialSource: () => awsCredentialSource(options.env, options.home, options.keys),
    credentialsHint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or assume a role (aws-actions/configure-aws-credentials)",
    async check(sites, plan, ctx) {
      const rows = [];
      for (const site of sites.filter((s) => s.provider === "aws")) {
        rows.push(...await provider.sizes(site, plan, ctx));
      }
      return rows;
    }
  };
}
export {
  awsSizeCatalogue
};
