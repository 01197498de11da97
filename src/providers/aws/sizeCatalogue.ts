/** EC2's catalogue for `plan --check-cloud` (loaded only when a site uses AWS). */
import { CATALOGUE_RETRY, providerSizeCatalogue } from '../cloud/sizes.js';
import type { SizeCatalogue } from '../cloud/sizes.js';
import { awsCredentialSource } from './client.js';
import type { AwsKeys, Ec2ClientFactory } from './client.js';
import { AwsProvider } from './provider.js';

export interface AwsCatalogueOptions {
  keys?: AwsKeys;
  clients?: Ec2ClientFactory;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export function awsSizeCatalogue(options: AwsCatalogueOptions = {}): SizeCatalogue {
  const provider = new AwsProvider({
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.clients ? { clients: options.clients } : {}),
    retry: CATALOGUE_RETRY,
  });
  return providerSizeCatalogue('aws', provider, {
    credentialSource: () => awsCredentialSource(options.env, options.home, options.keys),
    credentialsHint:
      'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or assume a role (aws-actions/configure-aws-credentials)',
  });
}
