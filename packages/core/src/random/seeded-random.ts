import { PakatiError } from '../errors.ts';

export interface SeededRandom {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, maxInclusive]. */
  int(min: number, maxInclusive: number): number;
}

export const MAX_SEED = 0xffffffff;

/**
 * mulberry32: tiny, fast and good enough for visuals. Only 32-bit integer ops (Math.imul, shifts), so the
 * sequence is identical in every JS engine, which is what makes seeds reproducible across server and browser.
 */
export function createRandom(seed: number): SeededRandom {
  if (!Number.isFinite(seed)) {
    throw new PakatiError('BAD_USER_INPUT', 'A random seed must be a finite number', { seed });
  }
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, maxInclusive: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(maxInclusive) || maxInclusive < min) {
      throw new PakatiError('BAD_USER_INPUT', 'int(min, max) needs integers with min <= max', {
        min,
        maxInclusive,
      });
    }
    return min + Math.floor(next() * (maxInclusive - min + 1));
  };
  return { next, int };
}

/**
 * FNV-1a over the UTF-8 bytes (so the hash matches other languages hashing the same text), followed by the
 * murmur3 finalizer because plain FNV-1a leaves the low bits of short strings poorly mixed.
 */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  const feed = (byte: number): void => {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  };
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      feed(code);
    } else if (code < 0x800) {
      feed(0xc0 | (code >> 6));
      feed(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      feed(0xe0 | (code >> 12));
      feed(0x80 | ((code >> 6) & 0x3f));
      feed(0x80 | (code & 0x3f));
    } else {
      feed(0xf0 | (code >> 18));
      feed(0x80 | ((code >> 12) & 0x3f));
      feed(0x80 | ((code >> 6) & 0x3f));
      feed(0x80 | (code & 0x3f));
    }
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * Turns an optional user seed into an unsigned 32-bit integer. A missing seed draws from `fallback` (the
 * caller decides where entropy comes from, keeping this module free of Math.random); a given seed must
 * already be valid rather than silently wrapped, so the stored seed always reproduces what the user asked.
 */
export function normalizeSeed(seed: number | null | undefined, fallback: () => number): number {
  if (seed == null) {
    const drawn = Math.floor(fallback());
    return Number.isFinite(drawn) ? drawn >>> 0 : 0;
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new PakatiError('BAD_USER_INPUT', `Seed must be an integer between 0 and ${MAX_SEED}`, { seed });
  }
  return seed;
}
