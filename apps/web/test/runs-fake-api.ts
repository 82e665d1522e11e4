import { vi } from 'vitest';
import type { IterationDetail, RunDetail, RunEventHandlers, RunsApi } from '../lib/runs/runs-api';
import { RUN_ID } from './runs-fixtures';

export interface FakeSubscription {
  runId: string;
  /** What graphql-ws would send as `after` if it (re)subscribed now. */
  after: () => number;
  handlers: RunEventHandlers;
  closed: boolean;
}

export function runDetail(patch: Partial<RunDetail> = {}): RunDetail {
  return {
    id: RUN_ID,
    kind: 'REFINE',
    status: 'QUEUED',
    progress: 0,
    priority: 5,
    seed: 42,
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: null,
    imageUrl: null,
    error: null,
    startedAt: null,
    lastEventSeq: 0,
    etaSeconds: null,
    queuePosition: 2,
    failures: [],
    ...patch,
  };
}

export function iterationDetail(index: number, patch: Partial<IterationDetail> = {}): IterationDetail {
  return {
    index,
    status: 'ACCEPTED',
    score: 0.5,
    bestScore: 0.5,
    imageUrl: `https://cdn.test/full${index}.png`,
    rejection: null,
    regions: [],
    recommendations: [],
    actions: [],
    ...patch,
  };
}

/** A scripted server: the test pushes frames into whichever subscription is open. */
export function fakeRunsApi(options: { run?: RunDetail; iterations?: IterationDetail[] } = {}) {
  const subscriptions: FakeSubscription[] = [];
  let run = options.run ?? runDetail();
  const api = {
    startRun: vi.fn<RunsApi['startRun']>(),
    run: vi.fn<RunsApi['run']>(async () => run),
    iterations: vi.fn<RunsApi['iterations']>(async () => options.iterations ?? []),
    cancelRun: vi.fn<RunsApi['cancelRun']>(async () => {
      run = { ...run, status: 'CANCELLED' };
      return run;
    }),
    projectRuns: vi.fn<RunsApi['projectRuns']>(),
    projectRegions: vi.fn<RunsApi['projectRegions']>(async () => [
      { id: 'reg_a', prompt: 'a stormy sky over the sea' },
      { id: 'reg_b', prompt: 'lighthouse' },
    ]),
    generationHistory: vi.fn<RunsApi['generationHistory']>(),
    subscribeRunEvents: vi.fn<RunsApi['subscribeRunEvents']>((runId, after, handlers) => {
      const sub: FakeSubscription = { runId, after, handlers, closed: false };
      subscriptions.push(sub);
      return () => {
        sub.closed = true;
      };
    }),
  } satisfies RunsApi;
  return {
    api,
    subscriptions,
    setRun(next: RunDetail) {
      run = next;
    },
    /** The subscription graphql-ws would be feeding now. */
    current(): FakeSubscription {
      const open = subscriptions.filter((s) => !s.closed);
      if (open.length !== 1) throw new Error(`expected one open subscription, found ${open.length}`);
      return open[0]!;
    },
  };
}
