import { type Client, type ClientOptions, createClient, type SubscribePayload } from 'graphql-ws';
import { DEFAULT_API_URL } from './config';
import { documentText, type ResultOf, type TadaDocumentNode, type VariablesOf } from './graphql';
import {
  DEFAULT_RETRY_ATTEMPTS,
  extractGraphQLError,
  GraphQLRequestError,
  httpToWsUrl,
  parseGraphQLErrors,
} from './graphql-client';

/** The Next route that forwards GraphQL to the API with the session cookie's key as bearer. */
export const PROXY_PATH = '/api/graphql';

/** The `<meta>` the root layout renders so client code learns the API's public URL at runtime. */
export const API_URL_META = 'pakati-api-url';

// biome-ignore lint/suspicious/noExplicitAny: any document shape is accepted; the result and variables types follow it.
type AnyDocument = TadaDocumentNode<any, any>;

export interface GqlRequestOptions {
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  /** Defaults to {@link PROXY_PATH}; the server side passes the API URL itself. */
  endpoint?: string;
  /** Only for server-side calls that hold the key themselves. */
  authorization?: string;
}

function isFileLike(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

/**
 * Splits the files out of the variables for the GraphQL multipart request spec: the variables come
 * back with `null` where each file was, plus the path of every file (`variables.input.image`).
 */
export function extractFiles(variables: unknown): { clone: unknown; files: Map<Blob, string[]> } {
  const files = new Map<Blob, string[]>();
  const walk = (value: unknown, path: string): unknown => {
    if (isFileLike(value)) {
      files.set(value, [...(files.get(value) ?? []), path]);
      return null;
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, `${path}.${index}`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    }
    return value;
  };
  return { clone: walk(variables, 'variables'), files };
}

/** The request body: JSON, or multipart form data when the variables carry files (uploads). */
export function requestBody(
  query: string,
  variables: unknown,
): { body: BodyInit; contentType: string | null } {
  const { clone, files } = extractFiles(variables ?? {});
  if (files.size === 0) {
    return { body: JSON.stringify({ query, variables: variables ?? {} }), contentType: 'application/json' };
  }
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables: clone }));
  const map: Record<string, string[]> = {};
  const entries = [...files.entries()];
  entries.forEach(([, paths], index) => {
    map[String(index)] = paths;
  });
  form.append('map', JSON.stringify(map));
  entries.forEach(([file], index) => {
    form.append(String(index), file, file instanceof File ? file.name : 'upload');
  });
  // fetch sets the multipart content type with its boundary itself.
  return { body: form, contentType: null };
}

/**
 * Sends one typed operation through the Next proxy (the httpOnly session cookie carries the key)
 * and returns its data, or throws a {@link GraphQLRequestError} (`UNAUTHENTICATED` when signed out,
 * `NETWORK_ERROR` when the app or the API cannot be reached, the API's own code otherwise).
 */
export async function gqlRequest<D extends AnyDocument>(
  document: D,
  variables: VariablesOf<D>,
  options: GqlRequestOptions = {},
): Promise<ResultOf<D>> {
  const endpoint = options.endpoint ?? PROXY_PATH;
  const { body, contentType } = requestBody(documentText(document), variables);
  const headers: Record<string, string> = {
    accept: 'application/graphql-response+json, application/json',
  };
  if (contentType) headers['content-type'] = contentType;
  if (options.authorization) headers.authorization = options.authorization;

  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(endpoint, {
      method: 'POST',
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal ?? null,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new GraphQLRequestError('NETWORK_ERROR', `Could not reach the API (${detail}).`);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  const error = extractGraphQLError(response.status, parsed);
  if (error) throw error;
  return (parsed as { data: ResultOf<D> }).data;
}

/** The API's public GraphQL URL, from the layout's `<meta>`, else the build-time env, else the default. */
export function publicApiUrl(
  doc: Pick<Document, 'querySelector'> | null = globalThis.document ?? null,
): string {
  const fromMeta = doc?.querySelector(`meta[name="${API_URL_META}"]`)?.getAttribute('content')?.trim();
  if (fromMeta) return fromMeta;
  return process.env.NEXT_PUBLIC_PAKATI_API_URL?.trim() || DEFAULT_API_URL;
}

/** Close codes after which reconnecting cannot help: bad request, unauthorized, forbidden. */
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403]);

/** Retry lost connections (network, restarts, 1001 Going Away), but not a refused session. */
export function shouldRetry(closeEventOrError: unknown): boolean {
  if (closeEventOrError !== null && typeof closeEventOrError === 'object' && 'code' in closeEventOrError) {
    const code = (closeEventOrError as { code: unknown }).code;
    if (typeof code === 'number' && FATAL_CLOSE_CODES.has(code)) return false;
  }
  return true;
}

/**
 * Options for the browser's graphql-ws client. No connection params: the browser sends the session
 * cookie with the WebSocket handshake and the API accepts it from its allowed origins.
 */
export function wsOptions(apiUrl: string, on?: ClientOptions['on']): ClientOptions {
  return {
    url: httpToWsUrl(apiUrl),
    lazy: true,
    retryAttempts: DEFAULT_RETRY_ATTEMPTS,
    shouldRetry,
    ...(on ? { on } : {}),
  };
}

let shared: Client | null = null;

/** The page's one graphql-ws client, opened lazily on the first subscription. */
export function wsClient(): Client {
  shared ??= createClient(wsOptions(publicApiUrl()));
  return shared;
}

export interface SubscriptionHandlers<D extends AnyDocument> {
  next(data: ResultOf<D>): void;
  /** GraphQL errors (as a {@link GraphQLRequestError}) or the connection failing for good. */
  error(error: unknown): void;
  complete?(): void;
}

/**
 * The subscribe payload. `variables` may be a function: graphql-ws serialises the payload again on
 * every re-subscribe after a reconnect, so the caller can resume (e.g. `after` = last seq seen).
 */
export function subscriptionPayload<D extends AnyDocument>(
  document: D,
  variables: VariablesOf<D> | (() => VariablesOf<D>),
): SubscribePayload {
  const query = documentText(document);
  return {
    query,
    get variables() {
      return (typeof variables === 'function' ? (variables as () => VariablesOf<D>)() : variables) as Record<
        string,
        unknown
      >;
    },
  };
}

function subscriptionError(errors: ReturnType<typeof parseGraphQLErrors>): GraphQLRequestError {
  const code = errors.find((e) => e.code)?.code ?? 'GRAPHQL_ERROR';
  return new GraphQLRequestError(code, errors.map((e) => e.message).join('; '), { errors });
}

/** Subscribes over graphql-ws with automatic reconnects; returns the unsubscribe function. */
export function subscribe<D extends AnyDocument>(
  document: D,
  variables: VariablesOf<D> | (() => VariablesOf<D>),
  handlers: SubscriptionHandlers<D>,
  client: Pick<Client, 'subscribe'> = wsClient(),
): () => void {
  return client.subscribe<ResultOf<D>>(subscriptionPayload(document, variables), {
    next(result) {
      const errors = parseGraphQLErrors(result.errors);
      if (errors.length > 0) {
        handlers.error(subscriptionError(errors));
        return;
      }
      if (result.data) handlers.next(result.data as ResultOf<D>);
    },
    // A subscription the server refuses outright (a validation error) arrives here as the bare error list.
    error: (error) =>
      handlers.error(Array.isArray(error) ? subscriptionError(parseGraphQLErrors(error)) : error),
    complete: () => handlers.complete?.(),
  });
}
