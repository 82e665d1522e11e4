/** One entry of a GraphQL response's `errors` array. */
export interface GraphQLErrorEntry {
  message: string;
  code: string | null;
  path: ReadonlyArray<string | number> | null;
  extensions: Readonly<Record<string, unknown>>;
}

/**
 * A failed call. `code` is the API's `extensions.code` when it sent one, otherwise one of the client's own:
 * `UNAUTHENTICATED` (HTTP 401), `NETWORK_ERROR`, `HTTP_<status>`, `BAD_RESPONSE`, `SUBSCRIPTION_ENDED`.
 */
export class PakatiClientError extends Error {
  override readonly name = 'PakatiClientError';
  readonly code: string;
  /** The HTTP status; null for WebSocket and network failures. */
  readonly status: number | null;
  /** The first error's `extensions` (e.g. `field`, `reason`), `{}` when none came. */
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly errors: readonly GraphQLErrorEntry[];
  /** Seconds to wait before trying again, when the API said so (extensions.retryAfter or Retry-After). */
  readonly retryAfter: number | null;

  constructor(
    code: string,
    message: string,
    options: {
      status?: number | null;
      errors?: readonly GraphQLErrorEntry[];
      retryAfter?: number | null;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? null;
    this.errors = options.errors ?? [];
    this.extensions = this.errors[0]?.extensions ?? {};
    this.retryAfter = options.retryAfter ?? null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseGraphQLErrors(errors: unknown): GraphQLErrorEntry[] {
  if (!Array.isArray(errors)) return [];
  return errors.map((entry): GraphQLErrorEntry => {
    if (!isRecord(entry)) return { message: String(entry), code: null, path: null, extensions: {} };
    const extensions = isRecord(entry.extensions) ? entry.extensions : {};
    return {
      message: typeof entry.message === 'string' && entry.message ? entry.message : 'Unknown error',
      code: typeof extensions.code === 'string' ? extensions.code : null,
      path: Array.isArray(entry.path)
        ? entry.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
        : null,
      extensions,
    };
  });
}

/** Retry-After is delta-seconds or an HTTP date; either becomes seconds from now. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds : null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The error a list of GraphQL errors stands for; the first coded entry names it. */
export function errorFromEntries(
  entries: readonly GraphQLErrorEntry[],
  options: { status?: number | null; retryAfterHeader?: string | null } = {},
): PakatiClientError {
  const coded = entries.find((e) => e.code) ?? entries[0];
  const code = coded?.code ?? (options.status === 401 ? 'UNAUTHENTICATED' : 'GRAPHQL_ERROR');
  const fromExtensions = entries.map((e) => parseRetryAfter(e.extensions.retryAfter)).find((s) => s !== null);
  return new PakatiClientError(code, entries.map((e) => e.message).join('; '), {
    status: options.status ?? null,
    errors: coded ? [coded, ...entries.filter((e) => e !== coded)] : [],
    retryAfter: fromExtensions ?? parseRetryAfter(options.retryAfterHeader ?? null),
  });
}

/** The error an HTTP response stands for, or null when it carries data and no errors. */
export function errorFromResponse(
  status: number,
  body: unknown,
  retryAfterHeader: string | null,
): PakatiClientError | null {
  const entries = isRecord(body) ? parseGraphQLErrors(body.errors) : [];
  if (entries.length > 0) return errorFromEntries(entries, { status, retryAfterHeader });
  const retryAfter = parseRetryAfter(retryAfterHeader);
  if (status === 401) {
    return new PakatiClientError('UNAUTHENTICATED', 'The API key was rejected.', { status, retryAfter });
  }
  if (status < 200 || status >= 300) {
    return new PakatiClientError(`HTTP_${status}`, `The API answered with HTTP ${status}.`, {
      status,
      retryAfter,
    });
  }
  if (!isRecord(body) || !isRecord(body.data)) {
    return new PakatiClientError('BAD_RESPONSE', 'The API answered without GraphQL data.', { status });
  }
  return null;
}
