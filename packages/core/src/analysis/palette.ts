import { deltaE76, type Lab, labToRgb } from './color-space.ts';
import { discreteEmd } from './earth-movers.ts';

export interface PaletteColor extends Lab {
  /** Share of the region's coverage-weighted pixels, the palette's weights sum to 1. */
  weight: number;
  /** The colour as 8-bit sRGB, clipped to the gamut. */
  rgb: [number, number, number];
}

export const PALETTE_SIZE = 5;
const MAX_ITERATIONS = 24;
/** Colours closer than this (ΔE*ab) are one colour to the eye: no new cluster is seeded for them. */
const DISTINCT_DELTA_E = 1;

/**
 * Dominant colours by weighted k-means in L*a*b*. `samples` holds `count` quadruples (L, a, b, weight).
 * Seeding is deterministic farthest-first: the weighted mean, then repeatedly the sample with the largest
 * weight × squared distance to its nearest centre. Fewer than k colours come back when the region has fewer
 * distinct colours. Sorted by weight, heaviest first.
 */
export function dominantPalette(samples: Float32Array, count: number, k = PALETTE_SIZE): PaletteColor[] {
  let totalWeight = 0;
  let mL = 0;
  let mA = 0;
  let mB = 0;
  for (let i = 0; i < count; i++) {
    const w = samples[i * 4 + 3]!;
    totalWeight += w;
    mL += w * samples[i * 4]!;
    mA += w * samples[i * 4 + 1]!;
    mB += w * samples[i * 4 + 2]!;
  }
  if (count === 0 || totalWeight <= 0) return [];

  const centres: number[] = [mL / totalWeight, mA / totalWeight, mB / totalWeight];
  const nearest = new Float64Array(count);
  const updateNearest = (c: number, first: boolean) => {
    const cL = centres[c * 3]!;
    const cA = centres[c * 3 + 1]!;
    const cB = centres[c * 3 + 2]!;
    for (let i = 0; i < count; i++) {
      const dL = samples[i * 4]! - cL;
      const dA = samples[i * 4 + 1]! - cA;
      const dB = samples[i * 4 + 2]! - cB;
      const d = dL * dL + dA * dA + dB * dB;
      if (first || d < nearest[i]!) nearest[i] = d;
    }
  };
  updateNearest(0, true);
  while (centres.length / 3 < k) {
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < count; i++) {
      const score = samples[i * 4 + 3]! * nearest[i]!;
      if (nearest[i]! >= DISTINCT_DELTA_E * DISTINCT_DELTA_E && score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best < 0) break;
    centres.push(samples[best * 4]!, samples[best * 4 + 1]!, samples[best * 4 + 2]!);
    updateNearest(centres.length / 3 - 1, false);
  }

  const clusters = centres.length / 3;
  const assignment = new Int32Array(count).fill(-1);
  const sums = new Float64Array(clusters * 4);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    let changed = false;
    sums.fill(0);
    for (let i = 0; i < count; i++) {
      const sL = samples[i * 4]!;
      const sA = samples[i * 4 + 1]!;
      const sB = samples[i * 4 + 2]!;
      let bestCluster = 0;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let c = 0; c < clusters; c++) {
        const dL = sL - centres[c * 3]!;
        const dA = sA - centres[c * 3 + 1]!;
        const dB = sB - centres[c * 3 + 2]!;
        const d = dL * dL + dA * dA + dB * dB;
        if (d < bestDistance) {
          bestDistance = d;
          bestCluster = c;
        }
      }
      if (assignment[i] !== bestCluster) {
        assignment[i] = bestCluster;
        changed = true;
      }
      const w = samples[i * 4 + 3]!;
      sums[bestCluster * 4]! += w * sL;
      sums[bestCluster * 4 + 1]! += w * sA;
      sums[bestCluster * 4 + 2]! += w * sB;
      sums[bestCluster * 4 + 3]! += w;
    }
    for (let c = 0; c < clusters; c++) {
      const w = sums[c * 4 + 3]!;
      if (w > 0) {
        centres[c * 3] = sums[c * 4]! / w;
        centres[c * 3 + 1] = sums[c * 4 + 1]! / w;
        centres[c * 3 + 2] = sums[c * 4 + 2]! / w;
      }
    }
    if (!changed) break;
  }

  const palette: PaletteColor[] = [];
  for (let c = 0; c < clusters; c++) {
    const w = sums[c * 4 + 3]!;
    if (w <= 0) continue;
    const lab = { L: centres[c * 3]!, a: centres[c * 3 + 1]!, b: centres[c * 3 + 2]! };
    palette.push({ ...lab, weight: w / totalWeight, rgb: labToRgb(lab) });
  }
  return palette.sort((p, q) => q.weight - p.weight);
}

/** Earth mover's distance between two palettes in ΔE*ab: how far, on average, one palette's mass has to move. */
export function paletteEmd(p: readonly PaletteColor[], q: readonly PaletteColor[]): number {
  return discreteEmd(
    p.map((c) => c.weight),
    q.map((c) => c.weight),
    (i, j) => deltaE76(p[i]!, q[j]!),
  );
}
