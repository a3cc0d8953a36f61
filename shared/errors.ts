/** The closed set of domain error codes (API.md), and their HTTP statuses. */
export const ErrorCode = {
  validation_failed: 'validation_failed',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  market_not_open: 'market_not_open',
  insufficient_funds: 'insufficient_funds',
  insufficient_shares: 'insufficient_shares',
  slippage: 'slippage',
  rate_limited: 'rate_limited',
  payload_too_large: 'payload_too_large',
  /** Too much contention on the same rows right now; retry after `Retry-After`. */
  busy: 'busy',
  /** The database cannot be reached right now; retry after `Retry-After`. */
  store_unavailable: 'store_unavailable',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A domain error: an expected outcome, returned or thrown at the edge, never a bug. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;
  constructor(code: ErrorCode, message: string, details?: unknown, retryAfterSeconds?: number) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}

/** The HTTP status for each domain error code. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'validation_failed':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
    case 'market_not_open':
    case 'insufficient_funds':
    case 'insufficient_shares':
    case 'slippage':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'rate_limited':
      return 429;
    case 'busy':
    case 'store_unavailable':
      return 503;
    default:
      return assertNever(code);
  }
}

/** Exhaustiveness check for switches over unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${String(x)}`);
}
