export const DEFAULT_API_URL = 'http://127.0.0.1:4000/graphql';

/**
 * The GraphQL endpoint: `PAKATI_API_URL` at runtime wins, then `NEXT_PUBLIC_PAKATI_API_URL`
 * (inlined at build time), then the local default. Blank values are ignored.
 */
export function resolveApiUrl(env: {
  PAKATI_API_URL?: string | undefined;
  NEXT_PUBLIC_PAKATI_API_URL?: string | undefined;
}): string {
  const runtime = env.PAKATI_API_URL?.trim();
  if (runtime) return runtime;
  const buildTime = env.NEXT_PUBLIC_PAKATI_API_URL?.trim();
  if (buildTime) return buildTime;
  return DEFAULT_API_URL;
}

/** The dev key file holds the key itself: the first non-empty line that is not a `#` comment. */
export function parseDevKeyFile(contents: string): string | null {
  for (const rawLine of contents.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line && !line.startsWith('#')) return line;
  }
  return null;
}
