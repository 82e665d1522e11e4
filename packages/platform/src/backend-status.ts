import type { BackendStatus } from '@pakati/core';
import type { Redis } from 'ioredis';

export interface WorkerBackendStatus extends BackendStatus {
  workerId: string;
  updatedAt: number;
}

export interface ModelSummary {
  name: string;
  capabilities: BackendStatus['capabilities'] | null;
  /** Workers that reported this backend in the last minute. */
  workers: number;
  circuit: 'closed' | 'half-open' | 'open';
  available: boolean;
  performance: { successes: number; failures: number; p50LatencyMs: number | null };
  updatedAt: Date | null;
}

const STALE_MS = 60_000;

/**
 * Workers own the backends, their circuits and their performance windows; they report them here every few
 * seconds, and the API (which runs no backend) reads the union for the `models` query.
 */
export class BackendStatusBoard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key() {
    return `${this.prefix}:backend-status`;
  }

  async report(workerId: string, statuses: BackendStatus[], now = Date.now()): Promise<void> {
    if (statuses.length === 0) return;
    const fields = statuses.flatMap((s) => [
      `${workerId}|${s.name}`,
      JSON.stringify({
        ...s,
        rateHeadroom: Number.isFinite(s.rateHeadroom) ? s.rateHeadroom : null,
        workerId,
        updatedAt: now,
      }),
    ]);
    await this.redis.hset(this.key, ...fields);
  }

  async summaries(enabled: readonly string[], now = Date.now()): Promise<ModelSummary[]> {
    const raw = await this.redis.hgetall(this.key);
    const live = Object.values(raw)
      .map((v) => JSON.parse(v) as WorkerBackendStatus)
      .filter((s) => now - s.updatedAt < STALE_MS);
    const stale = Object.entries(raw).filter(
      ([, v]) => now - (JSON.parse(v) as WorkerBackendStatus).updatedAt >= STALE_MS,
    );
    if (stale.length) await this.redis.hdel(this.key, ...stale.map(([k]) => k));
    const names = [...new Set([...enabled, ...live.map((s) => s.name)])];
    return names.map((name) => {
      const reports = live.filter((s) => s.name === name);
      const open = reports.filter((s) => s.circuit === 'open').length;
      const latencies = reports
        .map((s) => s.performance.p50LatencyMs)
        .filter((v): v is number => v !== null)
        .sort((a, b) => a - b);
      return {
        name,
        capabilities: reports[0]?.capabilities ?? null,
        workers: reports.length,
        circuit:
          reports.length > 0 && open === reports.length
            ? 'open'
            : open > 0 || reports.some((s) => s.circuit === 'half-open')
              ? 'half-open'
              : 'closed',
        available: reports.some((s) => s.circuit !== 'open'),
        performance: {
          successes: reports.reduce((n, s) => n + s.performance.successes, 0),
          failures: reports.reduce((n, s) => n + s.performance.failures, 0),
          p50LatencyMs: latencies.length ? latencies[Math.floor((latencies.length - 1) / 2)]! : null,
        },
        updatedAt: reports.length ? new Date(Math.max(...reports.map((s) => s.updatedAt))) : null,
      };
    });
  }
}
