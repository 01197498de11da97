/**
 * One cloud API call as every provider's API wrapper makes it: transient
 * faults retried, and — when the caller says so — "not found" for something
 * made moments ago and "in use" while a dependent goes away; for good, our
 * own errors pass through, credential problems become the cloud's UserError,
 * anything else a CloudCallError.
 */
import { InfraError, isUserError } from '../../errors.js';
import type { UserError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Clock } from './clock.js';
import { cloudCallError, withRetry } from './retry.js';
import type { CallSite, CloudFault, RetryOptions, RetryPolicy } from './retry.js';

/** What an API wrapper is made with. */
export interface CallRuntime {
  clock: Clock;
  policy: RetryPolicy;
  logger: Logger;
  signal?: AbortSignal;
}

export interface RetriedCallOptions {
  /** the call names something made moments ago: the cloud may say "not found" for a while */
  fresh?: boolean;
  /** teardown: an "in use" refusal means a dependent is still going away; wait */
  waitForDependents?: boolean;
}

/** How one cloud's errors read. */
export interface CloudErrors {
  faultOf(error: unknown): CloudFault;
  isTransient(error: unknown): boolean;
  isNotFound(error: unknown): boolean;
  /** the refusal of something a dependent still uses (DependencyViolation, "in use") */
  isInUse(error: unknown): boolean;
  isCredentialsProblem(error: unknown): boolean;
  /** the one sentence that tells the user what to fix */
  credentialsError(site: CallSite, error: unknown): UserError;
}

/** The retry options every call shares: the runtime's policy, clock, logger and signal. */
export function retryBasics(
  runtime: CallRuntime,
): Pick<RetryOptions, 'policy' | 'clock' | 'logger' | 'signal'> {
  const { signal } = runtime;
  return {
    policy: runtime.policy,
    clock: runtime.clock,
    logger: runtime.logger,
    ...(signal ? { signal } : {}),
  };
}

export function retriedCall<T>(
  site: CallSite,
  attempt: () => Promise<T>,
  runtime: CallRuntime,
  errors: CloudErrors,
  options: RetriedCallOptions = {},
): Promise<T> {
  return withRetry(site, attempt, {
    ...retryBasics(runtime),
    classify: (e) =>
      errors.isTransient(e) ||
      (options.fresh && errors.isNotFound(e)) ||
      (options.waitForDependents && errors.isInUse(e))
        ? 'retry'
        : 'fail',
    faultOf: errors.faultOf,
    fail: (e, info) =>
      e instanceof InfraError || isUserError(e)
        ? (e as Error)
        : errors.isCredentialsProblem(e)
          ? errors.credentialsError(site, e)
          : cloudCallError(site, errors.faultOf(e), info, e),
  });
}
