/**
 * EC2 clients per region, with the action's key inputs when given and the
 * SDK's default chain otherwise (environment, shared profiles, web identity:
 * what aws-actions/configure-aws-credentials sets up with OIDC).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsKeys } from './credentials.js';

export type { AwsKeys } from './credentials.js';
export { awsCredentialSource, keysFromInputs } from './credentials.js';

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
