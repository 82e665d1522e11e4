/**
 * How a backend call failed, in terms the resilience layer can act on: retry (and when), fail over to another
 * backend, or give up. Adapters translate their provider's status codes and error bodies into these kinds.
 */
export const BACKEND_ERROR_KINDS = [
  'RATE_LIMITED', // 429: retry after `retryAfterMs`, or fail over
  'UNAVAILABLE', // 5xx, connection refused/reset: retry, then fail over
  'TIMEOUT', // no answer in time: retry, then fail over
  'OUT_OF_MEMORY', // the provider ran out of (GPU) memory: fail over, retry later
  'AUTH', // 401/403: configuration problem, fail over, never retry
  'INVALID_REQUEST', // 400/404/422: our request is wrong for this backend; fail over, never retry
  'CONTENT_FILTERED', // the provider refused the content; fail over
  'UNSUPPORTED', // the backend cannot do this operation
  'CANCELLED', // our AbortSignal fired
  'PROTOCOL', // an answer we could not understand
] as const;
export type BackendErrorKind = (typeof BACKEND_ERROR_KINDS)[number];

const RETRYABLE: ReadonlySet<BackendErrorKind> = new Set([
  'RATE_LIMITED',
  'UNAVAILABLE',
  'TIMEOUT',
  'OUT_OF_MEMORY',
]);

export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly kind: BackendErrorKind,
    readonly backend: string,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; providerCode?: string } = {},
  ) {
    super(`${backend}: ${message}`);
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export function isBackendError(error: unknown): error is BackendError {
  return error instanceof BackendError;
}
