import { createPakatiClient, type PakatiClient } from '@pakati/client';
import { UsageError } from './cli-errors.ts';
import type { Flags } from './cli-options.ts';

export const DEFAULT_API_URL = 'http://127.0.0.1:4000/graphql';

/** Flags win over the environment; the key has no default. */
export function apiClientFrom(flags: Flags, env: NodeJS.ProcessEnv): PakatiClient {
  const apiKey = flags['api-key'] ?? env.PAKATI_API_KEY;
  if (!apiKey) throw new UsageError('an API key is needed: pass --api-key or set PAKATI_API_KEY');
  const url = flags.url ?? env.PAKATI_API_URL ?? DEFAULT_API_URL;
  if (!URL.canParse(url)) throw new UsageError(`not a URL: "${url}" (--url or PAKATI_API_URL)`);
  return createPakatiClient({ url, apiKey });
}
