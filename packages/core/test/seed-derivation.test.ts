import { describe, expect, it } from 'vitest';
import { deriveSeed, MAX_SEED, PakatiError } from '../src/index.ts';

function popcount(v: number): number {
  let x = v >>> 0;
  let count = 0;
  while (x !== 0) {
    x &= x - 1;
    count++;
  }
  return count;
}

describe('deriveSeed', () => {
  it('is deterministic and an unsigned 32-bit integer', () => {
    const a = deriveSeed(1234, 'region-a', 2);
    expect(deriveSeed(1234, 'region-a', 2)).toBe(a);
    for (const seed of [0, 1, 1234, MAX_SEED]) {
      const derived = deriveSeed(seed, 'x', 0);
      expect(Number.isInteger(derived)).toBe(true);
      expect(derived).toBeGreaterThanOrEqual(0);
      expect(derived).toBeLessThanOrEqual(MAX_SEED);
    }
  });

  it('changes with the run seed, every part, their order and their types', () => {
    const base = deriveSeed(1234, 'region-a', 2);
    const variants = [
      deriveSeed(1235, 'region-a', 2),
      deriveSeed(1234, 'region-b', 2),
      deriveSeed(1234, 'region-a', 3),
      deriveSeed(1234, 2, 'region-a'),
      deriveSeed(1234, 'region-a', '2'),
      deriveSeed(1234, 'region-a'),
      deriveSeed(1234, 'region-a', 2, ''),
      deriveSeed(1234, 'region-a', 2.5),
      deriveSeed(1234, 'region-a', 2 + 2 ** 32),
      deriveSeed(1234),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    // Concatenation must not collide: ('ab', 'c') and ('a', 'bc') are different identifiers.
    expect(deriveSeed(1, 'ab', 'c')).not.toBe(deriveSeed(1, 'a', 'bc'));
  });

  it('spreads sequential identifiers over the whole range with balanced bits', () => {
    const count = 20_000;
    const seeds = Array.from({ length: count }, (_, i) => deriveSeed(42, `region-${i}`));
    expect(new Set(seeds).size).toBeGreaterThanOrEqual(count - 1);
    for (let bit = 0; bit < 32; bit++) {
      const ones = seeds.filter((s) => (s >>> bit) & 1).length;
      expect(ones / count).toBeGreaterThan(0.47);
      expect(ones / count).toBeLessThan(0.53);
    }
    const passes = Array.from({ length: count }, (_, pass) => deriveSeed(42, 'region-0', pass));
    expect(new Set(passes).size).toBeGreaterThanOrEqual(count - 1);
  });

  it('avalanches: one flipped input bit changes about half the output bits', () => {
    let total = 0;
    let samples = 0;
    for (let seed = 0; seed < 500; seed++) {
      const base = deriveSeed(seed * 7919, 'r', 1);
      for (let bit = 0; bit < 32; bit++) {
        const flipped = ((seed * 7919) ^ (1 << bit)) >>> 0;
        total += popcount(base ^ deriveSeed(flipped, 'r', 1));
        samples++;
      }
    }
    const mean = total / samples;
    expect(mean).toBeGreaterThan(15);
    expect(mean).toBeLessThan(17);
  });

  it('rejects invalid run seeds and parts', () => {
    expect(() => deriveSeed(-1)).toThrow(PakatiError);
    expect(() => deriveSeed(1.5)).toThrow(PakatiError);
    expect(() => deriveSeed(MAX_SEED + 1)).toThrow(PakatiError);
    expect(() => deriveSeed(1, Number.NaN)).toThrow(PakatiError);
    expect(() => deriveSeed(1, Number.POSITIVE_INFINITY)).toThrow(PakatiError);
    expect(() => deriveSeed(1, null as unknown as string)).toThrow(PakatiError);
  });
});
