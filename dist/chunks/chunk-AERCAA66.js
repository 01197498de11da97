import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  UserError,
  secrets
} from "./chunk-IAZJZTPR.js";

// src/providers/aws/credentials.ts
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
function keysFromInputs(inputs) {
  const id = inputs["aws-access-key-id"]?.trim();
  const secret = inputs["aws-secret-access-key"]?.trim();
  const token = inputs["aws-session-token"]?.trim();
  if (!id && !secret) {
    if (token) {
      throw new UserError(
        `action input 'aws-session-token' is set without 'aws-access-key-id' and 'aws-secret-access-key'; set all three, or none to use the default credential chain.`
      );
    }
    return void 0;
  }
  if (!id || !secret) {
    throw new UserError(
      `action input '${id ? "aws-secret-access-key" : "aws-access-key-id"}' is empty while '${id ? "aws-access-key-id" : "aws-secret-access-key"}' is set; set both, or neither to use the default credential chain (e.g. OIDC via aws-actions/configure-aws-credentials).`
    );
  }
  secrets.add(secret);
  if (token) secrets.add(token);
  return { accessKeyId: id, secretAccessKey: secret, ...token ? { sessionToken: token } : {} };
}
function awsCredentialSource(env = process.env, home = homedir(), keys) {
  if (keys) return "the aws-access-key-id input";
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return "AWS_ACCESS_KEY_ID";
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN)
    return "AWS_WEB_IDENTITY_TOKEN_FILE (OIDC)";
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
    return "the container credentials endpoint";
  }
  if (env.AWS_PROFILE) return `profile ${env.AWS_PROFILE}`;
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials"),
    env.AWS_CONFIG_FILE ?? join(home, ".aws", "config")
  ];
  const found = files.find((f) => existsSync(f));
  return found ? found : void 0;
}

export {
  keysFromInputs,
  awsCredentialSource
};
