import {
  estimateProgress,
  iterationPartIds,
  type ProgressEstimate,
  planProgress,
  type RasterImage,
  type WeightedPart,
  weighParts,
} from '@pakati/core';
import type { Run } from '@pakati/db';
import type { Redis } from 'ioredis';
import type { BlobStore } from './blob-store.ts';
import { runGraph } from './progress-graph.ts';
import { encodePreview } from './progress-preview.ts';
import type { ProgressThrottle } from './progress-throttle.ts';
import type { RunEventLog } from './run-event-log.ts';
import type { RunEventRecord } from './run-event-record.ts';
import type { StepDurations } from './step-durations.ts';

const TTL_SECONDS = 7 * 24 * 3600;

// Parts only ever grow: a retried job that starts over does not take back what its first attempt reported.
const RECORD = `
for i = 2, #ARGV - 1, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i])) or 0
  if tonumber(ARGV[i + 1]) > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return redis.call('HGETALL', KEYS[1])`;

export type ProgressRun = Pick<Run, 'id' | 'kind' | 'parameters' | 'startedAt' | 'progress'>;

export interface ProgressUpdate {
  message?: string;
  /** The backend's preview of the step so far; encoded and stored as a blob only when an event is written. */
  preview?: RasterImage | null;
}

/** The weights of a run's parts, frozen at its first report so later measurements cannot move it back. */
interface FrozenPlan {
  startedAt: number;
  /** Null when the run's kind has no planned graph. */
  parts: WeightedPart[] | null;
}

/**
 * A run's progress over its whole job graph. Jobs of one run report from different workers, so each part's
 * fraction lives in a Redis hash; the weights (measured step durations) are frozen per run at its first
 * report. Writes PROGRESS events through the throttle; previews go to the blob store, only their keys into
 * events.
 */
export class RunProgress {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly deps: {
      eventLog: RunEventLog;
      durations: StepDurations;
      throttle: ProgressThrottle;
      blobs: BlobStore;
    },
  ) {}

  /** Reports of one run from this process, chained so they reach the log in the order they were made. */
  private readonly reporting = new Map<string, Promise<unknown>>();

  private partsKey(runId: string) {
    return `${this.prefix}:run-progress:${runId}`;
  }

  private planKey(runId: string) {
    return `${this.prefix}:run-progress-plan:${runId}`;
  }

  private async record(runId: string, fractions: [string, number][]): Promise<Record<string, number>> {
    const args = fractions.flatMap(([part, f]) => [part, String(Math.max(0, Math.min(1, f)))]);
    const flat = (await this.redis.eval(RECORD, 1, this.partsKey(runId), TTL_SECONDS, ...args)) as string[];
    const done: Record<string, number> = {};
    for (let i = 0; i < flat.length; i += 2) done[flat[i]!] = Number(flat[i + 1]);
    return done;
  }

  private async frozenPlan(runId: string): Promise<FrozenPlan | null> {
    const raw = await this.redis.get(this.planKey(runId));
    return raw ? (JSON.parse(raw) as FrozenPlan) : null;
  }

  private async plan(run: ProgressRun): Promise<FrozenPlan> {
    const frozen = await this.frozenPlan(run.id);
    if (frozen) return frozen;
    const graph = runGraph(run);
    let parts: WeightedPart[] | null = null;
    if (graph) {
      const planned = planProgress(graph);
      const expected = await this.deps.durations.expected(planned);
      parts = weighParts(planned, (p) => expected.get(p.id)!);
    }
    const plan: FrozenPlan = { startedAt: run.startedAt?.getTime() ?? Date.now(), parts };
    const set = await this.redis.set(this.planKey(run.id), JSON.stringify(plan), 'EX', TTL_SECONDS, 'NX');
    // Another worker froze it first: everyone uses that one.
    return set === 'OK' ? plan : ((await this.frozenPlan(run.id)) ?? plan);
  }

  private estimate(plan: FrozenPlan, done: Record<string, number>, floor: number): ProgressEstimate {
    if (plan.parts) {
      return estimateProgress({ parts: plan.parts, done, elapsedMs: Date.now() - plan.startedAt, floor });
    }
    const parts = Object.keys(done).map((id) => ({ id, weightMs: 1 }));
    return { ...estimateProgress({ parts, done, elapsedMs: 0, floor }), etaSeconds: null };
  }

  /**
   * Records how far one part of the run is (never lowering it) and, unless the throttle holds it back, writes
   * a PROGRESS event with the run's fraction, ETA and the preview. Returns the event, or null when none was
   * written (throttled, no further progress, or the run is no longer RUNNING).
   */
  report(
    run: ProgressRun,
    part: string,
    fraction: number,
    update: ProgressUpdate = {},
  ): Promise<RunEventRecord | null> {
    // Callers fire reports without waiting (a backend's progress callback); unchained, a later, higher report
    // could take the run's row lock first and every earlier one would then be dropped as going backwards.
    const previous = this.reporting.get(run.id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.reportNow(run, part, fraction, update));
    this.reporting.set(run.id, next);
    const forget = () => {
      if (this.reporting.get(run.id) === next) this.reporting.delete(run.id);
    };
    next.then(forget, forget);
    return next;
  }

  private async reportNow(
    run: ProgressRun,
    part: string,
    fraction: number,
    update: ProgressUpdate,
  ): Promise<RunEventRecord | null> {
    const done = await this.record(run.id, [[part, fraction]]);
    if (!(await this.deps.throttle.allow(run.id))) return null;
    const estimate = this.estimate(await this.plan(run), done, 0);
    const previewKey = update.preview
      ? (await this.deps.blobs.put(await encodePreview(update.preview))).key
      : null;
    const overall = estimate.fraction;
    return this.deps.eventLog.transition(run.id, {
      from: ['RUNNING'],
      type: 'PROGRESS',
      payload: {
        fraction: overall,
        step: estimate.partsDone,
        totalSteps: estimate.totalParts,
        message: update.message ?? null,
        etaSeconds: estimate.etaSeconds,
        ...(previewKey ? { previewKey } : {}),
      },
      patch: { progress: overall },
      // A new preview is worth an event at the same fraction; otherwise only growth is.
      guard: (current) =>
        overall > Number(current.progress) || (previewKey !== null && overall >= Number(current.progress)),
    });
  }

  /** A decided REFINE iteration: all its parts are done, refined or not. The caller's event carries the result. */
  async completeIteration(run: ProgressRun, iteration: number): Promise<ProgressEstimate> {
    const graph = runGraph(run);
    const parts = graph?.kind === 'REFINE' ? iterationPartIds(graph, iteration) : [];
    const done = await this.record(
      run.id,
      parts.map((id) => [id, 1]),
    );
    return this.estimate(await this.plan(run), done, Number(run.progress));
  }

  /** The run's progress now, or null before its first report. */
  async current(run: ProgressRun): Promise<ProgressEstimate | null> {
    const plan = await this.frozenPlan(run.id);
    if (!plan) return null;
    const done = await this.redis.hgetall(this.partsKey(run.id));
    return this.estimate(
      plan,
      Object.fromEntries(Object.entries(done).map(([k, v]) => [k, Number(v)])),
      Number(run.progress),
    );
  }

  async clear(runId: string): Promise<void> {
    await this.redis.del(this.partsKey(runId), this.planKey(runId));
  }
}
