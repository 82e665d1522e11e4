import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STEP_DURATIONS_MS,
  iterationPartIds,
  PakatiError,
  planProgress,
  progressPartId,
  type RunGraph,
} from '../src/index.ts';

const regions = [
  { id: 'a', backend: 'comfyui' },
  { id: 'b', backend: null },
];

describe('the job graph of a run', () => {
  it('GENERATE: one part per region, with its backend, then the composition', () => {
    const parts = planProgress({ kind: 'GENERATE', regions, regionalConditioning: false, backend: null });
    expect(parts).toEqual([
      { id: 'region:a', kind: 'render-region', backend: 'comfyui' },
      { id: 'region:b', kind: 'render-region', backend: null },
      { id: 'compose', kind: 'compose', backend: null },
    ]);
  });

  it('GENERATE with regional conditioning: one pass on the run backend, then the composition', () => {
    const parts = planProgress({ kind: 'GENERATE', regions, regionalConditioning: true, backend: 'x' });
    expect(parts.map((p) => [p.kind, p.backend])).toEqual([
      ['regional-pass', 'x'],
      ['compose', null],
    ]);
  });

  it('UNDERSTAND: one part per attempt (strategies x difficulties)', () => {
    const parts = planProgress({ kind: 'UNDERSTAND', attempts: 30, backend: 'patchmatch' });
    expect(parts).toHaveLength(30);
    expect(new Set(parts.map((p) => p.id)).size).toBe(30);
    expect(parts.every((p) => p.kind === 'understand-attempt' && p.backend === 'patchmatch')).toBe(true);
  });

  it('REFINE: the generation graph, the baseline, then every possible iteration of the refined regions', () => {
    const graph: RunGraph = {
      kind: 'REFINE',
      regions,
      refined: [regions[1]!],
      generate: true,
      maxIterations: 2,
    };
    expect(planProgress(graph).map((p) => p.id)).toEqual([
      'region:a',
      'region:b',
      'compose',
      'iteration:0:analyze',
      'iteration:0:decide',
      'iteration:1:region:b',
      'iteration:1:analyze',
      'iteration:1:decide',
      'iteration:2:region:b',
      'iteration:2:analyze',
      'iteration:2:decide',
    ]);
    expect(iterationPartIds(graph, 1)).toEqual([
      progressPartId.refineRegion(1, 'b'),
      progressPartId.analyze(1),
      progressPartId.decide(1),
    ]);
    const fromBase = planProgress({ ...graph, generate: false });
    expect(fromBase[0]!.id).toBe('iteration:0:analyze');
    expect(fromBase).toHaveLength(8);
  });

  it('refuses counts that are not non-negative integers with a typed error', () => {
    expect(() => planProgress({ kind: 'UNDERSTAND', attempts: -1, backend: null })).toThrow(PakatiError);
    expect(() =>
      planProgress({ kind: 'REFINE', regions, refined: regions, generate: false, maxIterations: 1.5 }),
    ).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('workflow progress', () => {
  it('is one part per step, weighted by the step kind', () => {
    const parts = planProgress({
      kind: 'WORKFLOW',
      steps: [
        { id: 'base', kind: 'generate' },
        { id: 'tone', kind: 'adjust' },
        { id: 'polish', kind: 'refine' },
      ],
    });
    expect(parts).toEqual([
      { id: 'step:base', kind: 'workflow-generate', backend: null },
      { id: 'step:tone', kind: 'workflow-adjust', backend: null },
      { id: 'step:polish', kind: 'workflow-refine', backend: null },
    ]);
    expect(DEFAULT_STEP_DURATIONS_MS['workflow-refine']).toBeGreaterThan(
      DEFAULT_STEP_DURATIONS_MS['workflow-adjust'],
    );
  });
});
