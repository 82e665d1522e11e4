import type { Platform } from '@pakati/platform';

/**
 * A delivery is committed with its run event and enqueued after the commit; if Redis was unreachable in
 * between (or lost the job), the delivery would wait forever. Overdue deliveries are enqueued again; the job
 * id names the attempt, so one that is merely late is not duplicated.
 */
export function startWebhookSweep(platform: Platform): () => void {
  const { sweepIntervalMs } = platform.config.webhooks;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    platform.webhookDispatch
      .sweep(sweepIntervalMs)
      .catch((err: unknown) => platform.logger.warn({ err }, 'webhook sweep failed'))
      .finally(() => {
        running = false;
      });
  }, sweepIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
