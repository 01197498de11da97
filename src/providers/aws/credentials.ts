/**
 * AWS credentials as the action and the janitor see them, without loading the
 * SDK: the action's key inputs, and where the SDK's default chain would find
 * credentials (judged from the environment and files, no network call).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { secrets } from '../../log.js';

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Keys from the action's inputs: both or neither; a session token only with them. */
export function keysFromInputs(inputs: {
  'aws-access-key-id'?: string;
  'aws-secret-access-key'?: string;
  'aws-session-token'?: string;
}): AwsKeys | undefined {
  const id = inputs['aws-access-key-id']?.trim();
  const secret = inputs['aws-secret-access-key']?.trim();
  const token = inputs['aws-session-token']?.trim();
  if (!id && !secret) {
    if (token) {
      throw new UserError(
        `action input 'aws-session-token' is set without 'aws-access-key-id' and 'aws-secret-access-key'; set all three, or none to use the default credential chain.`,
      );
    }
    return undefined;
  }
  if (!id || !secret) {
    throw new UserError(
      `action input '${id ? 'aws-secret-access-key' : 'aws-access-key-id'}' is empty while '${id ? 'aws-access-key-id' : 'aws-secret-access-key'}' is set; set both, or neither to use the default credential chain (e.g. OIDC via aws-actions/configure-aws-credentials).`,
    );
  }
  secrets.add(secret);
  if (token) secrets.add(token);
  return { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
}

/**
 * Where credentials would come from, judged without any network call (so an
 * offline `plan` never waits on the instance metadata service); undefined when
 * none is visible.
 */
export function awsCredentialSource(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
  keys?: AwsKeys,
): string | undefined {
  if (keys) return 'the aws-access-key-id input';
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'AWS_ACCESS_KEY_ID';
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN)
    return 'AWS_WEB_IDENTITY_TOKEN_FILE (OIDC)';
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
    return 'the container credentials endpoint';
  }
  if (env.AWS_PROFILE) return `profile ${env.AWS_PROFILE}`;
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
  ];
  const found = files.find((f) => existsSync(f));
  return found ? found : undefined;
}
