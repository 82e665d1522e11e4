import { PakatiError } from '../errors.ts';
import type { WorkflowStepKind } from '../workflow/workflow-definition.ts';

/** The kinds of work a run's job graph is made of; durations are measured per kind (and per backend). */
export const PROGRESS_STEP_KINDS = [
  'render-region',
  'regional-pass',
  'compose',
  'understand-attempt',
  'refine-region',
  'analyze',
  'decide',
  'workflow-generate',
  'workflow-inpaint',
  'workflow-refine',
  'workflow-upscale',
  'workflow-adjust',
  'workflow-analyze',
] as const;
export type ProgressStepKind = (typeof PROGRESS_STEP_KINDS)[number];

/**
 * What a step is expected to take before anything was measured: a diffusion model's region takes seconds, a
 * blend or a decision a fraction of one. Only their ratios matter to the fraction; the ETA corrects itself
 * by the pace the run actually keeps.
 */
export const DEFAULT_STEP_DURATIONS_MS: Readonly<Record<ProgressStepKind, number>> = Object.freeze({
  'render-region': 8000,
  'regional-pass': 12_000,
  compose: 500,
  'understand-attempt': 800,
  'refine-region': 6000,
  analyze: 1500,
  decide: 200,
  // A workflow step is one part whatever it holds: generate paints every region, refine runs a whole loop.
  'workflow-generate': 16_000,
  'workflow-inpaint': 16_000,
  'workflow-refine': 40_000,
  'workflow-upscale': 4000,
  'workflow-adjust': 300,
  'workflow-analyze': 1500,
});

export interface ProgressPart {
  /** Stable within the run: workers report their fraction of it under this id. */
  id: string;
  kind: ProgressStepKind;
  /** The backend named for the step in advance, when one is; its own measured durations are preferred. */
  backend: string | null;
}

export interface GraphRegion {
  id: string;
  backend: string | null;
}

/** The shape of a run's work, from its frozen parameters. */
export type RunGraph =
  | {
      kind: 'GENERATE';
      regions: readonly GraphRegion[];
      regionalConditioning: boolean;
      backend: string | null;
    }
  | { kind: 'UNDERSTAND'; attempts: number; backend: string | null }
  | {
      kind: 'REFINE';
      /** Every region: generated first when the run has no base image. */
      regions: readonly GraphRegion[];
      /** The regions with references: the ones each iteration may refine. */
      refined: readonly GraphRegion[];
      generate: boolean;
      maxIterations: number;
    }
  | { kind: 'WORKFLOW'; steps: readonly { id: string; kind: WorkflowStepKind }[] };

export const progressPartId = {
  region: (regionId: string) => `region:${regionId}`,
  compose: () => 'compose',
  regionalPass: () => 'regional-pass',
  attempt: (index: number) => `attempt:${index}`,
  refineRegion: (iteration: number, regionId: string) => `iteration:${iteration}:region:${regionId}`,
  analyze: (iteration: number) => `iteration:${iteration}:analyze`,
  decide: (iteration: number) => `iteration:${iteration}:decide`,
  workflowStep: (stepId: string) => `step:${stepId}`,
};

function count(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new PakatiError('BAD_USER_INPUT', `${field} must be a non-negative integer`, { field, value });
  }
  return value;
}

function generationParts(graph: {
  regions: readonly GraphRegion[];
  regionalConditioning: boolean;
  backend: string | null;
}): ProgressPart[] {
  const compose: ProgressPart = { id: progressPartId.compose(), kind: 'compose', backend: null };
  if (graph.regionalConditioning) {
    return [{ id: progressPartId.regionalPass(), kind: 'regional-pass', backend: graph.backend }, compose];
  }
  return [
    ...graph.regions.map((r) => ({
      id: progressPartId.region(r.id),
      kind: 'render-region' as const,
      backend: r.backend,
    })),
    compose,
  ];
}

/** Iteration 0 analyses and decides the baseline; every later one refines regions, then analyses and decides. */
function iterationParts(refined: readonly GraphRegion[], iteration: number): ProgressPart[] {
  const regions =
    iteration === 0
      ? []
      : refined.map((r) => ({
          id: progressPartId.refineRegion(iteration, r.id),
          kind: 'refine-region' as const,
          backend: r.backend,
        }));
  return [
    ...regions,
    { id: progressPartId.analyze(iteration), kind: 'analyze', backend: null },
    { id: progressPartId.decide(iteration), kind: 'decide', backend: null },
  ];
}

/**
 * Every part of a run's job graph: GENERATE is one part per region and the composition (or one regional pass
 * and the composition); UNDERSTAND one per reconstruction attempt; REFINE the generation graph when it has no
 * base image, then the baseline and up to maxIterations iterations, as if none stopped early; WORKFLOW one per step.
 */
export function planProgress(graph: RunGraph): ProgressPart[] {
  switch (graph.kind) {
    case 'GENERATE':
      return generationParts(graph);
    case 'UNDERSTAND':
      return Array.from({ length: count(graph.attempts, 'attempts') }, (_, i) => ({
        id: progressPartId.attempt(i),
        kind: 'understand-attempt' as const,
        backend: graph.backend,
      }));
    case 'REFINE': {
      const iterations = count(graph.maxIterations, 'maxIterations');
      const generation = graph.generate
        ? generationParts({ regions: graph.regions, regionalConditioning: false, backend: null })
        : [];
      return [
        ...generation,
        ...Array.from({ length: iterations + 1 }, (_, i) => iterationParts(graph.refined, i)).flat(),
      ];
    }
    case 'WORKFLOW':
      return graph.steps.map((step) => ({
        id: progressPartId.workflowStep(step.id),
        kind: `workflow-${step.kind}` as const,
        backend: null,
      }));
  }
}

/** The ids of one REFINE iteration's parts: all done once it is decided, refined or not. */
export function iterationPartIds(graph: Extract<RunGraph, { kind: 'REFINE' }>, iteration: number): string[] {
  return iterationParts(graph.refined, count(iteration, 'iteration')).map((p) => p.id);
}
