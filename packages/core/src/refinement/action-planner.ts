import type { FiredRule, MamdaniResult } from '../fuzzy/mamdani.ts';

/** One edit to a region, in the order the executor applies them. Strengths are already strategy-scaled. */
export type PlannedStep =
  | { kind: 'regenerate'; strength: number }
  | { kind: 'inpaint'; strength: number }
  | { kind: 'color-transfer'; strength: number }
  | { kind: 'adjust'; brightness: number; contrast: number; saturation: number }
  | { kind: 'warmth'; amount: number }
  | { kind: 'sharpen'; amount: number }
  | { kind: 'soften'; amount: number };

/** A fuzzy output that drove a step, with the rules behind it: what the client shows as "why". */
export interface Recommendation {
  output: string;
  value: number;
  fired: Pick<FiredRule, 'ruleIndex' | 'line' | 'text' | 'degree'>[];
}

export interface RegionPlan {
  regionId: string;
  /** Which fallback this is after rejections at the same base image (0 = the full recommendation). */
  variant: number;
  steps: PlannedStep[];
  recommendations: Recommendation[];
}

/**
 * Fallbacks tried, in order, after an iteration that made a region worse: the full recommendation, then
 * without the generative step, then the in-place edits at half and at a quarter of their strength.
 */
export const PLAN_VARIANTS = [
  { generative: true, scale: 1 },
  { generative: false, scale: 1 },
  { generative: false, scale: 0.5 },
  { generative: false, scale: 0.25 },
] as const;

/** Below this (after scaling) a step changes too little to be worth an image round trip. */
const MIN_STEP = 0.02;
/** A generative step replaces the region's pixels: only a clear recommendation justifies that. */
const GENERATIVE_THRESHOLD = 0.35;
/** Multiplier range of an adjust output of ±1 at intensity 1: ±50% brightness and contrast, ±60% saturation. */
const ADJUST_GAIN = { brightness: 0.5, contrast: 0.5, saturation: 0.6 } as const;

export interface PlanRegionInput {
  regionId: string;
  inference: MamdaniResult;
  intensity: number;
  variant: number;
  /** Generative steps the strategy and this region's history still allow. */
  generative: { regenerate: boolean; inpaint: boolean };
}

function value(inference: MamdaniResult, name: string): number {
  return inference.outputs[name]?.value ?? 0;
}

/**
 * A strength output whose rules said `none` still defuzzifies to the centroid of the `none` set (about 0.08);
 * below this it means "leave it", not "do a little".
 */
const STRENGTH_DEAD_ZONE = 0.15;

function strengthValue(inference: MamdaniResult, name: string): number {
  const v = value(inference, name);
  return v < STRENGTH_DEAD_ZONE ? 0 : v;
}

function recommendation(inference: MamdaniResult, name: string): Recommendation {
  const output = inference.outputs[name]!;
  return {
    output: name,
    value: output.value ?? 0,
    fired: output.fired.map(({ ruleIndex, line, text, degree }) => ({ ruleIndex, line, text, degree })),
  };
}

/** NaN (a broken inference) counts as 0: no action, rather than a corrupt one. */
const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * Turns one region's defuzzified outputs into concrete steps. A colour transfer toward the reference already
 * moves brightness, contrast, saturation and warmth; so the tone adjustments only do what the transfer leaves,
 * (1 − transfer strength) of their own, instead of overshooting by doing the same correction twice.
 * Null when the variant is past the last fallback (nothing left to try at this base image).
 */
export function planRegion(input: PlanRegionInput): RegionPlan | null {
  const variant = PLAN_VARIANTS[input.variant];
  if (!variant) return null;
  const { inference } = input;
  const k = input.intensity * variant.scale;
  const steps: PlannedStep[] = [];
  const used = new Set<string>();

  if (variant.generative) {
    const regenerate = input.generative.regenerate ? strengthValue(inference, 'regenerate') : 0;
    const inpaint = input.generative.inpaint ? strengthValue(inference, 'inpaint') : 0;
    if (Math.max(regenerate, inpaint) >= GENERATIVE_THRESHOLD) {
      const kind = regenerate >= inpaint ? 'regenerate' : 'inpaint';
      steps.push({ kind, strength: clamp01(Math.max(regenerate, inpaint) * k) });
      used.add(kind);
    }
  }
  const transfer = clamp01(strengthValue(inference, 'color_transfer') * k);
  if (transfer >= MIN_STEP) {
    steps.push({ kind: 'color-transfer', strength: transfer });
    used.add('color_transfer');
  }
  const residual = 1 - transfer;
  const factor = (name: string, gain: number) => {
    const v = value(inference, name) * k * residual * gain;
    if (Math.abs(v) < MIN_STEP) return 1;
    used.add(name);
    return Math.max(0.1, 1 + v);
  };
  const brightness = factor('brightness_adjust', ADJUST_GAIN.brightness);
  const contrast = factor('contrast_adjust', ADJUST_GAIN.contrast);
  const saturation = factor('saturation_adjust', ADJUST_GAIN.saturation);
  if (brightness !== 1 || contrast !== 1 || saturation !== 1) {
    steps.push({ kind: 'adjust', brightness, contrast, saturation });
  }
  const warmth = value(inference, 'warmth_adjust') * k * residual;
  if (Math.abs(warmth) >= MIN_STEP) {
    steps.push({ kind: 'warmth', amount: Math.max(-1, Math.min(1, warmth)) });
    used.add('warmth_adjust');
  }
  const sharpen = clamp01(strengthValue(inference, 'sharpen') * k);
  if (sharpen >= MIN_STEP) {
    steps.push({ kind: 'sharpen', amount: sharpen });
    used.add('sharpen');
  }
  const soften = clamp01(strengthValue(inference, 'soften') * k);
  if (soften >= MIN_STEP && sharpen < MIN_STEP) {
    steps.push({ kind: 'soften', amount: soften });
    used.add('soften');
  }
  return {
    regionId: input.regionId,
    variant: input.variant,
    steps,
    recommendations: [...used].map((name) => recommendation(inference, name)),
  };
}
