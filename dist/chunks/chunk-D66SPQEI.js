import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  jsonInput
} from "./chunk-VE4IKPWZ.js";
import {
  UserError,
  secrets
} from "./chunk-IAZJZTPR.js";

// src/providers/azure/client.ts
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
var KEY_FIELDS = ["clientId", "clientSecret", "tenantId", "subscriptionId"];
function keyFromInput(text) {
  const json = jsonInput(
    text,
    `action input 'azure-credentials' is not JSON; pass {"clientId", "clientSecret", "tenantId", "subscriptionId"} (or leave it empty and use azure/login with OIDC).`
  );
  if (json === void 0) return void 0;
  const obj = json && typeof json === "object" ? json : {};
  const missing = KEY_FIELDS.filter((k) => typeof obj[k] !== "string" || !obj[k]);
  if (missing.length) {
    throw new UserError(
      `action input 'azure-credentials' lacks ${missing.join(", ")}; it needs clientId, clientSecret, tenantId and subscriptionId (docs/azure.md).`
    );
  }
  secrets.add(obj.clientSecret);
  return Object.fromEntries(KEY_FIELDS.map((k) => [k, obj[k]]));
}
function azureClientFactory(options = {}) {
  let made;
  return () => made ??= makeClients(options);
}
async function makeClients(options) {
  const env = options.env ?? process.env;
  const subscriptionId = options.subscriptionId ?? options.key?.subscriptionId ?? env.AZURE_SUBSCRIPTION_ID;
  if (!subscriptionId) {
    throw new UserError(
      "no Azure subscription: set the azure-credentials input (with subscriptionId) or the AZURE_SUBSCRIPTION_ID environment variable (docs/azure.md)."
    );
  }
  const sdk = await import("./sdk-BIZ4FEJJ.js");
  const credential = options.credential ?? (options.key ? new sdk.ClientSecretCredential(
    options.key.tenantId,
    options.key.clientId,
    options.key.clientSecret
  ) : new sdk.DefaultAzureCredential());
  const httpClient = options.httpClient ?? sdk.createDefaultHttpClient();
  const common = { httpClient, retryOptions: { maxRetries: 0 } };
  return {
    subscriptionId,
    resources: new sdk.ResourceManagementClient(credential, subscriptionId, common),
    network: new sdk.NetworkManagementClient(credential, subscriptionId, common),
    compute: new sdk.ComputeManagementClient(credential, subscriptionId, common),
    fetchText: async (url) => {
      const res = await httpClient.sendRequest(sdk.createPipelineRequest({ url, method: "GET" }));
      return { status: res.status, text: res.bodyAsText ?? "" };
    }
  };
}
function azureCredentialSource(env = process.env, home = homedir(), key) {
  if (key) return "the azure-credentials input";
  if (env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID && env.AZURE_CLIENT_SECRET)
    return "AZURE_CLIENT_SECRET";
  if (env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID && env.AZURE_FEDERATED_TOKEN_FILE)
    return "AZURE_FEDERATED_TOKEN_FILE (workload identity)";
  const profile = join(env.AZURE_CONFIG_DIR ?? join(home, ".azure"), "azureProfile.json");
  return existsSync(profile) ? `the Azure CLI login (${profile})` : void 0;
}

export {
  keyFromInput,
  azureClientFactory,
  azureCredentialSource
};
