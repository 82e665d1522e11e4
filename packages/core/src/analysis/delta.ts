import { PakatiError } from '../errors.ts';
import { deltaE76 } from './color-space.ts';
import { histogramEmd } from './earth-movers.ts';
import { paletteEmd } from './palette.ts';
import { HISTOGRAM_BINS, type RegionStats } from './region-statistics.ts';
import { resizePlane } from './resample.ts';
import { type SsimMoments, ssimMomentsSync, structuralSimilarityFromMoments } from './ssim.ts';

export const DELTA_ATTRIBUTES = ['brightness', 'contrast', 'saturation', 'warmth', 'sharpness'] as const;
export type DeltaAttribute = (typeof DELTA_ATTRIBUTES)[number];
/** Wanted values of the region's attributes, each in [0, 1]; the ones left out are not asked to change. */
export type TargetAttributes = Partial<Record<DeltaAttribute, number>>;

export const SIGNED_DELTA_NAMES = [
  'brightness_delta',
  'contrast_delta',
  'saturation_delta',
  'warmth_delta',
  'sharpness_delta',
] as const;
export const DISTANCE_NAMES = [
  'color_distance',
  'palette_distance',
  'structure_distance',
  'texture_distance',
  'composition_distance',
] as const;
export type SignedDeltaName = (typeof SIGNED_DELTA_NAMES)[number];
export type DistanceName = (typeof DISTANCE_NAMES)[number];
export type DeltaName = SignedDeltaName | DistanceName;

/**
 * Signed deltas are target minus current in [−1, 1] (positive: raise it). Distances are in [0, 1], 0 for
 * identical regions and about 1 for unrelated photographs; null when the reference is a set of target
 * attributes, which carry no pixels to compare.
 */
export type DeltaReport = Record<SignedDeltaName, number> & Record<DistanceName, number | null>;

/** The distances before calibration, in their natural units. */
export interface RawDistances {
  /** Mean of the marginal-histogram EMD (combined as a Euclidean norm) and ΔE*ab of the mean colours. */
  colorDeltaE: number;
  /** EMD between the palettes, in ΔE*ab. */
  paletteDeltaE: number;
  /** Coverage-weighted mean SSIM of the two regions' luma, resized to one box. */
  ssim: number;
  /** EMD between the log-scale gradient-magnitude histograms, in bins. */
  textureEmd: number;
  /** Distance between the edge centres of mass plus the total-variation distance between the 3×3 edge grids. */
  compositionShift: number;
}

/**
 * Each raw distance becomes 1 − exp(−(raw / scale)^shape), a Weibull curve: 0 at identity, rising through
 * 1 − 1/e ≈ 0.63 at `scale`, towards 1. A shape above 1 keeps small, visually minor differences low while
 * unrelated images still saturate. Calibrated on the fixture photographs (see the analysis tests): identical
 * regions give 0, edited copies (brightened, re-encoded, blurred) stay below 0.5 on colour and structure, and
 * unrelated photographs exceed 0.5 on both.
 */
export const DISTANCE_CALIBRATION = {
  colorDeltaE: { scale: 14, shape: 1.5 },
  paletteDeltaE: { scale: 20, shape: 1.5 },
  textureEmd: { scale: 0.8, shape: 1.5 },
  compositionShift: { scale: 0.25, shape: 1 },
} as const;

export const DEFAULT_DELTA_WEIGHTS: Readonly<Record<DeltaName, number>> = {
  brightness_delta: 1,
  contrast_delta: 1,
  saturation_delta: 1,
  warmth_delta: 1,
  sharpness_delta: 1,
  color_distance: 2,
  palette_distance: 1,
  structure_distance: 2,
  texture_distance: 1,
  composition_distance: 1,
};

const L_BIN_WIDTH = 100 / HISTOGRAM_BINS;
const AB_BIN_WIDTH = 256 / HISTOGRAM_BINS;

function squash(raw: number, { scale, shape }: { scale: number; shape: number }): number {
  return 1 - Math.exp(-((Math.max(0, raw) / scale) ** shape));
}

function isRegionStats(reference: RegionStats | TargetAttributes): reference is RegionStats {
  return 'structure' in reference && 'histogram' in reference;
}

