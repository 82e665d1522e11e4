import { describe, expect, it } from 'vitest';
import {
  applyRunEvent,
  applySnapshot,
  initialRunView,
  isCancellable,
  parseRunEvent,
  progressPercent,
  type RunEvent,
  type RunView,
  runViewReducer,
} from '../lib/run-events';

const RUN = 'run_1';
const at = '2025-01-01T00:00:00.000Z';

const queued: RunEvent = { seq: 1, type: 'QUEUED', at, runId: RUN };
const started: RunEvent = { seq: 2, type: 'STARTED', at, runId: RUN };
const progress = (seq: number, step: number, totalSteps = 20, message: string | null = null): RunEvent => ({
  seq,
  type: 'PROGRESS',
  at,
  runId: RUN,
  fraction: step / totalSteps,
  step,
  totalSteps,
  message,
});
const completed = (seq: number): RunEvent => ({
  seq,
  type: 'COMPLETED',
  at,
  runId: RUN,
  imageUrl: 'https://cdn.test/out.png?sig=abc',
});

function fold(
  events: RunEvent[],
  start: RunView = initialRunView({ id: RUN, status: 'QUEUED', progress: 0 }),
) {
  return events.reduce((state, event) => runViewReducer(state, { type: 'event', event }), start);
}

describe('run view reducer', () => {
  it('starts from the snapshot', () => {
    const view = initialRunView({ id: RUN, status: 'QUEUED', progress: 0, seed: 7 });
    expect(view).toMatchObject({ runId: RUN, status: 'QUEUED', seed: 7, lastSeq: null, events: [] });
    expect(view.progress.fraction).toBe(0);
  });

  it('tracks status, progress and last seq through a successful run', () => {
    const view = fold([queued, started, progress(3, 5, 20, 'denoising'), progress(4, 10)]);
    expect(view.status).toBe('RUNNING');
    expect(view.lastSeq).toBe(4);
    expect(view.progress).toEqual({ fraction: 0.5, step: 10, totalSteps: 20, message: null });
    expect(view.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);

    const done = fold([completed(5)], view);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.imageUrl).toBe('https://cdn.test/out.png?sig=abc');
    expect(done.progress.fraction).toBe(1);
    expect(done.lastSeq).toBe(5);
  });

  it('drops duplicate seqs (replay after reconnect) without changing state', () => {
    const view = fold([queued, started, progress(3, 5)]);
    const replayed = fold([started, progress(3, 5)], view);
    expect(replayed).toBe(view);
    expect(replayed.events).toHaveLength(3);
  });

  it('keeps late out-of-order events in the log but does not move progress backwards', () => {
    const view = fold([queued, progress(4, 10)]);
    const late = fold([progress(3, 5)], view);
    expect(late.events.map((e) => e.seq)).toEqual([1, 3, 4]);
    expect(late.lastSeq).toBe(4);
    expect(late.progress.step).toBe(10);
  });

  it('ignores events for another run', () => {
    const view = fold([queued]);
    expect(applyRunEvent(view, { ...started, runId: 'other' })).toBe(view);
  });

  it('records failures and cancellations', () => {
    const failed = fold([
      queued,
      {
        seq: 2,
        type: 'FAILED',
        at,
        runId: RUN,
        error: { code: 'GENERATION_FAILED', message: 'GPU fell over' },
      },
    ]);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toEqual({ code: 'GENERATION_FAILED', message: 'GPU fell over' });

    const cancelled = fold([queued, { seq: 2, type: 'CANCELLED', at, runId: RUN, reason: 'user' }]);
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.cancelReason).toBe('user');
    expect(isCancellable(cancelled.status)).toBe(false);
  });

  it('does not let a non-terminal event revive a terminal run', () => {
    const done = fold([queued, completed(3)]);
    const after = fold([progress(4, 1)], done);
    expect(after.status).toBe('SUCCEEDED');
    expect(after.lastSeq).toBe(4);
  });

  it('merges snapshots without regressing a terminal state', () => {
    const running = fold([queued, started, progress(3, 5)]);
    const cancelled = applySnapshot(running, { id: RUN, status: 'CANCELLED', progress: 0.25 });
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.progress.fraction).toBe(0.25);

    const stale = applySnapshot(cancelled, { id: RUN, status: 'RUNNING', progress: 0.3 });
    expect(stale).toBe(cancelled);

    const succeeded = applySnapshot(running, {
      id: RUN,
      status: 'SUCCEEDED',
      progress: 1,
      imageUrl: 'https://cdn.test/x.png',
    });
    expect(succeeded.imageUrl).toBe('https://cdn.test/x.png');
    expect(succeeded.progress.fraction).toBe(1);
    expect(applySnapshot(running, { id: 'other', status: 'FAILED', progress: 0 })).toBe(running);
  });
});

