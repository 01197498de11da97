import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  jsonInput
} from "./chunk-VE4IKPWZ.js";
import {
  UserError,
  secrets
} from "./chunk-IAZJZTPR.js";

// src/providers/gcp/client.ts
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
var PROJECT_VARS = [
  "GOOGLE_CLOUD_PROJECT",
  "GCLOUD_PROJECT",
  "CLOUDSDK_CORE_PROJECT",
  "CLOUDSDK_PROJECT"
];
function keyFromInput(text) {
  const json = jsonInput(
    text,
    `action input 'gcp-credentials' is not JSON; pass a service-account key file's content (or leave it empty and use google-github-actions/auth).`
  );
  if (json === void 0) return void 0;
  if (!json || typeof json !== "object" || typeof json.type !== "string") {
    throw new UserError(
      `action input 'gcp-credentials' has no "type" field; pass a service-account key (type service_account) or a workload identity configuration (type external_account).`
    );
  }
  const obj = json;
  for (const k of ["private_key", "private_key_id", "client_secret", "refresh_token"]) {
    if (typeof obj[k] === "string") secrets.add(obj[k]);
  }
  const projectId = typeof obj.project_id === "string" ? obj.project_id : typeof obj.quota_project_id === "string" ? obj.quota_project_id : void 0;
  return { json: obj, ...projectId ? { projectId } : {} };
}
function gcpClientFactory(options = {}) {
  let made;
  return () => made ??= makeClients(options);
}
async function makeClients(options) {
  const sdk = await import("./sdk-3NC7YUHQ.js");
  const endpoint = {
    ...options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {},
    ...options.port ? { port: options.port } : {},
    ...options.protocol ? { protocol: options.protocol } : {},
    fallback: true
  };
  const first = new sdk.InstancesClient({
    ...endpoint,
    ...options.authClient ? { authClient: options.authClient } : {},
    ...options.key ? { credentials: options.key.json } : {}
  });
  const shared = { ...endpoint, auth: first.auth };
  const project = await projectOf(options, () => first.getProjectId());
  const clients = {
    project,
    instances: first,
    disks: new sdk.DisksClient(shared),
    networks: new sdk.NetworksClient(shared),
    subnetworks: new sdk.SubnetworksClient(shared),
    firewalls: new sdk.FirewallsClient(shared),
    routes: new sdk.RoutesClient(shared),
    machineTypes: new sdk.MachineTypesClient(shared),
    images: new sdk.ImagesClient(shared),
    zoneOperations: new sdk.ZoneOperationsClient(shared),
    regionOperations: new sdk.RegionOperationsClient(shared),
    globalOperations: new sdk.GlobalOperationsClient(shared),
    close: async () => {
      for (const c of Object.values(clients)) {
        if (c && typeof c === "object" && "close" in c)
          await c.close();
      }
    }
  };
  return clients;
}
async function projectOf(options, fromAdc) {
  if (options.project) return options.project;
  if (options.key?.projectId) return options.key.projectId;
  const env = options.env ?? process.env;
  for (const v of PROJECT_VARS) if (env[v]) return env[v];
  try {
    return await fromAdc();
  } catch (e) {
    throw new UserError(
      `no GCP project: the credentials name none and GOOGLE_CLOUD_PROJECT is not set (${e.message.split("\n")[0]}); set GOOGLE_CLOUD_PROJECT, or use a service-account key that has project_id (docs/gcp.md).`
    );
  }
}
function gcpCredentialSource(env = process.env, home = homedir(), key) {
  if (key) return "the gcp-credentials input";
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (file && existsSync(file)) return `GOOGLE_APPLICATION_CREDENTIALS (${file})`;
  const adc = join(
    env.CLOUDSDK_CONFIG ?? join(home, ".config", "gcloud"),
    "application_default_credentials.json"
  );
  return existsSync(adc) ? adc : void 0;
}

export {
  keyFromInput,
  gcpClientFactory,
  gcpCredentialSource
};
