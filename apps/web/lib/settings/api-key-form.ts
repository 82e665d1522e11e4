import { GraphQLRequestError } from '../graphql-client';

/** The API's limit (IdentityService); checked here first so the message appears without a round trip. */
export const MAX_API_KEY_NAME = 100;

export function validateApiKeyName(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'Give the key a name, e.g. where it will be used.';
  if (trimmed.length > MAX_API_KEY_NAME) return `Keep the name to ${MAX_API_KEY_NAME} characters.`;
  return null;
}

/** The message for the name field when the API refused the name, with its code; null for other errors. */
export function apiKeyNameError(error: unknown): string | null {
  if (!(error instanceof GraphQLRequestError)) return null;
  const entry = error.errors.find((e) => e.code === 'BAD_USER_INPUT' && e.extensions.field === 'name');
  return entry ? `${entry.message} (${entry.code})` : null;
}

/** How a key reads in the list: only its prefix is ever known again, never the secret after it. */
export function maskedKey(prefix: string): string {
  return `pk_${prefix}_…`;
}

export type ApiKeyState = 'active' | 'revoked';

export function apiKeyState(key: { revokedAt: string | null }): ApiKeyState {
  return key.revokedAt ? 'revoked' : 'active';
}

/** What the revoke confirmation warns about: the caller's own key signs them out. */
export function revokeWarning(key: { name: string; current: boolean }): string {
  return key.current
    ? `“${key.name}” is the key you are signed in with: revoking it signs you out of this browser, and every program using it stops working.`
    : `Every program using “${key.name}” stops working at once. This cannot be undone.`;
}
