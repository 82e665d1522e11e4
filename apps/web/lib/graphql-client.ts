import { type Client, type ClientOptions, createClient } from 'graphql-ws';

/** One entry of a GraphQL response's `errors` array, reduced to what the UI needs. */
export interface GraphQLErrorEntry {
  message: string;
  code: string | null;
  path: ReadonlyArray<string | number> | null;
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
    if (!isRecord(entry)) return { message: String(entry), code: null, path: null };
    const message = typeof entry.message === 'string' && entry.message ? entry.message : 'Unknown error';
    const extensions = isRecord(entry.extensions) ? entry.extensions : null;
    const code = extensions && typeof extensions.code === 'string' ? extensions.code : null;
    const path = Array.isArray(entry.path)
      ? entry.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
      : null;
    return { message, code, path };
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

export interface RequestOptions {
  /** GraphQL over HTTP endpoint, e.g. http://127.0.0.1:4000/graphql */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>` when non-empty. */
  apiKey?: string | null;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

export function authorizationHeader(apiKey: string): string {
  return `Bearer ${apiKey.trim()}`;
}

/** POSTs one GraphQL operation and returns its `data`, or throws a {@link GraphQLRequestError}. */
export async function request<TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(
  options: RequestOptions,
  query: string,
  variables?: TVariables,
): Promise<TData> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (options.apiKey?.trim()) headers.authorization = authorizationHeader(options.apiKey);

  const doFetch = options.fetchImpl ?? fetch;
  let response: Response;
  try {
    response = await doFetch(options.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal: options.signal ?? null,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new GraphQLRequestError('NETWORK_ERROR', `Could not reach the API at ${options.url} (${detail}).`);
  }

  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  const error = extractGraphQLError(response.status, body);
  if (error) throw error;
  return (body as { data: TData }).data;
}

/** Binds {@link request} to one endpoint and key: `api.request(query, variables)`. */
export function createApiClient(url: string, apiKey: string) {
  return {
    url,
    apiKey,
    request<TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(
      query: string,
      variables?: TVariables,
      signal?: AbortSignal,
    ): Promise<TData> {
      return request<TData, TVariables>({ url, apiKey, ...(signal ? { signal } : {}) }, query, variables);
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

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

export interface WsClientOptions {
  apiUrl: string;
  apiKey: string;
  retryAttempts?: number;
  on?: ClientOptions['on'];
}

/** The options handed to graphql-ws; separate so they can be checked without opening a socket. */
export function wsClientOptions(options: WsClientOptions): ClientOptions {
  return {
    url: httpToWsUrl(options.apiUrl),
    connectionParams: { authorization: authorizationHeader(options.apiKey) },
    lazy: true,
    retryAttempts: options.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS,
    ...(options.on ? { on: options.on } : {}),
  };
}

/** A graphql-ws client for the API's subscriptions. Dispose it when done. */
export function createWsClient(options: WsClientOptions): Client {
  return createClient(wsClientOptions(options));
}

/**
 * A readable one-liner for whatever a graphql-ws sink's `error` receives: an array of GraphQL
 * errors, a CloseEvent-like object, or an Error.
 */
export function describeSubscriptionError(error: unknown): { code: string; message: string } {
  if (Array.isArray(error)) {
    const entries = parseGraphQLErrors(error);
    return {
      code: entries.find((e) => e.code)?.code ?? 'GRAPHQL_ERROR',
      message: entries.map((e) => e.message).join('; ') || 'Subscription failed.',
    };
  }
  if (error instanceof Error) return { code: 'SUBSCRIPTION_ERROR', message: error.message };
  if (isRecord(error) && typeof error.code === 'number') {
    const reason = typeof error.reason === 'string' && error.reason ? `: ${error.reason}` : '';
    const code =
      error.code === 4401 ? UNAUTHENTICATED : error.code === 4403 ? 'FORBIDDEN' : `WS_CLOSE_${error.code}`;
    return { code, message: `The live connection closed (${error.code})${reason}.` };
  }
  return { code: 'SUBSCRIPTION_ERROR', message: 'The live connection failed.' };
}
