import {
  type FuzzyVariables,
  type LinguisticVariable,
  validateFuzzyVariables,
} from './linguistic-variable.ts';
import { type MembershipFunction, trapezoidalSet, triangularSet } from './membership.ts';
import { parseRules } from './rule-parser.ts';
import type { RuleSet } from './rules.ts';

function variable(name: string, range: [number, number], terms: Record<string, MembershipFunction>) {
  return { name, range, terms } satisfies LinguisticVariable;
}

/**
 * Signed target-minus-current deltas in [-1, 1]. `ok` spans about the original's satisfaction tolerance
 * (0.1), so a delta it would still score as satisfied needs no action.
 */
function signedDelta(name: string): LinguisticVariable {
  return variable(name, [-1, 1], {
    much_lower: trapezoidalSet(-1, -1, -0.45, -0.25),
    lower: triangularSet(-0.4, -0.2, -0.05),
    ok: trapezoidalSet(-0.1, -0.03, 0.03, 0.1),
    higher: triangularSet(0.05, 0.2, 0.4),
    much_higher: trapezoidalSet(0.25, 0.45, 1, 1),
  });
}

/** Distances in [0, 1], 0 = identical; `low` ends near the original's reporting thresholds (0.1 to 0.3). */
function distance(name: string): LinguisticVariable {
  return variable(name, [0, 1], {
    low: trapezoidalSet(0, 0, 0.1, 0.25),
    medium: triangularSet(0.15, 0.3, 0.5),
    high: triangularSet(0.4, 0.6, 0.8),
    very_high: trapezoidalSet(0.7, 0.85, 1, 1),
  });
}

/** Signed adjustments in [-1, 1]; `none` is symmetric, so a region that needs nothing defuzzifies to 0. */
function signedAdjust(name: string): LinguisticVariable {
  return variable(name, [-1, 1], {
    decrease_strong: trapezoidalSet(-1, -1, -0.7, -0.4),
    decrease: triangularSet(-0.6, -0.3, -0.05),
    none: triangularSet(-0.15, 0, 0.15),
    increase: triangularSet(0.05, 0.3, 0.6),
    increase_strong: trapezoidalSet(0.4, 0.7, 1, 1),
  });
}

/** How strongly to apply an action, in [0, 1]. */
function strength(name: string): LinguisticVariable {
  return variable(name, [0, 1], {
    none: trapezoidalSet(0, 0, 0.05, 0.2),
    light: triangularSet(0.1, 0.3, 0.5),
    medium: triangularSet(0.35, 0.55, 0.75),
    strong: trapezoidalSet(0.6, 0.8, 1, 1),
  });
}

