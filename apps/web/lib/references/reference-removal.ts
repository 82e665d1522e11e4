/** How the references panel names a reference and reads the API's answer to removing one. */
import { GraphQLRequestError } from '../graphql-client';

/** The description when there is one, else its size: used as the thumbnail's alt text and in button names. */
export function referenceName(reference: {
  description: string | null;
  width: number;
  height: number;
}): string {
  return reference.description ?? `Reference ${reference.width}×${reference.height}`;
}

/**
 * NOT_FOUND means the reference is gone already (removed in another tab, or its project deleted): the panel
 * drops it as if this removal had worked, instead of offering to try again.
 */
export function isAlreadyRemoved(error: unknown): boolean {
  return error instanceof GraphQLRequestError && error.code === 'NOT_FOUND';
}
