import { PakatiError } from '../errors.ts';
import { MAX_SEED } from './seeded-random.ts';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
// Keeps deriveSeed(s) from ever equalling a plain murmur3 of the same words computed elsewhere.
const DOMAIN = 0x70616b61;

// Type tags make 'a' vs 1 vs 1.5 distinct word streams even when their payload words coincide.
const TAG_STRING = 1;
const TAG_INTEGER = 2;
const TAG_FLOAT = 3;

const TWO_POW_32 = 4294967296;

/** One murmur3_32 block step: the order of absorbed words matters, so ('a', 'b') differs from ('b', 'a'). */
function absorb(hash: number, word: number): number {
  let k = Math.imul(word | 0, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  let h = hash ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finalizer: every input bit affects every output bit with probability close to 1/2. */
function fmix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Allocated once; DataView with explicit little-endian makes float bits independent of the platform.
const floatView = new DataView(new ArrayBuffer(8));

/**
 * A deterministic unsigned 32-bit seed for one region, pass or step, derived from the run seed and stable
 * identifiers (region id, pass number, ...). Runs replay exactly from the run seed alone, while every region
 * gets its own unrelated stream: changing any part, its position, or the run seed scrambles all output bits.
 * Only 32-bit integer math is used, so every JS engine (server or browser) derives the same seeds.
 */
export function deriveSeed(runSeed: number, ...parts: (string | number)[]): number {
  if (!Number.isInteger(runSeed) || runSeed < 0 || runSeed > MAX_SEED) {
    throw new PakatiError('BAD_USER_INPUT', `Run seed must be an integer between 0 and ${MAX_SEED}`, {
      seed: runSeed,
    });
  }
  let hash = absorb(DOMAIN, runSeed);
  let words = 1;
  const feed = (word: number): void => {
    hash = absorb(hash, word);
    words++;
  };
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index];
    if (typeof part === 'string') {
      feed(TAG_STRING);
      feed(part.length);
      // UTF-16 code units are exact and cheap; ids are compared as JS strings anyway.
      for (let i = 0; i < part.length; i++) feed(part.charCodeAt(i));
    } else if (typeof part === 'number' && Number.isFinite(part)) {
      if (Number.isSafeInteger(part)) {
        feed(TAG_INTEGER);
        feed(part >>> 0);
        feed(Math.floor(part / TWO_POW_32) | 0);
      } else {
        floatView.setFloat64(0, part, true);
        feed(TAG_FLOAT);
        feed(floatView.getUint32(0, true));
        feed(floatView.getUint32(4, true));
      }
    } else {
      throw new PakatiError('BAD_USER_INPUT', `Seed part ${index} must be a string or a finite number`, {
        index,
        part: String(part),
      });
    }
  }
  return fmix32(hash ^ words);
}
