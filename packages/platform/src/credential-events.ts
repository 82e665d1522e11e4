import type { RedisPubSub } from './redis-pubsub.ts';

const ALL = 'all';

/**
 * Tells every API replica that some keys were revoked or their member's role changed, so sockets opened with
 * them close at once instead of living on with what the key could do when it connected.
 */
export class CredentialEvents {
  constructor(private readonly pubsub: RedisPubSub) {}

  async changed(apiKeyIds: readonly string[]): Promise<void> {
    if (apiKeyIds.length > 0)
      await this.pubsub.publish('credentials-changed', ALL, { apiKeyIds: [...apiKeyIds] });
  }

  onChanged(listener: (apiKeyIds: string[]) => void): Promise<() => Promise<void>> {
    return this.pubsub.subscribe('credentials-changed', ALL, (m) => listener(m.apiKeyIds));
  }
}
