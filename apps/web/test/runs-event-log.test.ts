import { describe, expect, it } from 'vitest';
import { emptyEventLog, hasGap, mergeRunEvents } from '../lib/runs/event-log';
import { parseRunEvent, type RunEvent } from '../lib/runs/run-event';
import { RUN_ID, raw } from './runs-fixtures';

function events(...frames: unknown[]): RunEvent[] {
  return frames.map((frame) => {
    const event = parseRunEvent(frame);
    if (!event) throw new Error(`fixture does not parse: ${JSON.stringify(frame)}`);
    return event;
  });
}
const seqs = (list: readonly RunEvent[]) => list.map((e) => e.seq);

describe('mergeRunEvents', () => {
  it('keeps events in seq order and advances the resume point', () => {
    const log = mergeRunEvents(
      emptyEventLog(RUN_ID),
      events(raw.queued(1), raw.started(2), raw.progress(3, 0.2)),
    );
    expect(seqs(log.events)).toEqual([1, 2, 3]);
    expect(log.contiguousSeq).toBe(3);
    expect(hasGap(log)).toBe(false);
  });

  it('drops a replay that overlaps what is held (reconnect with a stale after) and returns the same log', () => {
    const log = mergeRunEvents(
      emptyEventLog(RUN_ID),
      events(raw.queued(1), raw.started(2), raw.progress(3, 0.2)),
    );
    expect(mergeRunEvents(log, events(raw.started(2), raw.progress(3, 0.2)))).toBe(log);
    const resumed = mergeRunEvents(
      log,
      events(raw.queued(1), raw.started(2), raw.progress(3, 0.2), raw.progress(4, 0.5)),
    );
    expect(seqs(resumed.events)).toEqual([1, 2, 3, 4]);
  });

  it('holds events past a missing seq until the hole is filled, then releases them in order', () => {
    const log = mergeRunEvents(emptyEventLog(RUN_ID), events(raw.queued(1), raw.started(2)));
    const gapped = mergeRunEvents(log, events(raw.progress(5, 0.6), raw.progress(4, 0.4)));
    expect(seqs(gapped.events)).toEqual([1, 2]);
    expect(hasGap(gapped)).toBe(true);
    expect(gapped.contiguousSeq).toBe(2);
    expect(seqs(gapped.pending)).toEqual([4, 5]);

    // The resubscription from seq 2 replays 3, 4, 5: 4 and 5 are not duplicated.
    const filled = mergeRunEvents(
      gapped,
      events(raw.progress(3, 0.3), raw.progress(4, 0.4), raw.progress(5, 0.6)),
    );
    expect(seqs(filled.events)).toEqual([1, 2, 3, 4, 5]);
    expect(filled.pending).toEqual([]);
    expect(filled.contiguousSeq).toBe(5);
    expect(hasGap(filled)).toBe(false);
  });

  it('ignores events of other runs and starts after a given seq', () => {
    const log = emptyEventLog(RUN_ID, 3);
    const other = events({ ...raw.progress(4, 0.4), runId: 'run_2' });
    expect(mergeRunEvents(log, other)).toBe(log);
    const next = mergeRunEvents(log, events(raw.started(2), raw.progress(4, 0.4)));
    expect(seqs(next.events)).toEqual([4]);
  });
});

describe('parseRunEvent', () => {
  it('parses every kind the subscription selects', () => {
    const parsed = events(
      raw.queued(1),
      raw.started(2),
      raw.progress(3, 1.5, 12),
      raw.iteration(4, 0, 0.5),
      raw.completed(5),
      raw.failed(6),
      raw.cancelled(7),
      {
        seq: 8,
        at: '',
        runId: RUN_ID,
        type: 'RETRY',
        jobName: 'render-region',
        attempt: 1,
        code: 'X',
        retryMessage: 'm',
        delayMs: 500,
      },
      {
        seq: 9,
        at: '',
        runId: RUN_ID,
        type: 'STEP',
        status: 'FAILOVER',
        backend: 'a',
        next: 'b',
        regionId: 'r1',
      },
    );
    expect(parsed.map((e) => e.type)).toEqual([
      'QUEUED',
      'STARTED',
      'PROGRESS',
      'ITERATION',
      'COMPLETED',
      'FAILED',
      'CANCELLED',
      'RETRY',
      'STEP',
    ]);
    expect(parsed[2]).toMatchObject({ fraction: 1, etaSeconds: 12 });
    expect(parsed[3]).toMatchObject({ iteration: 0, score: 0.5, thumbnailUrl: 'https://cdn.test/it0.png' });
    expect(parsed[7]).toMatchObject({ code: 'X', message: 'm' });
  });

  it('rejects malformed frames', () => {
    expect(parseRunEvent(null)).toBeNull();
    expect(parseRunEvent({ ...raw.queued(1), seq: 0 })).toBeNull();
    expect(parseRunEvent({ ...raw.queued(1), seq: 1.5 })).toBeNull();
    expect(parseRunEvent({ ...raw.queued(1), type: 'EXPLODED' })).toBeNull();
    expect(parseRunEvent({ ...raw.progress(1, 0.1), fraction: 'half' })).toBeNull();
    expect(parseRunEvent({ ...raw.iteration(1, 0, 0.5), accepted: 'yes' })).toBeNull();
    expect(parseRunEvent({ ...raw.completed(1), imageUrl: null })).toBeNull();
  });
});
