import { type NextRequest, NextResponse } from 'next/server';
import { SESSION_COOKIE, sessionRedirect } from './lib/session';

/** Sends signed-out visitors to /sign-in before any page renders (an optimistic check: the API decides). */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const target = sessionRedirect(pathname, search, request.cookies.has(SESSION_COOKIE));
  return target ? NextResponse.redirect(new URL(target, request.url)) : NextResponse.next();
}

export const config = {
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};
