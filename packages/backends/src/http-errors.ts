import { BackendError, type BackendErrorKind, parseRetryAfter } from '@pakati/core';

function kindForStatus(status: number, message: string): BackendErrorKind {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401 || status === 403) return 'AUTH';
  if (status === 408 || status === 504) return 'TIMEOUT';
  if (/out of memory|CUDA error: out of memory|OutOfMemory/i.test(message)) return 'OUT_OF_MEMORY';
  if (status >= 500) return 'UNAVAILABLE';
  return 'INVALID_REQUEST';
}

/** Turns a non-2xx response into a BackendError, keeping the provider's own message when its body has one. */
export async function errorFromResponse(
  backend: string,
  res: Response,
  extractMessage?: (body: unknown) => string | undefined,
): Promise<BackendError> {
  const text = await res.text().catch(() => '');
  let message = text.slice(0, 500) || res.statusText;
  let body: unknown;
  try {
    body = JSON.parse(text);
    const extracted = extractMessage?.(body);
    if (extracted) message = extracted;
  } catch {}
  return new BackendError(kindForStatus(res.status, message), backend, `HTTP ${res.status}: ${message}`, {
    status: res.status,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  });
}

/** fetch that reports network failures and aborts as BackendErrors. */
export async function backendFetch(
  backend: string,
  url: string,
  init: RequestInit & { signal: AbortSignal },
): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init.signal.aborted) throw new BackendError('CANCELLED', backend, 'cancelled');
    throw new BackendError('UNAVAILABLE', backend, `request failed: ${(error as Error).message}`);
  }
}
