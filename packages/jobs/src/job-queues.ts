import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName } from './contracts.ts';
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

  constructor(
    connection: Redis,
    readonly prefix: string,
  ) {
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
  }
}
