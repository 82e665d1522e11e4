import { describe, expect, it } from 'vitest';
import {
  aggregateOutput,
  defuzzify,
  explainInference,
  type FuzzyVariables,
  inferMamdani,
  PakatiError,
  parseRuleSet,
  type RuleSet,
  triangularSet,
} from '../src/index.ts';

function errorOf(fn: () => unknown): PakatiError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PakatiError);
    return error as PakatiError;
  }
  throw new Error('expected a PakatiError');
}

const variables: FuzzyVariables = {
  inputs: {
    x: {
      name: 'x',
      range: [0, 10],
      terms: { small: triangularSet(0, 0, 10), large: triangularSet(0, 10, 10) },
    },
    z: { name: 'z', range: [0, 1], terms: { on: triangularSet(0, 1, 1) } },
  },
  outputs: {
    y: { name: 'y', range: [0, 10], terms: { low: triangularSet(0, 2, 4), high: triangularSet(6, 8, 10) } },
    w: { name: 'w', range: [0, 1], terms: { some: triangularSet(0, 0.5, 1) } },
  },
};

function ruleSet(text: string): RuleSet {
  return parseRuleSet(text, { base: variables });
}

const twoRules = ruleSet(
  [
    '# two rules, checked by hand',
    'IF x IS small THEN y IS low',
    'IF x IS large THEN y IS high WITH 0.5',
  ].join('\n'),
);

