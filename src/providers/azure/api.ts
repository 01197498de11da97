/**
 * Every ARM call goes through here: retried with backoff and jitter for
 * throttling and transient faults (the SDKs' own retries are off), turned into
 * one error naming the call, the resource and ARM's own message. Long-running
 * operations are started and then polled by us — on our clock, with a
 * deadline — through the SDK's poller (`poll()` follows ARM's
 * Azure-AsyncOperation / Location headers).
 */
import { InfraError, UserError } from '../../errors.js';
import { retriedCall } from '../cloud/call.js';
import type { CallRuntime, CloudErrors, RetriedCallOptions } from '../cloud/call.js';
import { describeCall } from '../cloud/retry.js';
import type { CallSite } from '../cloud/retry.js';
import type { AzureClients } from './client.js';
import { azureFaultOf, isCredentialsProblem, isInUse, isNotFound, isTransient } from './errors.js';

export interface AzureRuntime extends CallRuntime {
  /** how long one long-running operation may take */
  operationMs: number;
}

export interface CallOptions extends RetriedCallOptions {
  /** region, for messages */
  where?: string;
}

const ARM_ERRORS: CloudErrors = {
  faultOf: azureFaultOf,
  isTransient,
  isNotFound,
  isInUse,
  isCredentialsProblem,
  credentialsError,
};

/** core-lro 2 (arm-network, arm-resources): a started poller. */
interface PollerV2<T> {
  poll(): Promise<void>;
  isDone(): boolean;
  getResult(): T | undefined;
}
/** core-lro 3 (arm-compute): a poller whose first request is sent on submitted(). */
interface PollerV3<T> {
  submitted(): Promise<void>;
  poll(): Promise<unknown>;
  readonly isDone: boolean;
  readonly result?: T;
}
export type AnyPoller<T> = PollerV2<T> | PollerV3<T>;

export class AzureApi {
  constructor(
    readonly clients: AzureClients,
    private readonly runtime: AzureRuntime,
  ) {}

  get subscriptionId(): string {
    return this.clients.subscriptionId;
  }

  private site(call: string, resource: string, where?: string): CallSite {
    return { provider: 'azure', call, resource, ...(where ? { region: where } : {}) };
  }

  /** One call (retried); `call` is the SDK operation, e.g. "virtualMachines.createOrUpdate". */
  call<T>(
    call: string,
    resource: string,
    attempt: () => Promise<T>,
    options: CallOptions = {},
  ): Promise<T> {
    const site = this.site(call, resource, options.where);
    return retriedCall(site, attempt, this.runtime, ARM_ERRORS, options);
  }

  /**
   * Start a long-running operation and poll it until done or the deadline.
   * ARM's PUTs and DELETEs are idempotent, so a transient failure anywhere
   * (the start, a poll, or the operation's final status) starts it again.
   */
  operate<T>(
    call: string,
    resource: string,
    start: () => Promise<AnyPoller<T>> | AnyPoller<T>,
    options: CallOptions = {},
  ): Promise<T | undefined> {
    const site = this.site(call, resource, options.where);
    return this.call(
      call,
      resource,
      async () => {
        const started = start();
        // a core-lro 3 poller is itself thenable (awaiting it would poll on the SDK's timers): keep it
        const poller = isPollerV3(started) ? started : await started;
        if (isPollerV3(poller)) await poller.submitted();
        const { clock, signal } = this.runtime;
        const deadline = clock.now() + this.runtime.operationMs;
        for (let poll = 0; !done(poller); poll++) {
          if (clock.now() >= deadline) {
            throw new InfraError(
              `${describeCall(site)}: the operation was not finished after ${Math.round(this.runtime.operationMs / 1000)} s; check the resource in the Azure portal.`,
            );
          }
          await clock.sleep(Math.min(10_000, 1_000 * 2 ** poll), signal);
          await poller.poll();
        }
        return 'getResult' in poller ? poller.getResult() : poller.result;
      },
      options,
    );
  }

  /** All items of a paged list, retried as a whole. */
  list<T>(
    call: string,
    resource: string,
    pages: () => AsyncIterable<T>,
    options: CallOptions = {},
  ): Promise<T[]> {
    return this.call(
      call,
      resource,
      async () => {
        const out: T[] = [];
        for await (const item of pages()) out.push(item);
        return out;
      },
      options,
    );
  }
}

function isPollerV3<T>(p: unknown): p is PollerV3<T> {
  return (
    Boolean(p) &&
    typeof (p as PollerV3<T>).submitted === 'function' &&
    typeof (p as PollerV3<T>).poll === 'function'
  );
}

function done<T>(p: AnyPoller<T>): boolean {
  return typeof p.isDone === 'function' ? p.isDone() : p.isDone;
}

function credentialsError(site: CallSite, e: unknown): UserError {
  const fault = azureFaultOf(e);
  return new UserError(
    `Azure refused ${describeCall(site)}: ${fault.code}: ${fault.message}; check the azure-credentials input or the azure/login step, and that the identity has the Contributor role on the subscription (docs/azure.md).`,
  );
}
