/**
 * Calling a cloud API: throttling and transient faults are retried with
 * exponential backoff and full jitter until a deadline; anything else, or
 * running out of time, ends in one error naming the call, the resource and
 * the cloud's own message. Shared by every cloud provider.
 */
import { InfraError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Clock } from './clock.js';

export interface RetryPolicy {
  /** backoff ceiling of the first retry; doubles each retry */
  baseMs: number;
  /** the ceiling stops doubling here */
  capMs: number;
  /** no new attempt starts later than this after the first one */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 1_000,
  capMs: 30_000,
  deadlineMs: 5 * 60_000,
};

/** Which API call, on what, where: every cloud error message starts from this. */
export interface CallSite {
  provider: string;
  /** the API operation, as the cloud names it: "RunInstances", "instances.insert" */
  call: string;
  /** what the call was about: "instance east-worker-1", "vpc vpc-0abc (site east)" */
  resource: string;
  region?: string;
}

/** The cloud's own account of a failure. */
export interface CloudFault {
  code: string;
  message: string;
  status?: number;
}

export function describeCall(site: CallSite): string {
  return `${site.provider} ${site.call} for ${site.resource}${site.region ? ` in ${site.region}` : ''}`;
}

/** A cloud call that failed for good (or kept failing until the deadline). */
export class CloudCallError extends InfraError {
  constructor(
    readonly site: CallSite,
    readonly fault: CloudFault,
    readonly attempts: number,
    readonly gaveUp: boolean,
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'CloudCallError';
  }
}

export interface AttemptInfo {
  attempts: number;
  elapsedMs: number;
  /** true when the error was retryable but the deadline ran out */
  gaveUp: boolean;
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  logger?: Logger;
  signal?: AbortSignal;
  /** "retry" for throttling and transient faults, "fail" for everything else */
  classify(error: unknown): 'retry' | 'fail';
  /** the cloud's code and message inside an error */
  faultOf(error: unknown): CloudFault;
  /** the error to throw when giving up; defaults to CloudCallError */
  fail?(error: unknown, info: AttemptInfo): Error;
}

/** Backoff before retry number `retry` (0-based): uniform in [0, min(cap, base·2^retry)]. */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(retry, 30));
  return Math.round(random() * ceiling);
}

export async function withRetry<T>(
  site: CallSite,
  attempt: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { clock, policy } = options;
  const started = clock.now();
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (e) {
      const elapsedMs = clock.now() - started;
      const retryable = options.classify(e) === 'retry';
      const delay = retryable ? backoffMs(policy, attempts - 1, () => clock.random()) : 0;
      const outOfTime = elapsedMs + delay > policy.deadlineMs;
      if (!retryable || outOfTime) {
        const info = { attempts, elapsedMs, gaveUp: retryable };
        throw options.fail
          ? options.fail(e, info)
          : cloudCallError(site, options.faultOf(e), info, e);
      }
      const fault = options.faultOf(e);
      options.logger?.debug(
        `${describeCall(site)}: ${fault.code} (attempt ${attempts}); retrying in ${delay} ms`,
      );
      await clock.sleep(delay, options.signal);
    }
  }
}

/**
 * The error for a call that failed for good. `hint` ends a give-up message;
 * by default it says the API is throttling or unavailable.
 */
export function cloudCallError(
  site: CallSite,
  fault: CloudFault,
  info: AttemptInfo,
  cause?: unknown,
  hint = 'it is throttling or unavailable, so try again later',
): CloudCallError {
  const said = `${fault.code}: ${fault.message}`;
  const message = info.gaveUp
    ? `${describeCall(site)} gave up after ${info.attempts} attempts over ${seconds(info.elapsedMs)}, the last answer being ${said} (${hint}).`
    : `${describeCall(site)} failed: ${said}`;
  return new CloudCallError(site, fault, info.attempts, info.gaveUp, message, cause);
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}
