import type { Client, FormattedExecutionResult, Sink, SubscribePayload } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import {
  API_URL_META,
  extractFiles,
  gqlRequest,
  publicApiUrl,
  requestBody,
  shouldRetry,
  subscribe,
  wsOptions,
} from '../lib/api';
import { documentText, graphql } from '../lib/graphql';
import { GraphQLRequestError } from '../lib/graphql-client';

const ProjectFields = graphql(`
  fragment ProjectFields on Project { id name }
`);
const ProjectNames = graphql(
  `
  query ProjectNames($first: Int) { projects(first: $first) { edges { node { ...ProjectFields } } } }
`,
  [ProjectFields],
);
const Both = graphql(
  `
  query Both($id: ID!) { project(id: $id) { ...ProjectFields } projects { edges { node { ...ProjectFields } } } }
`,
  [ProjectFields, ProjectFields],
);
const AddReference = graphql(`
  mutation AddReference($input: AddReferenceInput!) { addReference(input: $input) { reference { id } } }
`);
const RunEventsSeq = graphql(`
  subscription RunEvents($runId: ID!, $after: Int) { runEvents(runId: $runId, after: $after) { seq } }
`);

function recordingFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe('documentText', () => {
  it('sends the operation followed by each fragment once', () => {
    const text = documentText(Both);
    expect(text.match(/fragment ProjectFields/g)).toHaveLength(1);
    expect(text.startsWith('query Both')).toBe(true);
  });

  it('leaves out the directives only gql.tada knows, as the API rejects them', () => {
    const Unmasked = graphql(`
      fragment UnmaskedProject on Project @_unmask { id name }
    `);
    expect(documentText(Unmasked)).toBe('fragment UnmaskedProject on Project { id name }');
  });

  it('refuses documents not made by lib/graphql', () => {
    expect(() => documentText({ kind: 'Document', definitions: [] })).toThrow(TypeError);
  });
});

