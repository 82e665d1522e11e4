import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STEP_DURATIONS_MS,
  estimateProgress,
  iterationPartIds,
  planProgress,
  type RunGraph,
  weighParts,
} from '../src/index.ts';

const parts = [
  { id: 'slow', weightMs: 9000 },
  { id: 'fast', weightMs: 1000 },
];

describe('weighted progress', () => {
  it('weighs each part by its expected duration, not by count', () => {
    expect(estimateProgress({ parts, done: { fast: 1 }, elapsedMs: 1000 }).fraction).toBeCloseTo(0.1);
    expect(estimateProgress({ parts, done: { slow: 1 }, elapsedMs: 9000 }).fraction).toBeCloseTo(0.9);
    expect(estimateProgress({ parts, done: { slow: 0.5, fast: 1 }, elapsedMs: 1 })).toMatchObject({
      partsDone: 1,
      totalParts: 2,
    });
  });

  it('takes weights from expected durations per part, with a floor for steps measured at nothing', () => {
    const planned = planProgress({
      kind: 'GENERATE',
      regions: [{ id: 'a', backend: 'fast' }],
      regionalConditioning: false,
      backend: null,
    });
    const weighted = weighParts(planned, (p) =>
      p.backend === 'fast' ? 0 : DEFAULT_STEP_DURATIONS_MS[p.kind],
    );
    expect(weighted).toEqual([
      { id: 'region:a', weightMs: 1 },
      { id: 'compose', weightMs: DEFAULT_STEP_DURATIONS_MS.compose },
    ]);
  });

  it('never reports less than before: a retried part that starts over does not move it back', () => {
    const first = estimateProgress({ parts, done: { slow: 0.8 }, elapsedMs: 7200 });
    const retried = estimateProgress({ parts, done: { slow: 0.1 }, elapsedMs: 8000, floor: first.fraction });
    expect(retried.fraction).toBe(first.fraction);
    expect(estimateProgress({ parts, done: {}, elapsedMs: 0, floor: 2 }).fraction).toBe(1);
  });

  it('gives the expected remaining time while nothing is done, and none when there is no work', () => {
    expect(estimateProgress({ parts, done: {}, elapsedMs: 0 }).etaSeconds).toBe(10);
    expect(estimateProgress({ parts: [], done: {}, elapsedMs: 10 }).etaSeconds).toBeNull();
    expect(estimateProgress({ parts, done: {}, elapsedMs: Number.NaN }).etaSeconds).toBeNull();
    expect(estimateProgress({ parts, done: { slow: 1, fast: 1 }, elapsedMs: 50_000 }).etaSeconds).toBe(0);
  });

  it('scales the ETA by the pace the run keeps: twice as slow as expected, twice the remaining time', () => {
    const onPace = estimateProgress({ parts, done: { slow: 1 }, elapsedMs: 9000 });
    expect(onPace.etaSeconds).toBeCloseTo(1, 1);
    const slow = estimateProgress({ parts, done: { slow: 1 }, elapsedMs: 18_000 });
    expect(slow.etaSeconds!).toBeGreaterThan(1.8);
    expect(slow.etaSeconds!).toBeLessThan(2);
    const fast = estimateProgress({ parts, done: { slow: 1 }, elapsedMs: 3000 });
    expect(fast.etaSeconds!).toBeLessThan(0.5);
  });

  it('lets the expectation dominate early: one quick step does not promise an instant finish', () => {
    const early = estimateProgress({ parts, done: { slow: 0.01 }, elapsedMs: 1 });
    expect(early.etaSeconds!).toBeGreaterThan(8);
  });

  it('REFINE: a run that stops after iteration 1 of 5 has far to go; each decided iteration moves it on', () => {
    const graph: RunGraph = {
      kind: 'REFINE',
      regions: [{ id: 'a', backend: null }],
      refined: [{ id: 'a', backend: null }],
      generate: true,
      maxIterations: 5,
    };
    const weighted = weighParts(planProgress(graph), (p) => DEFAULT_STEP_DURATIONS_MS[p.kind]);
    const done: Record<string, number> = { 'region:a': 1, compose: 1 };
    const fractions: number[] = [];
    for (const iteration of [0, 1]) {
      for (const id of iterationPartIds(graph, iteration)) done[id] = 1;
      fractions.push(estimateProgress({ parts: weighted, done, elapsedMs: 1000 }).fraction);
    }
    expect(fractions[1]!).toBeGreaterThan(fractions[0]!);
    // Stopping here early leaves most of the planned work undone: completion, not the plan, brings it to 1.
    expect(fractions[1]!).toBeLessThan(0.5);
    for (const iteration of [2, 3, 4, 5]) for (const id of iterationPartIds(graph, iteration)) done[id] = 1;
    expect(estimateProgress({ parts: weighted, done, elapsedMs: 1000 }).fraction).toBe(1);
  });
});
