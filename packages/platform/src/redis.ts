import { Redis } from 'ioredis';

/**
 * BullMQ needs `maxRetriesPerRequest: null` on its connections so blocking commands survive reconnects.
 * A subscriber connection skips the ready check: its INFO would otherwise race the first SUBSCRIBE issued at
 * start-up, and Redis refuses INFO on a subscribed connection (the connection then reconnects for nothing).
 */
export function createRedis(url: string, purpose: string, options: { subscriber?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: `pakati:${purpose}`,
    enableReadyCheck: !options.subscriber,
    lazyConnect: false,
  });
}
