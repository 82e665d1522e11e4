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
