/**
 * What an ARM error means for us. The SDKs raise a RestError carrying the
 * HTTP status and ARM's own `{"error": {"code", "message"}}`; a failed
 * long-running operation raises its final status's error the same way.
 */
import type { CloudFault } from '../cloud/retry.js';

const THROTTLING = new Set([
  'TooManyRequests',
  'SubscriptionRequestsThrottled',
  'TenantRequestsThrottled',
  'ResourceRequestsThrottled',
  'RetryableError',
]);
const TRANSIENT = new Set([
  'InternalServerError',
  'ServiceUnavailable',
  'GatewayTimeout',
  'InternalOperationError',
  'OperationPreempted',
  'RetryableErrorDueToAnotherOperation',
  'AnotherOperationInProgress',
  'REQUEST_SEND_ERROR',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
]);
const CREDENTIALS = new Set([
  'AuthenticationFailed',
  'AuthorizationFailed',
  'InvalidAuthenticationToken',
  'InvalidAuthenticationTokenTenant',
  'ExpiredAuthenticationToken',
  'SubscriptionNotFound',
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
  'LinkedAuthorizationFailed',
]);

interface RestErrorLike {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  details?: { error?: { code?: string; message?: string } };
}

export function azureFaultOf(error: unknown): CloudFault {
  if (!error || typeof error !== 'object') return { code: 'Error', message: String(error) };
  const e = error as RestErrorLike;
  const inner = e.details?.error;
  const code =
    inner?.code ??
    e.code ??
    (e.name && e.name !== 'Error' && e.name !== 'RestError' ? e.name : undefined) ??
    'Error';
  const fault: CloudFault = {
    code,
    message: (inner?.message ?? e.message ?? String(error)).split('\n')[0]!,
  };
  if (typeof e.statusCode === 'number') fault.status = e.statusCode;
  return fault;
}

export function isTransient(error: unknown): boolean {
  const f = azureFaultOf(error);
  if (THROTTLING.has(f.code) || TRANSIENT.has(f.code)) return true;
  if (f.status === 429) return true;
  return f.status !== undefined && f.status >= 500;
}

export function isNotFound(error: unknown): boolean {
  const f = azureFaultOf(error);
  return f.status === 404 || /NotFound$/.test(f.code);
}

/** A delete refused while something that uses the resource still exists. */
export function isInUse(error: unknown): boolean {
  const f = azureFaultOf(error);
  return /InUse|CannotBeDeleted|NicReservedForAnotherVm/.test(f.code);
}

export function isCredentialsProblem(error: unknown): boolean {
  const f = azureFaultOf(error);
  return CREDENTIALS.has(f.code) || f.status === 401;
}
