import { describe, expect, it } from 'vitest';
import {
  antecedentVariables,
  DEFAULT_RULE_TEXT,
  DEFAULT_VARIABLES,
  defaultRuleSet,
  explainInference,
  type FuzzyInputs,
  inferMamdani,
  type MamdaniResult,
  parseRuleSet,
} from '../src/index.ts';

const rules = defaultRuleSet();

const SIGNED = ['brightness_adjust', 'contrast_adjust', 'saturation_adjust', 'warmth_adjust'];
const MAGNITUDES = ['sharpen', 'soften', 'color_transfer', 'regenerate', 'inpaint'];

const matched: FuzzyInputs = {
  brightness_delta: 0.02,
  contrast_delta: -0.03,
  saturation_delta: 0.01,
  warmth_delta: -0.02,
  sharpness_delta: 0,
  color_distance: 0.05,
  structure_distance: 0.04,
  texture_distance: 0.06,
  satisfaction: 0.95,
};

function value(result: MamdaniResult, output: string): number | null {
  return result.outputs[output]!.value;
}

describe('default rule set', () => {
  it('defines the documented variables and uses each of them', () => {
    expect(Object.keys(DEFAULT_VARIABLES.inputs).sort()).toEqual(
      [
        'brightness_delta',
        'color_distance',
        'contrast_delta',
        'satisfaction',
        'saturation_delta',
        'sharpness_delta',
        'structure_distance',
        'texture_distance',
        'warmth_delta',
      ].sort(),
    );
    expect(Object.keys(DEFAULT_VARIABLES.outputs).sort()).toEqual([...SIGNED, ...MAGNITUDES].sort());
    expect(Object.keys(DEFAULT_VARIABLES.inputs.warmth_delta!.terms)).toEqual([
      'much_lower',
      'lower',
      'ok',
      'higher',
      'much_higher',
    ]);
    expect(Object.keys(DEFAULT_VARIABLES.inputs.color_distance!.terms)).toEqual([
      'low',
      'medium',
      'high',
      'very_high',
    ]);
    expect(Object.keys(DEFAULT_VARIABLES.outputs.color_transfer!.terms)).toEqual([
      'none',
      'light',
      'medium',
      'strong',
    ]);
    expect(DEFAULT_VARIABLES.inputs.satisfaction!.terms).toEqual({
      unsatisfied: { kind: 'trapezoid', a: 0, b: 0, c: 0.1, d: 0.3 },
      partially: { kind: 'triangle', a: 0.2, b: 0.4, c: 0.6 },
      mostly: { kind: 'triangle', a: 0.5, b: 0.7, c: 0.9 },
      fully: { kind: 'trapezoid', a: 0.8, b: 0.9, c: 1, d: 1 },
    });

    expect(rules.rules.length).toBeGreaterThanOrEqual(20);
    expect(rules.rules.length).toBeLessThanOrEqual(40);
    const read = new Set(rules.rules.flatMap((r) => antecedentVariables(r.antecedent)));
    const written = new Set(rules.rules.flatMap((r) => r.consequents.map((c) => c.variable)));
    expect([...read].sort()).toEqual(Object.keys(DEFAULT_VARIABLES.inputs).sort());
    expect([...written].sort()).toEqual(Object.keys(DEFAULT_VARIABLES.outputs).sort());
    expect(parseRuleSet(DEFAULT_RULE_TEXT).rules).toEqual(rules.rules);
  });

  it('is frozen where shared and fresh where returned', () => {
    expect(Object.isFrozen(DEFAULT_VARIABLES.inputs.brightness_delta!.range)).toBe(true);
    const mine = defaultRuleSet();
    mine.rules.pop();
    mine.outputs.sharpen!.range[1] = 5;
    const other = defaultRuleSet();
    expect(other.rules).toHaveLength(rules.rules.length);
    expect(other.outputs.sharpen!.range).toEqual([0, 1]);
  });

  it('brightens a very dark region strongly, and darkens a very bright one', () => {
    const dark = inferMamdani(rules, { brightness_delta: 0.7 });
    expect(value(dark, 'brightness_adjust')!).toBeGreaterThan(0.5);
    expect(dark.outputs.brightness_adjust!.fired[0]!.consequent.term).toBe('increase_strong');
    const darkish = inferMamdani(rules, { brightness_delta: 0.2 });
    expect(value(darkish, 'brightness_adjust')!).toBeGreaterThan(0.1);
    expect(value(darkish, 'brightness_adjust')!).toBeLessThan(value(dark, 'brightness_adjust')!);
    const bright = inferMamdani(rules, { brightness_delta: -0.7 });
    expect(value(bright, 'brightness_adjust')!).toBeLessThan(-0.5);
  });

  it('suggests no strong action for a well-matched region', () => {
    const result = inferMamdani(rules, matched);
    expect(result.missingInputs).toEqual([]);
    for (const name of SIGNED) {
      const v = value(result, name);
      if (v !== null) expect(Math.abs(v)).toBeLessThan(0.1);
    }
    for (const name of MAGNITUDES) {
      const v = value(result, name);
      if (v !== null) expect(v).toBeLessThan(0.15);
    }
    const strongTerms = new Set(['increase_strong', 'decrease_strong', 'strong', 'medium']);
    for (const output of Object.values(result.outputs)) {
      for (const f of output.fired) expect(strongTerms.has(f.consequent.term)).toBe(false);
    }
  });

  it('transfers colour when the colour distance is large', () => {
    const far = inferMamdani(rules, { ...matched, color_distance: 0.9 });
    expect(value(far, 'color_transfer')!).toBeGreaterThan(0.5);
    expect(far.outputs.color_transfer!.fired[0]!.text).toContain('color_distance IS very_high');
    const near = inferMamdani(rules, { color_distance: 0.05 });
    expect(value(near, 'color_transfer')!).toBeLessThan(0.15);
  });

  it('regenerates a structurally wrong, unsatisfying region; inpaints a texture gap', () => {
    const wrong = inferMamdani(rules, { structure_distance: 0.95, satisfaction: 0.1 });
    expect(value(wrong, 'regenerate')!).toBeGreaterThan(0.6);
    const content = inferMamdani(rules, { structure_distance: 0.95, satisfaction: 0.97 });
    expect(value(content, 'regenerate')!).toBeLessThan(value(wrong, 'regenerate')!);
    const texture = inferMamdani(rules, { structure_distance: 0.1, texture_distance: 0.9 });
    expect(value(texture, 'inpaint')!).toBeGreaterThan(0.5);
    expect(value(texture, 'regenerate')!).toBeLessThan(0.15);
  });

  it('leaves unmeasured inputs out instead of guessing them', () => {
    const result = inferMamdani(rules, { brightness_delta: 0.7 });
    expect(value(result, 'regenerate')).toBeNull();
    expect(value(result, 'color_transfer')).toBeNull();
    expect(result.missingInputs).toContain('satisfaction');
    expect(explainInference(result)).toContain('regenerate: no rule fired');
  });

  it('is deterministic and survives 10,000 evaluations', () => {
    const inputs: FuzzyInputs = {
      ...matched,
      brightness_delta: 0.33,
      texture_distance: 0.55,
      satisfaction: 0.4,
    };
    const first = inferMamdani(rules, inputs);
    let last: MamdaniResult = first;
    for (let i = 0; i < 10_000; i++) {
      last = inferMamdani(rules, { ...inputs, color_distance: (i % 100) / 100 });
    }
    expect(inferMamdani(rules, inputs)).toEqual(first);
    expect(value(last, 'color_transfer')!).toBeGreaterThan(0.5);
    for (const output of Object.values(last.outputs)) {
      if (output.value !== null) expect(Number.isFinite(output.value)).toBe(true);
    }
  });
});
