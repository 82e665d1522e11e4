import { z } from 'zod';
import { defineJob } from './job-contract.ts';

export const QUEUE_NAMES = ['generation', 'generation-gpu', 'analysis', 'refinement', 'webhooks'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * What a worker must be able to do to take a queue's jobs. `generation`: it hosts a generation backend (HTTP ones
 * drive remote GPUs, procedural and patchmatch run on its CPU); `gpu-generation`: it hosts a backend that runs on
 * its own GPU, and has that GPU; `analysis`: measuring images (GPU or CPU kernel); `orchestration`: CPU
 * bookkeeping between steps; `io`: outbound HTTP. A worker consumes only the queues whose capability it has.
 */
export const WORKER_CAPABILITIES = [
  'generation',
  'gpu-generation',
  'analysis',
  'orchestration',
  'io',
] as const;
export type WorkerCapability = (typeof WORKER_CAPABILITIES)[number];

export const QUEUE_CAPABILITIES: Readonly<Record<QueueName, WorkerCapability>> = {
  generation: 'generation',
  'generation-gpu': 'gpu-generation',
  analysis: 'analysis',
  refinement: 'orchestration',
  webhooks: 'io',
};

/**
 * The GPU lane carries generation jobs (same contracts, same processors): a step whose backend computes on the
 * worker's own GPU is put there by the producer, so that no CPU-only worker ever takes it.
 */
export const GPU_GENERATION_QUEUE = 'generation-gpu' satisfies QueueName;

/** The queue whose contracts a job found on `queue` follows. */
export function contractQueue(queue: string): string {
  return queue === GPU_GENERATION_QUEUE ? 'generation' : queue;
}

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

/**
 * A WORKFLOW run executes its DAG level by level: each level is a flow of `workflow-step` children (on the queue
 * their kind needs: generation for pixels from a backend, analysis for measuring and cheap edits) under an
 * `advance-workflow` parent (refinement queue: CPU orchestration) that enqueues the next level or completes the run.
 */
const workflowStepPayload = z.object({ runId: z.uuid(), stepId: z.string().min(1).max(40) });
export const workflowGenerationStepJob = defineJob('generation', 'workflow-step', workflowStepPayload);
export const workflowAnalysisStepJob = defineJob('analysis', 'workflow-step', workflowStepPayload);
export const advanceWorkflowJob = defineJob(
  'refinement',
  'advance-workflow',
  z.object({ runId: z.uuid(), level: z.number().int().min(0) }),
);
/** Which queue each workflow step kind runs on. */
export const WORKFLOW_STEP_QUEUES = {
  generate: workflowGenerationStepJob.queue,
  inpaint: workflowGenerationStepJob.queue,
  refine: workflowGenerationStepJob.queue,
  upscale: workflowGenerationStepJob.queue,
  adjust: workflowAnalysisStepJob.queue,
  analyze: workflowAnalysisStepJob.queue,
} as const;

/**
 * One HTTP attempt of one webhook delivery. `attempt` counts the delivery's logged attempts before this one, so
 * the job id names the attempt: enqueueing it twice (outbox listener, sweep, retry) adds nothing.
 */
export const deliverWebhookJob = defineJob(
  'webhooks',
  'deliver-webhook',
  z.object({ deliveryId: z.uuid(), attempt: z.number().int().min(0) }),
);

export const JOB_CONTRACTS = [
  renderRegionJob,
  composeRunJob,
  understandReferenceJob,
  refineRegionJob,
  analyzeCandidateJob,
  refineIterationJob,
  workflowGenerationStepJob,
  workflowAnalysisStepJob,
  advanceWorkflowJob,
  deliverWebhookJob,
] as const;
export type AnyJobContract = (typeof JOB_CONTRACTS)[number];

export const regionJobId = (runId: string, regionId: string) => `${runId}.${regionId}`;
export const iterationJobId = (runId: string, iteration: number) => `${runId}.r${iteration}`;
export const workflowLevelJobId = (runId: string, level: number) => `${runId}.w${level}`;
export const workflowStepJobId = (runId: string, stepId: string) => `${runId}.s.${stepId}`;
export const webhookJobId = (deliveryId: string, attempt: number) => `${deliveryId}.a${attempt}`;
