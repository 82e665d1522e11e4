import { BackendError, isBackendError } from '@pakati/core';

/** The caller's signal plus our own deadline, told apart when one of them fires. */
export function startScope(backend: string, outer: AbortSignal, timeoutMs: number | undefined) {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(outer.reason);
  if (outer.aborted) controller.abort(outer.reason);
  else outer.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort(new Error('timeout'));
        }, timeoutMs);
  return {
    signal: controller.signal,
    /** An abort surfaces as whatever the interrupted step threw; the cause is what callers act on. */
    translate(error: unknown): BackendError {
      if (outer.aborted) return new BackendError('CANCELLED', backend, 'cancelled');
      if (timedOut) return new BackendError('TIMEOUT', backend, `no answer within ${timeoutMs} ms`);
      if (isBackendError(error)) return error;
      return new BackendError('PROTOCOL', backend, `unreadable answer: ${(error as Error).message}`);
    },
    dispose() {
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    },
  };
}
