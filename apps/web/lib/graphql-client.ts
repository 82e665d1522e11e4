/** One entry of a GraphQL response's `errors` array, reduced to what the UI needs. */
export interface GraphQLErrorEntry {
  message: string;
  code: string | null;
  path: ReadonlyArray<string | number> | null;
  /** The API's `extensions` (e.g. `field` of a validation error, `reason`), `{}` when it sent none. */
  extensions: Readonly<Record<string, unknown>>;
}

/**
 * A failed GraphQL request. `code` is the API's `extensions.code` when it sent one, otherwise a
 * client-side code: `UNAUTHENTICATED` (HTTP 401), `NETWORK_ERROR`, `HTTP_<status>`, `BAD_RESPONSE`.
 */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  readonly code: string;
  readonly status: number | null;
  readonly errors: readonly GraphQLErrorEntry[];

  constructor(
    code: string,
    message: string,
    options: { status?: number | null; errors?: readonly GraphQLErrorEntry[] } = {},
  ) {
    super(message);
    this.code = code;
    this.status = options.status ?? null;
    this.errors = options.errors ?? [];
  }
}

export const UNAUTHENTICATED = 'UNAUTHENTICATED';

/** True when the API rejected (or did not get) a valid API key. */
export function isUnauthenticated(error: unknown): boolean {
  return error instanceof GraphQLRequestError && (error.code === UNAUTHENTICATED || error.status === 401);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Normalises the entries of a GraphQL `errors` array; entries without a message get a generic one. */
export function parseGraphQLErrors(errors: unknown): GraphQLErrorEntry[] {
  if (!Array.isArray(errors)) return [];
  return errors.map((entry): GraphQLErrorEntry => {
    if (!isRecord(entry)) return { message: String(entry), code: null, path: null, extensions: {} };
    const message = typeof entry.message === 'string' && entry.message ? entry.message : 'Unknown error';
    const extensions = isRecord(entry.extensions) ? entry.extensions : null;
    const code = extensions && typeof extensions.code === 'string' ? extensions.code : null;
    const path = Array.isArray(entry.path)
      ? entry.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
      : null;
    return { message, code, path, extensions: extensions ?? {} };
  });
}

/**
 * Turns an HTTP status plus a parsed GraphQL response body into an error, or null when the response
 * is a success carrying `data`. GraphQL errors win over the HTTP status because they carry the
 * API's own code; a bare 401 counts as UNAUTHENTICATED.
 */
export function extractGraphQLError(status: number, body: unknown): GraphQLRequestError | null {
  const entries = isRecord(body) ? parseGraphQLErrors(body.errors) : [];
  if (entries.length > 0) {
    const first = entries[0]!;
    const code = entries.find((e) => e.code)?.code ?? (status === 401 ? UNAUTHENTICATED : 'GRAPHQL_ERROR');
    const message = entries.map((e) => e.message).join('; ') || first.message;
    return new GraphQLRequestError(code, message, { status, errors: entries });
  }
  if (status === 401) {
    return new GraphQLRequestError(UNAUTHENTICATED, 'The API key was rejected.', { status });
  }
  if (status < 200 || status >= 300) {
    return new GraphQLRequestError(`HTTP_${status}`, `The API answered with HTTP ${status}.`, { status });
  }
  if (!isRecord(body) || !isRecord(body.data)) {
    return new GraphQLRequestError('BAD_RESPONSE', 'The API answered without GraphQL data.', { status });
  }
  return null;
}

export function authorizationHeader(apiKey: string): string {
  return `Bearer ${apiKey.trim()}`;
}

/** http://host/graphql -> ws://host/graphql, https -> wss. ws(s) URLs are returned unchanged. */
export function httpToWsUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`Unsupported API URL protocol: ${url.protocol}`);
  }
  return url.toString();
}

export const DEFAULT_RETRY_ATTEMPTS = 10;
