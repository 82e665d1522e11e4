import type { IterationRegionScore } from '../lib/runs/run-event';

/** Scripted `runEvents` payloads (raw, as the API sends them) for one run. */
export const RUN_ID = 'run_1';
const at = '2025-01-01T00:00:00.000Z';
const base = (seq: number) => ({ seq, at, runId: RUN_ID });

export const raw = {
  queued: (seq: number) => ({ __typename: 'RunQueuedEvent', ...base(seq), type: 'QUEUED' }),
  started: (seq: number) => ({ __typename: 'RunStartedEvent', ...base(seq), type: 'STARTED', attempt: 1 }),
  progress: (seq: number, fraction: number, etaSeconds: number | null = null, step = 0, totalSteps = 10) => ({
    __typename: 'RunProgressEvent',
    ...base(seq),
    type: 'PROGRESS',
    fraction,
    step,
    totalSteps,
    etaSeconds,
    message: null,
    previewUrl: null,
  }),
  iteration: (
    seq: number,
    iteration: number,
    score: number,
    opts: {
      accepted?: boolean;
      bestScore?: number;
      bestIteration?: number;
      regions?: IterationRegionScore[];
    } = {},
  ) => ({
    __typename: 'RunIterationEvent',
    ...base(seq),
    type: 'ITERATION',
    iteration,
    accepted: opts.accepted ?? true,
    score,
    bestScore: opts.bestScore ?? score,
    bestIteration: opts.bestIteration ?? iteration,
    rejection: opts.accepted === false ? 'scored below the best' : null,
    thumbnailUrl: `https://cdn.test/it${iteration}.png`,
    kernel: 'js',
    regions: opts.regions ?? [],
  }),
  completed: (seq: number) => ({
    __typename: 'RunCompletedEvent',
    ...base(seq),
    type: 'COMPLETED',
    imageUrl: 'https://cdn.test/out.png',
    width: 512,
    height: 512,
    durationMs: 1200,
  }),
  failed: (seq: number) => ({
    __typename: 'RunFailedEvent',
    ...base(seq),
    type: 'FAILED',
    error: { code: 'GENERATION_FAILED', message: 'GPU fell over' },
  }),
  cancelled: (seq: number) => ({
    __typename: 'RunCancelledEvent',
    ...base(seq),
    type: 'CANCELLED',
    reason: 'user',
  }),
};

export const region = (regionId: string, score: number): IterationRegionScore => ({
  regionId,
  score,
  scoreBefore: null,
  attributeDelta: 0.1,
});
