import { DEFAULT_UNDERSTANDING_DIFFICULTIES, maskingStrategyNames, type RunGraph } from '@pakati/core';
import type { Run } from '@pakati/db';
import type { RunParameters } from './run.service.ts';

/**
 * The job graph a run's frozen parameters imply, as the progress model sees it; null for a kind whose work is
 * not planned here (its progress then counts the parts reported so far, equally).
 */
export function runGraph(run: Pick<Run, 'kind' | 'parameters'>): RunGraph | null {
  const params = run.parameters as unknown as RunParameters;
  const regions = params.regions.map((r) => ({ id: r.id, backend: r.model ?? params.backend }));
  if (run.kind === 'GENERATE') {
    return {
      kind: 'GENERATE',
      regions,
      regionalConditioning: params.regionalConditioning,
      backend: params.backend,
    };
  }
  if (run.kind === 'UNDERSTAND' && params.understand) {
    const strategies = params.understand.strategies ?? maskingStrategyNames();
    return {
      kind: 'UNDERSTAND',
      attempts: strategies.length * DEFAULT_UNDERSTANDING_DIFFICULTIES.length,
      // The understanding runner reconstructs with PatchMatch unless the run names another backend.
      backend: params.backend ?? 'patchmatch',
    };
  }
  if (run.kind === 'REFINE' && params.refine) {
    const references = params.refine.references;
    const refined = regions.filter((r) =>
      references.some((ref) => ref.regionId === null || ref.regionId === r.id),
    );
    return {
      kind: 'REFINE',
      regions,
      refined,
      generate: !params.base,
      maxIterations: params.refine.settings.maxIterations,
    };
  }
  if (run.kind === 'WORKFLOW' && params.workflow) {
    return { kind: 'WORKFLOW', steps: params.workflow.definition.steps };
  }
  return null;
}
