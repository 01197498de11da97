/**
 * EC2 clients per region, with the action's key inputs when given and the
 * SDK's default chain otherwise (environment, shared profiles, web identity:
 * what aws-actions/configure-aws-credentials sets up with OIDC).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { UserError } from '../../errors.js';
import { secrets } from '../../log.js';

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type Ec2ClientFactory = (region: string) => EC2Client;

/**
 * One client per region. The SDK's own retries are off (maxAttempts 1): every
 * call goes through Ec2Api's retry, so backoff and the deadline are ours alone.
 */
export function ec2ClientFactory(keys?: AwsKeys): Ec2ClientFactory {
  const clients = new Map<string, EC2Client>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = new EC2Client({ region, maxAttempts: 1, ...(keys ? { credentials: keys } : {}) });
      clients.set(region, client);
    }
    return client;
  };
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
