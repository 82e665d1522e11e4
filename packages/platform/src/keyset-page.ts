import { PakatiError } from '@pakati/core';

export interface PageQuery {
  after?: string | null;
  before?: string | null;
  limit: number;
  inverted: boolean;
}

interface Keyed {
  id: string;
  createdAt: Date;
}

/** Cursor = createdAt millis + id: stable while rows are added, unlike offsets. */
export const keysetCursor = (row: Keyed) => `${row.createdAt.getTime()}:${row.id}`;

function decode(cursor: string): { at: Date; id: string } {
  const [ms, id] = cursor.split(':');
  const at = new Date(Number(ms));
  if (!id || Number.isNaN(at.getTime())) throw new PakatiError('BAD_USER_INPUT', 'invalid cursor');
  return { at, id };
}

/** Newest-first keyset filter and order for Relay connections; `inverted` walks backwards from `before`. */
export function keysetQuery(page: PageQuery) {
  const direction = page.inverted ? ('asc' as const) : ('desc' as const);
  const bounds: Record<string, unknown>[] = [];
  if (page.after) {
    const c = decode(page.after);
    bounds.push({ $or: [{ createdAt: { $lt: c.at } }, { createdAt: c.at, id: { $lt: c.id } }] });
  }
  if (page.before) {
    const c = decode(page.before);
    bounds.push({ $or: [{ createdAt: { $gt: c.at } }, { createdAt: c.at, id: { $gt: c.id } }] });
  }
  return {
    where: bounds.length ? { $and: bounds } : {},
    options: { orderBy: { createdAt: direction, id: direction }, limit: page.limit },
  };
}
