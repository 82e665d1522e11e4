import { describe, expect, it } from 'vitest';
import {
  applyHedge,
  applyHedges,
  DEFAULT_VARIABLES,
  fuzzify,
  gaussianSet,
  HEDGE_NAMES,
  isHedge,
  type LinguisticVariable,
  membership,
  PakatiError,
  satisfactionForDistance,
  satisfactionScore,
  trapezoidalSet,
  triangularSet,
  validateFuzzyVariables,
  validateLinguisticVariable,
  validateMembershipFunction,
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

describe('membership functions', () => {
  it('evaluates a triangle at known points', () => {
    const t = triangularSet(0, 5, 10);
    expect([-1, 0, 2.5, 5, 7.5, 10, 11].map((x) => membership(t, x))).toEqual([0, 0, 0.5, 1, 0.5, 0, 0]);
  });

  it('evaluates triangle shoulders (a = b and b = c)', () => {
    const left = triangularSet(0, 0, 10);
    expect(membership(left, 0)).toBe(1);
    expect(membership(left, 5)).toBe(0.5);
    expect(membership(left, -0.1)).toBe(0);
    const right = triangularSet(0, 10, 10);
    expect(membership(right, 10)).toBe(1);
    expect(membership(right, 2.5)).toBe(0.25);
  });

  it('evaluates trapezoids, including the original brightness shoulders', () => {
    const z = trapezoidalSet(0, 2, 4, 6);
    expect([0, 1, 2, 3, 4, 5, 6].map((x) => membership(z, x))).toEqual([0, 0.5, 1, 1, 1, 0.5, 0]);
    const veryDark = trapezoidalSet(0, 0, 0.1, 0.25);
    expect(membership(veryDark, 0)).toBe(1);
    expect(membership(veryDark, 0.05)).toBe(1);
    expect(membership(veryDark, 0.175)).toBeCloseTo(0.5, 12);
    expect(membership(veryDark, 0.3)).toBe(0);
    const veryBright = trapezoidalSet(0.75, 0.9, 1, 1);
    expect(membership(veryBright, 1)).toBe(1);
    expect(membership(veryBright, 0.825)).toBeCloseTo(0.5, 12);
  });

  it('evaluates a gaussian', () => {
    const g = gaussianSet(0.5, 0.1);
    expect(membership(g, 0.5)).toBe(1);
    expect(membership(g, 0.6)).toBeCloseTo(Math.exp(-0.5), 12);
    expect(membership(g, 0.3)).toBeCloseTo(Math.exp(-2), 12);
  });

  it('validates parameters and names the path', () => {
    const cases: [unknown, string][] = [
      [{ kind: 'triangle', a: 1, b: 0, c: 2 }, 'm'],
      [{ kind: 'triangle', a: 1, b: 1, c: 1 }, 'm'],
      [{ kind: 'trapezoid', a: 0, b: 3, c: 2, d: 4 }, 'm'],
      [{ kind: 'trapezoid', a: 0, b: 1, c: 2 }, 'm.d'],
      [{ kind: 'gaussian', mean: 0, sigma: 0 }, 'm.sigma'],
      [{ kind: 'gaussian', mean: Number.NaN, sigma: 1 }, 'm.mean'],
      [{ kind: 'triangle', a: 0, b: Number.POSITIVE_INFINITY, c: 2 }, 'm.b'],
      [{ kind: 'bell', a: 0 }, 'm.kind'],
      [null, 'm'],
    ];
    for (const [value, path] of cases) {
      const e = errorOf(() => validateMembershipFunction(value, 'm'));
      expect(e.code).toBe('INVALID_RULES');
      expect(e.details).toMatchObject({ path, reason: 'INVALID_MEMBERSHIP' });
    }
  });

  it('returns a clean copy of a valid function', () => {
    const input = { kind: 'trapezoid', a: 0, b: 0, c: 0.1, d: 0.25, extra: 'x' };
    const fn = validateMembershipFunction(input);
    expect(fn).toEqual({ kind: 'trapezoid', a: 0, b: 0, c: 0.1, d: 0.25 });
    input.a = -5;
    expect(fn).toMatchObject({ a: 0 });
  });
});

describe('hedges', () => {
  it('uses the documented exponents', () => {
    const x = 0.5;
    expect(applyHedge('very', x)).toBe(0.25);
    expect(applyHedge('extremely', x)).toBe(0.125);
    expect(applyHedge('somewhat', x)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(applyHedge('slightly', x)).toBeCloseTo(0.5 ** 0.25, 12);
    expect(applyHedge('quite', x)).toBeCloseTo(0.5 ** 1.25, 12);
    expect(applyHedge('rather', x)).toBeCloseTo(0.5 ** 1.5, 12);
    expect(applyHedge('fairly', x)).toBeCloseTo(0.5 ** 0.75, 12);
    expect(applyHedge('not', 0.2)).toBeCloseTo(0.8, 12);
    expect([...HEDGE_NAMES].sort()).toEqual([
      'extremely',
      'fairly',
      'not',
      'quite',
      'rather',
      'slightly',
      'somewhat',
      'very',
    ]);
  });

  it('composes nearest-the-term first', () => {
    // not very dark = not(very(dark)); very not dark = very(not(dark)).
    expect(applyHedges(['not', 'very'], 0.6)).toBeCloseTo(1 - 0.36, 12);
    expect(applyHedges(['very', 'not'], 0.6)).toBeCloseTo(0.16, 12);
    expect(applyHedges(['extremely', 'somewhat'], 0.64)).toBeCloseTo(0.8 ** 3, 12);
    expect(applyHedges([], 0.3)).toBe(0.3);
  });

  it('keeps degrees in [0, 1] and matches hedge words case-insensitively', () => {
    expect(applyHedge('somewhat', -1e-17)).toBe(0);
    expect(applyHedge('not', 1 + 1e-15)).toBe(0);
    expect(isHedge('NOT')).toBe(true);
    expect(isHedge('Very')).toBe(true);
    expect(isHedge('really')).toBe(false);
    expect(isHedge('constructor')).toBe(false);
  });
});

describe('linguistic variables', () => {
  const level: LinguisticVariable = {
    name: 'level',
    range: [0, 1],
    terms: {
      low: trapezoidalSet(0, 0, 0.25, 0.5),
      mid: triangularSet(0.25, 0.5, 0.75),
      high: trapezoidalSet(0.5, 0.75, 1, 1),
    },
  };

  it('fuzzifies to every term', () => {
    expect(fuzzify(level, 0.375)).toEqual({ low: 0.5, mid: 0.5, high: 0 });
    expect(fuzzify(level, 0.5)).toEqual({ low: 0, mid: 1, high: 0 });
    const d = fuzzify(level, 0.7);
    expect(d.low).toBe(0);
    expect(d.mid).toBeCloseTo(0.2, 12);
    expect(d.high).toBeCloseTo(0.8, 12);
  });

  it('clamps values outside the range and refuses non-finite ones', () => {
    expect(fuzzify(level, 7)).toEqual(fuzzify(level, 1));
    expect(fuzzify(level, -3)).toEqual({ low: 1, mid: 0, high: 0 });
    expect(errorOf(() => fuzzify(level, Number.NaN)).code).toBe('BAD_USER_INPUT');
    expect(errorOf(() => fuzzify(level, Number.POSITIVE_INFINITY)).code).toBe('BAD_USER_INPUT');
  });

  it('fuzzifies the default signed deltas', () => {
    const brightness = DEFAULT_VARIABLES.inputs.brightness_delta!;
    expect(fuzzify(brightness, 0)).toEqual({ much_lower: 0, lower: 0, ok: 1, higher: 0, much_higher: 0 });
    expect(fuzzify(brightness, 0.7).much_higher).toBe(1);
    expect(fuzzify(brightness, -0.7).much_lower).toBe(1);
    const sum = Object.values(fuzzify(brightness, 0.3)).reduce((a, b) => a + b, 0);
    expect(sum).toBeGreaterThan(0.5);
  });

  it('validates variables with paths', () => {
    const bad: [unknown, string][] = [
      [{ range: [1, 0], terms: { a: triangularSet(0, 1, 2) } }, 'v.range'],
      [{ range: [0, 1, 2], terms: { a: triangularSet(0, 1, 2) } }, 'v.range'],
      [{ range: [0, 1], terms: {} }, 'v.terms'],
      [{ range: [0, 1], terms: { AND: triangularSet(0, 1, 2) } }, 'v.terms.AND'],
      [{ range: [0, 1], terms: { very: triangularSet(0, 1, 2) } }, 'v.terms.very'],
      [{ range: [0, 1], terms: { 'two words': triangularSet(0, 1, 2) } }, 'v.terms.two words'],
      [{ range: [0, 1], terms: { a: { kind: 'triangle', a: 2, b: 1, c: 0 } } }, 'v.terms.a'],
      [{ name: 'other', range: [0, 1], terms: { a: triangularSet(0, 1, 2) } }, 'v.name'],
    ];
    for (const [value, path] of bad) {
      const e = errorOf(() => validateLinguisticVariable(value, 'v', 'level'));
      expect(e.code).toBe('INVALID_RULES');
      expect(e.details.path).toBe(path);
    }
    const ok = validateLinguisticVariable(
      { range: [0, 1], terms: { a: triangularSet(0, 0.5, 1) } },
      'v',
      'level',
    );
    expect(ok).toEqual({
      name: 'level',
      range: [0, 1],
      terms: { a: { kind: 'triangle', a: 0, b: 0.5, c: 1 } },
    });
  });

  it('refuses a name that is both an input and an output', () => {
    const v = { name: 'x', range: [0, 1], terms: { a: triangularSet(0, 0.5, 1) } };
    const e = errorOf(() => validateFuzzyVariables({ inputs: { x: v }, outputs: { x: v } }));
    expect(e.details).toMatchObject({ path: 'variables.outputs.x', reason: 'INVALID_VARIABLE' });
  });
});

describe('satisfaction curve', () => {
  it('follows the original piecewise curve with t = 0.1', () => {
    const points: [number, number][] = [
      [0, 1],
      [0.05, 0.9],
      [0.1, 0.8],
      [0.15, 0.6],
      [0.2, 0.4],
      [0.25, 0.25],
      [0.3, 0.1],
      [0.5, 0.08],
      [1.3, 0],
      [2, 0],
    ];
    for (const [d, expected] of points) expect(satisfactionForDistance(d)).toBeCloseTo(expected, 10);
  });

  it('measures |current - target|, with a custom tolerance', () => {
    expect(satisfactionScore(0.4, 0.5)).toBeCloseTo(0.8, 12);
    expect(satisfactionScore(0.6, 0.5)).toBeCloseTo(0.8, 12);
    expect(satisfactionScore(0.5, 0.5)).toBe(1);
    expect(satisfactionScore(0.3, 0.5, 0.2)).toBeCloseTo(0.8, 12);
  });

  it('is continuous and non-increasing', () => {
    let previous = Number.POSITIVE_INFINITY;
    for (let i = 0; i <= 2000; i++) {
      const s = satisfactionForDistance(i / 1000);
      expect(s).toBeLessThanOrEqual(previous + 1e-12);
      if (i > 0) expect(previous - s).toBeLessThan(0.01);
      previous = s;
    }
  });

  it('refuses bad numbers', () => {
    expect(errorOf(() => satisfactionForDistance(0.1, 0)).code).toBe('BAD_USER_INPUT');
    expect(errorOf(() => satisfactionScore(Number.NaN, 0.5)).code).toBe('BAD_USER_INPUT');
  });
});
