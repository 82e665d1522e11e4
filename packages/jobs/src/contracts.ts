import { z } from 'zod';
import { defineJob } from './job-contract.ts';

export const QUEUE_NAMES = ['generation', 'analysis', 'refinement'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * A run is a BullMQ flow: one `render-region` child per region (in parallel, across workers) under a
 * `compose-run` parent that blends them once all are done. Job ids derive from the run id, so enqueueing
 * the same run twice is a no-op.
 */
export const renderRegionJob = defineJob(
  'generation',
  'render-region',
  z.object({ runId: z.uuid(), regionId: z.uuid(), regionIndex: z.number().int().min(0) }),
);
export const composeRunJob = defineJob('generation', 'compose-run', z.object({ runId: z.uuid() }));

/** Reconstruct a reference under every masking strategy and score it (a run of kind UNDERSTAND). */
export const understandReferenceJob = defineJob(
  'analysis',
  'understand-reference',
  z.object({ runId: z.uuid() }),
);

/**
 * A REFINE run's iteration i is a flow of three levels, so GPU and CPU workers scale apart: `refine-region`
 * children (generation queue: one per region the plan touches) under `analyze-candidate` (analysis queue: merges
 * their patches and measures the candidate) under `refine-iteration` (refinement queue: accepts or rejects, then
 * plans and enqueues iteration i + 1 or finishes the run). Iteration 0 analyses the base image and has no children.
 */
export const refineRegionJob = defineJob(
  'generation',
  'refine-region',
  z.object({ runId: z.uuid(), iteration: z.number().int().min(1), regionId: z.uuid() }),
);
export const analyzeCandidateJob = defineJob(
  'analysis',
  'analyze-candidate',
  z.object({ runId: z.uuid(), iteration: z.number().int().min(0) }),
);
export const refineIterationJob = defineJob(
  'refinement',
  'refine-iteration',
  z.object({ runId: z.uuid(), iteration: z.number().int().min(0) }),
);

export const JOB_CONTRACTS = [
  renderRegionJob,
  composeRunJob,
  understandReferenceJob,
  refineRegionJob,
  analyzeCandidateJob,
  refineIterationJob,
] as const;
export type AnyJobContract = (typeof JOB_CONTRACTS)[number];

export const regionJobId = (runId: string, regionId: string) => `${runId}.${regionId}`;
export const iterationJobId = (runId: string, iteration: number) => `${runId}.r${iteration}`;
