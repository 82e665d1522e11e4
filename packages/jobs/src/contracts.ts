import { z } from 'zod';
import { defineJob } from './job-contract.ts';

export const QUEUE_NAMES = ['generation'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Render a run's canvas. The job id is the run id, so enqueueing the same run twice is a no-op. */
export const renderRunJob = defineJob('generation', 'render-run', z.object({ runId: z.uuid() }));

export const JOB_CONTRACTS = [renderRunJob] as const;
export type AnyJobContract = (typeof JOB_CONTRACTS)[number];
