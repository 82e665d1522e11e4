import type { RedisPubSub } from './redis-pubsub.ts';
import { isTerminalEvent, type RunEventRecord } from './run-event-record.ts';

export interface StoredEventsPage {
  events: RunEventRecord[];
  /** True when the run has reached a terminal status: its last event is the final one. */
  terminal: boolean;
  lastSeq: number;
}

export interface RunEventStreamOptions {
  runId: string;
  after: number;
  pubsub: RedisPubSub;
  loadAfter: (runId: string, after: number) => Promise<StoredEventsPage>;
  /** A periodic read of the log, so a lost Redis message delays an event but never drops it. */
  catchUpIntervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Replays stored events with seq > after, then continues live, with no gap and no duplicate:
 * subscribe first (buffering), read the log second, then yield only the next seq in order. An event that
 * arrives out of order, a reconnect, or a quiet interval triggers a read of the log from the last seq.
 * Ends after the terminal event.
 */
export async function* streamRunEvents(options: RunEventStreamOptions): AsyncGenerator<RunEventRecord> {
  const { runId, pubsub, loadAfter, catchUpIntervalMs = 5000, signal } = options;
  const buffer: RunEventRecord[] = [];
  let wake: (() => void) | null = null;
  let resync = false;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const unsubscribe = await pubsub.subscribe('run-events', runId, (event) => {
    buffer.push(event);
    notify();
  });
  const stopReconnect = pubsub.onReconnect(() => {
    resync = true;
    notify();
  });
  const onAbort = () => notify();
  signal?.addEventListener('abort', onAbort);
  let last = options.after;
  try {
    let page = await loadAfter(runId, last);
    while (!signal?.aborted) {
      for (const event of page.events) {
        if (event.seq !== last + 1) break;
        last = event.seq;
        yield event;
        if (isTerminalEvent(event)) return;
      }
      if (page.terminal && last >= page.lastSeq) return;
      if (buffer.length === 0 && !resync) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, catchUpIntervalMs).unref?.();
        });
      }
      const pending = buffer
        .splice(0)
        .filter((e) => e.seq > last)
        .sort((a, b) => a.seq - b.seq);
      const contiguous = pending.every((e, i) => e.seq === last + 1 + i);
      if (!resync && pending.length > 0 && contiguous) {
        page = { events: pending, terminal: false, lastSeq: pending.at(-1)!.seq };
      } else {
        resync = false;
        page = await loadAfter(runId, last);
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stopReconnect();
    await unsubscribe();
  }
}
