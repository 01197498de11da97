/**
 * Every Compute Engine call goes through here: retried with backoff and
 * jitter for rate limiting and transient faults (the library's own retries
 * are off), turned into one error naming the call, the resource and the API's
 * own message, and — for calls that start a long-running operation — the
 * operation waited on until DONE or the deadline.
 */
import type { protos } from '@google-cloud/compute';
import { randomUUID } from 'node:crypto';
import { InfraError, UserError } from '../../errors.js';
import { retriedCall, retryBasics } from '../cloud/call.js';
import type { CallRuntime, CloudErrors, RetriedCallOptions } from '../cloud/call.js';
import { cloudCallError, describeCall, withRetry } from '../cloud/retry.js';
import type { CallSite } from '../cloud/retry.js';
import type { GcpClients } from './client.js';
import {
  GcpOperationError,
  gcpFaultOf,
  isCredentialsProblem,
  isInUse,
  isNotFound,
  isTransient,
} from './errors.js';

export type Operation = protos.google.cloud.compute.v1.IOperation;

export interface GcpRuntime extends CallRuntime {
  /** how long one long-running operation may take */
  operationMs: number;
}

/** `waitForDependents`: "already being used by" means a dependent is still going away. */
export type CallOptions = RetriedCallOptions;

const COMPUTE_ERRORS: CloudErrors = {
  faultOf: gcpFaultOf,
  isTransient,
  isNotFound,
  isInUse,
  isCredentialsProblem,
  credentialsError,
};

/** Where an operation lives: its scope decides which operations client polls it. */
export type Scope = { zone: string } | { region: string } | { global: true };

/** Per-call options for the library: no retries of its own. */
export const NO_RETRY = { retry: null } as const;

type LroStart = Promise<[{ latestResponse?: unknown }, ...unknown[]]>;

export class GcpApi {
  constructor(
    readonly clients: GcpClients,
    private readonly runtime: GcpRuntime,
  ) {}

  get project(): string {
    return this.clients.project;
  }

  private site(call: string, resource: string, where?: string): CallSite {
    return { provider: 'gcp', call, resource, ...(where ? { region: where } : {}) };
  }

  /** One API call (retried); `call` is the REST method, e.g. "instances.insert". */
  call<T>(
    call: string,
    resource: string,
    attempt: () => Promise<T>,
    options: CallOptions & { where?: string } = {},
  ): Promise<T> {
    const site = this.site(call, resource, options.where);
    return retriedCall(site, attempt, this.runtime, COMPUTE_ERRORS, options);
  }

  /**
   * A call that starts a long-running operation, then the wait for it. The
   * start call's HTTP retries reuse one `requestId`, so a retried insert
   * returns the operation the first attempt began instead of a second
   * resource; an operation that fails transiently is started again with a new
   * one.
   */
  operate(
    call: string,
    resource: string,
    scope: Scope,
    start: (requestId: string) => LroStart,
    options: CallOptions = {},
  ): Promise<Operation> {
    const where = whereOf(scope);
    const site = this.site(call, resource, where);
    return withRetry(
      site,
      async () => {
        const requestId = randomUUID();
        const [lro] = await this.call(call, resource, () => start(requestId), {
          ...options,
          ...(where ? { where } : {}),
        });
        return this.wait((lro.latestResponse ?? {}) as Operation, scope, site);
      },
      {
        ...retryBasics(this.runtime),
        classify: (e) =>
          e instanceof GcpOperationError &&
          (isTransient(e) || (options.waitForDependents && isInUse(e)))
            ? 'retry'
            : 'fail',
        faultOf: gcpFaultOf,
        fail: (e, info) =>
          e instanceof GcpOperationError
            ? cloudCallError(site, gcpFaultOf(e), info, e)
            : (e as Error),
      },
    );
  }

  /** Poll an operation until DONE; an operation error is thrown as GcpOperationError. */
  private async wait(op: Operation, scope: Scope, site: CallSite): Promise<Operation> {
    const { clock, signal } = this.runtime;
    const deadline = clock.now() + this.runtime.operationMs;
    let current = op;
    for (let poll = 0; current.status !== 'DONE'; poll++) {
      if (!current.name) throw new InfraError(`${describeCall(site)} returned no operation name.`);
      if (clock.now() >= deadline) {
        throw new InfraError(
          `${describeCall(site)}: operation ${current.name} was still ${current.status ?? 'pending'} after ${Math.round(this.runtime.operationMs / 1000)} s; look it up with gcloud compute operations describe ${current.name}.`,
        );
      }
      await clock.sleep(Math.min(10_000, 500 * 2 ** poll), signal);
      const name = current.name;
      current = await this.call(
        'zone' in scope
          ? 'zoneOperations.get'
          : 'region' in scope
            ? 'regionOperations.get'
            : 'globalOperations.get',
        `operation ${name} (${site.call} for ${site.resource})`,
        async () => {
          const req = { project: this.project, operation: name };
          const [got] =
            'zone' in scope
              ? await this.clients.zoneOperations.get({ ...req, zone: scope.zone }, NO_RETRY)
              : 'region' in scope
                ? await this.clients.regionOperations.get(
                    { ...req, region: scope.region },
                    NO_RETRY,
                  )
                : await this.clients.globalOperations.get(req, NO_RETRY);
          return got;
        },
        { where: whereOf(scope) },
      );
    }
    const first = current.error?.errors?.[0];
    if (first) {
      throw new GcpOperationError(
        first.code ?? 'OPERATION_FAILED',
        first.message ?? `operation ${current.name} failed`,
        current.httpErrorStatusCode ?? undefined,
      );
    }
    return current;
  }
}

export function whereOf(scope: Scope): string | undefined {
  return 'zone' in scope ? scope.zone : 'region' in scope ? scope.region : undefined;
}

function credentialsError(site: CallSite, e: unknown): UserError {
  const fault = gcpFaultOf(e);
  if (/Could not load the default credentials/i.test(fault.message)) {
    return new UserError(
      `no GCP credentials for ${describeCall(site)}: ${fault.message}; set the gcp-credentials input, or log in with google-github-actions/auth (OIDC) before this step (docs/gcp.md).`,
    );
  }
  return new UserError(
    `GCP refused ${describeCall(site)}: ${fault.code}: ${fault.message}; check the credentials and that their role allows compute.${site.call} (docs/gcp.md lists the roles).`,
  );
}
