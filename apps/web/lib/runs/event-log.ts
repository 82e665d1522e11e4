import type { RunEvent } from './run-event';

/**
 * The client's copy of one run's event log. The API numbers events 1, 2, 3... per run with no gaps
 * and replays `seq > after` on (re)subscribe, so after a reconnect the same events can arrive twice
 * (graphql-ws re-sends the original `after`), and a lost frame shows up as a jump in seq.
 */
export interface EventLog {
  runId: string;
  /** Every event up to {@link contiguousSeq}, in seq order, each once. */
  events: RunEvent[];
  /** Every seq up to this one is in `events`: the `after` to resume from. */
  contiguousSeq: number;
  /**
   * Events that arrived past a missing seq, in seq order. They are held back, not shown, so the view
   * never skips a step; a resubscription from `contiguousSeq` fills the hole and releases them.
   */
  pending: RunEvent[];
}

/** `after` is the seq the first subscription starts after (0 replays the whole log). */
export function emptyEventLog(runId: string, after = 0): EventLog {
  return { runId, events: [], contiguousSeq: after, pending: [] };
}

/**
 * Merges replayed and live events into the log: drops other runs' events and seqs already held,
 * orders the rest, and moves every event that closes the gap into `events`. Returns the same
 * object when nothing changed, so React can skip the render.
 */
export function mergeRunEvents(log: EventLog, incoming: readonly RunEvent[]): EventLog {
  const known = new Set(log.pending.map((e) => e.seq));
  const fresh: RunEvent[] = [];
  for (const event of incoming) {
    if (event.runId !== log.runId || event.seq <= log.contiguousSeq || known.has(event.seq)) continue;
    known.add(event.seq);
    fresh.push(event);
  }
  if (fresh.length === 0) return log;

  const waiting = [...log.pending, ...fresh].sort((a, b) => a.seq - b.seq);
  const events = [...log.events];
  let contiguousSeq = log.contiguousSeq;
  let i = 0;
  while (i < waiting.length && waiting[i]!.seq === contiguousSeq + 1) {
    events.push(waiting[i]!);
    contiguousSeq += 1;
    i += 1;
  }
  return { runId: log.runId, events, contiguousSeq, pending: waiting.slice(i) };
}

/** True when events past a missing seq are waiting: the stream should resume from `contiguousSeq`. */
export function hasGap(log: EventLog): boolean {
  return log.pending.length > 0;
}
