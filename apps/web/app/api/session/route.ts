import { cookies } from 'next/headers';
import { NextResponse } from 'next/server';
import { gqlRequest } from '../../../lib/api';
import { authorizationHeader, GraphQLRequestError } from '../../../lib/graphql-client';
import { serverApiUrl } from '../../../lib/server-config';
import { parseSignIn, SESSION_COOKIE, type SessionError, sessionCookieOptions } from '../../../lib/session';
import { ViewerQuery } from '../../../lib/viewer';
import { CreateWebSessionMutation } from '../../../lib/web-session';

function refuse(status: number, error: SessionError) {
  return NextResponse.json({ error }, { status });
}

/**
 * Sign-in: checks the key against the API and trades it for a signed session token, which the httpOnly cookie
 * keeps; the key itself is never stored in the browser.
 */
export async function POST(request: Request) {
  let body: unknown = null;
  try {
    body = await request.json();
  } catch {
    body = null;
  }
  const parsed = parseSignIn(body);
  if ('error' in parsed) return refuse(400, parsed.error);

  try {
    const options = { endpoint: serverApiUrl(), authorization: authorizationHeader(parsed.apiKey) };
    const data = await gqlRequest(ViewerQuery, {}, options);
    const session = await gqlRequest(CreateWebSessionMutation, {}, options);
    const { token, expiresAt } = session.createWebSession;
    (await cookies()).set(SESSION_COOKIE, token, sessionCookieOptions(request, new Date(expiresAt)));
    return NextResponse.json({ organization: data.viewer.organization });
  } catch (error) {
    if (error instanceof GraphQLRequestError && error.code === 'UNAUTHENTICATED') {
      return refuse(401, {
        code: 'UNAUTHENTICATED',
        field: 'apiKey',
        message: 'The API did not accept that key.',
      });
    }
    if (error instanceof GraphQLRequestError && error.code === 'NETWORK_ERROR') {
      return refuse(502, {
        code: 'NETWORK_ERROR',
        message: 'The Pakati API cannot be reached. Try again shortly.',
      });
    }
    const detail = error instanceof Error ? error.message : String(error);
    return refuse(502, { code: 'UPSTREAM_ERROR', message: `The API could not check the key (${detail}).` });
  }
}

/** Sign-out. */
export async function DELETE() {
  (await cookies()).delete(SESSION_COOKIE);
  return new NextResponse(null, { status: 204 });
}
