import { describe, expect, it } from 'vitest';
import { createRandom, hashString, normalizeSeed, PakatiError } from '../src/index.ts';

describe('createRandom', () => {
  it('is deterministic per seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    const seqB = Array.from({ length: 20 }, () => b.next());
    const seqC = Array.from({ length: 20 }, () => c.next());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('matches the reference mulberry32 sequence', () => {
    // First output of mulberry32(0), computed independently.
    expect(createRandom(0).next()).toBeCloseTo(0.26642920868471265, 15);
  });

  it('stays in range and covers it', () => {
    const random = createRandom(7);
    let min = 1;
    let max = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const v = random.next();
      min = Math.min(min, v);
      max = Math.max(max, v);
      seen.add(random.int(-3, 3));
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(min).toBeLessThan(0.01);
    expect(max).toBeLessThan(1);
    expect(max).toBeGreaterThan(0.99);
    expect([...seen].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  });
});

describe('hashString', () => {
  it('is a stable unsigned 32-bit hash', () => {
    const h = hashString('a red sunset');
    expect(h).toBe(hashString('a red sunset'));
    expect(Number.isInteger(h)).toBe(true);
    expect(h).toBeGreaterThanOrEqual(0);
    expect(h).toBeLessThanOrEqual(0xffffffff);
    expect(hashString('a red sunset')).not.toBe(hashString('a red sunsets'));
    expect(hashString('')).not.toBe(hashString(' '));
    // Non-ASCII text hashes by its UTF-8 bytes.
    expect(hashString('é')).not.toBe(hashString('e'));
    expect(hashString('🌅')).toBe(hashString('🌅'));
  });
});

describe('normalizeSeed', () => {
  it('keeps valid seeds and draws missing ones from the fallback', () => {
    expect(normalizeSeed(0, () => 5)).toBe(0);
    expect(normalizeSeed(0xffffffff, () => 5)).toBe(0xffffffff);
    expect(normalizeSeed(null, () => 5)).toBe(5);
    expect(normalizeSeed(undefined, () => 2 ** 32 + 7.9)).toBe(7);
    const drawn = normalizeSeed(undefined, () => Math.random() * 2 ** 32);
    expect(Number.isInteger(drawn) && drawn >= 0 && drawn <= 0xffffffff).toBe(true);
  });

  it('rejects invalid given seeds', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => normalizeSeed(bad, () => 0)).toThrow(PakatiError);
      try {
        normalizeSeed(bad, () => 0);
      } catch (error) {
        expect((error as PakatiError).code).toBe('BAD_USER_INPUT');
      }
    }
  });
});
