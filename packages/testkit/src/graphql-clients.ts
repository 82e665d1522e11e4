import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
}

export function httpClient(baseUrl: string, key: string | null) {
  return async <T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>> => {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
    return { status: res.status, ...body };
  };
}

export function wsClient(baseUrl: string, key: string, options: { retryAttempts?: number } = {}): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
  });
}

/** Collects every message of one subscription until it completes or errors. */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown>) {
  const items: T[] = [];
  const done = new Promise<{ items: T[]; error?: unknown }>((resolve) => {
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) resolve({ items, error: value.errors });
          else items.push(value.data as T);
        },
        error: (error) => resolve({ items, error }),
        complete: () => resolve({ items }),
      },
    );
  });
  return { items, done };
}
