import type { Redis } from 'ioredis';
import type { RunStatusChange } from './organization-run-events.ts';
import type { RunEventRecord } from './run-event-record.ts';

/** Topics and their messages; every topic is keyed by an id (a run id, or a fixed key for broadcast). */
export interface PubSubTopics {
  'run-events': RunEventRecord;
  'run-cancel': { runId: string };
  /** Keyed by organization id. */
  'run-status': RunStatusChange;
  /** Keys revoked, or whose member's role changed; one broadcast key. */
  'credentials-changed': { apiKeyIds: string[] };
}
export type Topic = keyof PubSubTopics;
type Listener<T extends Topic> = (message: PubSubTopics[T]) => void;

/**
 * Typed Redis pub/sub shared by every API replica and worker. `subscribe` resolves only once Redis has
 * confirmed the SUBSCRIBE, which is what makes subscribe-then-read resume gap-free.
 */
export class RedisPubSub {
  private readonly listeners = new Map<string, Set<Listener<Topic>>>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    subscriber.on('message', (channel: string, raw: string) => {
      const set = this.listeners.get(channel);
      if (!set) return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      for (const listener of set) listener(message as never);
    });
    // ioredis re-subscribes after a reconnect, but messages published meanwhile are gone: tell readers to catch up.
    subscriber.on('ready', () => {
      for (const listener of this.reconnectListeners) listener();
    });
  }

  private channel(topic: Topic, id: string): string {
    return `${this.prefix}:${topic}:${id}`;
  }

  async publish<T extends Topic>(topic: T, id: string, message: PubSubTopics[T]): Promise<void> {
    await this.publisher.publish(this.channel(topic, id), JSON.stringify(message));
  }

  async subscribe<T extends Topic>(
    topic: T,
    id: string,
    listener: Listener<T>,
  ): Promise<() => Promise<void>> {
    const channel = this.channel(topic, id);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener as Listener<Topic>);
    if (set.size === 1) await this.subscriber.subscribe(channel);
    return async () => {
      const current = this.listeners.get(channel);
      if (!current?.delete(listener as Listener<Topic>)) return;
      if (current.size === 0) {
        this.listeners.delete(channel);
        await this.subscriber.unsubscribe(channel).catch(() => {});
      }
    };
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }
}
