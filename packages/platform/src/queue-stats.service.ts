import { type JobQueues, QUEUE_NAMES, type QueueName } from '@pakati/jobs';
import type { Redis } from 'ioredis';

export interface QueueCounts {
  name: QueueName;
  waiting: number;
  prioritized: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  /** Paused queues keep their jobs waiting (BullMQ has no separate paused list any more). */
  paused: boolean;
  waitingChildren: number;
  /** Worker connections consuming this queue right now (BullMQ names them, so Redis can list them). */
  workers: number;
}

/** States in which no worker holds a job: what a cancel may remove. */
export const PENDING_STATES = ['waiting-children', 'prioritized', 'waiting', 'delayed'] as const;
export type PendingState = (typeof PENDING_STATES)[number];

export interface PendingJob {
  queue: QueueName;
  id: string;
  state: PendingState;
}

// How many members one SCAN step looks at: big steps mean few round trips on a long queue.
const SCAN_COUNT = 1000;

/**
 * Reads BullMQ's own Redis structures. Every job id of a run starts with the run id (`<run>`, `<run>.<region>`,
 * `<run>.r<i>`...), which is how a run's jobs are found without knowing the shape of its flows.
 */
export class QueueStatsService {
  constructor(
    private readonly redis: Redis,
    private readonly queues: JobQueues,
  ) {}

  async counts(): Promise<QueueCounts[]> {
    return Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const queue = this.queues.queue(name);
        const [c, workers, paused] = await Promise.all([
          queue.getJobCounts(
            'waiting',
            'prioritized',
            'active',
            'delayed',
            'failed',
            'completed',
            'waiting-children',
          ),
          queue.getWorkersCount(),
          queue.isPaused(),
        ]);
        return {
          name,
          waiting: c.waiting ?? 0,
          prioritized: c.prioritized ?? 0,
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
          completed: c.completed ?? 0,
          paused,
          waitingChildren: c['waiting-children'] ?? 0,
          workers,
        };
      }),
    );
  }

  /** The run's jobs that no worker holds, parents (waiting for children) first. */
  async pendingJobs(runId: string): Promise<PendingJob[]> {
    const found: PendingJob[] = [];
    for (const queue of QUEUE_NAMES) {
      const keys = this.queues.queue(queue).keys;
      for (const state of PENDING_STATES) {
        const ids =
          state === 'waiting'
            ? (await this.redis.lrange(keyOf(keys, 'wait'), 0, -1)).filter((id) => ownedBy(id, runId))
            : (await this.scanSorted(keyOf(keys, state), runId)).map((m) => m.id);
        for (const id of ids) found.push({ queue, id, state });
      }
    }
    return found.sort((a, b) => PENDING_STATES.indexOf(a.state) - PENDING_STATES.indexOf(b.state));
  }

  /**
   * 1-based place of the run's first waiting job in its queue, in the order a worker takes them: the plain
   * wait list first (oldest first), then prioritized jobs by priority, then age. Null when none of it waits.
   */
  async queuePosition(runId: string): Promise<number | null> {
    let best: number | null = null;
    for (const queue of QUEUE_NAMES) {
      const keys = this.queues.queue(queue).keys;
      const wait = await this.redis.lrange(keyOf(keys, 'wait'), 0, -1);
      // Workers pop the wait list from its tail, so the tail is place 1.
      const inWait = wait.flatMap((id, index) => (ownedBy(id, runId) ? [wait.length - index] : []));
      let position = inWait.length ? Math.min(...inWait) : null;
      if (position === null) {
        const mine = await this.scanSorted(keyOf(keys, 'prioritized'), runId);
        if (mine.length) {
          const first = mine.reduce((a, b) => (b.score < a.score ? b : a));
          const ahead = await this.redis.zcount(keyOf(keys, 'prioritized'), '-inf', `(${first.score}`);
          position = wait.length + ahead + 1;
        }
      }
      if (position !== null && (best === null || position < best)) best = position;
    }
    return best;
  }

  private async scanSorted(key: string, runId: string): Promise<{ id: string; score: number }[]> {
    const members: { id: string; score: number }[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.zscan(key, cursor, 'MATCH', `${runId}*`, 'COUNT', SCAN_COUNT);
      for (let i = 0; i < flat.length; i += 2) {
        if (ownedBy(flat[i]!, runId)) members.push({ id: flat[i]!, score: Number(flat[i + 1]) });
      }
      cursor = next;
    } while (cursor !== '0');
    return members;
  }
}

/** `<run>` itself or `<run>.<anything>`: a longer id that merely starts with the same characters is not ours. */
const ownedBy = (jobId: string, runId: string) => jobId === runId || jobId.startsWith(`${runId}.`);

function keyOf(keys: Record<string, string>, name: string): string {
  const key = keys[name];
  if (!key) throw new Error(`BullMQ has no "${name}" key`);
  return key;
}
