/**
 * What an EC2 error means for us: retry it (throttling, 5xx, network), treat
 * it as "already gone" (NotFound during teardown), wait for something else to
 * go first (DependencyViolation during teardown), or hand it to the user
 * (credentials, permissions). Codes are EC2's own (the SDK puts them in `name`).
 */

/** Throttling: EC2 and the AWS SDKs' common throttling codes. */
const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'SlowDown',
]);

/** Server-side and transport faults that a later attempt can get past. */
const TRANSIENT = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

/** Codes that mean the credentials or their permissions are wrong: the user fixes these. */
const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'AuthFailure',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'OptInRequired',
  'Blocked',
]);

export interface AwsFault {
  code: string;
  message: string;
  status?: number;
}

export function awsFaultOf(error: unknown): AwsFault {
  if (error && typeof error === 'object') {
    const e = error as {
      name?: string;
      code?: string;
      Code?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const code = e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code ?? 'Error';
    const fault: AwsFault = { code, message: e.message ?? String(error) };
    const status = e.$metadata?.httpStatusCode;
    if (status !== undefined) fault.status = status;
    return fault;
  }
  return { code: 'Error', message: String(error) };
}

export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(awsFaultOf(error).code);
}

export function isTransient(error: unknown): boolean {
  const f = awsFaultOf(error);
  if (THROTTLING.has(f.code) || TRANSIENT.has(f.code)) return true;
  if (f.status !== undefined && f.status >= 500) return true;
  const e = error as { $retryable?: unknown; $fault?: string };
  return e?.$fault === 'server';
}

/** "InvalidVpcID.NotFound", "InvalidGroup.NotFound", …: the resource does not exist (any more, or yet). */
export function isNotFound(error: unknown): boolean {
  const code = awsFaultOf(error).code;
  return code.endsWith('.NotFound') || code === 'Gateway.NotAttached' || code === 'NotFound';
}

export function isDependencyViolation(error: unknown): boolean {
  return awsFaultOf(error).code === 'DependencyViolation';
}

export function isCredentialsProblem(error: unknown): boolean {
  return CREDENTIALS.has(awsFaultOf(error).code);
}

/** InvalidPermission.Duplicate, RouteAlreadyExists, …: the thing asked for is already there. */
export function isAlreadyThere(error: unknown): boolean {
  const code = awsFaultOf(error).code;
  return code === 'InvalidPermission.Duplicate' || code === 'RouteAlreadyExists';
}
