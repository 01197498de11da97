/**
 * What a Compute Engine error means for us. Over the REST transport a failed
 * call raises the HTTP error with the API's JSON body as its message —
 * `{"error": {"code": 404, "message": …, "errors": [{"reason": "notFound"}],
 * "status": "NOT_FOUND"}}` — so the HTTP status, the reason and the API's own
 * message are read from there (a gRPC-style error with a numeric status code
 * is understood too). A failed long-running operation carries Compute's own
 * codes ("QUOTA_EXCEEDED", "ZONE_RESOURCE_POOL_EXHAUSTED").
 */
import type { CloudFault } from '../cloud/retry.js';

const GRPC = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** Google's canonical status for each HTTP status the API answers with. */
const HTTP_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
const RATE_REASONS = /^(rateLimitExceeded|userRateLimitExceeded|RATE_LIMIT_EXCEEDED)$/;
/** Operation error codes that a later attempt can get past. */
const TRANSIENT_OPERATION = new Set([
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMIT_EXCEEDED',
]);

/** A long-running operation that ended with an error. */
export class GcpOperationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'GcpOperationError';
  }
}

/** One failed call, whichever shape the library raised it in. */
export interface GcpFailure {
  /** "NOT_FOUND", "RESOURCE_EXHAUSTED", …, or the operation's code */
  status: string;
  http?: number;
  /** "notFound", "rateLimitExceeded", "resourceInUseByAnotherResource", … */
  reason?: string;
  message: string;
  /** a transport failure's code (ECONNRESET, …) */
  network?: string;
}

interface ApiErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    errors?: { reason?: string; message?: string }[];
    details?: { '@type'?: string; reason?: string }[];
  };
}

function parseBody(text: unknown): ApiErrorBody | undefined {
  if (text && typeof text === 'object') return text as ApiErrorBody;
  if (typeof text !== 'string' || !text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as ApiErrorBody;
  } catch {
    return undefined;
  }
}

export function failureOf(error: unknown): GcpFailure {
  if (error instanceof GcpOperationError) {
    return {
      status: error.code,
      message: error.message,
      ...(error.httpStatus ? { http: error.httpStatus } : {}),
    };
  }
  if (!error || typeof error !== 'object') return { status: 'UNKNOWN', message: String(error) };
  const e = error as {
    code?: number | string;
    status?: number;
    reason?: string;
    message?: string;
    response?: { status?: number; data?: unknown };
  };
  const message = e.message ?? String(error);
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) {
    return { status: 'UNAVAILABLE', message, network: e.code };
  }
  const http =
    e.response?.status ??
    (typeof e.status === 'number' ? e.status : undefined) ??
    (typeof e.code === 'number' && e.code >= 100 ? e.code : undefined);
  if (http !== undefined) {
    const body = parseBody(message) ?? parseBody(e.response?.data);
    const api = body?.error;
    const reason =
      api?.errors?.find((x) => x.reason)?.reason ??
      api?.details?.find((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'))?.reason;
    return {
      status: api?.status ?? HTTP_STATUS[http] ?? `HTTP ${http}`,
      http,
      ...(reason ? { reason } : {}),
      message: api?.message ?? message.split('\n')[0]!,
    };
  }
  if (typeof e.code === 'number') {
    return {
      status: GRPC[e.code] ?? 'UNKNOWN',
      ...(e.reason ? { reason: e.reason } : {}),
      message: message.split('\n')[0]!,
    };
  }
  return { status: 'UNKNOWN', message: message.split('\n')[0]! };
}

export function gcpFaultOf(error: unknown): CloudFault {
  const f = failureOf(error);
  return {
    code: f.network ?? (f.reason && f.reason !== f.status ? `${f.status} (${f.reason})` : f.status),
    message: f.message,
    ...(f.http ? { status: f.http } : {}),
  };
}

export function isRateLimited(error: unknown): boolean {
  const f = failureOf(error);
  if (f.reason && RATE_REASONS.test(f.reason)) return true;
  return f.status === 'RESOURCE_EXHAUSTED' && !/QUOTA_EXCEEDED|quotaExceeded/.test(f.reason ?? '');
}

export function isTransient(error: unknown): boolean {
  if (error instanceof GcpOperationError) return TRANSIENT_OPERATION.has(error.code);
  const f = failureOf(error);
  if (f.network || isRateLimited(error)) return true;
  if (f.http !== undefined && f.http >= 500) return true;
  return f.status === 'UNAVAILABLE' || f.status === 'INTERNAL' || f.status === 'DEADLINE_EXCEEDED';
}

export function isNotFound(error: unknown): boolean {
  const f = failureOf(error);
  return f.status === 'NOT_FOUND' || f.status === 'RESOURCE_NOT_FOUND';
}

export function isAlreadyExists(error: unknown): boolean {
  const f = failureOf(error);
  return f.status === 'ALREADY_EXISTS' || f.status === 'RESOURCE_ALREADY_EXISTS';
}

/** "The network resource '…' is already being used by '…'": something that uses it is still there. */
export function isInUse(error: unknown): boolean {
  const f = failureOf(error);
  return (
    f.status === 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE' ||
    f.reason === 'resourceInUseByAnotherResource' ||
    /is already being used by/.test(f.message)
  );
}

export function isCredentialsProblem(error: unknown): boolean {
  if (error instanceof GcpOperationError) return false;
  const f = failureOf(error);
  if (f.status === 'UNAUTHENTICATED') return true;
  if (f.status === 'PERMISSION_DENIED') {
    return !isRateLimited(error) && !/quota/i.test(`${f.reason ?? ''} ${f.message}`);
  }
  return /Could not load the default credentials|Unable to detect a Project Id/i.test(f.message);
}
