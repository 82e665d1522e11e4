'use client';

import { useEffect, useState } from 'react';
import { gqlRequest } from './api';
import { ViewerQuery } from './viewer';

/**
 * The signed-in organization's name for the header, asked of the API whenever the visitor signs in; null while
 * signed out, loading, or when the API cannot say (the header then simply shows no name).
 */
export function useOrganizationName(signedIn: boolean): string | null {
  const [name, setName] = useState<string | null>(null);

  useEffect(() => {
    setName(null);
    if (!signedIn) return;
    const controller = new AbortController();
    gqlRequest(ViewerQuery, {}, { signal: controller.signal })
      .then((data) => setName(data.viewer.organization.name))
      .catch(() => {
        // Pages report a lost session themselves; the header only leaves the name out.
      });
    return () => controller.abort();
  }, [signedIn]);

  return name;
}
