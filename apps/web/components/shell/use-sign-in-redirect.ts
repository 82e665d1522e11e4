'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useCallback } from 'react';
import { isUnauthenticated } from '../../lib/graphql-client';
import { SIGN_IN_PATH } from '../../lib/session';

/**
 * Returns a handler for failed requests: when the session is gone (signed out elsewhere, key
 * revoked) it sends the visitor to sign-in, coming back here afterwards, and answers true; for any
 * other error it answers false so the caller shows it.
 */
export function useSignInRedirect(): (error: unknown) => boolean {
  const router = useRouter();
  const pathname = usePathname();
  return useCallback(
    (error: unknown) => {
      if (!isUnauthenticated(error)) return false;
      router.replace(`${SIGN_IN_PATH}?next=${encodeURIComponent(pathname)}`);
      router.refresh();
      return true;
    },
    [router, pathname],
  );
}