function byName(variables: LinguisticVariable[]): Record<string, LinguisticVariable> {
  return Object.fromEntries(variables.map((v) => [v.name, v]));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * The analyzer's per-region measurements and the actions they drive. Frozen: it is shared by every caller,
 * and rule sets parsed from it get their own copies.
 */
export const DEFAULT_VARIABLES: FuzzyVariables = deepFreeze({
  inputs: byName([
    signedDelta('brightness_delta'),
    signedDelta('contrast_delta'),
    signedDelta('saturation_delta'),
    signedDelta('warmth_delta'),
    signedDelta('sharpness_delta'),
    distance('color_distance'),
    distance('structure_distance'),
    distance('texture_distance'),
    // The original's satisfaction sets, unchanged.
    variable('satisfaction', [0, 1], {
      unsatisfied: trapezoidalSet(0, 0, 0.1, 0.3),
      partially: triangularSet(0.2, 0.4, 0.6),
      mostly: triangularSet(0.5, 0.7, 0.9),
      fully: trapezoidalSet(0.8, 0.9, 1, 1),
    }),
  ]),
  outputs: byName([
    signedAdjust('brightness_adjust'),
    signedAdjust('contrast_adjust'),
    signedAdjust('saturation_adjust'),
    signedAdjust('warmth_adjust'),
    strength('sharpen'),
    strength('soften'),
    strength('color_transfer'),
    strength('regenerate'),
    strength('inpaint'),
  ]),
});

/**
 * Each rule reads as few inputs as it can: a rule whose input the analyzer could not measure does not fire,
 * so single-input rules keep the basic corrections working when, say, there is no reference to compare with.
 */
export const DEFAULT_RULE_TEXT = `# Pakati default fuzzy rules. Deltas are target minus current, so a positive brightness_delta
# means the region is darker than wanted. WITH is the rule's confidence, as in the original.

# Tone: the original brightens a very dark region by +.3 (confidence .9) and darkens a very bright one by .2 (.8).
IF brightness_delta IS much_higher THEN brightness_adjust IS increase_strong WITH 0.9
IF brightness_delta IS higher THEN brightness_adjust IS increase WITH 0.85
IF brightness_delta IS ok THEN brightness_adjust IS none
IF brightness_delta IS lower THEN brightness_adjust IS decrease WITH 0.85
IF brightness_delta IS much_lower THEN brightness_adjust IS decrease_strong WITH 0.8
# Strong brightening washes a region out; the original lifts contrast a little alongside, unless less is wanted.
IF brightness_delta IS very much_higher AND contrast_delta IS NOT much_lower THEN contrast_adjust IS increase WITH 0.5

IF contrast_delta IS much_higher THEN contrast_adjust IS increase_strong WITH 0.8
IF contrast_delta IS higher THEN contrast_adjust IS increase WITH 0.75
IF contrast_delta IS ok THEN contrast_adjust IS none
IF contrast_delta IS lower THEN contrast_adjust IS decrease WITH 0.75
IF contrast_delta IS much_lower THEN contrast_adjust IS decrease_strong WITH 0.8

IF saturation_delta IS much_higher THEN saturation_adjust IS increase_strong WITH 0.85
IF saturation_delta IS higher THEN saturation_adjust IS increase WITH 0.8
IF saturation_delta IS ok THEN saturation_adjust IS none
IF saturation_delta IS lower OR saturation_delta IS much_lower THEN saturation_adjust IS decrease WITH 0.8

# The original warms a very cool region by +.4 (confidence .85).
IF warmth_delta IS much_higher THEN warmth_adjust IS increase_strong WITH 0.85
IF warmth_delta IS higher THEN warmth_adjust IS increase WITH 0.8
IF warmth_delta IS ok THEN warmth_adjust IS none
IF warmth_delta IS lower THEN warmth_adjust IS decrease WITH 0.8
IF warmth_delta IS much_lower THEN warmth_adjust IS decrease_strong WITH 0.85

# Detail both ways: an unsharp mask where the region should be crisper, a light blur where it should be softer.
IF sharpness_delta IS much_higher THEN sharpen IS strong WITH 0.85
IF sharpness_delta IS higher THEN sharpen IS medium WITH 0.8
IF sharpness_delta IS ok OR sharpness_delta IS lower OR sharpness_delta IS much_lower THEN sharpen IS none
IF sharpness_delta IS much_lower THEN soften IS strong WITH 0.8
IF sharpness_delta IS lower THEN soften IS medium WITH 0.75
IF sharpness_delta IS ok OR sharpness_delta IS higher OR sharpness_delta IS much_higher THEN soften IS none

# Colour: transfer the reference palette in proportion to how far apart the colours are.
IF color_distance IS low THEN color_transfer IS none
IF color_distance IS medium THEN color_transfer IS light WITH 0.8
IF color_distance IS high THEN color_transfer IS medium WITH 0.85
IF color_distance IS very_high THEN color_transfer IS strong WITH 0.9

# Structure cannot be fixed by tone or colour edits: a large structural gap is regenerated, firmly when the
# region is also unsatisfying. A local texture gap on an intact structure is inpainted instead.
IF structure_distance IS very_high AND (satisfaction IS unsatisfied OR satisfaction IS partially) THEN regenerate IS strong WITH 0.95
IF structure_distance IS high OR structure_distance IS very_high THEN regenerate IS medium WITH 0.8
IF structure_distance IS low OR structure_distance IS medium THEN regenerate IS none
IF texture_distance IS very_high AND structure_distance IS NOT very_high THEN inpaint IS strong WITH 0.85
IF texture_distance IS high AND structure_distance IS NOT very_high THEN inpaint IS medium WITH 0.8
IF texture_distance IS medium THEN inpaint IS light WITH 0.7
IF texture_distance IS low THEN inpaint IS none
# When the layout is far off too, regeneration is tried first (it is the stronger recommendation); once it has
# failed to help, the texture is still worth inpainting from the reference.
IF texture_distance IS very_high AND structure_distance IS very_high THEN inpaint IS medium WITH 0.6
# A fully satisfying region is left alone whatever the distances say.
IF satisfaction IS fully THEN regenerate IS none AND inpaint IS none
`;

/** The shipped rule set, parsed afresh so callers may keep or change it without affecting anyone else. */
export function defaultRuleSet(): RuleSet {
  const rules = parseRules(DEFAULT_RULE_TEXT, DEFAULT_VARIABLES);
  const { inputs, outputs } = validateFuzzyVariables(DEFAULT_VARIABLES);
  return { inputs, outputs, rules };
}
