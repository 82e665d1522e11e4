import type { Client } from 'graphql-ws';
import { errorFromEntries, PakatiClientError, parseGraphQLErrors } from './client-error.ts';
import { RUN_EVENTS } from './documents.ts';
import type { ResultOf } from './graphql.ts';
import { documentText } from './http-transport.ts';

export type RunEvent = ResultOf<typeof RUN_EVENTS>['runEvents'];
export type RunEventOf<T extends RunEvent['__typename']> = Extract<RunEvent, { __typename: T }>;

const TERMINAL_TYPES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export const isTerminalRunEvent = (event: RunEvent): boolean => TERMINAL_TYPES.has(event.type);

/** Close codes graphql-ws does not retry, as the error a caller can act on. */
function closeError(code: number, reason: string): PakatiClientError {
  const named: Record<number, string> = { 4401: 'UNAUTHENTICATED', 4403: 'FORBIDDEN', 4429: 'RATE_LIMITED' };
  return new PakatiClientError(
    named[code] ?? 'CONNECTION_CLOSED',
    `The event stream closed (${code}${reason ? `: ${reason}` : ''}).`,
  );
}

function toClientError(error: unknown): PakatiClientError {
  if (error instanceof PakatiClientError) return error;
  if (Array.isArray(error)) return errorFromEntries(parseGraphQLErrors(error));
  if (error !== null && typeof error === 'object' && 'code' in error && 'reason' in error) {
    const { code, reason } = error as { code: unknown; reason: unknown };
    if (typeof code === 'number') return closeError(code, typeof reason === 'string' ? reason : '');
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new PakatiClientError('NETWORK_ERROR', `The event stream failed (${detail}).`, { cause: error });
}

/**
 * A run's events, oldest first, from seq `after` + 1 to its terminal event. graphql-ws reconnects a dropped
 * socket and sends the subscription again; `variables` is a getter, so that subscription asks for the events
 * after the last one seen, and the server replays what was missed. Replayed events the buffer already
 * held are skipped by seq: none is lost, none repeated.
 */
export async function* streamRunEvents(ws: Client, runId: string, after = 0): AsyncGenerator<RunEvent> {
  let last = after;
  const iterator = ws.iterate<ResultOf<typeof RUN_EVENTS>>({
    query: documentText(RUN_EVENTS),
    get variables() {
      return { runId, after: last };
    },
  });
  try {
    for await (const result of iterator) {
      if (result.errors?.length) throw errorFromEntries(parseGraphQLErrors(result.errors));
      const event = result.data?.runEvents;
      if (!event || event.seq <= last) continue;
      last = event.seq;
      yield event;
      if (isTerminalRunEvent(event)) return;
    }
  } catch (error) {
    throw toClientError(error);
  } finally {
    await iterator.return?.();
  }
  throw new PakatiClientError(
    'SUBSCRIPTION_ENDED',
    `The event stream of run ${runId} ended before the run did (last seq ${last}).`,
  );
}
