import { Redis } from 'ioredis';

/** BullMQ needs `maxRetriesPerRequest: null` on its connections so blocking commands survive reconnects. */
export function createRedis(url: string, purpose: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: `pakati:${purpose}`,
    lazyConnect: false,
  });
}
