import { createPlatform, loadConfig, queueTelemetry, startTelemetry } from '@pakati/platform';
import { startApiServer } from './server.ts';

const config = loadConfig();
// Before anything opens a span; null (nothing started) without an OTLP endpoint.
const telemetry = startTelemetry(config, 'api');
// The queues put each GraphQL operation's trace context into the jobs it enqueues, for the worker to resume.
const platform = await createPlatform(config, 'api', { queueTelemetry: queueTelemetry(config) });
const api = await startApiServer(platform);

// A stray rejection is a bug to log and fix, not a reason to drop every other request or job in flight.
process.on('unhandledRejection', (err) => platform.logger.error({ err }, 'unhandled rejection'));

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  platform.logger.info({ signal }, 'api shutting down');
  await api.close();
  await platform.close();
  await telemetry?.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
