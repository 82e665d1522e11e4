/**
 * Pure rules of the web session: the httpOnly cookie that carries the signed session token, what sign-in accepts,
 * where signed-out visitors go. The route handlers and proxy.ts apply them.
 */

/** Also read by the API on WebSocket handshakes (apps/api/src/web-session.ts): keep the names equal. */
export const SESSION_COOKIE = 'pakati_session';

export const SIGN_IN_PATH = '/sign-in';
export const HOME_PATH = '/projects';

export interface SessionCookieOptions {
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
  path: '/';
  maxAge: number;
}

/**
 * httpOnly keeps the session token away from page scripts; SameSite=Strict keeps other sites from riding on it; Secure
 * whenever the browser reached us over https (directly or through a proxy that says so), so sign-in still works
 * over plain http on 127.0.0.1, as `bin/pakati up` serves it.
 */
export function sessionCookieOptions(
  request: { url: string; headers: Headers },
  expiresAt: Date,
  now = Date.now(),
): SessionCookieOptions {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: (forwarded ?? new URL(request.url).protocol.replace(':', '')) === 'https',
    path: '/',
    // The cookie lives as long as the session token it holds, which the API signed with its expiry.
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - now) / 1000)),
  };
}

/** A browser marks requests another site made it send; the proxy refuses those whatever cookie they carry. */
export function isCrossSiteRequest(headers: Headers): boolean {
  const site = headers.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
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

/**
 * The request headers forwarded to the API: the body's type (JSON or multipart), the session token as bearer, and
 * the API's CSRF preflight header: the proxy itself refuses cross-site requests, so what it forwards is same-site.
 */
export function upstreamHeaders(incoming: Headers, sessionToken: string): Headers {
  const headers = new Headers({ authorization: `Bearer ${sessionToken}`, 'x-pakati-csrf': '1' });
  for (const name of ['content-type', 'accept', 'x-request-id']) {
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
