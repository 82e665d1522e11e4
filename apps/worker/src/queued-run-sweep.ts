import { RunSchema } from '@pakati/db';
import type { Platform } from '@pakati/platform';

/**
 * The API commits a run before it enqueues the job; if Redis was unreachable in between, the run would sit
 * QUEUED forever. Re-enqueueing is safe (job id = run id), so stale QUEUED runs are simply enqueued again.
 */
export function startQueuedRunSweep(platform: Platform, intervalMs = 30_000, staleMs = 30_000): () => void {
  const sweep = async () => {
    const stale = await platform.orm.em
      .fork()
      .find(
        RunSchema,
        { status: 'QUEUED', createdAt: { $lt: new Date(Date.now() - staleMs) } },
        { fields: ['id', 'parameters', 'priority'], limit: 500 },
      );
    for (const run of stale) await platform.runs.enqueue(run);
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => platform.logger.warn({ err }, 'queued-run sweep failed'));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
