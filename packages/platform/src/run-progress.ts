import type { Redis } from 'ioredis';

/**
 * Region jobs of one run report progress from different workers; this keeps each region's fraction in one
 * Redis hash so any of them can compute the run's overall fraction (regions plus one compose step).
 */
export class RunProgress {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(runId: string) {
    return `${this.prefix}:run-progress:${runId}`;
  }

  async report(runId: string, part: string, fraction: number, totalParts: number): Promise<number> {
    const key = this.key(runId);
    const [, , all] = await this.redis
      .multi()
      .hset(key, part, String(Math.max(0, Math.min(1, fraction))))
      .expire(key, 7 * 24 * 3600)
      .hgetall(key)
      .exec()
      .then((r) => (r ?? []).map(([, v]) => v) as [unknown, unknown, Record<string, string>]);
    const done = Object.values(all ?? {}).reduce((sum, v) => sum + Number(v), 0);
    return Math.min(1, done / totalParts);
  }

  async clear(runId: string): Promise<void> {
    await this.redis.del(this.key(runId));
  }
}
