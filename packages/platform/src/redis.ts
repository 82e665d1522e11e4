import { Redis } from 'ioredis';

/** BullMQ needs `maxRetriesPerRequest: null` on its connections so blocking commands survive reconnects. */
export function createRedis(url: string, purpose: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: `pakati:${purpose}`,
    // CLIENT SETINFO sent during the handshake collides with an early SUBSCRIBE on subscriber connections
    // (ioredis#2037): the server refuses it and the connection reconnects. The library name is not worth that.
    disableClientInfo: true,
    lazyConnect: false,
  });
}
