import {
  DEFAULT_DELTA_WEIGHTS,
  type DeltaName,
  type DeltaReport,
  DISTANCE_NAMES,
  overallDelta,
  SIGNED_DELTA_NAMES,
} from '../analysis/delta.ts';
import { PakatiError } from '../errors.ts';

/**
 * The score a refinement climbs. Composition counts half: a region is generated from a prompt, not traced from
 * its reference, so where things sit may rightly differ.
 */
export const REFINEMENT_SCORE_WEIGHTS: Readonly<Record<DeltaName, number>> = {
  ...DEFAULT_DELTA_WEIGHTS,
  composition_distance: 0.5,
};

/**
 * The attributes the efficacy target is stated in (colour, lighting, contrast, sharpness, texture statistics):
 * the ones a refinement can change without copying its reference's layout.
 */
export const ATTRIBUTE_DELTA_NAMES = [
  'brightness_delta',
  'contrast_delta',
  'saturation_delta',
  'warmth_delta',
  'sharpness_delta',
  'color_distance',
  'texture_distance',
] as const satisfies readonly DeltaName[];

/** 1 for a region identical to its references, towards 0 for an unrelated one. */
export function regionScore(report: DeltaReport): number {
  return 1 - overallDelta(report, REFINEMENT_SCORE_WEIGHTS);
}

/** Mean magnitude of the attribute deltas (nulls left out). */
export function attributeDelta(report: DeltaReport): number {
  let sum = 0;
  let count = 0;
  for (const name of ATTRIBUTE_DELTA_NAMES) {
    const value = report[name];
    if (value === null) continue;
    sum += Math.abs(value);
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

/** The whole image's score: every region counts the same, whatever its size. */
export function iterationScore(regionScores: readonly number[]): number {
  if (regionScores.length === 0) return 1;
  return regionScores.reduce((a, b) => a + b, 0) / regionScores.length;
}

/** Weight of a reference not yet assessed by an UNDERSTAND run. */
export const UNASSESSED_REFERENCE_WEIGHT = 0.5;

/**
 * How much a reference counts among a region's references: an understood reference (level near 1) counts up
 * to five times one the system failed to reconstruct (level 0), which still counts a little, so a lone
 * reference is never ignored.
 */
export function referenceWeight(level: number | null | undefined): number {
  if (level === null || level === undefined) return UNASSESSED_REFERENCE_WEIGHT;
  if (!Number.isFinite(level) || level < 0 || level > 1) {
    throw new PakatiError('BAD_USER_INPUT', 'an understanding level must be in [0, 1]', { level });
  }
  return 0.2 + 0.8 * level;
}

/** The weighted mean of a region's deltas against each of its references; a distance null in all is null. */
export function combineDeltaReports(parts: readonly { report: DeltaReport; weight: number }[]): DeltaReport {
  if (parts.length === 0) throw new PakatiError('BAD_USER_INPUT', 'no delta reports to combine');
  const out = {} as Record<DeltaName, number | null>;
  for (const name of [...SIGNED_DELTA_NAMES, ...DISTANCE_NAMES]) {
    let sum = 0;
    let total = 0;
    for (const { report, weight } of parts) {
      const value = report[name];
      if (value === null || !(weight > 0)) continue;
      sum += weight * value;
      total += weight;
    }
    out[name] = total > 0 ? sum / total : null;
  }
  for (const name of SIGNED_DELTA_NAMES) out[name] ??= 0;
  return out as DeltaReport;
}