function structuralSimilarityOf(current: RegionStats, reference: RegionStats): number {
  const cur = current.structure;
  let ref = reference.structure;
  if (ref.width !== cur.width || ref.height !== cur.height) {
    const luma = resizePlane(ref.luma, ref.width, ref.height, cur.width, cur.height);
    const coverage = resizePlane(ref.coverage, ref.width, ref.height, cur.width, cur.height);
    const moments: SsimMoments = ssimMomentsSync(luma, cur.width, cur.height);
    ref = { width: cur.width, height: cur.height, luma, coverage, moments };
  }
  const weights = new Float32Array(cur.coverage.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    weights[i] = cur.coverage[i]! * ref.coverage[i]!;
    total += weights[i]!;
  }
  return structuralSimilarityFromMoments(
    cur.luma,
    cur.moments,
    ref.luma,
    ref.moments,
    cur.width,
    cur.height,
    // Regions that overlap nowhere once resized are judged over the current region alone.
    total > 0 ? weights : cur.coverage,
  );
}

/** The distances between two regions in their natural units, before calibration. */
export function rawDistances(current: RegionStats, reference: RegionStats): RawDistances {
  const histogramDistance = Math.hypot(
    histogramEmd(current.histogram.L, reference.histogram.L, L_BIN_WIDTH),
    histogramEmd(current.histogram.a, reference.histogram.a, AB_BIN_WIDTH),
    histogramEmd(current.histogram.b, reference.histogram.b, AB_BIN_WIDTH),
  );
  let gridVariation = 0;
  for (let i = 0; i < 9; i++) {
    gridVariation += Math.abs(current.composition.grid[i]! - reference.composition.grid[i]!);
  }
  return {
    colorDeltaE: (histogramDistance + deltaE76(current.meanLab, reference.meanLab)) / 2,
    paletteDeltaE: paletteEmd(current.palette, reference.palette),
    ssim: structuralSimilarityOf(current, reference),
    textureEmd: histogramEmd(current.gradientHistogram, reference.gradientHistogram, 1),
    compositionShift:
      Math.hypot(
        current.composition.x - reference.composition.x,
        current.composition.y - reference.composition.y,
      ) +
      gridVariation / 2,
  };
}

function signed(target: number | undefined, current: number, name: string): number {
  if (target === undefined) return 0;
  if (!Number.isFinite(target) || target < 0 || target > 1) {
    throw new PakatiError('BAD_USER_INPUT', `Target ${name} must be a number in [0, 1]`, { [name]: target });
  }
  return target - current;
}

/**
 * What separates a region from its reference: another region's statistics (a reference image, the previous
 * pass) or target attributes (from the fuzzy engine). Names match the fuzzy engine's default rules.
 */
export function regionDeltas(current: RegionStats, reference: RegionStats | TargetAttributes): DeltaReport {
  const deltas = {
    brightness_delta: signed(reference.brightness, current.brightness, 'brightness'),
    contrast_delta: signed(reference.contrast, current.contrast, 'contrast'),
    saturation_delta: signed(reference.saturation, current.saturation, 'saturation'),
    warmth_delta: signed(reference.warmth, current.warmth, 'warmth'),
    sharpness_delta: signed(reference.sharpness, current.sharpness, 'sharpness'),
  };
  if (!isRegionStats(reference)) {
    return {
      ...deltas,
      color_distance: null,
      palette_distance: null,
      structure_distance: null,
      texture_distance: null,
      composition_distance: null,
    };
  }
  const raw = rawDistances(current, reference);
  return {
    ...deltas,
    color_distance: squash(raw.colorDeltaE, DISTANCE_CALIBRATION.colorDeltaE),
    palette_distance: squash(raw.paletteDeltaE, DISTANCE_CALIBRATION.paletteDeltaE),
    structure_distance: Math.min(1, Math.max(0, 1 - raw.ssim)),
    texture_distance: squash(raw.textureEmd, DISTANCE_CALIBRATION.textureEmd),
    composition_distance: squash(raw.compositionShift, DISTANCE_CALIBRATION.compositionShift),
  };
}

/** Weighted mean of the magnitudes of every measured delta (null distances are left out), in [0, 1]. */
export function overallDelta(
  report: DeltaReport,
  weights: Readonly<Record<DeltaName, number>> = DEFAULT_DELTA_WEIGHTS,
): number {
  let sum = 0;
  let total = 0;
  for (const name of [...SIGNED_DELTA_NAMES, ...DISTANCE_NAMES]) {
    const value = report[name];
    const weight = weights[name];
    if (value === null || !(weight > 0)) continue;
    sum += weight * Math.abs(value);
    total += weight;
  }
  return total === 0 ? 0 : sum / total;
}
