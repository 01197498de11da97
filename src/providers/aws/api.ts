/**
 * Every EC2 call goes through here: retried with backoff and jitter for
 * throttling and transient faults, and turned into one error that names the
 * call, the resource and EC2's own message when it fails for good.
 */
import type {
  $Command,
  EC2Client,
  EC2ClientResolvedConfig,
  ServiceInputTypes,
  ServiceOutputTypes,
} from '@aws-sdk/client-ec2';
import { UserError } from '../../errors.js';
import { retriedCall } from '../cloud/call.js';
import type { CallRuntime, CloudErrors, RetriedCallOptions } from '../cloud/call.js';
import { describeCall } from '../cloud/retry.js';
import type { CallSite } from '../cloud/retry.js';
import {
  awsFaultOf,
  isCredentialsProblem,
  isDependencyViolation,
  isNotFound,
  isTransient,
} from './errors.js';

export type Ec2Command<I extends ServiceInputTypes, O extends ServiceOutputTypes> = $Command<
  I,
  O,
  EC2ClientResolvedConfig,
  ServiceInputTypes,
  ServiceOutputTypes
>;

export type AwsRuntime = CallRuntime;

/**
 * `fresh`: EC2 is eventually consistent and may say NotFound for a while;
 * `waitForDependents`: DependencyViolation means something that uses it is still going away.
 */
export type CallOptions = RetriedCallOptions;

const EC2_ERRORS: CloudErrors = {
  faultOf: awsFaultOf,
  isTransient,
  isNotFound,
  isInUse: isDependencyViolation,
  isCredentialsProblem,
  credentialsError,
};

/** "RunInstances" for a RunInstancesCommand. */
export function callName(command: object): string {
  return command.constructor.name.replace(/Command$/, '');
}

export class Ec2Api {
  constructor(
    readonly client: EC2Client,
    readonly region: string,
    private readonly runtime: AwsRuntime,
  ) {}

  send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: Ec2Command<I, O>,
    resource: string,
    options: CallOptions = {},
  ): Promise<O> {
    const site: CallSite = {
      provider: 'aws',
      call: callName(command),
      resource,
      region: this.region,
    };
    const { signal } = this.runtime;
    return retriedCall(
      site,
      () => this.client.send(command, signal ? { abortSignal: signal } : {}),
      this.runtime,
      EC2_ERRORS,
      options,
    );
  }

  /** All pages of a Describe* call (EC2's NextToken paging). */
  async all<I extends ServiceInputTypes & { NextToken?: string }, O extends ServiceOutputTypes>(
    make: (nextToken: string | undefined) => Ec2Command<I, O>,
    resource: string,
    options: CallOptions = {},
  ): Promise<O[]> {
    const pages: O[] = [];
    let token: string | undefined;
    do {
      const page = await this.send(make(token), resource, options);
      pages.push(page);
      token = (page as { NextToken?: string }).NextToken || undefined;
    } while (token);
    return pages;
  }
}

function credentialsError(site: CallSite, e: unknown): UserError {
  const fault = awsFaultOf(e);
  if (fault.code === 'CredentialsProviderError') {
    return new UserError(
      `no AWS credentials for ${describeCall(site)}: ${fault.message.split('\n')[0]}; set the aws-access-key-id and aws-secret-access-key inputs, or assume a role with aws-actions/configure-aws-credentials (OIDC) before this step (docs/aws.md).`,
    );
  }
  return new UserError(
    `AWS refused ${describeCall(site)}: ${fault.code}: ${fault.message}; check the credentials and that their policy allows ec2:${site.call} (docs/aws.md lists the policy).`,
  );
}
