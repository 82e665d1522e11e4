import { createPlatform, loadConfig, queueTelemetry, startTelemetry } from '@pakati/platform';
import { startWorkers } from './worker-host.ts';
import { startWorkerHttp } from './worker-http.ts';

const config = loadConfig();
// Before anything opens a span; null (nothing started) without an OTLP endpoint.
const telemetry = startTelemetry(config, 'worker');
const platform = await createPlatform(config, 'worker', { queueTelemetry: queueTelemetry(config) });
const workers = await startWorkers(platform);
const http = await startWorkerHttp(platform, {
  registry: workers.metrics.registry,
  unready: workers.unready,
}).catch(async (err: NodeJS.ErrnoException) => {
  // Without its health endpoints an orchestrator would kill the worker mid-job anyway: hand jobs back and stop.
  const reason =
    err.code === 'EADDRINUSE'
      ? `port ${config.observability.workerHttp.port} is in use: set PAKATI_WORKER_HTTP_PORT (0 takes a free one)`
      : err.message;
  platform.logger.fatal({ err }, `worker metrics and health could not listen: ${reason}`);
  await workers.close();
  await platform.close();
  process.exit(1);
});

// A stray rejection is a bug to log and fix, not a reason to drop every other request or job in flight.
process.on('unhandledRejection', (err) => platform.logger.error({ err }, 'unhandled rejection'));

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  platform.logger.info({ signal }, 'worker shutting down: finishing or releasing active jobs');
  await workers.close();
  await http.close();
  await platform.close();
  await telemetry?.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
