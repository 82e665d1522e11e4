import type { Redis } from 'ioredis';

/**
 * At most one PROGRESS event per run per interval, across every worker: the first to set the run's gate key
 * writes, the others skip until it expires. A skipped update is not lost: its fraction is already recorded,
 * and the next event that passes carries the latest value. An interval of 0 lets every update through.
 */
export class ProgressThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly intervalMs: number,
  ) {}

  async allow(runId: string): Promise<boolean> {
    if (this.intervalMs === 0) return true;
    const set = await this.redis.set(
      `${this.prefix}:progress-gate:${runId}`,
      '1',
      'PX',
      this.intervalMs,
      'NX',
    );
    return set === 'OK';
  }
}
