import { describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  extractGraphQLError,
  GraphQLRequestError,
  httpToWsUrl,
  isUnauthenticated,
  parseGraphQLErrors,
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
  it('reads message, extensions (code, field) and path', () => {
    expect(
      parseGraphQLErrors([
        {
          message: 'Bad polygon',
          path: ['addRegion'],
          extensions: { code: 'INVALID_POLYGON', field: 'points' },
        },
        { message: 'No code' },
      ]),
    ).toEqual([
      {
        message: 'Bad polygon',
        code: 'INVALID_POLYGON',
        path: ['addRegion'],
        extensions: { code: 'INVALID_POLYGON', field: 'points' },
      },
      { message: 'No code', code: null, path: null, extensions: {} },
    ]);
  });

  it('tolerates junk', () => {
    expect(parseGraphQLErrors(undefined)).toEqual([]);
    expect(parseGraphQLErrors(['boom', { message: 3 }])).toEqual([
      { message: 'boom', code: null, path: null, extensions: {} },
      { message: 'Unknown error', code: null, path: null, extensions: {} },
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

describe('authorizationHeader', () => {
  it('formats the trimmed key as a bearer token', () => {
    expect(authorizationHeader('  abc ')).toBe('Bearer abc');
  });
});
