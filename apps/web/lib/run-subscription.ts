import type { Client, SubscribePayload } from 'graphql-ws';
import { RUN_EVENTS_SUBSCRIPTION } from './operations';
import { parseRunEvent, type RunEvent } from './run-events';

export interface RunEventsHandlers {
  onEvent(event: RunEvent): void;
  /** GraphQL errors (array), a CloseEvent once retries are exhausted, or an Error. */
  onError(error: unknown): void;
  /** The server completed the stream (it does so after a terminal event). */
  onComplete(): void;
}

/**
 * The subscribe payload for `runEvents`. Its `variables` are computed each time they are read, and
 * graphql-ws serialises the same payload object again whenever it re-subscribes after a reconnect,
 * so a retried subscription asks for `after` = the last seq seen instead of replaying everything.
 */
export function runEventsPayload(runId: string, getAfter: () => number | null): SubscribePayload {
  return {
    operationName: 'RunEvents',
    query: RUN_EVENTS_SUBSCRIPTION,
    get variables() {
      const after = getAfter();
      return after === null ? { runId } : { runId, after };
    },
  };
}

/**
 * Subscribes to a run's events, tracking the highest seq delivered so that reconnects resume from
 * it. Malformed frames are dropped. Returns the unsubscribe function.
 */
export function subscribeRunEvents(
  client: Pick<Client, 'subscribe'>,
  runId: string,
  handlers: RunEventsHandlers,
  initialAfter: number | null = null,
): () => void {
  let lastSeq = initialAfter;
  const payload = runEventsPayload(runId, () => lastSeq);
  return client.subscribe<{ runEvents: unknown }>(payload, {
    next(result) {
      if (result.errors && result.errors.length > 0) {
        handlers.onError(result.errors);
        return;
      }
      const event = parseRunEvent(result.data?.runEvents);
      if (!event) return;
      if (lastSeq === null || event.seq > lastSeq) lastSeq = event.seq;
      handlers.onEvent(event);
    },
    error: (error) => handlers.onError(error),
    complete: () => handlers.onComplete(),
  });
}
