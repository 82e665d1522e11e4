import { PakatiError } from '../errors.ts';
import type { LinguisticVariable } from './linguistic-variable.ts';
import { membership } from './membership.ts';

export const DEFUZZIFIERS = ['centroid', 'mean-of-maxima', 'max'] as const;
export type Defuzzifier = (typeof DEFUZZIFIERS)[number];

/** The original's sampling of the output universe. */
export const DEFAULT_DEFUZZIFY_SAMPLES = 101;
export const MAX_DEFUZZIFY_SAMPLES = 10_001;

export interface AggregateCurve {
  xs: Float64Array;
  degrees: Float64Array;
}

// Degrees come from products and powers; values this close to the peak are the same plateau.
const PLATEAU_EPSILON = 1e-12;

export function assertDefuzzifySamples(samples: number): void {
  if (!Number.isInteger(samples) || samples < 2 || samples > MAX_DEFUZZIFY_SAMPLES) {
    throw new PakatiError('BAD_USER_INPUT', `samples must be an integer from 2 to ${MAX_DEFUZZIFY_SAMPLES}`, {
      samples,
    });
  }
}

/**
 * Mamdani aggregation over evenly spaced samples of the output's range, ends included: each term is clipped
 * (min) at its firing degree and the clipped sets are combined by max.
 */
export function aggregateOutput(
  variable: LinguisticVariable,
  clips: ReadonlyMap<string, number>,
  samples: number = DEFAULT_DEFUZZIFY_SAMPLES,
): AggregateCurve {
  assertDefuzzifySamples(samples);
  const [min, max] = variable.range;
  const xs = new Float64Array(samples);
  const degrees = new Float64Array(samples);
  const step = (max - min) / (samples - 1);
  for (let i = 0; i < samples; i++) xs[i] = i === samples - 1 ? max : min + i * step;
  for (const [term, clip] of clips) {
    const fn = variable.terms[term];
    if (!fn || !(clip > 0)) continue;
    for (let i = 0; i < samples; i++) {
      const mu = Math.min(clip, membership(fn, xs[i]!));
      if (mu > degrees[i]!) degrees[i] = mu;
    }
  }
  return { xs, degrees };
}

/**
 * A crisp value from an aggregateOutput curve, or null when the curve is empty: no rule fired, and no number is
 * invented for the caller to mistake for advice. 'max' takes the first sample at the peak, as the original.
 */
export function defuzzify(curve: AggregateCurve, method: Defuzzifier = 'centroid'): number | null {
  const { xs, degrees } = curve;
  let peak = 0;
  for (const d of degrees) if (d > peak) peak = d;
  if (!(peak > 0)) return null;
  switch (method) {
    case 'centroid': {
      let weighted = 0;
      let total = 0;
      for (let i = 0; i < xs.length; i++) {
        weighted += xs[i]! * degrees[i]!;
        total += degrees[i]!;
      }
      const value = weighted / total;
      // A symmetric set centred on 0 sums to about 1e-17 rather than 0; report the 0 a reader expects.
      const width = xs[xs.length - 1]! - xs[0]!;
      return Math.abs(value) < 1e-12 * width ? 0 : value;
    }
    case 'mean-of-maxima': {
      let sum = 0;
      let count = 0;
      for (let i = 0; i < xs.length; i++) {
        if (degrees[i]! >= peak - PLATEAU_EPSILON) {
          sum += xs[i]!;
          count++;
        }
      }
      return sum / count;
    }
    case 'max': {
      const i = degrees.findIndex((d) => d >= peak - PLATEAU_EPSILON);
      return xs[i]!;
    }
  }
}
