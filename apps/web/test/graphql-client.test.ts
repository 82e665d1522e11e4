import { describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  createApiClient,
  describeSubscriptionError,
  extractGraphQLError,
  GraphQLRequestError,
  httpToWsUrl,
  isUnauthenticated,
  parseGraphQLErrors,
  request,
  wsClientOptions,
} from '../lib/graphql-client';

describe('httpToWsUrl', () => {
  it('maps http to ws and https to wss, keeping host, port, path and query', () => {
    expect(httpToWsUrl('http://127.0.0.1:4000/graphql')).toBe('ws://127.0.0.1:4000/graphql');
    expect(httpToWsUrl('https://api.example.com/graphql?x=1')).toBe('wss://api.example.com/graphql?x=1');
  });

  it('leaves ws URLs alone and rejects other protocols', () => {
    expect(httpToWsUrl('wss://api.example.com/graphql')).toBe('wss://api.example.com/graphql');
    expect(() => httpToWsUrl('ftp://example.com/graphql')).toThrow(/Unsupported/);
    expect(() => httpToWsUrl('not a url')).toThrow();
  });
});

describe('parseGraphQLErrors', () => {
  it('reads message, extensions.code and path', () => {
    expect(
      parseGraphQLErrors([
        { message: 'Bad polygon', path: ['addRegion'], extensions: { code: 'INVALID_POLYGON' } },
        { message: 'No code' },
      ]),
    ).toEqual([
      { message: 'Bad polygon', code: 'INVALID_POLYGON', path: ['addRegion'] },
      { message: 'No code', code: null, path: null },
    ]);
  });

  it('tolerates junk', () => {
    expect(parseGraphQLErrors(undefined)).toEqual([]);
    expect(parseGraphQLErrors(['boom', { message: 3 }])).toEqual([
      { message: 'boom', code: null, path: null },
      { message: 'Unknown error', code: null, path: null },
    ]);
  });
});

