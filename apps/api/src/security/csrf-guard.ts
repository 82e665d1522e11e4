import { PakatiError } from '@pakati/core';

/** Any of these marks a request a browser would have had to preflight. */
export const PREFLIGHT_HEADERS = ['x-pakati-csrf', 'graphql-require-preflight', 'apollo-require-preflight'];

const SIMPLE_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'];

/**
 * CSRF prevention in the manner of Apollo Server's: a request a browser may send cross-site without a preflight
 * (a GET, or a POST with a form or text content type) must carry a preflight header. Our keys travel in the
 * Authorization header, which already forces a preflight; this closes the door for any cookie that might ever
 * ride along, and for uploads (multipart) in particular.
 */
export function assertNotCrossSiteSimpleRequest(request: Request): void {
  const contentType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const simple = request.method === 'GET' || contentType === '' || SIMPLE_CONTENT_TYPES.includes(contentType);
  if (!simple) return;
  if (PREFLIGHT_HEADERS.some((h) => (request.headers.get(h) ?? '').length > 0)) return;
  throw new PakatiError(
    'BAD_USER_INPUT',
    `this request could have been sent by another site: send a non-empty ${PREFLIGHT_HEADERS[0]} header with GET, form and multipart requests`,
    { reason: 'CSRF_PREFLIGHT_REQUIRED' },
  );
}
