import { PakatiError } from '@pakati/core';
import type { Orm } from '@pakati/db';
import type { BackendStatusBoard } from './backend-status.ts';

export const MAX_ANALYTICS_DAYS = 365;
const DAY_MS = 86_400_000;

export interface RunsPerDay {
  /** UTC midnight. */
  day: Date;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

export interface BackendUsage {
  backend: string;
  steps: number;
  /** Steps that failed over away from this backend to another one. */
  failedOver: number;
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  /** steps x the backend's current cost per image; null while no worker has reported its price. */
  estimatedCost: number | null;
}

export interface Analytics {
  days: number;
  since: Date;
  runsPerDay: RunsPerDay[];
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  successRate: number | null;
  backends: BackendUsage[];
}

interface DayRow {
  day: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

interface StepRow {
  backend: string;
  steps: number;
  p50: number | null;
  p95: number | null;
}

/** Usage of one organization over the last N UTC days, aggregated in PostgreSQL. */
export class AnalyticsService {
  constructor(
    private readonly orm: Orm,
    private readonly backendStatus: BackendStatusBoard,
    private readonly enabledBackends: readonly string[],
  ) {}

  async summary(organizationId: string, days: number, now = new Date()): Promise<Analytics> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_ANALYTICS_DAYS) {
      throw new PakatiError('BAD_USER_INPUT', `days must be an integer from 1 to ${MAX_ANALYTICS_DAYS}`, {
        field: 'days',
      });
    }
    // The window is whole UTC days, today included, so every bar of the chart covers a full day.
    const since = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS,
    );
    const em = this.orm.em.fork();
    const [dayRows, stepRows, failoverRows, prices] = await Promise.all([
      em.execute<DayRow[]>(
        `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day,
                count(*)::int as total,
                (count(*) filter (where status = 'SUCCEEDED'))::int as succeeded,
                (count(*) filter (where status = 'FAILED'))::int as failed,
                (count(*) filter (where status = 'CANCELLED'))::int as cancelled
           from run
          where organization_id = ? and created_at >= ?
          group by 1`,
        [organizationId, since],
      ),
      em.execute<StepRow[]>(
        `select s.backend,
                count(*)::int as steps,
                percentile_cont(0.5) within group (order by s.duration_ms) as p50,
                percentile_cont(0.95) within group (order by s.duration_ms) as p95
           from generation_step s
           join run r on r.id = s.run_id
          where r.organization_id = ? and s.created_at >= ? and s.operation <> 'compose'
          group by s.backend`,
        [organizationId, since],
      ),
      em.execute<{ backend: string; failed_over: number }[]>(
        `select f.value->>'backend' as backend, count(distinct s.id)::int as failed_over
           from generation_step s
           join run r on r.id = s.run_id
           cross join lateral jsonb_array_elements(s.failovers) f
          where r.organization_id = ? and s.created_at >= ? and s.operation <> 'compose'
          group by 1`,
        [organizationId, since],
      ),
      this.backendStatus.summaries(this.enabledBackends),
    ]);

    const byDay = new Map(dayRows.map((r) => [r.day, r]));
    const runsPerDay = Array.from({ length: days }, (_, i) => {
      const day = new Date(since.getTime() + i * DAY_MS);
      const row = byDay.get(day.toISOString().slice(0, 10));
      return {
        day,
        total: row?.total ?? 0,
        succeeded: row?.succeeded ?? 0,
        failed: row?.failed ?? 0,
        cancelled: row?.cancelled ?? 0,
      };
    });
    const sum = (key: 'total' | 'succeeded' | 'failed' | 'cancelled') =>
      runsPerDay.reduce((n, d) => n + d[key], 0);
    const [total, succeeded, failed, cancelled] = [
      sum('total'),
      sum('succeeded'),
      sum('failed'),
      sum('cancelled'),
    ];
    // A cancellation is the caller's choice, not an outcome of the generation, so it is left out of the rate.
    const decided = succeeded + failed;

    const price = new Map(prices.map((m) => [m.name, m.capabilities?.costPerImage ?? null]));
    const failedOver = new Map(failoverRows.map((r) => [r.backend, r.failed_over]));
    const steps = new Map(stepRows.map((r) => [r.backend, r]));
    const backends = [...new Set([...steps.keys(), ...failedOver.keys()])].sort().map((backend) => {
      const row = steps.get(backend);
      const count = row?.steps ?? 0;
      const cost = price.get(backend);
      return {
        backend,
        steps: count,
        failedOver: failedOver.get(backend) ?? 0,
        p50DurationMs: row?.p50 ?? null,
        p95DurationMs: row?.p95 ?? null,
        estimatedCost: cost == null ? null : count * cost,
      };
    });

    return {
      days,
      since,
      runsPerDay,
      total,
      succeeded,
      failed,
      cancelled,
      successRate: decided ? succeeded / decided : null,
      backends,
    };
  }
}