describe('extractGraphQLError', () => {
  it('returns null for a successful response with data', () => {
    expect(
      extractGraphQLError(200, { data: { viewer: { organization: { id: '1', name: 'Acme' } } } }),
    ).toBeNull();
  });

  it('uses the first extensions.code and joins messages', () => {
    const error = extractGraphQLError(200, {
      data: null,
      errors: [
        { message: 'Width too large', extensions: { code: 'CANVAS_TOO_LARGE' } },
        { message: 'Also bad', extensions: { code: 'BAD_USER_INPUT' } },
      ],
    });
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error?.code).toBe('CANVAS_TOO_LARGE');
    expect(error?.message).toBe('Width too large; Also bad');
    expect(error?.errors).toHaveLength(2);
    expect(error?.status).toBe(200);
  });

  it('prefers the GraphQL code over the HTTP status', () => {
    const error = extractGraphQLError(400, {
      errors: [{ message: 'x', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(error?.code).toBe('BAD_USER_INPUT');
    expect(error?.status).toBe(400);
  });

  it('treats HTTP 401 as UNAUTHENTICATED with or without a body', () => {
    const bare = extractGraphQLError(401, null);
    expect(bare?.code).toBe('UNAUTHENTICATED');
    expect(isUnauthenticated(bare)).toBe(true);
    const withUncodedErrors = extractGraphQLError(401, { errors: [{ message: 'Invalid API key' }] });
    expect(withUncodedErrors?.code).toBe('UNAUTHENTICATED');
    expect(withUncodedErrors?.message).toBe('Invalid API key');
  });

  it('recognises UNAUTHENTICATED sent with HTTP 200', () => {
    const error = extractGraphQLError(200, {
      errors: [{ message: 'Missing key', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(isUnauthenticated(error)).toBe(true);
  });

  it('reports other HTTP failures and bodies without data', () => {
    expect(extractGraphQLError(502, 'Bad gateway')?.code).toBe('HTTP_502');
    expect(extractGraphQLError(200, null)?.code).toBe('BAD_RESPONSE');
    expect(extractGraphQLError(200, { data: null })?.code).toBe('BAD_RESPONSE');
    expect(extractGraphQLError(200, { errors: [{ message: 'Oops' }] })?.code).toBe('GRAPHQL_ERROR');
  });
});

describe('isUnauthenticated', () => {
  it('is false for other errors', () => {
    expect(isUnauthenticated(new GraphQLRequestError('NOT_FOUND', 'nope', { status: 200 }))).toBe(false);
    expect(isUnauthenticated(new Error('UNAUTHENTICATED'))).toBe(false);
    expect(isUnauthenticated(null)).toBe(false);
  });
});

describe('request', () => {
  function headersOf(call: { init?: RequestInit } | undefined): Record<string, string> {
    return (call?.init?.headers ?? {}) as Record<string, string>;
  }

  function fakeFetch(
    status: number,
    body: string,
    seen: { url?: string; init?: RequestInit }[],
  ): typeof fetch {
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), ...(init ? { init } : {}) });
      return new Response(body, { status, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
  }

  it('posts the operation with a bearer token and returns data', async () => {
    const seen: { url?: string; init?: RequestInit }[] = [];
    const data = await request<{ viewer: { organization: { name: string } } }>(
      {
        url: 'http://api.test/graphql',
        apiKey: ' key-123 ',
        fetchImpl: fakeFetch(200, '{"data":{"viewer":{"organization":{"name":"Acme"}}}}', seen),
      },
      'query { viewer { organization { name } } }',
      { a: 1 },
    );
    expect(data.viewer.organization.name).toBe('Acme');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('http://api.test/graphql');
    expect(seen[0]?.init?.method).toBe('POST');
    const headers = headersOf(seen[0]);
    expect(headers.authorization).toBe('Bearer key-123');
    expect(JSON.parse(String(seen[0]?.init?.body))).toEqual({
      query: 'query { viewer { organization { name } } }',
      variables: { a: 1 },
    });
  });

  it('omits the authorization header without a key', async () => {
    const seen: { url?: string; init?: RequestInit }[] = [];
    await request(
      { url: 'http://api.test/graphql', fetchImpl: fakeFetch(200, '{"data":{}}', seen) },
      '{ x }',
    );
    const headers = headersOf(seen[0]);
    expect(headers.authorization).toBeUndefined();
  });

  it('throws a typed error carrying the code', async () => {
    const body = JSON.stringify({
      errors: [{ message: 'Invalid API key', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    const promise = request(
      { url: 'http://api.test/graphql', apiKey: 'bad', fetchImpl: fakeFetch(401, body, []) },
      '{ x }',
    );
    await expect(promise).rejects.toBeInstanceOf(GraphQLRequestError);
    await expect(promise).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
      message: 'Invalid API key',
    });
  });

  it('handles non-JSON error bodies', async () => {
    const promise = request(
      { url: 'http://api.test/graphql', fetchImpl: fakeFetch(500, '<html>oops</html>', []) },
      '{ x }',
    );
    await expect(promise).rejects.toMatchObject({ code: 'HTTP_500', status: 500 });
  });

  it('turns fetch failures into NETWORK_ERROR', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await expect(
      request({ url: 'http://down.test/graphql', fetchImpl: failing }, '{ x }'),
    ).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
    });
  });

  it('createApiClient binds url and key', async () => {
    const originalFetch = globalThis.fetch;
    const seen: { url?: string; init?: RequestInit }[] = [];
    globalThis.fetch = fakeFetch(200, '{"data":{"ok":true}}', seen);
    try {
      const api = createApiClient('http://bound.test/graphql', 'k');
      await expect(api.request<{ ok: boolean }>('{ ok }')).resolves.toEqual({ ok: true });
      expect(seen[0]?.url).toBe('http://bound.test/graphql');
      expect(headersOf(seen[0]).authorization).toBe('Bearer k');
    } finally {
      globalThis.fetch = originalFetch;
    }
  });
});

describe('wsClientOptions', () => {
  it('derives the ws URL, sends the key as connectionParams and retries', () => {
    const options = wsClientOptions({ apiUrl: 'https://api.example.com/graphql', apiKey: 'secret' });
    expect(options.url).toBe('wss://api.example.com/graphql');
    expect(options.connectionParams).toEqual({ authorization: 'Bearer secret' });
    expect(options.retryAttempts).toBeGreaterThan(0);
    expect(wsClientOptions({ apiUrl: 'http://h/graphql', apiKey: 'k', retryAttempts: 3 }).retryAttempts).toBe(
      3,
    );
  });

  it('formats the authorization header', () => {
    expect(authorizationHeader('  abc ')).toBe('Bearer abc');
  });
});

describe('describeSubscriptionError', () => {
  it('handles GraphQL error arrays', () => {
    expect(
      describeSubscriptionError([{ message: 'Run not found', extensions: { code: 'NOT_FOUND' } }]),
    ).toEqual({
      code: 'NOT_FOUND',
      message: 'Run not found',
    });
  });

  it('handles close events', () => {
    expect(describeSubscriptionError({ code: 4401, reason: 'Unauthorized' })).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'The live connection closed (4401): Unauthorized.',
    });
    expect(describeSubscriptionError({ code: 1006, reason: '' }).code).toBe('WS_CLOSE_1006');
  });

  it('handles Errors and unknowns', () => {
    expect(describeSubscriptionError(new Error('socket hang up'))).toEqual({
      code: 'SUBSCRIPTION_ERROR',
      message: 'socket hang up',
    });
    expect(describeSubscriptionError(42).code).toBe('SUBSCRIPTION_ERROR');
  });
});
