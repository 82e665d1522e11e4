import type { Client, FormattedExecutionResult, Sink, SubscribePayload } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../lib/run-events';
import { runEventsPayload, subscribeRunEvents } from '../lib/run-subscription';

/** Stands in for graphql-ws: records the payload and lets the test push frames into the sink. */
function fakeClient() {
  const state: {
    payload?: SubscribePayload;
    sink?: Sink<FormattedExecutionResult<unknown>>;
    unsubscribed: boolean;
  } = {
    unsubscribed: false,
  };
  const client: Pick<Client, 'subscribe'> = {
    subscribe(payload, sink) {
      state.payload = payload;
      state.sink = sink as Sink<FormattedExecutionResult<unknown>>;
      return () => {
        state.unsubscribed = true;
      };
    },
  };
  return { client, state };
}

/** What graphql-ws puts on the wire when it (re)subscribes. */
function wireVariables(payload: SubscribePayload | undefined): unknown {
  return JSON.parse(JSON.stringify(payload)).variables;
}

describe('runEventsPayload', () => {
  it('omits after until a seq is known, then reflects the latest one on every read', () => {
    let after: number | null = null;
    const payload = runEventsPayload('run_1', () => after);
    expect(payload.query).toContain('runEvents(runId: $runId, after: $after)');
    expect(wireVariables(payload)).toEqual({ runId: 'run_1' });
    after = 7;
    expect(wireVariables(payload)).toEqual({ runId: 'run_1', after: 7 });
  });
});

describe('subscribeRunEvents', () => {
  it('delivers parsed events and resubscribes from the last seq seen', () => {
    const { client, state } = fakeClient();
    const events: RunEvent[] = [];
    const unsubscribe = subscribeRunEvents(client, 'run_1', {
      onEvent: (e) => events.push(e),
      onError: () => {},
      onComplete: () => {},
    });
    expect(wireVariables(state.payload)).toEqual({ runId: 'run_1' });

    const at = '2025-01-01T00:00:00Z';
    state.sink?.next({ data: { runEvents: { seq: 1, type: 'QUEUED', at, runId: 'run_1' } } });
    state.sink?.next({
      data: {
        runEvents: { seq: 2, type: 'PROGRESS', at, runId: 'run_1', fraction: 0.1, step: 1, totalSteps: 10 },
      },
    });
    state.sink?.next({ data: { runEvents: { bogus: true } } });
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    // A reconnect re-sends the same payload object: it now asks only for what came after seq 2.
    expect(wireVariables(state.payload)).toEqual({ runId: 'run_1', after: 2 });

    // A replayed older frame does not move `after` back.
    state.sink?.next({ data: { runEvents: { seq: 1, type: 'QUEUED', at, runId: 'run_1' } } });
    expect(wireVariables(state.payload)).toEqual({ runId: 'run_1', after: 2 });

    unsubscribe();
    expect(state.unsubscribed).toBe(true);
  });

  it('starts from an initial after and reports GraphQL errors, errors and completion', () => {
    const { client, state } = fakeClient();
    const errors: unknown[] = [];
    let completed = 0;
    subscribeRunEvents(
      client,
      'run_2',
      { onEvent: () => {}, onError: (e) => errors.push(e), onComplete: () => completed++ },
      4,
    );
    expect(wireVariables(state.payload)).toEqual({ runId: 'run_2', after: 4 });
    state.sink?.next({ errors: [{ message: 'Run not found', extensions: { code: 'NOT_FOUND' } }] });
    state.sink?.error({ code: 1006, reason: '' });
    state.sink?.complete();
    expect(errors).toHaveLength(2);
    expect(completed).toBe(1);
  });
});
