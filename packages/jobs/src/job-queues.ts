import { type FlowJob, FlowProducer, type JobsOptions, Queue, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  advanceWorkflowJob,
  analyzeCandidateJob,
  composeRunJob,
  deliverWebhookJob,
  GPU_GENERATION_QUEUE,
  iterationJobId,
  QUEUE_NAMES,
  type QueueName,
  refineIterationJob,
  refineRegionJob,
  regionJobId,
  renderRegionJob,
  WORKFLOW_STEP_QUEUES,
  webhookJobId,
  workflowAnalysisStepJob,
  workflowGenerationStepJob,
  workflowLevelJobId,
  workflowStepJobId,
} from './contracts.ts';
import type { JobContract, JobPayload } from './job-contract.ts';

/**
 * Run priorities: 1..10, higher runs sooner. BullMQ counts the other way (1 goes first) and treats 0 as "none",
 * which would jump ahead of every prioritized job, so every job we add carries one.
 */
export const RUN_PRIORITY = { min: 1, max: 10, default: 5 } as const;

/** The BullMQ priority of a run priority; out-of-range or unset (0) values get the default. */
export function jobPriority(runPriority: number = RUN_PRIORITY.default): number {
  const p = Math.round(runPriority) || RUN_PRIORITY.default;
  return RUN_PRIORITY.max + 1 - Math.min(RUN_PRIORITY.max, Math.max(RUN_PRIORITY.min, p));
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  priority: jobPriority(),
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * A webhook job is one HTTP attempt; its own retries cover only infrastructure failures (the database), and
 * finished jobs are removed so the sweep can enqueue an attempt again after such a failure.
 */
export const WEBHOOK_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: true,
  removeOnFail: true,
};

export interface RunFlow {
  runId: string;
  regionIds: readonly string[];
  gpuRegionIds?: readonly string[];
  /** The run's priority (1..10, higher sooner). */
  priority?: number;
}

/** The producer side: one BullMQ Queue per declared queue name, payloads validated before they leave. */
export class JobQueues {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly flows: FlowProducer;

  constructor(
    connection: Redis,
    readonly prefix: string,
    /** OpenTelemetry for BullMQ (bullmq-otel): a job then carries its producer's trace context to its worker. */
    readonly telemetry?: Telemetry,
  ) {
    this.flows = new FlowProducer({ connection, prefix, telemetry });
    for (const name of QUEUE_NAMES) {
      this.queues.set(
        name,
        new Queue(name, { connection, prefix, telemetry, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
      );
    }
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  async enqueue<C extends JobContract<QueueName>>(
    contract: C,
    payload: JobPayload<C>,
    jobId: string,
    priority?: number,
  ) {
    const data = contract.schema.parse(payload);
    return this.queue(contract.queue).add(contract.name, data, { jobId, priority: jobPriority(priority) });
  }

  /**
   * Runs' flows, all in one Redis round trip: per run, the compose parent waits for one child per region. A child
   * that fails for good fails the parent too, so a run never waits forever on a region that will not come.
   * Regions in `gpuRegionIds` (their backend computes on the worker's own GPU) travel on the GPU lane.
   */
  async enqueueRuns(runs: readonly RunFlow[]): Promise<void> {
    await this.flows.addBulk(runs.map((run) => this.runFlow(run)));
  }

  private runFlow({ runId, regionIds, gpuRegionIds = [], priority }: RunFlow): FlowJob {
    const opts = { ...DEFAULT_JOB_OPTIONS, priority: jobPriority(priority) };
    return {
      queueName: composeRunJob.queue,
      name: composeRunJob.name,
      data: composeRunJob.schema.parse({ runId }),
      opts: { ...opts, jobId: runId },
      children: regionIds.map((regionId, regionIndex) => ({
        queueName: gpuRegionIds.includes(regionId) ? GPU_GENERATION_QUEUE : renderRegionJob.queue,
        name: renderRegionJob.name,
        data: renderRegionJob.schema.parse({ runId, regionId, regionIndex }),
        opts: { ...opts, jobId: regionJobId(runId, regionId), failParentOnFailure: true },
      })),
    };
  }

  /**
   * One refinement iteration as a flow (see `refineIterationJob`). Ids derive from the run and the iteration, so
   * re-enqueueing after a crash adds nothing twice. Regions in `gpuRegionIds` travel on the GPU lane.
   */
  async enqueueRefinementIteration(
    runId: string,
    iteration: number,
    regionIds: readonly string[],
    gpuRegionIds: readonly string[] = [],
    priority?: number,
  ): Promise<void> {
    const id = iterationJobId(runId, iteration);
    const opts = { ...DEFAULT_JOB_OPTIONS, priority: jobPriority(priority) };
    const child = { ...opts, failParentOnFailure: true };
    await this.flows.add({
      queueName: refineIterationJob.queue,
      name: refineIterationJob.name,
      data: refineIterationJob.schema.parse({ runId, iteration }),
      opts: { ...opts, jobId: id },
      children: [
        {
          queueName: analyzeCandidateJob.queue,
          name: analyzeCandidateJob.name,
          data: analyzeCandidateJob.schema.parse({ runId, iteration }),
          opts: { ...child, jobId: `${id}.analysis` },
          children: regionIds.map((regionId) => ({
            queueName: gpuRegionIds.includes(regionId) ? GPU_GENERATION_QUEUE : refineRegionJob.queue,
            name: refineRegionJob.name,
            data: refineRegionJob.schema.parse({ runId, iteration, regionId }),
            opts: { ...child, jobId: `${id}.${regionId}` },
          })),
        },
      ],
    });
  }

  /**
   * One level of a workflow run: its steps as parallel children under the `advance-workflow` parent that moves the
   * run on. Ids derive from the run, the level and the step, so re-enqueueing adds nothing twice.
   */
  async enqueueWorkflowLevel(
    runId: string,
    level: number,
    steps: readonly { stepId: string; kind: keyof typeof WORKFLOW_STEP_QUEUES }[],
    priority?: number,
  ): Promise<void> {
    const opts = { ...DEFAULT_JOB_OPTIONS, priority: jobPriority(priority) };
    const child = { ...opts, failParentOnFailure: true };
    await this.flows.add({
      queueName: advanceWorkflowJob.queue,
      name: advanceWorkflowJob.name,
      data: advanceWorkflowJob.schema.parse({ runId, level }),
      opts: { ...opts, jobId: workflowLevelJobId(runId, level) },
      children: steps.map(({ stepId, kind }) => {
        const contract =
          WORKFLOW_STEP_QUEUES[kind] === workflowGenerationStepJob.queue
            ? workflowGenerationStepJob
            : workflowAnalysisStepJob;
        return {
          queueName: contract.queue,
          name: contract.name,
          data: contract.schema.parse({ runId, stepId }),
          opts: { ...child, jobId: workflowStepJobId(runId, stepId) },
        };
      }),
    });
  }

  /** Attempt number `attempt` (0-based) of a webhook delivery, after `delayMs`; repeating it adds nothing. */
  async enqueueWebhookDelivery(deliveryId: string, attempt: number, delayMs = 0): Promise<void> {
    await this.queue(deliverWebhookJob.queue).add(
      deliverWebhookJob.name,
      deliverWebhookJob.schema.parse({ deliveryId, attempt }),
      { ...WEBHOOK_JOB_OPTIONS, jobId: webhookJobId(deliveryId, attempt), delay: delayMs },
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flows.close();
  }
}
