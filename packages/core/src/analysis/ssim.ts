import { PakatiError } from '../errors.ts';
import type { AnalysisKernel } from './analysis-kernel.ts';
import { gaussianBlur } from './filters.ts';

/** Wang et al. (2004): gaussian window σ = 1.5 (11 taps), K1 = 0.01, K2 = 0.03, luma range 255. */
export const SSIM_SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/**
 * The gaussian-weighted local mean and mean of squares of one plane: the part of SSIM that depends on one image
 * only, so a reference's moments can be computed once and kept with its statistics.
 */
export interface SsimMoments {
  mean: Float32Array;
  meanSquare: Float32Array;
}

function product(x: Float32Array, y: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * y[i]!;
  return out;
}

function assertSameSize(x: Float32Array, y: Float32Array, width: number, height: number): void {
  if (x.length !== width * height || y.length !== width * height) {
    throw new PakatiError('BAD_USER_INPUT', 'SSIM needs two planes of width × height values', {
      width,
      height,
      lengths: [x.length, y.length],
    });
  }
}

export async function ssimMoments(
  values: Float32Array,
  width: number,
  height: number,
  kernel: AnalysisKernel,
): Promise<SsimMoments> {
  const [mean, meanSquare] = await Promise.all([
    kernel.blur(values, width, height, SSIM_SIGMA),
    kernel.blur(product(values, values), width, height, SSIM_SIGMA),
  ]);
  return { mean, meanSquare };
}

/** Same as `ssimMoments` on the JavaScript filters, for synchronous callers. */
export function ssimMomentsSync(values: Float32Array, width: number, height: number): SsimMoments {
  return {
    mean: gaussianBlur(values, width, height, SSIM_SIGMA),
    meanSquare: gaussianBlur(product(values, values), width, height, SSIM_SIGMA),
  };
}

/**
 * The SSIM map from both planes' moments and the blurred cross product E[xy]. Variances come out of
 * E[x²] − E[x]², which float rounding can push slightly below zero on flat areas: clamped, since a variance is
 * never negative.
 */
export function ssimMapFromMoments(x: SsimMoments, y: SsimMoments, crossMean: Float32Array): Float32Array {
  const n = crossMean.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const mx = x.mean[i]!;
    const my = y.mean[i]!;
    const vx = Math.max(0, x.meanSquare[i]! - mx * mx);
    const vy = Math.max(0, y.meanSquare[i]! - my * my);
    const cov = crossMean[i]! - mx * my;
    out[i] = ((2 * mx * my + C1) * (2 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
  }
  return out;
}

/** Mean of a map, weighted by coverage when weights are given. */
export function weightedPlaneMean(map: Float32Array, weights?: Float32Array): number {
  let sum = 0;
  let total = 0;
  if (weights === undefined) {
    for (let i = 0; i < map.length; i++) sum += map[i]!;
    return map.length === 0 ? 0 : sum / map.length;
  }
  for (let i = 0; i < map.length; i++) {
    const w = weights[i]!;
    if (w > 0) {
      sum += w * map[i]!;
      total += w;
    }
  }
  if (total === 0) throw new PakatiError('BAD_USER_INPUT', 'The weights of a weighted mean are all zero');
  return sum / total;
}

/** Mean SSIM between two luma planes (0..255), optionally weighted by a coverage mask, on any kernel. */
export async function structuralSimilarity(
  x: Float32Array,
  y: Float32Array,
  width: number,
  height: number,
  kernel: AnalysisKernel,
  weights?: Float32Array,
): Promise<number> {
  assertSameSize(x, y, width, height);
  const [mx, my, cross] = await Promise.all([
    ssimMoments(x, width, height, kernel),
    ssimMoments(y, width, height, kernel),
    kernel.blur(product(x, y), width, height, SSIM_SIGMA),
  ]);
  return weightedPlaneMean(ssimMapFromMoments(mx, my, cross), weights);
}

/** Mean SSIM given precomputed moments of both planes: only E[xy] is left to blur, on the JavaScript filter. */
export function structuralSimilarityFromMoments(
  x: Float32Array,
  xMoments: SsimMoments,
  y: Float32Array,
  yMoments: SsimMoments,
  width: number,
  height: number,
  weights?: Float32Array,
): number {
  assertSameSize(x, y, width, height);
  const cross = gaussianBlur(product(x, y), width, height, SSIM_SIGMA);
  return weightedPlaneMean(ssimMapFromMoments(xMoments, yMoments, cross), weights);
}
