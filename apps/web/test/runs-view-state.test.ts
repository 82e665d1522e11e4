import { describe, expect, it } from 'vitest';
import { parseRunEvent, type RunEvent } from '../lib/runs/run-event';
import { deriveRunView, isCancellable, type RunSnapshot } from '../lib/runs/run-view-state';
import { RUN_ID, raw, region } from './runs-fixtures';

const events = (...frames: unknown[]): RunEvent[] => frames.map((f) => parseRunEvent(f)!);
const snapshot = (patch: Partial<RunSnapshot>): RunSnapshot => ({
  id: RUN_ID,
  status: 'QUEUED',
  progress: 0,
  lastEventSeq: 0,
  ...patch,
});

describe('deriveRunView', () => {
  it('shows the queue position only while queued, the ETA only while running', () => {
    const queued = deriveRunView(events(raw.queued(1)), snapshot({ lastEventSeq: 1, queuePosition: 3 }));
    expect(queued).toMatchObject({ status: 'QUEUED', queuePosition: 3, etaSeconds: null });

    const running = deriveRunView(
      events(raw.queued(1), raw.started(2), raw.progress(3, 0.4, 30, 4, 10)),
      snapshot({ lastEventSeq: 1, queuePosition: 3 }),
    );
    expect(running).toMatchObject({
      status: 'RUNNING',
      queuePosition: null,
      etaSeconds: 30,
      step: 4,
      totalSteps: 10,
    });
    expect(running.fraction).toBeCloseTo(0.4);
  });

  it('never moves progress backwards, and is full once succeeded', () => {
    const view = deriveRunView(events(raw.queued(1), raw.progress(2, 0.6), raw.progress(3, 0.5)), null);
    expect(view.fraction).toBeCloseTo(0.6);
    const stale = deriveRunView(
      events(raw.queued(1), raw.progress(2, 0.6)),
      snapshot({ progress: 0.3, lastEventSeq: 2 }),
    );
    expect(stale.fraction).toBeCloseTo(0.6);
    const done = deriveRunView(events(raw.queued(1), raw.progress(2, 0.6), raw.completed(3)), null);
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      fraction: 1,
      imageUrl: 'https://cdn.test/out.png',
      etaSeconds: null,
    });
  });

  it('takes the snapshot status only when it is newer than the events, and never undoes a terminal state', () => {
    const evs = events(raw.queued(1), raw.started(2));
    expect(deriveRunView(evs, snapshot({ status: 'QUEUED', lastEventSeq: 1 })).status).toBe('RUNNING');
    expect(deriveRunView(evs, snapshot({ status: 'CANCELLED', lastEventSeq: 3 })).status).toBe('CANCELLED');
    const failed = deriveRunView(
      events(raw.queued(1), raw.failed(2)),
      snapshot({ status: 'RUNNING', lastEventSeq: 9 }),
    );
    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'GENERATION_FAILED' } });
    expect(isCancellable(failed.status)).toBe(false);
  });

  it('lists iterations accepted and rejected with the best score so far', () => {
    const view = deriveRunView(
      events(
        raw.queued(1),
        raw.iteration(2, 0, 0.5, { regions: [region('a', 0.4)] }),
        raw.iteration(3, 1, 0.62),
        raw.iteration(4, 2, 0.58, { accepted: false, bestScore: 0.62, bestIteration: 1 }),
      ),
      null,
    );
    expect(view.iterations.map((it) => [it.iteration, it.accepted, it.score])).toEqual([
      [0, true, 0.5],
      [1, true, 0.62],
      [2, false, 0.58],
    ]);
    expect(view.iterations[2]!.rejection).toBe('scored below the best');
    expect(view).toMatchObject({ bestScore: 0.62, bestIteration: 1 });
  });
});
