import { describe, expect, it } from 'vitest';
import {
  graphqlErrorBody,
  isCrossSiteRequest,
  isLoopbackHost,
  parseSignIn,
  SESSION_COOKIE,
  safeNextPath,
  sessionCookieOptions,
  sessionRedirect,
  upstreamHeaders,
} from '../lib/session';

describe('session cookie', () => {
  it('is httpOnly and SameSite=Strict everywhere, Secure whenever the browser came over https', () => {
    const request = (url: string, proto?: string) => ({
      url,
      headers: new Headers(proto ? { 'x-forwarded-proto': proto } : {}),
    });
    const expires = new Date(Date.now() + 3600_000);
    expect(sessionCookieOptions(request('https://pakati.example/api/session'), expires)).toMatchObject({
      httpOnly: true,
      sameSite: 'strict',
      secure: true,
      path: '/',
    });
    expect(sessionCookieOptions(request('http://127.0.0.1:3000/api/session'), expires).secure).toBe(false);
    expect(sessionCookieOptions(request('http://10.0.0.5:3000/api/session', 'https'), expires).secure).toBe(
      true,
    );
  });

  it('lives exactly as long as the session token it holds', () => {
    const now = Date.UTC(2026, 10, 23, 12);
    const options = sessionCookieOptions(
      { url: 'http://127.0.0.1:3000/api/session', headers: new Headers() },
      new Date(now + 12 * 3600_000),
      now,
    );
    expect(options.maxAge).toBe(12 * 3600);
  });

  it('tells cross-site requests from same-origin ones by Sec-Fetch-Site', () => {
    expect(isCrossSiteRequest(new Headers({ 'sec-fetch-site': 'cross-site' }))).toBe(true);
    expect(isCrossSiteRequest(new Headers({ 'sec-fetch-site': 'same-site' }))).toBe(true);
    expect(isCrossSiteRequest(new Headers({ 'sec-fetch-site': 'same-origin' }))).toBe(false);
    // Non-browser clients send none; SameSite=Strict already keeps the cookie from other sites.
    expect(isCrossSiteRequest(new Headers())).toBe(false);
  });

  it('lets the development key prefill the form only for a browser on this machine', () => {
    expect(isLoopbackHost('127.0.0.1:3000')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('[::1]:3000')).toBe(true);
    expect(isLoopbackHost('pakati.example')).toBe(false);
    expect(isLoopbackHost(null)).toBe(false);
  });

  it('has the name the API reads on WebSocket handshakes', () => {
    expect(SESSION_COOKIE).toBe('pakati_session');
  });
});

describe('parseSignIn', () => {
  it('trims the pasted key', () => {
    expect(parseSignIn({ apiKey: '  pk_live_abc  \n' })).toEqual({ apiKey: 'pk_live_abc' });
  });

  it.each([
    null,
    'text',
    {},
    { apiKey: 42 },
    { apiKey: '   ' },
    { apiKey: 'two words' },
    { apiKey: 'x'.repeat(600) },
  ])('refuses %j as BAD_USER_INPUT on the apiKey field', (body) => {
    const result = parseSignIn(body);
    expect(result).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'apiKey' } });
  });
});

describe('sessionRedirect', () => {
  it('sends signed-out page visits to sign-in, remembering the destination', () => {
    expect(sessionRedirect('/projects/abc', '?tab=runs', false)).toBe(
      '/sign-in?next=%2Fprojects%2Fabc%3Ftab%3Druns',
    );
    expect(sessionRedirect('/', '', false)).toBe('/sign-in');
  });

  it('serves sign-in and API routes to signed-out visitors', () => {
    expect(sessionRedirect('/sign-in', '', false)).toBeNull();
    expect(sessionRedirect('/api/graphql', '', false)).toBeNull();
    expect(sessionRedirect('/api/session', '', false)).toBeNull();
  });

  it('takes signed-in visitors from / and /sign-in to the projects', () => {
    expect(sessionRedirect('/', '', true)).toBe('/projects');
    expect(sessionRedirect('/sign-in', '', true)).toBe('/projects');
    expect(sessionRedirect('/projects', '', true)).toBeNull();
  });
});

describe('safeNextPath', () => {
  it('keeps same-site paths and drops anything that leaves the site', () => {
    expect(safeNextPath('/projects/abc?x=1')).toBe('/projects/abc?x=1');
    for (const next of [null, '', 'https://evil.example', '//evil.example', '/\\evil.example', 'projects']) {
      expect(safeNextPath(next)).toBe('/projects');
    }
  });
});

describe('proxy helpers', () => {
  it('forwards the body type (multipart boundary included) and replaces any authorization with the session', () => {
    const incoming = new Headers({
      'content-type': 'multipart/form-data; boundary=xyz',
      accept: 'application/json',
      authorization: 'Bearer someone-else',
      cookie: `${SESSION_COOKIE}=k`,
    });
    const headers = upstreamHeaders(incoming, 'the-key');
    expect(headers.get('authorization')).toBe('Bearer the-key');
    expect(headers.get('content-type')).toBe('multipart/form-data; boundary=xyz');
    expect(headers.get('cookie')).toBeNull();
    expect(headers.get('x-pakati-csrf')).toBe('1');
  });

  it('shapes its own failures like GraphQL errors', () => {
    expect(graphqlErrorBody('UNAUTHENTICATED', 'Sign in first.')).toEqual({
      errors: [{ message: 'Sign in first.', extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });
});
