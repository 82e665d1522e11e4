import { FlowProducer, type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  analyzeCandidateJob,
  composeRunJob,
  iterationJobId,
  QUEUE_NAMES,
  type QueueName,
  refineIterationJob,
  refineRegionJob,
  regionJobId,
  renderRegionJob,
} from './contracts.ts';
import type { JobContract, JobPayload } from './job-contract.ts';

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** The producer side: one BullMQ Queue per declared queue name, payloads validated before they leave. */
export class JobQueues {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly flows: FlowProducer;

  constructor(
    connection: Redis,
    readonly prefix: string,
  ) {
    this.flows = new FlowProducer({ connection, prefix });
    for (const name of QUEUE_NAMES) {
      this.queues.set(name, new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }));
    }
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  async enqueue<C extends JobContract<QueueName>>(contract: C, payload: JobPayload<C>, jobId: string) {
    const data = contract.schema.parse(payload);
    return this.queue(contract.queue).add(contract.name, data, { jobId });
  }

  /**
   * The run's flow: the compose parent waits for one child per region. A child that fails for good fails the
   * parent too, so a run never waits forever on a region that will not come.
   */
  async enqueueRun(runId: string, regionIds: readonly string[]): Promise<void> {
    await this.flows.add({
      queueName: composeRunJob.queue,
      name: composeRunJob.name,
      data: composeRunJob.schema.parse({ runId }),
      opts: { ...DEFAULT_JOB_OPTIONS, jobId: runId },
      children: regionIds.map((regionId, regionIndex) => ({
        queueName: renderRegionJob.queue,
        name: renderRegionJob.name,
        data: renderRegionJob.schema.parse({ runId, regionId, regionIndex }),
        opts: { ...DEFAULT_JOB_OPTIONS, jobId: regionJobId(runId, regionId), failParentOnFailure: true },
      })),
    });
  }

  /**
   * One refinement iteration as a flow (see `refineIterationJob`). Ids derive from the run and the iteration, so
   * re-enqueueing after a crash adds nothing twice.
   */
  async enqueueRefinementIteration(
    runId: string,
    iteration: number,
    regionIds: readonly string[],
  ): Promise<void> {
    const id = iterationJobId(runId, iteration);
    const child = { ...DEFAULT_JOB_OPTIONS, failParentOnFailure: true };
    await this.flows.add({
      queueName: refineIterationJob.queue,
      name: refineIterationJob.name,
      data: refineIterationJob.schema.parse({ runId, iteration }),
      opts: { ...DEFAULT_JOB_OPTIONS, jobId: id },
      children: [
        {
          queueName: analyzeCandidateJob.queue,
          name: analyzeCandidateJob.name,
          data: analyzeCandidateJob.schema.parse({ runId, iteration }),
          opts: { ...child, jobId: `${id}.analysis` },
          children: regionIds.map((regionId) => ({
            queueName: refineRegionJob.queue,
            name: refineRegionJob.name,
            data: refineRegionJob.schema.parse({ runId, iteration, regionId }),
            opts: { ...child, jobId: `${id}.${regionId}` },
          })),
        },
      ],
    });
  }

  /** Removes a job that no worker holds yet; false when it is active (or already gone). */
  async removeIfWaiting(queueName: QueueName, jobId: string): Promise<boolean> {
    const job = await this.queue(queueName).getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flows.close();
  }
}
