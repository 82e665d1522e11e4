'use client';

import { useCallback, useEffect, useState } from 'react';
import { type DisplayError, toDisplayError } from '../components/ErrorMessage';

export interface Page<T> {
  items: T[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/**
 * A Relay connection read a page at a time: the first page on mount (and again whenever `fetchPage` changes, e.g.
 * a new filter), further pages appended by `more`. `fetchPage` resolving null means the parent is gone.
 */
export function usePagedList<T>(fetchPage: (after: string | null) => Promise<Page<T> | null>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await fetchPage(after);
        if (!page) {
          setError({ code: 'NOT_FOUND', message: 'This project does not exist.' });
          return;
        }
        setItems((current) => (after ? [...(current ?? []), ...page.items] : page.items));
        setCursor(page.endCursor);
        setHasMore(page.hasNextPage);
      } catch (e) {
        setError(toDisplayError(e));
      } finally {
        setLoading(false);
      }
    },
    [fetchPage],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return {
    items,
    hasMore,
    loading,
    error,
    setError,
    refresh: () => void load(null),
    more: () => void load(cursor),
  };
}
