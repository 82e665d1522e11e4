import { describe, expect, it } from 'vitest';
import {
  adaptStrategy,
  type CandidateEvaluation,
  combineDeltaReports,
  DEFAULT_REFINEMENT_SETTINGS,
  type DeltaReport,
  defaultRuleSet,
  evaluateCandidate,
  hashDistance,
  inferRegion,
  initialStrategyState,
  iterationScore,
  lumaPlane,
  PakatiError,
  perceptualHash,
  planIteration,
  planRegion,
  type RefinementSettings,
  referenceWeight,
  regionScore,
  regionsInFocus,
  startRefinement,
  stopReason,
  validateRefinementSettings,
} from '../src/index.ts';

const settings = (strategy: RefinementSettings['strategy']): RefinementSettings => ({
  ...DEFAULT_REFINEMENT_SETTINGS,
  strategy,
});

function report(overrides: Partial<DeltaReport> = {}): DeltaReport {
  return {
    brightness_delta: 0,
    contrast_delta: 0,
    saturation_delta: 0,
    warmth_delta: 0,
    sharpness_delta: 0,
    color_distance: 0,
    palette_distance: 0,
    structure_distance: 0,
    texture_distance: 0,
    composition_distance: 0,
    ...overrides,
  };
}

function candidate(scores: Record<string, number>, hash: number | null = 40): CandidateEvaluation {
  const ids = Object.keys(scores);
  return {
    score: iterationScore(Object.values(scores)),
    regionScores: scores,
    distances: Object.fromEntries(ids.map((id) => [id, { structure: 0.5, texture: 0.5 }])),
    hashDistances: Object.fromEntries(ids.map((id) => [id, hash])),
  };
}

const rules = defaultRuleSet();
const far = report({
  brightness_delta: 0.5,
  color_distance: 0.8,
  sharpness_delta: 0.3,
  structure_distance: 0.3,
});

describe('strategies', () => {
  it('differ in intensity, focus and generative steps (the original defined them but never used them)', () => {
    const intensities = ['CONSERVATIVE', 'AGGRESSIVE', 'ADAPTIVE', 'TARGETED'].map(
      (s) => initialStrategyState(s as RefinementSettings['strategy']).intensity,
    );
    expect(intensities).toEqual([0.3, 1.5, 0.7, 1]);
    expect(initialStrategyState('CONSERVATIVE').generative).toBe(false);
    const scores = new Map([
      ['a', 0.9],
      ['b', 0.2],
      ['c', 0.5],
    ]);
    expect(regionsInFocus(initialStrategyState('TARGETED'), scores, 0.8)).toEqual(['b']);
    expect(regionsInFocus(initialStrategyState('CONSERVATIVE'), scores, 0.8).sort()).toEqual(['b', 'c']);
    expect(regionsInFocus(initialStrategyState('AGGRESSIVE'), scores, 0.8)).toHaveLength(3);
  });

  it('scale the same recommendation by their intensity', () => {
    const inference = inferRegion(rules, far, regionScore(far));
    const strengths = (['CONSERVATIVE', 'AGGRESSIVE'] as const).map((s) => {
      const plan = planRegion({
        regionId: 'r',
        inference,
        intensity: initialStrategyState(s).intensity,
        variant: 0,
        generative: { regenerate: false, inpaint: false },
      })!;
      return plan.steps.find((step) => step.kind === 'color-transfer')!;
    });
    expect(strengths[1]!.kind === 'color-transfer' && strengths[0]!.kind === 'color-transfer').toBe(true);
    expect((strengths[1] as { strength: number }).strength).toBeGreaterThan(
      3 * (strengths[0] as { strength: number }).strength,
    );
  });

  it('ADAPTIVE keeps adapting: backs off after a rejection, presses on when stalled, and switches focus', () => {
    let state = initialStrategyState('ADAPTIVE');
    state = adaptStrategy(state, { kind: 'rejected' });
    expect(state.intensity).toBeCloseTo(0.42);
    state = adaptStrategy(state, { kind: 'accepted', gain: 0.01 });
    expect(state.intensity).toBeCloseTo(0.546);
    expect(state.focus).toBe('all');
    state = adaptStrategy(state, { kind: 'accepted', gain: 0.001 });
    expect(state.focus).toBe('worst');
    state = adaptStrategy(state, { kind: 'accepted', gain: 0 });
    state = adaptStrategy(state, { kind: 'accepted', gain: 0 });
    expect(state.focus).toBe('all');
    const fixed = initialStrategyState('AGGRESSIVE');
    expect(adaptStrategy(fixed, { kind: 'rejected' })).toBe(fixed);
  });
});

