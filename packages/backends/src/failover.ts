import { BackendError, type GenerationResult, isBackendError } from '@pakati/core';

export interface FailoverAttempt {
  backend: string;
  error: BackendError;
}

/**
 * Tries the ranked backends in order until one succeeds. A cancel stops at once; any other BackendError moves
 * on to the next backend and is reported through `onFailover`, so the run's events can say what happened.
 */
export async function withFailover<T extends GenerationResult>(
  ranked: readonly string[],
  attempt: (backend: string) => Promise<T>,
  onFailover: (failed: FailoverAttempt, next: string) => void | Promise<void> = () => {},
): Promise<{ backend: string; result: T; failures: FailoverAttempt[] }> {
  const failures: FailoverAttempt[] = [];
  for (const [index, backend] of ranked.entries()) {
    try {
      return { backend, result: await attempt(backend), failures };
    } catch (error) {
      const backendError = isBackendError(error)
        ? error
        : new BackendError('UNAVAILABLE', backend, (error as Error)?.message ?? String(error));
      if (backendError.kind === 'CANCELLED') throw backendError;
      failures.push({ backend, error: backendError });
      const next = ranked[index + 1];
      if (next) await onFailover({ backend, error: backendError }, next);
    }
  }
  const last = failures.at(-1)!;
  throw new BackendError(
    last.error.kind,
    last.backend,
    `every capable backend failed: ${failures.map((f) => f.error.message).join(' | ')}`,
  );
}
