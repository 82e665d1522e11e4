import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  apiKeyMatches,
  bearerToken,
  FileBlobStore,
  generateApiKey,
  keysetCursor,
  keysetQuery,
  loadConfig,
  parseApiKey,
  UrlSigner,
} from '../src/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pakati-blobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('API keys', () => {
  it('round-trips: the prefix is visible, only the hash is needed to check', () => {
    const key = generateApiKey();
    expect(key.key.startsWith(`pk_${key.prefix}_`)).toBe(true);
    expect(key.secretHash).not.toContain(key.key);
    expect(parseApiKey(key.key)).toEqual({ prefix: key.prefix });
    expect(apiKeyMatches(key.key, key.secretHash)).toBe(true);
    expect(apiKeyMatches(`${key.key.slice(0, -1)}x`, key.secretHash)).toBe(false);
    expect(parseApiKey('pk_short_x')).toBeNull();
  });

  it('reads bearer tokens strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('signed image URLs', () => {
  const signer = new UrlSigner('s'.repeat(40), 60);
  const key = 'a'.repeat(64);
  it('verify until they expire, and only for the key they were made for', () => {
    const now = Date.UTC(2026, 0, 1);
    const { expires, signature } = signer.sign(key, now);
    expect(signer.verify(key, expires, signature, now)).toBe(true);
    expect(signer.verify('b'.repeat(64), expires, signature, now)).toBe(false);
    expect(signer.verify(key, expires + 1, signature, now)).toBe(false);
    expect(signer.verify(key, expires, signature, now + 61_000)).toBe(false);
    expect(new UrlSigner('t'.repeat(40), 60).verify(key, expires, signature, now)).toBe(false);
  });
});

describe('content-addressed blob store', () => {
  it('stores bytes under their SHA-256 and returns them; writing twice is a no-op', async () => {
    const store = new FileBlobStore(dir);
    const bytes = Buffer.from('pakati');
    const a = await store.put(bytes);
    const b = await store.put(bytes);
    expect(a).toEqual(b);
    expect(a.key).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(a.key).toMatch(/^[a-f0-9]{64}$/);
    expect((await store.get(a.key))?.equals(bytes)).toBe(true);
    expect(await store.get('0'.repeat(64))).toBeNull();
    expect(await store.get('../../etc/passwd')).toBeNull();
  });
});

describe('keyset pagination', () => {
  it('encodes cursors that filter strictly after the row, newest first', () => {
    const row = { id: 'b', createdAt: new Date(1000) };
    const cursor = keysetCursor(row);
    const { where, options } = keysetQuery({ after: cursor, limit: 5, inverted: false });
    expect(options).toEqual({ orderBy: { createdAt: 'desc', id: 'desc' }, limit: 5 });
    expect(where).toEqual({
      $and: [
        { $or: [{ createdAt: { $lt: new Date(1000) } }, { createdAt: new Date(1000), id: { $lt: 'b' } }] },
      ],
    });
    expect(() => keysetQuery({ after: 'garbage', limit: 5, inverted: false })).toThrow(/invalid cursor/);
  });
});

describe('configuration', () => {
  it('lists every problem at once and requires a signing secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PAKATI_API_PORT: 'x' })).toThrow(
      /DATABASE_URL[\s\S]*REDIS_URL[\s\S]*PAKATI_API_PORT|PAKATI_URL_SIGNING_SECRET/,
    );
    const config = loadConfig({
      DATABASE_URL: 'postgres://x',
      REDIS_URL: 'redis://x',
      PAKATI_MAX_REGIONS: '3',
    });
    expect(config.limits.canvas.maxRegions).toBe(3);
    expect(config.api.port).toBe(4000);
  });
});