describe('planning', () => {
  it('turns fired rules into steps, each explained by the rules behind it', () => {
    const plan = planRegion({
      regionId: 'r',
      inference: inferRegion(rules, far, regionScore(far)),
      intensity: 1,
      variant: 0,
      generative: { regenerate: true, inpaint: true },
    })!;
    const kinds = plan.steps.map((s) => s.kind);
    expect(kinds).toContain('color-transfer');
    expect(kinds).toContain('sharpen');
    expect(kinds).not.toContain('regenerate'); // structure 0.3 is medium: no regeneration
    for (const r of plan.recommendations) {
      expect(r.fired.length).toBeGreaterThan(0);
      expect(r.fired[0]!.text).toMatch(/^IF /);
    }
  });

  it('leaves a region that matches its reference alone', () => {
    const same = report();
    const plan = planRegion({
      regionId: 'r',
      inference: inferRegion(rules, same, regionScore(same)),
      intensity: 1.5,
      variant: 0,
      generative: { regenerate: true, inpaint: true },
    })!;
    expect(plan.steps).toEqual([]);
  });

  it('regenerates a region whose structure is far off, unless that was already tried in vain', () => {
    const broken = report({ structure_distance: 0.95, color_distance: 0.9 });
    const inference = inferRegion(rules, broken, regionScore(broken));
    const input = { regionId: 'r', inference, intensity: 1, variant: 0 };
    expect(planRegion({ ...input, generative: { regenerate: true, inpaint: true } })!.steps[0]!.kind).toBe(
      'regenerate',
    );
    expect(planRegion({ ...input, generative: { regenerate: false, inpaint: false } })!.steps[0]!.kind).toBe(
      'color-transfer',
    );
    expect(planRegion({ ...input, variant: 4, generative: { regenerate: true, inpaint: true } })).toBeNull();
  });
});

describe('never worse', () => {
  const s = settings('AGGRESSIVE');
  const baseline = candidate({ a: 0.5, b: 0.5 });

  function plans(state: ReturnType<typeof startRefinement>) {
    return planIteration(state, s, [
      { regionId: 'a', inference: inferRegion(rules, far, 0.5) },
      { regionId: 'b', inference: inferRegion(rules, far, 0.5) },
    ]);
  }

  it('accepts a better candidate and makes it the new best', () => {
    const state = startRefinement(s, baseline);
    const verdict = evaluateCandidate(state, s, 1, plans(state), candidate({ a: 0.7, b: 0.6 }));
    expect(verdict.accepted).toBe(true);
    expect(verdict.state.bestScore).toBeCloseTo(0.65);
    expect(verdict.state.bestIteration).toBe(1);
  });

  it('rejects a worse candidate and tries another variant on the region that got worse only', () => {
    const state = startRefinement(s, baseline);
    const verdict = evaluateCandidate(state, s, 1, plans(state), candidate({ a: 0.6, b: 0.3 }));
    expect(verdict.accepted).toBe(false);
    expect(verdict.rejection).toBe('WORSE');
    expect(verdict.state.bestScore).toBe(0.5);
    expect(verdict.state.regions.a!.variant).toBe(0);
    expect(verdict.state.regions.b!.variant).toBe(1);
    const next = plans(verdict.state);
    expect(next.find((p) => p.regionId === 'b')!.variant).toBe(1);
  });

  it('rejects a candidate that copies its reference, even when it scores better', () => {
    const state = startRefinement(s, baseline);
    const verdict = evaluateCandidate(state, s, 1, plans(state), candidate({ a: 0.9, b: 0.9 }, 6));
    expect(verdict.accepted).toBe(false);
    expect(verdict.rejection).toBe('TOO_CLOSE_TO_REFERENCE');
  });

  it('stops at the target, at the iteration limit, or when progress stalls', () => {
    const state = startRefinement(s, baseline);
    expect(stopReason(state, s, 0)).toBeNull();
    expect(stopReason({ ...state, bestScore: 0.85 }, s, 1)).toBe('TARGET_REACHED');
    expect(stopReason(state, s, s.maxIterations)).toBe('MAX_ITERATIONS');
    expect(stopReason({ ...state, stalled: s.patience }, s, 1)).toBe('CONVERGED');
  });

  it('validates settings with typed errors', () => {
    expect(() => validateRefinementSettings({ ...s, maxIterations: 0 })).toThrow(PakatiError);
    expect(() => validateRefinementSettings({ ...s, targetScore: 1.5 })).toThrow(/targetScore/);
    expect(() => validateRefinementSettings({ ...s, strategy: 'NOPE' as never })).toThrow(/strategy/);
  });
});

describe('references and hashes', () => {
  it('weighs references by their understanding level, never ignoring a lone one', () => {
    expect(referenceWeight(null)).toBe(0.5);
    expect(referenceWeight(1)).toBe(1);
    expect(referenceWeight(0)).toBeGreaterThan(0);
    const combined = combineDeltaReports([
      { report: report({ brightness_delta: 0.4 }), weight: referenceWeight(1) },
      { report: report({ brightness_delta: -0.4 }), weight: referenceWeight(0) },
    ]);
    expect(combined.brightness_delta).toBeCloseTo((0.4 * 1 - 0.4 * 0.2) / 1.2);
  });

  it('perceptual hashes match near-duplicates and separate different images', () => {
    const image = (f: (x: number, y: number) => number) => {
      const data = new Uint8ClampedArray(64 * 64 * 4);
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++) {
          const v = f(x, y);
          data.set([v, v, v, 255], (y * 64 + x) * 4);
        }
      return { width: 64, height: 64, data };
    };
    const hash = (img: ReturnType<typeof image>) => perceptualHash(lumaPlane(img), 64, 64);
    const scene = (x: number, y: number) => 100 + 60 * Math.sin(x / 5) * Math.cos(y / 7) + 40 * (x / 64);
    const gradient = hash(image(scene));
    const brighter = hash(image((x, y) => scene(x, y) + 12));
    const rings = hash(image((x, y) => 128 + 127 * Math.sin(Math.hypot(x - 32, y - 32) / 3)));
    expect(hashDistance(gradient, brighter)).toBeLessThanOrEqual(4);
    expect(hashDistance(gradient, rings)).toBeGreaterThan(10);
  });
});
