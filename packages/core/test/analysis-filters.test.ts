import { describe, expect, it } from 'vitest';
import {
  gaussianBlur,
  gaussianKernel,
  jsKernel,
  laplacian,
  resizePlane,
  sobelMagnitude,
  ssimMapFromMoments,
  ssimMomentsSync,
  structuralSimilarity,
  structuralSimilarityFromMoments,
} from '../src/index.ts';

function plane(width: number, height: number, f: (x: number, y: number) => number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = f(x, y);
  return out;
}

/** A deterministic textured plane in 0..255. */
const texture = (x: number, y: number) =>
  128 + 60 * Math.sin(x * 0.7) * Math.cos(y * 0.45) + ((x * 31 + y * 17) % 23);

describe('filters', () => {
  it('builds the 11-tap gaussian of SSIM at σ = 1.5, normalised', () => {
    const taps = gaussianKernel(1.5);
    expect(taps.length).toBe(11);
    expect(taps.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(taps[5]! / taps[0]!).toBeCloseTo(Math.exp(25 / 4.5), 6);
    expect(() => gaussianKernel(0)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it('blurs a constant to itself and keeps the mean of a symmetric signal', () => {
    const flat = gaussianBlur(new Float32Array(30 * 20).fill(77), 30, 20, 1.5);
    for (const v of flat) expect(v).toBeCloseTo(77, 4);
    const impulse = new Float32Array(21 * 21);
    impulse[10 * 21 + 10] = 1;
    const blurred = gaussianBlur(impulse, 21, 21, 1.5);
    expect(blurred.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    const taps = gaussianKernel(1.5);
    expect(blurred[10 * 21 + 12]).toBeCloseTo(taps[5]! * taps[7]!, 7);
  });

  it('replicates edge pixels in the Laplacian and Sobel', () => {
    const ramp = plane(9, 7, (x) => 3 * x);
    const lap = laplacian(ramp, 9, 7);
    // Linear inside: zero; at the left border the replicated pixel makes the second difference 3.
    expect(lap[3 * 9 + 4]).toBe(0);
    expect(lap[3 * 9]).toBe(3);
    expect(lap[3 * 9 + 8]).toBe(-3);
    const sobel = sobelMagnitude(ramp, 9, 7);
    // [1 2 1] smoothing × central difference of slope 3 over 2 px = 4 × 6.
    expect(sobel[3 * 9 + 4]).toBe(24);
    expect(sobel[3 * 9]).toBe(12);
  });

  it('refuses planes of the wrong size', () => {
    expect(() => laplacian(new Float32Array(5), 2, 2)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });

  it('resizes planes bilinearly, keeping linear ramps linear', () => {
    const ramp = plane(8, 4, (x, y) => x + 10 * y);
    expect(resizePlane(ramp, 8, 4, 8, 4)).toEqual(ramp);
    const half = resizePlane(ramp, 8, 4, 4, 2);
    expect(Array.from(half)).toEqual([5.5, 7.5, 9.5, 11.5, 25.5, 27.5, 29.5, 31.5]);
  });
});

describe('SSIM', () => {
  const width = 48;
  const height = 40;
  const x = plane(width, height, texture);

  it('is 1 for identical planes and symmetric', async () => {
    expect(await structuralSimilarity(x, x, width, height, jsKernel)).toBeCloseTo(1, 6);
    const y = plane(width, height, (i, j) => texture(i + 3, j));
    const xy = await structuralSimilarity(x, y, width, height, jsKernel);
    const yx = await structuralSimilarity(y, x, width, height, jsKernel);
    expect(xy).toBeCloseTo(yx, 6);
    expect(xy).toBeLessThan(0.9);
  });

  it('follows the definition on a flat pair (luminance term only)', async () => {
    const a = new Float32Array(width * height).fill(100);
    const b = new Float32Array(width * height).fill(150);
    const c1 = (0.01 * 255) ** 2;
    const expected = (2 * 100 * 150 + c1) / (100 ** 2 + 150 ** 2 + c1);
    expect(await structuralSimilarity(a, b, width, height, jsKernel)).toBeCloseTo(expected, 5);
  });

  it('drops for noise and for inverted structure, and weights by coverage', async () => {
    const noisy = plane(width, height, (i, j) => texture(i, j) + (((i * 7919 + j * 104729) % 41) - 20));
    const inverted = plane(width, height, (i, j) => 255 - texture(i, j));
    const sNoisy = await structuralSimilarity(x, noisy, width, height, jsKernel);
    const sInverted = await structuralSimilarity(x, inverted, width, height, jsKernel);
    expect(sNoisy).toBeLessThan(0.95);
    expect(sNoisy).toBeGreaterThan(sInverted);
    expect(sInverted).toBeLessThan(0);
    // Weighted by a mask covering only the left half, where both planes agree.
    const half = plane(width, height, (i, j) => (i < 16 ? texture(i, j) : 255 - texture(i, j)));
    const left = plane(width, height, (i) => (i < 10 ? 1 : 0));
    expect(await structuralSimilarity(x, half, width, height, jsKernel, left)).toBeGreaterThan(0.99);
  });

  it('gives the same value from precomputed moments', async () => {
    const y = plane(width, height, (i, j) => texture(i + 1, j + 2));
    const direct = await structuralSimilarity(x, y, width, height, jsKernel);
    const mx = ssimMomentsSync(x, width, height);
    const my = ssimMomentsSync(y, width, height);
    expect(structuralSimilarityFromMoments(x, mx, y, my, width, height)).toBeCloseTo(direct, 6);
    const map = ssimMapFromMoments(
      mx,
      mx,
      gaussianBlur(
        x.map((v) => v * v),
        width,
        height,
        1.5,
      ),
    );
    for (const v of map) expect(v).toBeCloseTo(1, 4);
  });
});
