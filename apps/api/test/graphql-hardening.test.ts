import { loadConfig } from '@pakati/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    worker: false,
    env: {
      PAKATI_GRAPHQL_INTROSPECTION: 'false',
      PAKATI_GRAPHQL_MAX_DEPTH: '6',
      PAKATI_GRAPHQL_MAX_ALIASES: '5',
      PAKATI_GRAPHQL_MAX_TOKENS: '400',
      PAKATI_GRAPHQL_MAX_COST: '300',
      PAKATI_CORS_ORIGINS: 'https://app.example.com',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const firstError = async (query: string) => {
  const res = await stack.alpha.gql(query);
  return { status: res.status, error: res.errors?.[0] };
};

describe('document limits', () => {
  it('refuses a document nested deeper than the limit', async () => {
    const deep = '{ projects { edges { node { runs { edges { node { steps { regionId } } } } } } } }';
    const { error } = await firstError(deep);
    expect(error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(error?.message).toMatch(/depth limit of 6/);
  });

  it('refuses too many aliases', async () => {
    const aliases = `{ ${Array.from({ length: 6 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
    const { error } = await firstError(aliases);
    expect(error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(error?.message).toMatch(/Aliases limit of 5/);
  });

  it('refuses a document over the token limit before parsing it whole', async () => {
    const tokens = `{ viewer { ${'role '.repeat(500)} } }`;
    const { error } = await firstError(tokens);
    expect(error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(error?.message).toMatch(/Token limit of 400/);
  });

  it('refuses a document whose cost passes the limit', async () => {
    const fields = 'id name width height createdAt';
    const costly = `{ projects(first: 100) { edges { node { ${fields} regions { id prompt points { x y } seed zOrder feather } } } } }`;
    const { error } = await firstError(costly);
    expect(error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(error?.message).toMatch(/Cost limit of 300/);
  });

  it('answers an ordinary document as usual', async () => {
    const res = await stack.alpha.gql<{ viewer: { role: string } }>('{ viewer { role } }');
    expect(res.data!.viewer.role).toBe('OWNER');
  });
});

describe('schema exposure', () => {
  it('refuses introspection when configured off, and says nothing of field names in errors', async () => {
    const { error } = await firstError('{ __schema { types { name } } }');
    expect(error?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error?.message).toMatch(/introspection/i);
    const typo = await firstError('{ viewr { role } }');
    expect(typo.error?.message).not.toMatch(/Did you mean/);
  });

  it('defaults introspection off in production and on elsewhere', () => {
    const base = {
      DATABASE_URL: 'postgres://x',
      REDIS_URL: 'redis://x',
      PAKATI_URL_SIGNING_SECRET: 'u'.repeat(32),
      PAKATI_SESSION_SECRET: 's'.repeat(32),
    };
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).graphql.introspection).toBe(false);
    expect(
      loadConfig({ ...base, NODE_ENV: 'production', PAKATI_GRAPHQL_INTROSPECTION: 'true' }).graphql
        .introspection,
    ).toBe(true);
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).graphql.introspection).toBe(true);
  });

  it('refuses to start in production without the signing secrets, naming each', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x', NODE_ENV: 'production' }),
    ).toThrow(
      /PAKATI_URL_SIGNING_SECRET: required in production[\s\S]*PAKATI_SESSION_SECRET: required in production/,
    );
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x', PAKATI_TIER_QUOTAS: '{"GOLD":{}}' }),
    ).toThrow(/PAKATI_TIER_QUOTAS/);
  });
});

describe('cross-site requests', () => {
  const post = (headers: Record<string, string>, body: BodyInit) =>
    fetch(`${stack.api.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.alpha.key}`, ...headers },
      body,
    });

  it('refuses a form or multipart request without a preflight header, and accepts it with one', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: '{ viewer { role } }' }));
    form.append('map', '{}');
    const refused = await post({}, form);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'CSRF_PREFLIGHT_REQUIRED',
    });
    // text/plain: refused as a media type the endpoint does not take, before the CSRF check could matter.
    const text = await post(
      { 'content-type': 'text/plain' },
      JSON.stringify({ query: '{ viewer { role } }' }),
    );
    expect([400, 415]).toContain(text.status);

    const again = new FormData();
    again.append('operations', JSON.stringify({ query: '{ viewer { role } }' }));
    again.append('map', '{}');
    expect((await post({ 'x-pakati-csrf': '1' }, again)).status).toBe(200);
  });

  it('refuses a GET query without a preflight header', async () => {
    const url = `${stack.api.url}/graphql?query=${encodeURIComponent('{ viewer { role } }')}`;
    const refused = await fetch(url, { headers: { authorization: `Bearer ${stack.alpha.key}` } });
    expect(refused.status).toBe(400);
    const allowed = await fetch(url, {
      headers: {
        authorization: `Bearer ${stack.alpha.key}`,
        'x-pakati-csrf': '1',
        accept: 'application/json',
      },
    });
    expect(allowed.status).toBe(200);
  });

  it('answers CORS preflights for the configured origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.api.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await preflight('https://evil.example.net');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example.net');
  });
});
