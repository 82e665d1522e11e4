import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SESSION_COOKIE } from '../src/web-session.ts';
import {
  projectWithRegion,
  RUN_EVENTS,
  type RunEventMessage,
  START_RUN,
  type Stack,
  startStack,
} from './harness.ts';

const WEB_ORIGIN = 'http://127.0.0.1:3000';

let stack: Stack;
let runId: string;
beforeAll(async () => {
  // No worker: the run stays QUEUED, whose event is all these tests need to read.
  stack = await startStack({ worker: false, env: { PAKATI_CORS_ORIGINS: WEB_ORIGIN } });
  const { projectId } = await projectWithRegion(stack.alpha.gql);
  const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
    input: { projectId, kind: 'GENERATE', seed: 7 },
  });
  runId = started.data!.startRun.run.id;
});
afterAll(async () => {
  await stack?.stop();
});

/** A graphql-ws client whose handshake carries what a browser would send: Origin and cookies, no params. */
function browserLikeClient(headers: Record<string, string>): Client {
  class HandshakeWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  return createClient({
    url: `${stack.api.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: HandshakeWebSocket,
    retryAttempts: 0,
    lazy: true,
  });
}

/** The first event of the run, or the close code when the API refuses the connection. */
function firstEvent(client: Client): Promise<{ event?: RunEventMessage['runEvents']; closeCode?: number }> {
  return new Promise((resolve) => {
    const unsubscribe = client.subscribe<RunEventMessage>(
      { query: RUN_EVENTS, variables: { runId, after: 0 } },
      {
        next: (value) => {
          unsubscribe();
          resolve(value.data ? { event: value.data.runEvents } : {});
        },
        error: (error) => resolve({ closeCode: (error as { code?: number }).code ?? -1 }),
        complete: () => resolve({}),
      },
    );
  });
}

describe('subscriptions authenticated by the web session cookie', () => {
  it('accepts the cookie from an allowed origin as the key of its organization', async () => {
    const client = browserLikeClient({
      origin: WEB_ORIGIN,
      cookie: `theme=dark; ${SESSION_COOKIE}=${encodeURIComponent(stack.alpha.key)}`,
    });
    const result = await firstEvent(client);
    await client.dispose();
    expect(result.event).toMatchObject({ seq: 1, type: 'QUEUED', runId });
  });

  it('refuses the same cookie from another origin (cross-site WebSocket hijacking)', async () => {
    const client = browserLikeClient({
      origin: 'http://evil.example',
      cookie: `${SESSION_COOKIE}=${encodeURIComponent(stack.alpha.key)}`,
    });
    const result = await firstEvent(client);
    await client.dispose();
    expect(result).toEqual({ closeCode: 4403 });
  });

  it('refuses an allowed origin without a cookie, or with a key that is not valid', async () => {
    for (const cookie of [undefined, `${SESSION_COOKIE}=not-a-key`]) {
      const client = browserLikeClient({ origin: WEB_ORIGIN, ...(cookie ? { cookie } : {}) });
      const result = await firstEvent(client);
      await client.dispose();
      expect(result).toEqual({ closeCode: 4403 });
    }
  });

  it('keeps connection params first: another organization cannot read the run with its own key', async () => {
    const client = createClient({
      url: `${stack.api.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: class extends WebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols, {
            headers: {
              origin: WEB_ORIGIN,
              cookie: `${SESSION_COOKIE}=${encodeURIComponent(stack.alpha.key)}`,
            },
          });
        }
      },
      connectionParams: { authorization: `Bearer ${stack.beta.key}` },
      retryAttempts: 0,
      lazy: true,
    });
    const result = await new Promise<{ code?: string }>((resolve) => {
      client.subscribe(
        { query: RUN_EVENTS, variables: { runId, after: 0 } },
        {
          next: (value) =>
            resolve({
              code: (value.errors?.[0]?.extensions as { code?: string } | undefined)?.code ?? 'DATA',
            }),
          error: (error) => resolve({ code: Array.isArray(error) ? error[0]?.extensions?.code : 'CLOSED' }),
          complete: () => resolve({}),
        },
      );
    });
    await client.dispose();
    expect(result.code).toBe('NOT_FOUND');
  });
});
