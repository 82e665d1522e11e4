import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Stands in for next/headers' cookie store. */
const jar = new Map<string, { value: string; options?: Record<string, unknown> }>();
vi.mock('next/headers', () => ({
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)!.value } : undefined),
    set: (name: string, value: string, options?: Record<string, unknown>) =>
      jar.set(name, { value, options }),
    delete: (name: string) => jar.delete(name),
  }),
}));

const session = await import('../app/api/session/route');
const proxy = await import('../app/api/graphql/route');

const API = 'http://api.test/graphql';
let upstream: { url: string; init: RequestInit }[];

function stubApi(answer: (init: RequestInit) => Response | Promise<Response>) {
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    upstream.push({ url, init });
    return answer(init);
  });
}

beforeEach(() => {
  jar.clear();
  upstream = [];
  vi.stubEnv('PAKATI_API_URL', API);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

const signIn = (body: unknown) =>
  session.POST(new Request('http://web.test/api/session', { method: 'POST', body: JSON.stringify(body) }));

describe('POST /api/session', () => {
  it('checks the key, trades it for a session token and keeps only the token in an httpOnly cookie', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    stubApi((init) =>
      String(init.body).includes('createWebSession')
        ? Response.json({ data: { createWebSession: { token: 'a.b.c', expiresAt } } })
        : Response.json({ data: { viewer: { organization: { id: 'o1', name: 'Alpha' } } } }),
    );
    const response = await signIn({ apiKey: ' key-1 ' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ organization: { id: 'o1', name: 'Alpha' } });
    expect(upstream.map((u) => u.url)).toEqual([API, API]);
    for (const call of upstream)
      expect(new Headers(call.init.headers).get('authorization')).toBe('Bearer key-1');
    expect(String(upstream[0]?.init.body)).toContain('viewer');
    expect(String(upstream[1]?.init.body)).toContain('createWebSession');
    const cookie = jar.get('pakati_session')!;
    expect(cookie).toMatchObject({
      value: 'a.b.c',
      options: { httpOnly: true, sameSite: 'strict', path: '/' },
    });
    expect(cookie.options!.maxAge).toBeGreaterThan(3590);
    expect(cookie.options!.maxAge).toBeLessThanOrEqual(3600);
  });

  it('answers 401 with a clear message for a key the API rejects, and sets no cookie', async () => {
    stubApi(() =>
      Response.json(
        {
          errors: [
            { message: 'missing, unknown or revoked API key', extensions: { code: 'UNAUTHENTICATED' } },
          ],
        },
        { status: 401 },
      ),
    );
    const response = await signIn({ apiKey: 'wrong' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', field: 'apiKey', message: 'The API did not accept that key.' },
    });
    expect(jar.size).toBe(0);
  });

  it('answers 400 without asking the API for an empty key, 502 when the API is down', async () => {
    stubApi(() => {
      throw new TypeError('fetch failed');
    });
    expect((await signIn({ apiKey: '' })).status).toBe(400);
    expect(upstream).toHaveLength(0);
    const down = await signIn({ apiKey: 'key-1' });
    expect(down.status).toBe(502);
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('NETWORK_ERROR');
  });

  it('DELETE signs out by clearing the cookie', async () => {
    jar.set('pakati_session', { value: 'key-1' });
    expect((await session.DELETE()).status).toBe(204);
    expect(jar.has('pakati_session')).toBe(false);
  });
});

describe('POST /api/graphql', () => {
  const forward = (body: BodyInit, contentType: string) =>
    proxy.POST(
      new Request('http://web.test/api/graphql', {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: 'Bearer forged' },
        body,
      }),
    );

  it('is 401 without a session and never reaches the API', async () => {
    stubApi(() => Response.json({}));
    const response = await forward('{"query":"{ viewer { organization { id } } }"}', 'application/json');
    expect(response.status).toBe(401);
    expect(upstream).toHaveLength(0);
  });

  it('forwards JSON and multipart bodies with the cookie token as bearer', async () => {
    jar.set('pakati_session', { value: 'key-1' });
    stubApi(async (init) => Response.json({ data: { echoed: await new Response(init.body).text() } }));
    const json = await forward('{"query":"{ a }"}', 'application/json');
    expect(await json.json()).toEqual({ data: { echoed: '{"query":"{ a }"}' } });
    expect(new Headers(upstream[0]?.init.headers).get('authorization')).toBe('Bearer key-1');

    const form = new FormData();
    form.append('operations', '{"query":"mutation { x }"}');
    form.append('0', new Blob([new Uint8Array([137, 80, 78, 71])]), 'ref.png');
    const request = new Request('http://x', { method: 'POST', body: form });
    const multipart = await forward(await request.arrayBuffer(), request.headers.get('content-type')!);
    expect(multipart.status).toBe(200);
    const sentType = new Headers(upstream[1]?.init.headers).get('content-type')!;
    expect(sentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(((await multipart.json()) as { data: { echoed: string } }).data.echoed).toContain(
      'filename="ref.png"',
    );
  });

  it('refuses a request another site made the browser send, whatever cookie it carries', async () => {
    jar.set('pakati_session', { value: 'a.b.c' });
    stubApi(() => Response.json({}));
    const response = await proxy.POST(
      new Request('http://web.test/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
        body: '{"query":"mutation { x }"}',
      }),
    );
    expect(response.status).toBe(403);
    expect(upstream).toHaveLength(0);
  });

  it('drops the cookie when the API no longer accepts the key, and reports an unreachable API', async () => {
    jar.set('pakati_session', { value: 'revoked' });
    stubApi(() => Response.json({ errors: [{ message: 'revoked' }] }, { status: 401 }));
    expect((await forward('{}', 'application/json')).status).toBe(401);
    expect(jar.has('pakati_session')).toBe(false);

    jar.set('pakati_session', { value: 'key-1' });
    stubApi(() => {
      throw new TypeError('fetch failed');
    });
    const down = await forward('{}', 'application/json');
    expect(down.status).toBe(502);
    expect(await down.json()).toMatchObject({ errors: [{ extensions: { code: 'NETWORK_ERROR' } }] });
  });
});
