import { readFile } from 'node:fs/promises';
import { parseDevKeyFile, resolveApiUrl } from './config';

/** Server-only: where the API is, read per request so one build works in every environment. */
export function serverApiUrl(): string {
  return resolveApiUrl({
    PAKATI_API_URL: process.env.PAKATI_API_URL,
    NEXT_PUBLIC_PAKATI_API_URL: process.env.NEXT_PUBLIC_PAKATI_API_URL,
  });
}

/**
 * The API URL the browser uses (subscriptions go to the API directly): `PAKATI_PUBLIC_API_URL` when
 * the server reaches the API under another name than browsers do, else the server's own URL.
 */
export function browserApiUrl(): string {
  return process.env.PAKATI_PUBLIC_API_URL?.trim() || serverApiUrl();
}

/**
 * Server-only, for local development: the API key in the file named by `PAKATI_WEB_DEV_KEY_FILE`,
 * or null when the variable is unset or the file is missing/unreadable/empty.
 */
export async function readDevApiKey(): Promise<string | null> {
  const file = process.env.PAKATI_WEB_DEV_KEY_FILE?.trim();
  if (!file) return null;
  try {
    return parseDevKeyFile(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}