describe('region step events', () => {
  it('parses a failover, logs it, keeps the run running, and advances the resume point', () => {
    const step = parseRunEvent({
      __typename: 'RunStepEvent',
      seq: 3,
      type: 'STEP',
      at,
      runId: RUN,
      status: 'FAILOVER',
      backend: 'automatic1111',
      next: 'procedural',
      message: 'OUT_OF_MEMORY: CUDA out of memory',
    });
    expect(step).toEqual({
      seq: 3,
      type: 'STEP',
      at,
      runId: RUN,
      status: 'FAILOVER',
      backend: 'automatic1111',
      next: 'procedural',
      message: 'OUT_OF_MEMORY: CUDA out of memory',
    });
    const view = fold([queued, started, step!]);
    expect(view.status).toBe('RUNNING');
    expect(view.lastSeq).toBe(3);
    expect(view.events.map((e) => e.type)).toEqual(['QUEUED', 'STARTED', 'STEP']);
  });
});

describe('parseRunEvent', () => {
  it('parses each event kind', () => {
    expect(parseRunEvent({ __typename: 'RunQueuedEvent', seq: 1, type: 'QUEUED', at, runId: RUN })).toEqual(
      queued,
    );
    expect(
      parseRunEvent({
        seq: 3,
        type: 'PROGRESS',
        at,
        runId: RUN,
        fraction: 1.7,
        step: 20,
        totalSteps: 20,
        message: 'x',
      }),
    ).toEqual({
      seq: 3,
      type: 'PROGRESS',
      at,
      runId: RUN,
      fraction: 1,
      step: 20,
      totalSteps: 20,
      message: 'x',
    });
    expect(parseRunEvent({ seq: 5, type: 'COMPLETED', at, runId: RUN, imageUrl: 'https://i' })).toMatchObject(
      {
        imageUrl: 'https://i',
      },
    );
    expect(
      parseRunEvent({ seq: 5, type: 'FAILED', at, runId: RUN, error: { code: 'E', message: 'm' } }),
    ).toMatchObject({ error: { code: 'E', message: 'm' } });
    expect(parseRunEvent({ seq: 5, type: 'CANCELLED', at, runId: RUN, reason: null })).toMatchObject({
      reason: null,
    });
  });

  it('rejects malformed frames', () => {
    expect(parseRunEvent(null)).toBeNull();
    expect(parseRunEvent({ seq: '1', type: 'QUEUED', at, runId: RUN })).toBeNull();
    expect(parseRunEvent({ seq: 1.5, type: 'QUEUED', at, runId: RUN })).toBeNull();
    expect(parseRunEvent({ seq: 1, type: 'EXPLODED', at, runId: RUN })).toBeNull();
    expect(parseRunEvent({ seq: 1, type: 'PROGRESS', at, runId: RUN })).toBeNull();
    expect(parseRunEvent({ seq: 1, type: 'COMPLETED', at, runId: RUN })).toBeNull();
  });
});

describe('progressPercent', () => {
  it('clamps and rounds', () => {
    expect(progressPercent(0.456)).toBe(46);
    expect(progressPercent(-1)).toBe(0);
    expect(progressPercent(2)).toBe(100);
    expect(progressPercent(Number.NaN)).toBe(0);
  });
});
