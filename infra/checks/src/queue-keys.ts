import { createRequire } from 'node:module';
import { QUEUE_NAMES } from '../../../packages/jobs/src/contracts.ts';
import { repoPath } from './repo-files.ts';

export { QUEUE_NAMES };

interface QueueKeysLike {
  toKey(queueName: string, type: string): string;
}

// BullMQ's own key layout, from the copy packages/jobs runs with (this package does not depend on BullMQ).
const { QueueKeys } = createRequire(repoPath('packages/jobs/package.json'))('bullmq') as {
  QueueKeys: new (prefix: string) => QueueKeysLike;
};

/**
 * The Redis keys holding a queue's jobs that wait for a worker: the `wait` list (jobs without a priority) and the
 * `prioritized` sorted set (jobs with one, which is every job of a run here).
 */
export function waitingJobKeys(prefix: string, queue: string): string[] {
  const keys = new QueueKeys(prefix);
  return [keys.toKey(queue, 'wait'), keys.toKey(queue, 'prioritized')];
}
