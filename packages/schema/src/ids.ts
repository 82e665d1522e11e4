import { PakatiError } from '@pakati/core';

/** A global id of the wrong type is answered like an unknown one: NOT_FOUND, nothing revealed. */
export function expectType(id: { typename: string; id: string }, typename: string): string {
  if (id.typename !== typename) throw new PakatiError('NOT_FOUND', `${typename.toLowerCase()} not found`);
  return id.id;
}
