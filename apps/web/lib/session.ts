/**
 * Pure rules of the web session: the httpOnly cookie that carries the API key, what sign-in accepts,
 * where signed-out visitors go. The route handlers and proxy.ts apply them.
 */

/** Also read by the API on WebSocket handshakes (apps/api/src/web-session.ts): keep the names equal. */
export const SESSION_COOKIE = 'pakati_session';

export const SIGN_IN_PATH = '/sign-in';
export const HOME_PATH = '/projects';

/** A month: the key itself does not expire, and signing out deletes the cookie. */
const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export interface SessionCookieOptions {
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
  path: '/';
  maxAge: number;
}

/**
 * httpOnly keeps the key away from page scripts; SameSite=Strict keeps other sites from riding on it; Secure
 * whenever the browser reached us over https (directly or through a proxy that says so), so sign-in still works
 * over plain http on 127.0.0.1, as `bin/pakati up` serves it.
 */
export function sessionCookieOptions(request: { url: string; headers: Headers }): SessionCookieOptions {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: (forwarded ?? new URL(request.url).protocol.replace(':', '')) === 'https',
    path: '/',
    maxAge: SESSION_MAX_AGE_SECONDS,
  };
}

/** The development key file may prefill the sign-in form only for a browser on this machine. */
export function isLoopbackHost(host: string | null): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === '127.0.0.1' || name === 'localhost' || name === '::1';
}

/** The JSON the session routes answer with when they refuse, shaped like the API's errors. */
export interface SessionError {
  code: 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'NETWORK_ERROR' | 'UPSTREAM_ERROR';
  message: string;
  field?: string;
}

const MAX_KEY_LENGTH = 512;

/** Reads `{ apiKey }` from a sign-in body; the key is trimmed, as people paste it with whitespace. */
export function parseSignIn(body: unknown): { apiKey: string } | { error: SessionError } {
  const raw =
    body !== null && typeof body === 'object' && 'apiKey' in body
      ? (body as { apiKey: unknown }).apiKey
      : null;
  const apiKey = typeof raw === 'string' ? raw.trim() : '';
  if (!apiKey) {
    return { error: { code: 'BAD_USER_INPUT', field: 'apiKey', message: 'Enter your API key.' } };
  }
  if (apiKey.length > MAX_KEY_LENGTH || /\s/.test(apiKey)) {
    return {
      error: { code: 'BAD_USER_INPUT', field: 'apiKey', message: 'That does not look like an API key.' },
    };
  }
  return { apiKey };
}

function isPublicPath(pathname: string): boolean {
  return pathname === SIGN_IN_PATH || pathname.startsWith('/api/');
}

/**
 * Where a page request should go instead, or null to serve it: signed-out visitors to the sign-in
 * page (remembering where they were headed), signed-in ones away from it. API routes answer 401
 * themselves, as a redirect would be read as a GraphQL response.
 */
export function sessionRedirect(pathname: string, search: string, signedIn: boolean): string | null {
  if (pathname === '/') return signedIn ? HOME_PATH : SIGN_IN_PATH;
  if (pathname === SIGN_IN_PATH) return signedIn ? HOME_PATH : null;
  if (signedIn || isPublicPath(pathname)) return null;
  return `${SIGN_IN_PATH}?next=${encodeURIComponent(pathname + search)}`;
}

/** Only same-site paths may be a post-sign-in destination, so `?next=` cannot send people elsewhere. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return HOME_PATH;
  return next;
}

/** The request headers forwarded to the API: the body's type (JSON or multipart) and the key as bearer. */
export function upstreamHeaders(incoming: Headers, apiKey: string): Headers {
  const headers = new Headers({ authorization: `Bearer ${apiKey}` });
  for (const name of ['content-type', 'accept']) {
    const value = incoming.get(name);
    if (value) headers.set(name, value);
  }
  return headers;
}

/** A GraphQL-shaped error body, so the browser client parses proxy failures like API ones. */
export function graphqlErrorBody(
  code: string,
  message: string,
): { errors: { message: string; extensions: { code: string } }[] } {
  return { errors: [{ message, extensions: { code } }] };
}
