import { createPlatform, loadConfig } from '@pakati/platform';
import { startApiServer } from './server.ts';

const platform = await createPlatform(loadConfig(), 'api');
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
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