describe('Mamdani inference', () => {
  it('matches a hand-computed centroid', () => {
    // At x = 5: small = large = 0.5, so low is clipped at 0.5 and high at 0.5 × 0.5 = 0.25.
    // Clipped low:  trapezoid 0,1,3,4 at height 0.5, area 0.5 × (4 + 2) / 2 = 1.5, centroid 2 (symmetric).
    // Clipped high: trapezoid 6,6.5,9.5,10 at height 0.25, area 0.25 × (4 + 3) / 2 = 0.875, centroid 8.
    // The sets do not overlap, so the centroid is (1.5 × 2 + 0.875 × 8) / (1.5 + 0.875) = 10 / 2.375.
    const expected = (1.5 * 2 + 0.875 * 8) / (1.5 + 0.875);
    const result = inferMamdani(twoRules, { x: 5 });
    expect(result.outputs.y!.value).not.toBeNull();
    expect(Math.abs(result.outputs.y!.value! - expected)).toBeLessThan(1e-3);
    expect(result.outputs.y!.value!).toBeCloseTo(4.2105, 3);
  });

  it('lists fired rules, strongest first, with degree = strength × weight', () => {
    const { outputs } = inferMamdani(twoRules, { x: 5 });
    expect(outputs.y!.fired).toEqual([
      {
        ruleIndex: 0,
        line: 2,
        text: 'IF x IS small THEN y IS low',
        degree: 0.5,
        strength: 0.5,
        weight: 1,
        consequent: { variable: 'y', term: 'low' },
      },
      {
        ruleIndex: 1,
        line: 3,
        text: 'IF x IS large THEN y IS high WITH 0.5',
        degree: 0.25,
        strength: 0.5,
        weight: 0.5,
        consequent: { variable: 'y', term: 'high' },
      },
    ]);
    // At x = 8 the second rule is stronger (0.8 × 0.5 = 0.4 > 0.2) and is listed first.
    const later = inferMamdani(twoRules, { x: 8 }).outputs.y!.fired;
    expect(later.map((f) => f.ruleIndex)).toEqual([1, 0]);
    expect(later[0]!.degree).toBeCloseTo(0.4, 12);
    expect(later[1]!.degree).toBeCloseTo(0.2, 12);
  });

  it('reports null, not a made-up value, when no rule fires', () => {
    // x = 0: large = 0, so only the first rule fires; w has no rule at all.
    const some = inferMamdani(twoRules, { x: 0 });
    expect(some.outputs.y!.fired.map((f) => f.ruleIndex)).toEqual([0]);
    expect(some.outputs.y!.value!).toBeCloseTo(2, 10);
    expect(some.outputs.w).toEqual({ value: null, fired: [] });

    const set = ruleSet('IF x IS large THEN y IS high');
    expect(inferMamdani(set, { x: 0 }).outputs.y).toEqual({ value: null, fired: [] });
    // A zero weight disables a rule: it never fires, whatever its strength.
    expect(
      inferMamdani(ruleSet('IF x IS large THEN y IS high WITH 0'), { x: 10 }).outputs.y!.value,
    ).toBeNull();
  });

  it('applies AND = min, OR = max, NOT and hedges', () => {
    const set = ruleSet(
      [
        'IF x IS large AND z IS on THEN y IS high',
        'IF x IS large OR z IS on THEN w IS some',
        'IF NOT x IS large THEN y IS low',
        'IF x IS very large THEN w IS some',
        'IF x IS not very large THEN y IS low',
      ].join('\n'),
    );
    const { outputs } = inferMamdani(set, { x: 6, z: 0.3 });
    const degree = (name: string, index: number) =>
      outputs[name]!.fired.find((f) => f.ruleIndex === index)!.degree;
    expect(degree('y', 0)).toBeCloseTo(0.3, 12);
    expect(degree('w', 1)).toBeCloseTo(0.6, 12);
    expect(degree('y', 2)).toBeCloseTo(0.4, 12);
    expect(degree('w', 3)).toBeCloseTo(0.36, 12);
    expect(degree('y', 4)).toBeCloseTo(0.64, 12);
  });

  it('aggregates a term used by two rules by max and offers the other defuzzifiers', () => {
    const set = ruleSet(['IF x IS small THEN y IS low', 'IF x IS large THEN y IS low WITH 0.1'].join('\n'));
    const result = inferMamdani(set, { x: 5 });
    // Only the stronger clip (0.5) shapes the set: the plateau from 1 to 3.
    expect(result.outputs.y!.value!).toBeCloseTo(2, 10);
    expect(inferMamdani(set, { x: 5 }, { defuzzifier: 'mean-of-maxima' }).outputs.y!.value!).toBeCloseTo(
      2,
      10,
    );
    expect(inferMamdani(set, { x: 5 }, { defuzzifier: 'max' }).outputs.y!.value!).toBeCloseTo(1, 10);

    // Mean of maxima on the two-rule example ignores the weaker high set entirely.
    expect(inferMamdani(twoRules, { x: 5 }, { defuzzifier: 'mean-of-maxima' }).outputs.y!.value!).toBeCloseTo(
      2,
      10,
    );
    // More samples converge on the same centroid.
    const fine = inferMamdani(twoRules, { x: 5 }, { samples: 1001 }).outputs.y!.value!;
    expect(fine).toBeCloseTo(10 / 2.375, 4);
  });

  it('exposes aggregation and defuzzification on their own', () => {
    const curve = aggregateOutput(variables.outputs.y!, new Map([['high', 1]]), 11);
    expect([...curve.xs]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...curve.degrees]).toEqual([0, 0, 0, 0, 0, 0, 0, 0.5, 1, 0.5, 0]);
    expect(defuzzify(curve)).toBe(8);
    expect(defuzzify({ xs: curve.xs, degrees: new Float64Array(11) })).toBeNull();
  });

  it('does not fire rules whose inputs are missing, and says which', () => {
    const set = ruleSet(
      [
        'IF x IS small THEN y IS low',
        'IF NOT z IS on THEN w IS some',
        'IF x IS small OR z IS on THEN w IS some',
      ].join('\n'),
    );
    const result = inferMamdani(set, { x: 2, z: null });
    expect(result.missingInputs).toEqual(['z']);
    expect(result.outputs.w).toEqual({ value: null, fired: [] });
    expect(result.outputs.y!.value).not.toBeNull();
    expect(inferMamdani(set, {}).missingInputs).toEqual(['x', 'z']);
  });

  it('refuses unknown or non-finite inputs and bad options', () => {
    expect(errorOf(() => inferMamdani(twoRules, { x: 1, q: 2 })).code).toBe('BAD_USER_INPUT');
    expect(errorOf(() => inferMamdani(twoRules, { y: 2 })).code).toBe('BAD_USER_INPUT');
    expect(errorOf(() => inferMamdani(twoRules, { x: Number.NaN })).code).toBe('BAD_USER_INPUT');
    expect(errorOf(() => inferMamdani(twoRules, { x: 1 }, { samples: 1 })).code).toBe('BAD_USER_INPUT');
    expect(errorOf(() => inferMamdani(twoRules, { x: 1 }, { samples: 10.5 })).code).toBe('BAD_USER_INPUT');
    const bogus = { defuzzifier: 'bisector' } as unknown as { defuzzifier: 'max' };
    expect(errorOf(() => inferMamdani(twoRules, { x: 1 }, bogus)).code).toBe('BAD_USER_INPUT');
  });

  it('explains every output with the rules behind it', () => {
    const set = ruleSet(
      [
        '# two rules, checked by hand',
        'IF x IS small THEN y IS low',
        'IF x IS large THEN y IS high WITH 0.5',
        'IF z IS on THEN w IS some',
      ].join('\n'),
    );
    const text = explainInference(inferMamdani(set, { x: 5 }));
    expect(text.split('\n')).toEqual([
      'y = 4.21',
      '  0.50  line 2: IF x IS small THEN y IS low  -> low',
      '  0.25  line 3: IF x IS large THEN y IS high WITH 0.5  -> high',
      'w: no rule fired',
      'not measured (rules reading them did not fire): z',
    ]);
  });

  it('is deterministic and independent of input key order', () => {
    const a = inferMamdani(twoRules, { x: 3.3, z: 0.2 });
    const b = inferMamdani(twoRules, { z: 0.2, x: 3.3 });
    expect(b).toEqual(a);
    expect(inferMamdani(twoRules, { x: 3.3, z: 0.2 })).toEqual(a);
  });
});
