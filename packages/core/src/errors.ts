/**
 * Every failure a caller can act on carries a stable code. The API exposes it as `extensions.code`,
 * the worker stores it on the run, so clients never have to parse messages.
 */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'INVALID_POLYGON',
  'INVALID_CANVAS',
  'CANVAS_TOO_LARGE',
  'TOO_MANY_REGIONS',
  'INVALID_IMAGE',
  'IMAGE_TOO_LARGE',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'RUN_NOT_CANCELLABLE',
  'GENERATION_FAILED',
  'NO_CAPABLE_BACKEND',
  'INVALID_RULES',
  'CONTENT_BLOCKED',
  'PRECONDITION_FAILED',
  'INVALID_WORKFLOW',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class PakatiError extends Error {
  override readonly name = 'PakatiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function isPakatiError(error: unknown): error is PakatiError {
  return error instanceof PakatiError;
}
