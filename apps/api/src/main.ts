import { createPlatform, loadConfig } from '@pakati/platform';
import { startApiServer } from './server.ts';

const platform = await createPlatform(loadConfig(), 'api');
const api = await startApiServer(platform);

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
