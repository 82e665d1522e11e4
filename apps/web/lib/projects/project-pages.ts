/**
 * Paging through `projects(first, after)`: Relay connections only go forward, so the list keeps the
 * cursors of the pages it has seen to go back.
 */
export const PAGE_SIZE = 20;

export interface PageCursor {
  /** `after` of the page on screen (null: the first page). */
  after: string | null;
  /** `after` of every earlier page, oldest first. */
  previous: (string | null)[];
}

export const FIRST_PAGE: PageCursor = { after: null, previous: [] };

export function nextPage(current: PageCursor, endCursor: string | null): PageCursor {
  if (endCursor === null) return current;
  return { after: endCursor, previous: [...current.previous, current.after] };
}

export function previousPage(current: PageCursor): PageCursor {
  if (current.previous.length === 0) return current;
  return { after: current.previous.at(-1) ?? null, previous: current.previous.slice(0, -1) };
}

export function pageNumber(current: PageCursor): number {
  return current.previous.length + 1;
}

/**
 * The page to show after a delete: the same one, unless it was the last project on a later page,
 * which would leave an empty page on screen.
 */
export function pageAfterDelete(current: PageCursor, remainingOnPage: number): PageCursor {
  return remainingOnPage === 0 ? previousPage(current) : current;
}
