import { z } from 'zod';
import { defineJob } from './job-contract.ts';

export const QUEUE_NAMES = ['generation', 'analysis'] as const;
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

export const JOB_CONTRACTS = [renderRegionJob, composeRunJob, understandReferenceJob] as const;
export type AnyJobContract = (typeof JOB_CONTRACTS)[number];

export const regionJobId = (runId: string, regionId: string) => `${runId}.${regionId}`;
