import { describe, expect, it } from 'vitest';
import type { MaskImage, RasterImage } from '../src/backends/raster.ts';
import { isPakatiError } from '../src/errors.ts';
import { createRandom } from '../src/random/seeded-random.ts';
import { srgbToLabInto } from '../src/understanding/cie-lab.ts';
import {
  RECONSTRUCTION_COLOR_WEIGHT,
  RECONSTRUCTION_SSIM_WEIGHT,
  scoreReconstruction,
} from '../src/understanding/reconstruction-score.ts';

const N = 48;

function image(f: (x: number, y: number) => [number, number, number]): RasterImage {
  const data = new Uint8ClampedArray(N * N * 4);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      data.set([...f(x, y), 255], (y * N + x) * 4);
    }
  }
  return { width: N, height: N, data };
}

/** Sky gradient, sun, ground texture and a trunk: enough structure and colour to tell fills apart. */
const photo = image((x, y) => {
  if ((x - 32) ** 2 + (y - 12) ** 2 < 36) return [250, 220, 90];
  if (x > 8 && x < 18 && y > 16 && y < 34) return [120 - (y - 16) * 2, 70, 50];
  if (y < 28) return [110 + y * 2, 150 + y, 230 - y];
  return [60 + (x % 5) * 6, 110 + ((x + y) % 7) * 6, 40];
});

function noise(seed: number): RasterImage {
  const random = createRandom(seed);
  return image(() => [random.int(0, 255), random.int(0, 255), random.int(0, 255)]);
}

function rectMask(x0: number, y0: number, x1: number, y1: number, value = 1): MaskImage {
  const data = new Float32Array(N * N);
  for (let y = y0; y < y1; y++) data.fill(value, y * N + x0, y * N + x1);
  return { width: N, height: N, data };
}

/** `base` with the masked pixels taken from `fill`. */
function filled(base: RasterImage, fill: RasterImage, mask: MaskImage): RasterImage {
  const data = new Uint8ClampedArray(base.data);
  for (let i = 0; i < mask.data.length; i++) {
    if (mask.data[i]! > 0) data.set(fill.data.subarray(i * 4, i * 4 + 4), i * 4);
  }
  return { width: N, height: N, data };
}

const centre = rectMask(12, 12, 36, 36);
const grey = image(() => [128, 128, 128]);

