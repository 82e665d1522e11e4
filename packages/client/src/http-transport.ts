import { type DocumentNode, print, visit } from 'graphql';
import { errorFromResponse, PakatiClientError } from './client-error.ts';

/** gql.tada's own directives (`@_unmask`, `@_optional`, ...) shape types only; the API rejects them. */
export function documentText(document: DocumentNode): string {
  return print(
    visit(document, { Directive: (node) => (node.name.value.startsWith('_') ? null : undefined) }),
  );
}

/**
 * Splits the files out of the variables for the GraphQL multipart request spec: the variables come back
 * with `null` where each file was, plus the path of every file (`variables.input.image`).
 */
export function extractFiles(variables: unknown): { clone: unknown; files: Map<Blob, string[]> } {
  const files = new Map<Blob, string[]>();
  const walk = (value: unknown, path: string): unknown => {
    if (value instanceof Blob) {
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

/** JSON, or multipart form data when the variables carry files (uploads). */
export function requestBody(
  query: string,
  variables: unknown,
): { body: string | FormData; contentType: string | null } {
  const { clone, files } = extractFiles(variables ?? {});
  if (files.size === 0) {
    return { body: JSON.stringify({ query, variables: variables ?? {} }), contentType: 'application/json' };
  }
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables: clone }));
  const entries = [...files.entries()];
  form.append('map', JSON.stringify(Object.fromEntries(entries.map(([, paths], i) => [String(i), paths]))));
  entries.forEach(([file], i) => {
    form.append(String(i), file, file instanceof File ? file.name : 'upload');
  });
  // fetch writes the multipart content type with its boundary itself.
  return { body: form, contentType: null };
}

export interface HttpTransportOptions {
  endpoint: string;
  apiKey: string;
  fetch: typeof fetch;
}

/** Posts one operation and returns its `data`, or throws a {@link PakatiClientError}. */
export async function postOperation(
  options: HttpTransportOptions,
  document: DocumentNode,
  variables: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  const { body, contentType } = requestBody(documentText(document), variables);
  const headers: Record<string, string> = {
    accept: 'application/graphql-response+json, application/json',
    authorization: `Bearer ${options.apiKey}`,
  };
  if (contentType) headers['content-type'] = contentType;
  // The API refuses multipart requests without a preflight header (CSRF guard); a script is no browser.
  else headers['x-pakati-csrf'] = '1';
  let response: Response;
  try {
    response = await options.fetch(options.endpoint, {
      method: 'POST',
      headers,
      body,
      signal: signal ?? null,
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new PakatiClientError('NETWORK_ERROR', `Could not reach ${options.endpoint} (${detail}).`, {
      cause,
    });
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  const error = errorFromResponse(response.status, parsed, response.headers.get('retry-after'));
  if (error) throw error;
  return (parsed as { data: unknown }).data;
}

/** Fetches an image the API signed; relative URLs are taken from the API's origin. */
export async function fetchBytes(
  options: HttpTransportOptions,
  url: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const target = new URL(url, options.endpoint);
  let response: Response;
  try {
    response = await options.fetch(target, { signal: signal ?? null });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new PakatiClientError('NETWORK_ERROR', `Could not download ${target.pathname} (${detail}).`, {
      cause,
    });
  }
  if (!response.ok) {
    throw new PakatiClientError(
      response.status === 403 || response.status === 404 ? 'IMAGE_UNAVAILABLE' : `HTTP_${response.status}`,
      `The image download answered HTTP ${response.status} (signed URLs expire: fetch the run again).`,
      { status: response.status },
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}
