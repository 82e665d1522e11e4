import { describe, expect, it } from 'vitest';
import type { MaskImage } from '../src/backends/raster.ts';
import { isPakatiError } from '../src/errors.ts';
import '../src/understanding/builtin-masking-strategies.ts';
import {
  hiddenFraction,
  MASKING_STRATEGIES,
  type MaskingStrategy,
  maskingStrategy,
} from '../src/understanding/masking-strategy.ts';

const DIFFICULTIES = [0.1, 0.3, 0.5, 0.7, 0.9];
const SIZES: [number, number][] = [
  [48, 48],
  [64, 40],
  [40, 72],
];
const SEEDS = [0, 1, 42, 123456789, 0xffffffff];
const BUILT_IN = ['center-out', 'edges', 'progressive-reveal', 'quadrants', 'random-patches', 'spiral'];

const strategies = (): MaskingStrategy[] => BUILT_IN.map((name) => maskingStrategy(name));

function at(mask: MaskImage, x: number, y: number): number {
  return mask.data[y * mask.width + x]!;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isPakatiError(error) ? error.code : 'NOT_A_PAKATI_ERROR';
  }
  return undefined;
}

describe('built-in masking strategies', () => {
  it('are all registered under their names', () => {
    for (const name of BUILT_IN) {
      expect(MASKING_STRATEGIES.get(name)?.name).toBe(name);
      expect(maskingStrategy(name).description.length).toBeGreaterThan(10);
    }
  });

  for (const name of BUILT_IN) {
    describe(name, () => {
      it('hides strictly more at every step of the difficulty ladder, for every size and seed', () => {
        const strategy = maskingStrategy(name);
        for (const [width, height] of SIZES) {
          for (const seed of SEEDS) {
            const fractions = DIFFICULTIES.map((d) => hiddenFraction(strategy.mask(width, height, d, seed)));
            for (let i = 1; i < fractions.length; i++) {
              expect(fractions[i], `${width}×${height} seed ${seed} d=${DIFFICULTIES[i]}`).toBeGreaterThan(
                fractions[i - 1]!,
              );
            }
            expect(fractions[0]).toBeGreaterThan(0);
          }
        }
      });

      it('nests: a harder mask contains every easier one for the same seed', () => {
        const strategy = maskingStrategy(name);
        for (const seed of SEEDS) {
          const masks = DIFFICULTIES.map((d) => strategy.mask(64, 40, d, seed));
          for (let k = 1; k < masks.length; k++) {
            const easier = masks[k - 1]!.data;
            const harder = masks[k]!.data;
            for (let i = 0; i < easier.length; i++) {
              if (easier[i] === 1) expect(harder[i]).toBe(1);
            }
          }
        }
      });

      it('is deterministic and exactly binary, of the requested size', () => {
        const strategy = maskingStrategy(name);
        for (const d of [...DIFFICULTIES, 0, 1]) {
          const a = strategy.mask(64, 40, d, 7);
          const b = strategy.mask(64, 40, d, 7);
          expect(a.width).toBe(64);
          expect(a.height).toBe(40);
          expect(a.data).toBeInstanceOf(Float32Array);
          expect(a.data.length).toBe(64 * 40);
          expect(Array.from(a.data)).toEqual(Array.from(b.data));
          expect(a.data.every((v) => v === 0 || v === 1)).toBe(true);
        }
      });

      it('always leaves context visible, even at difficulty 1', () => {
        const strategy = maskingStrategy(name);
        for (const [width, height] of SIZES) {
          for (const seed of SEEDS) {
            expect(hiddenFraction(strategy.mask(width, height, 1, seed))).toBeLessThan(1);
          }
        }
      });

      it('rejects arguments outside the contract with BAD_USER_INPUT', () => {
        const strategy = maskingStrategy(name);
        expect(codeOf(() => strategy.mask(48, 48, 1.5, 1))).toBe('BAD_USER_INPUT');
        expect(codeOf(() => strategy.mask(48, 48, -0.1, 1))).toBe('BAD_USER_INPUT');
        expect(codeOf(() => strategy.mask(48, 48, Number.NaN, 1))).toBe('BAD_USER_INPUT');
        expect(codeOf(() => strategy.mask(0, 48, 0.5, 1))).toBe('BAD_USER_INPUT');
        expect(codeOf(() => strategy.mask(48, 4.5, 0.5, 1))).toBe('BAD_USER_INPUT');
        expect(codeOf(() => strategy.mask(48, 48, 0.5, -1))).toBe('BAD_USER_INPUT');
        expect(codeOf(() => strategy.mask(48, 48, 0.5, 1.5))).toBe('BAD_USER_INPUT');
      });
    });
  }

  it('seeded strategies change with the seed', () => {
    for (const name of ['random-patches', 'quadrants', 'spiral']) {
      const strategy = maskingStrategy(name);
      const distinct = new Set(
        Array.from({ length: 10 }, (_, seed) => Array.from(strategy.mask(48, 48, 0.5, seed).data).join('')),
      );
      expect(distinct.size, name).toBeGreaterThan(1);
    }
  });

  it('center-out hides the middle and keeps the corners', () => {
    const mask = maskingStrategy('center-out').mask(48, 48, 0.5, 0);
    expect(at(mask, 24, 24)).toBe(1);
    expect(at(mask, 0, 0)).toBe(0);
    expect(at(mask, 47, 47)).toBe(0);
    // A centred square of side 0.9 · 0.5 · 48 ≈ 22.
    expect(hiddenFraction(mask)).toBeCloseTo((22 * 22) / (48 * 48), 10);
  });

  it('edges hides the frame and keeps the middle', () => {
    const mask = maskingStrategy('edges').mask(48, 48, 0.5, 0);
    for (const [x, y] of [
      [0, 0],
      [47, 0],
      [0, 47],
      [47, 47],
      [24, 0],
      [0, 24],
    ] as const) {
      expect(at(mask, x, y)).toBe(1);
    }
    expect(at(mask, 24, 24)).toBe(0);
    // Frame of 0.5 · 48 / 4 = 6 px.
    expect(at(mask, 5, 24)).toBe(1);
    expect(at(mask, 6, 24)).toBe(0);
  });

  it('progressive-reveal keeps only a centred circle', () => {
    const mask = maskingStrategy('progressive-reveal').mask(48, 48, 0.5, 0);
    expect(at(mask, 24, 24)).toBe(0);
    expect(at(mask, 0, 0)).toBe(1);
    // Radius (1 − 0.5) · 24 = 12 around (23.5, 23.5).
    expect(at(mask, 23, 23 - 11)).toBe(0);
    expect(at(mask, 23, 23 - 13)).toBe(1);
  });

  it('quadrants touches ceil(4d) quadrants and hides about d of the picture', () => {
    const strategy = maskingStrategy('quadrants');
    for (const seed of SEEDS) {
      for (const d of DIFFICULTIES) {
        const mask = strategy.mask(48, 48, d, seed);
        let touched = 0;
        for (const [qx, qy] of [
          [0, 0],
          [24, 0],
          [0, 24],
          [24, 24],
        ] as const) {
          let any = false;
          for (let y = qy; y < qy + 24 && !any; y++) {
            for (let x = qx; x < qx + 24; x++) if (at(mask, x, y) === 1) any = true;
          }
          if (any) touched++;
        }
        expect(touched).toBe(Math.ceil(4 * d - 1e-9));
        expect(hiddenFraction(mask)).toBeCloseTo(d, 1);
      }
      expect(hiddenFraction(strategy.mask(48, 48, 0.5, seed))).toBe(0.5);
    }
  });

  it('spiral hides about half of the picture in alternating turns at difficulty 1', () => {
    const mask = maskingStrategy('spiral').mask(48, 48, 1, 3);
    expect(hiddenFraction(mask)).toBeGreaterThan(0.4);
    expect(hiddenFraction(mask)).toBeLessThan(0.6);
    // Walking out from the centre crosses several hidden turns and visible gaps.
    let changes = 0;
    for (let x = 25; x < 48; x++) if (at(mask, x, 24) !== at(mask, x - 1, 24)) changes++;
    expect(changes).toBeGreaterThanOrEqual(4);
  });

  it('every strategy hides something different', () => {
    const signatures = new Set(strategies().map((s) => Array.from(s.mask(48, 48, 0.5, 5).data).join('')));
    expect(signatures.size).toBe(BUILT_IN.length);
  });
});