describe('gqlRequest', () => {
  it('posts JSON to the Next proxy and returns the data', async () => {
    const { calls, fetchImpl } = recordingFetch(200, {
      data: { projects: { edges: [{ node: { id: 'p1', name: 'Harbour' } }] } },
    });
    const data = await gqlRequest(ProjectNames, { first: 5 }, { fetchImpl });
    expect(data.projects.edges[0]?.node).toEqual({ id: 'p1', name: 'Harbour' });
    expect(calls[0]?.url).toBe('/api/graphql');
    const sent = JSON.parse(String(calls[0]?.init.body));
    expect(sent.variables).toEqual({ first: 5 });
    expect(sent.query).toContain('fragment ProjectFields');
    expect(new Headers(calls[0]?.init.headers).get('authorization')).toBeNull();
  });

  it('throws UNAUTHENTICATED on a 401 from the proxy', async () => {
    const { fetchImpl } = recordingFetch(401, {
      errors: [{ message: 'Sign in first.', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    await expect(gqlRequest(ProjectNames, {}, { fetchImpl })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
    });
  });

  it('keeps the API code and field of a validation error', async () => {
    const { fetchImpl } = recordingFetch(200, {
      errors: [{ message: 'name must not be empty', extensions: { code: 'BAD_USER_INPUT', field: 'name' } }],
      data: null,
    });
    const error = await gqlRequest(ProjectNames, {}, { fetchImpl }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect((error as GraphQLRequestError).code).toBe('BAD_USER_INPUT');
  });

  it('reports NETWORK_ERROR when nothing answers', async () => {
    const fetchImpl = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    await expect(gqlRequest(ProjectNames, {}, { fetchImpl })).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
    });
  });

  it('sends files as a GraphQL multipart request', async () => {
    const { calls, fetchImpl } = recordingFetch(200, { data: { addReference: { reference: { id: 'r1' } } } });
    const image = new File([new Uint8Array([1, 2, 3])], 'ref.png', { type: 'image/png' });
    await gqlRequest(AddReference, { input: { projectId: 'p1', image } }, { fetchImpl });
    const form = calls[0]?.init.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    expect(JSON.parse(String(form.get('operations'))).variables).toEqual({
      input: { projectId: 'p1', image: null },
    });
    expect(JSON.parse(String(form.get('map')))).toEqual({ 0: ['variables.input.image'] });
    expect((form.get('0') as File).name).toBe('ref.png');
    expect(new Headers(calls[0]?.init.headers).get('content-type')).toBeNull();
  });
});

describe('extractFiles and requestBody', () => {
  it('maps one file used twice to both paths, and leaves file-free variables as JSON', () => {
    const blob = new Blob(['x']);
    const { clone, files } = extractFiles({ a: [blob, 1], b: { c: blob } });
    expect(clone).toEqual({ a: [null, 1], b: { c: null } });
    expect(files.get(blob)).toEqual(['variables.a.0', 'variables.b.c']);
    expect(requestBody('{ viewer { organization { id } } }', { a: 1 }).contentType).toBe('application/json');
  });
});

describe('subscriptions', () => {
  it('reads the public API URL from the layout meta tag, else falls back', () => {
    const doc = {
      querySelector: (selector: string) =>
        selector === `meta[name="${API_URL_META}"]`
          ? ({ getAttribute: () => 'https://api.example/graphql' } as unknown as Element)
          : null,
    };
    expect(publicApiUrl(doc)).toBe('https://api.example/graphql');
    expect(publicApiUrl({ querySelector: () => null })).toMatch(/^http/);
  });

  it('retries lost connections but not a refused session', () => {
    expect(shouldRetry({ code: 1006 })).toBe(true);
    expect(shouldRetry({ code: 1001 })).toBe(true);
    expect(shouldRetry({ code: 4403 })).toBe(false);
    expect(shouldRetry({ code: 4401 })).toBe(false);
    const options = wsOptions('https://api.example/graphql');
    expect(options.url).toBe('wss://api.example/graphql');
    expect(options.connectionParams).toBeUndefined();
  });

  it('re-reads the variables on every (re)subscribe, so a reconnect resumes after the last seq', () => {
    const state: { payload?: SubscribePayload; sink?: Sink<FormattedExecutionResult<unknown>> } = {};
    const client: Pick<Client, 'subscribe'> = {
      subscribe(payload, sink) {
        state.payload = payload;
        state.sink = sink as Sink<FormattedExecutionResult<unknown>>;
        return () => {};
      },
    };
    let last: number | null = null;
    const seen: number[] = [];
    const errors: unknown[] = [];
    subscribe(
      RunEventsSeq,
      () => (last === null ? { runId: 'r1' } : { runId: 'r1', after: last }),
      {
        next: (data) => {
          last = data.runEvents.seq;
          seen.push(last);
        },
        error: (e) => errors.push(e),
      },
      client,
    );
    const wire = () => JSON.parse(JSON.stringify(state.payload)).variables;
    expect(wire()).toEqual({ runId: 'r1' });
    state.sink?.next({ data: { runEvents: { seq: 4 } } });
    expect(wire()).toEqual({ runId: 'r1', after: 4 });
    state.sink?.next({ errors: [{ message: 'run not found', extensions: { code: 'NOT_FOUND' } }] });
    expect(seen).toEqual([4]);
    expect((errors[0] as GraphQLRequestError).code).toBe('NOT_FOUND');
  });

  it('reports a subscription the server refuses (its bare error list) as one GraphQLRequestError', () => {
    let sink: Sink<FormattedExecutionResult<unknown>> | undefined;
    const client: Pick<Client, 'subscribe'> = {
      subscribe(_payload, s) {
        sink = s as Sink<FormattedExecutionResult<unknown>>;
        return () => {};
      },
    };
    const errors: unknown[] = [];
    subscribe(RunEventsSeq, { runId: 'r1' }, { next: () => {}, error: (e) => errors.push(e) }, client);
    sink?.error([
      { message: 'Fields "message" conflict', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      { message: 'Unknown field' },
    ]);
    expect(errors[0]).toBeInstanceOf(GraphQLRequestError);
    expect(errors[0]).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: 'Fields "message" conflict; Unknown field',
    });
  });
});
