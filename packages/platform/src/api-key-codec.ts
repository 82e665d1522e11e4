import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Keys look like `pk_<prefix>_<secret>`: the prefix finds the row, the SHA-256 of the whole key checks it. */
const FORMAT = /^pk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  key: string;
  prefix: string;
  secretHash: string;
}

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function generateApiKey(): NewApiKey {
  const prefix = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const key = `pk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, secretHash: hashApiKey(key) };
}

export function parseApiKey(key: string): { prefix: string } | null {
  const match = FORMAT.exec(key);
  return match ? { prefix: match[1]! } : null;
}

export function apiKeyMatches(key: string, secretHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(secretHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
