import type { Platform } from '@pakati/platform';

export interface CheckResult {
  status: 'ok' | 'fail';
  latencyMs: number;
  error?: string;
  detail?: Record<string, unknown>;
}

export interface DeepHealth {
  status: 'ok' | 'unavailable';
  /** The names of the checks that failed, e.g. `backend:comfyui`. */
  failing: string[];
  checks: Record<string, CheckResult>;
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}

async function timed<T>(check: () => Promise<T>, timeoutMs: number) {
  const started = performance.now();
  try {
    const value = await withTimeout(check(), timeoutMs);
    return { value, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { error: (error as Error).message, latencyMs: Math.round(performance.now() - started) };
  }
}

/**
 * Everything a run needs, each check timed and bounded: PostgreSQL, Redis, at least one ready worker, and every
 * enabled backend hosted by a worker whose circuit lets calls through (as the workers report it on their heartbeat).
 */
export async function deepHealth(platform: Platform): Promise<DeepHealth> {
  const timeoutMs = platform.config.observability.healthTimeoutMs;
  const [postgres, redis, fleet, board] = await Promise.all([
    timed(() => platform.orm.em.getConnection().execute('select 1'), timeoutMs),
    timed(() => platform.redis.ping(), timeoutMs),
    timed(() => platform.fleet.list(), timeoutMs),
    timed(() => platform.backendStatus.summaries(platform.config.backends.enabled), timeoutMs),
  ]);
  const checks: Record<string, CheckResult> = {
    postgres: postgres.error
      ? { status: 'fail', latencyMs: postgres.latencyMs, error: postgres.error }
      : { status: 'ok', latencyMs: postgres.latencyMs },
    redis: redis.error
      ? { status: 'fail', latencyMs: redis.latencyMs, error: redis.error }
      : { status: 'ok', latencyMs: redis.latencyMs },
  };
  if (fleet.error !== undefined) {
    checks.workers = { status: 'fail', latencyMs: fleet.latencyMs, error: fleet.error };
  } else {
    const workers = fleet.value ?? [];
    const ready = workers.filter((w) => w.state === 'ready').length;
    checks.workers = {
      status: ready > 0 ? 'ok' : 'fail',
      latencyMs: fleet.latencyMs,
      ...(ready > 0 ? {} : { error: 'no ready worker in the fleet' }),
      detail: { ready, total: workers.length },
    };
  }
  for (const name of platform.config.backends.enabled) {
    const summary = board.value?.find((s) => s.name === name);
    const detail = summary
      ? { workers: summary.workers, circuit: summary.circuit, p50LatencyMs: summary.performance.p50LatencyMs }
      : undefined;
    const error =
      board.error ??
      (!summary || summary.workers === 0
        ? 'no worker reports it'
        : summary.available
          ? undefined
          : 'circuit open on every worker');
    checks[`backend:${name}`] = {
      status: error ? 'fail' : 'ok',
      latencyMs: board.latencyMs,
      ...(error ? { error } : {}),
      ...(detail ? { detail } : {}),
    };
  }
  const failing = Object.entries(checks)
    .filter(([, c]) => c.status === 'fail')
    .map(([name]) => name);
  return { status: failing.length ? 'unavailable' : 'ok', failing, checks };
}
