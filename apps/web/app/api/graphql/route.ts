import { cookies } from 'next/headers';
import { NextResponse } from 'next/server';
import { serverApiUrl } from '../../../lib/server-config';
import { graphqlErrorBody, isCrossSiteRequest, SESSION_COOKIE, upstreamHeaders } from '../../../lib/session';

/**
 * Forwards GraphQL (JSON and multipart uploads alike, streamed as they come) to the API with the
 * session cookie's signed token as bearer, so neither it nor the key reaches page scripts.
 */
export async function POST(request: Request) {
  if (isCrossSiteRequest(request.headers)) {
    return NextResponse.json(graphqlErrorBody('FORBIDDEN', 'Cross-site requests are refused.'), {
      status: 403,
    });
  }
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (!token) {
    return NextResponse.json(graphqlErrorBody('UNAUTHENTICATED', 'Sign in first.'), { status: 401 });
  }

  let upstream: Response;
  try {
    upstream = await fetch(serverApiUrl(), {
      method: 'POST',
      headers: upstreamHeaders(request.headers, token),
      body: request.body,
      // Required by Node's fetch to send a streamed body.
      duplex: 'half',
      cache: 'no-store',
    } as RequestInit & { duplex: 'half' });
  } catch {
    return NextResponse.json(
      graphqlErrorBody('NETWORK_ERROR', 'The Pakati API cannot be reached. Try again shortly.'),
      { status: 502 },
    );
  }

  // A session expired, or its key revoked, since sign-in: drop the cookie so the next page load goes to sign-in.
  if (upstream.status === 401) jar.delete(SESSION_COOKIE);
  return new Response(upstream.body, {
    status: upstream.status,
    headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' },
  });
}
