import { PakatiClientError } from '@pakati/client';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Wrong arguments: exit code 2 with the usage line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the user can act on, named by a code like the API's. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One line for the terminal: code and message, never a stack. */
export function errorLine(error: unknown): string {
  if (error instanceof PakatiClientError) {
    const wait = error.retryAfter !== null ? ` (retry after ${error.retryAfter}s)` : '';
    return `error: ${error.code}: ${error.message}${wait}`;
  }
  if (error instanceof CliError) return `error: ${error.code}: ${error.message}`;
  if (error instanceof UsageError) return `error: USAGE: ${error.message}`;
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  // PakatiError (operator commands) and Node's system errors carry a code too.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `error: ${code}: ${message}` : `error: ${message}`;
}
