import type { IncomingHttpHeaders } from 'node:http';

/** The httpOnly cookie the web app (apps/web) sets on sign-in; it holds the API key. */
export const SESSION_COOKIE = 'pakati_session';

/**
 * The API key from the web app's session cookie on a WebSocket handshake, or null. Browsers cannot
 * put headers on a WebSocket, so subscriptions from the web app authenticate with the cookie; only
 * from an allowed origin, because a browser attaches cookies to sockets opened by any page
 * (cross-site WebSocket hijacking).
 */
export function sessionKeyFromHandshake(
  headers: IncomingHttpHeaders,
  allowedOrigins: readonly string[],
): string | null {
  const origin = headers.origin;
  if (!origin || !allowedOrigins.includes(origin)) return null;
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value) || null;
    } catch {
      return null;
    }
  }
  return null;
}