describe('scoreReconstruction', () => {
  it('scores an exact reconstruction 1', () => {
    const scatter = rectMask(0, 0, 0, 0);
    const random = createRandom(9);
    for (let i = 0; i < scatter.data.length; i++) scatter.data[i] = random.next() < 0.3 ? 1 : 0;
    for (const mask of [centre, scatter, rectMask(0, 0, N, 5), rectMask(10, 10, 30, 30, 0.4)]) {
      const result = scoreReconstruction(photo, { ...photo, data: new Uint8ClampedArray(photo.data) }, mask);
      expect(result.score).toBeCloseTo(1, 6);
      expect(result.ssim).toBeCloseTo(1, 6);
      expect(result.colorDeltaE).toBe(0);
      expect(result.colorDistance).toBe(0);
    }
  });

  it('ranks a good fill above a flat grey one, and noise far below both', () => {
    // A good but imperfect fill: the original with a little seeded noise on every channel.
    const random = createRandom(4);
    const close = image((x, y) => {
      const i = (y * N + x) * 4;
      return [0, 1, 2].map((c) => photo.data[i + c]! + random.int(-6, 6)) as [number, number, number];
    });
    const good = scoreReconstruction(photo, filled(photo, close, centre), centre);
    const flat = scoreReconstruction(photo, filled(photo, grey, centre), centre);
    const random2 = scoreReconstruction(photo, filled(photo, noise(11), centre), centre);
    expect(good.score).toBeGreaterThan(0.8);
    expect(good.score).toBeLessThan(1);
    expect(flat.score).toBeLessThan(good.score - 0.3);
    expect(random2.score).toBeLessThan(0.1);
    expect(random2.score).toBeLessThan(flat.score);
  });

  it('scores noise rebuilt by unrelated noise near 0', () => {
    const result = scoreReconstruction(noise(1), noise(2), centre);
    expect(Math.abs(result.ssim)).toBeLessThan(0.1);
    expect(result.colorDistance).toBe(1);
    expect(result.score).toBeLessThan(0.06);
  });

  it('only looks at the hidden pixels', () => {
    const reconstruction = filled(photo, grey, centre);
    const baseline = scoreReconstruction(photo, reconstruction, centre).score;
    // Wreck everything outside the hidden square: the score must not move.
    const outside = rectMask(0, 0, N, N);
    for (let y = 12; y < 36; y++) outside.data.fill(0, y * N + 12, y * N + 36);
    const wrecked = filled(reconstruction, noise(5), outside);
    expect(scoreReconstruction(photo, wrecked, centre).score).toBe(baseline);
  });

  it('combines 0.6 × max(0, SSIM) with 0.4 × (1 − ΔE/50), clamped', () => {
    expect(RECONSTRUCTION_SSIM_WEIGHT + RECONSTRUCTION_COLOR_WEIGHT).toBe(1);
    const stripes = image((_, y) => (y % 4 < 2 ? [40, 40, 40] : [200, 200, 200]));
    const inverted = image((_, y) => (y % 4 < 2 ? [200, 200, 200] : [40, 40, 40]));
    const anti = scoreReconstruction(stripes, inverted, centre);
    expect(anti.ssim).toBeLessThan(-0.5);
    expect(anti.score).toBeCloseTo(0.4 * (1 - anti.colorDistance), 12);
    const shifted = image((x, y) => [100 + (x % 3) * 20, 100 + (y % 3) * 20, 90]);
    const brighter = image((x, y) => [110 + (x % 3) * 20, 110 + (y % 3) * 20, 100]);
    const r = scoreReconstruction(shifted, brighter, centre);
    expect(r.colorDeltaE).toBeGreaterThan(2);
    expect(r.colorDistance).toBeCloseTo(r.colorDeltaE / 50, 12);
    expect(r.score).toBeCloseTo(0.6 * Math.max(0, r.ssim) + 0.4 * (1 - r.colorDistance), 12);
  });

  it('measures colour as CIE76 ΔE in Lab', () => {
    const black = image(() => [0, 0, 0]);
    const white = image(() => [255, 255, 255]);
    const result = scoreReconstruction(black, white, centre);
    expect(result.colorDeltaE).toBeCloseTo(100, 6);
    expect(result.colorDistance).toBe(1);
    const lab = new Float64Array(3);
    srgbToLabInto(255, 255, 255, lab, 0);
    expect(lab[0]).toBeCloseTo(100, 6);
    expect(lab[1]).toBeCloseTo(0, 6);
    expect(lab[2]).toBeCloseTo(0, 6);
    // Reference values for sRGB primaries (D65).
    srgbToLabInto(255, 0, 0, lab, 0);
    expect([lab[0], lab[1], lab[2]].map((v) => Math.round(v! * 100) / 100)).toEqual([53.24, 80.09, 67.2]);
    srgbToLabInto(0, 0, 255, lab, 0);
    expect([lab[0], lab[1], lab[2]].map((v) => Math.round(v! * 10) / 10)).toEqual([32.3, 79.2, -107.9]);
  });

  it('weighs soft mask values and calls an empty mask a vacuous success', () => {
    const reconstruction = filled(photo, grey, centre);
    const hard = scoreReconstruction(photo, reconstruction, centre);
    const soft = scoreReconstruction(photo, reconstruction, rectMask(12, 12, 36, 36, 0.5));
    expect(soft.hiddenPixels).toBeCloseTo(hard.hiddenPixels / 2, 6);
    // Uniform weights inside the same square cancel out of every mean.
    expect(soft.score).toBeCloseTo(hard.score, 9);
    expect(scoreReconstruction(photo, grey, rectMask(0, 0, 0, 0))).toEqual({
      score: 1,
      ssim: 1,
      colorDeltaE: 0,
      colorDistance: 0,
      hiddenPixels: 0,
    });
  });

  it('rejects mismatched inputs', () => {
    const code = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        return isPakatiError(error) ? error.code : 'OTHER';
      }
      return undefined;
    };
    const small: RasterImage = { width: 8, height: 8, data: new Uint8ClampedArray(8 * 8 * 4) };
    expect(code(() => scoreReconstruction(photo, small, centre))).toBe('INVALID_IMAGE');
    expect(
      code(() => scoreReconstruction(photo, photo, { width: 8, height: 8, data: new Float32Array(64) })),
    ).toBe('INVALID_IMAGE');
    expect(code(() => scoreReconstruction({ ...photo, data: new Uint8ClampedArray(3) }, photo, centre))).toBe(
      'INVALID_IMAGE',
    );
    const nan = rectMask(0, 0, 1, 1);
    nan.data[5] = Number.NaN;
    expect(code(() => scoreReconstruction(photo, photo, nan))).toBe('BAD_USER_INPUT');
  });
});
