import type { IncomingMessage } from 'node:http';
import { isPakatiError, type PakatiError } from '@pakati/core';
import { bearerToken, clientAddress, type Platform, type Principal } from '@pakati/platform';
import { GraphQLError } from 'graphql';
import { unauthenticated } from '../error-masking.ts';
import { assertNotCrossSiteSimpleRequest } from './csrf-guard.ts';

const HTTP_STATUS: Partial<Record<PakatiError['code'], number>> = {
  BAD_USER_INPUT: 400,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
};

/** A refusal before execution, as a GraphQL error with the HTTP status (and Retry-After) a client expects. */
export function requestRefusal(error: PakatiError): GraphQLError {
  const retryAfter = typeof error.details.retryAfter === 'number' ? error.details.retryAfter : null;
  return new GraphQLError(error.message, {
    extensions: {
      code: error.code,
      ...error.details,
      http: {
        status: HTTP_STATUS[error.code] ?? 400,
        ...(retryAfter ? { headers: { 'Retry-After': String(retryAfter) } } : {}),
      },
    },
  });
}

/** The client's address, through the trusted proxies (`PAKATI_TRUSTED_PROXIES`). */
export const requestAddress = (platform: Platform, req: IncomingMessage | undefined) =>
  clientAddress(req?.socket.remoteAddress, req?.headers['x-forwarded-for'], platform.config.trustedProxies);

/**
 * Who sent the request, with the checks that come before any resolver: the CSRF guard, the failed sign-in limit
 * per address (checked before the key is, so guessing is slow), and the per-key requests-per-minute quota.
 */
export async function authenticateToken(
  platform: Platform,
  token: string | null,
  address: string,
  options: { countRequest: boolean } = { countRequest: true },
): Promise<Principal> {
  try {
    await platform.quotas.assertSignInAllowed(address);
    const principal = token ? await platform.identity.authenticate(token) : null;
    if (!principal) {
      if (token) await platform.quotas.recordSignInFailure(address);
      throw unauthenticated();
    }
    if (options.countRequest) await platform.quotas.consumeRequest(principal.apiKeyId, principal.tier);
    return principal;
  } catch (error) {
    throw isPakatiError(error) ? requestRefusal(error) : error;
  }
}

export async function authenticateHttpRequest(
  platform: Platform,
  request: Request,
  req: IncomingMessage | undefined,
): Promise<Principal> {
  try {
    assertNotCrossSiteSimpleRequest(request);
  } catch (error) {
    throw isPakatiError(error) ? requestRefusal(error) : error;
  }
  return authenticateToken(
    platform,
    bearerToken(request.headers.get('authorization')),
    requestAddress(platform, req),
  );
}
