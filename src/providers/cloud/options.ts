/** What every cloud provider is made with besides its clients. */
import type { Clock } from './clock.js';
import type { SshWaiter } from './hosts.js';
import type { RetryPolicy } from './retry.js';

export interface CloudProviderOptions<Waits> {
  /** waits for SSH on provisioned hosts: the pipeline's RemotePool */
  ssh?: SshWaiter;
  /** the system clock unless given */
  clock?: Clock;
  /** over DEFAULT_RETRY_POLICY */
  retry?: Partial<RetryPolicy>;
  /** over the provider's default waits */
  waits?: Partial<Waits>;
}
