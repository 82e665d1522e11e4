import { type EntityManager, LockMode } from '@mikro-orm/core';
import {
  type Orm,
  type Run,
  RunEventSchema,
  type RunEventType,
  RunSchema,
  type RunStatus,
  TERMINAL_RUN_STATUSES,
} from '@pakati/db';
import type { Logger } from './logger.ts';
import type { RedisPubSub } from './redis-pubsub.ts';
import type { RunEventRecord } from './run-event-record.ts';
import type { StoredEventsPage } from './run-event-stream.ts';

export interface Transition {
  /** The statuses the run must be in; anything else means someone else got there first (e.g. a cancel). */
  from: readonly RunStatus[];
  to?: RunStatus;
  type: RunEventType;
  payload?: Record<string, unknown>;
  /** A further condition on the locked row, e.g. that progress only ever grows. */
  guard?: (run: Run) => boolean;
  patch?: Partial<
    Pick<
      Run,
      | 'progress'
      | 'resultImageKey'
      | 'resultWidth'
      | 'resultHeight'
      | 'error'
      | 'startedAt'
      | 'finishedAt'
      | 'attempts'
    >
  >;
}

export const toRecord = (
  runId: string,
  e: { seq: number; type: RunEventType; payload: Record<string, unknown>; createdAt: Date },
): RunEventRecord => ({
  runId,
  seq: e.seq,
  type: e.type,
  payload: e.payload,
  at: e.createdAt.toISOString(),
});

/** What hooks and listeners learn about the run an event belongs to. */
export interface RunEventContext {
  organizationId: string;
  projectId: string;
  kind: Run['kind'];
  status: RunStatus;
  /** The status before this event; equal to `status` when the event changed nothing (PROGRESS, STEP...). */
  previousStatus: RunStatus | null;
}

/**
 * Runs inside the event's transaction, so what it writes (e.g. webhook outbox rows) commits with the event or
 * not at all. It must only write through `tx`.
 */
export type TransitionHook = (
  tx: EntityManager,
  event: RunEventRecord,
  run: RunEventContext,
) => Promise<void>;
/** Runs after the commit (e.g. enqueue deliveries, publish dashboards); a failure is logged, never thrown. */
export type CommitListener = (event: RunEventRecord, run: RunEventContext) => Promise<void>;

/**
 * The only writer of run status and run events. Each transition locks the run row, checks the expected
 * status, bumps `lastEventSeq` and inserts the event in one transaction, so seq is gap-free and commits in
 * seq order; then it publishes to Redis. A failed publish loses nothing: readers catch up from the log.
 */
export class RunEventLog {
  constructor(
    private readonly orm: Orm,
    private readonly pubsub: RedisPubSub,
    private readonly logger: Logger,
  ) {}

  private readonly hooks: TransitionHook[] = [];
  private readonly listeners: CommitListener[] = [];

  addTransitionHook(hook: TransitionHook): void {
    this.hooks.push(hook);
  }

  onCommitted(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /**
   * Appends the run's next event inside the caller's transaction (the run row must be locked or new) and runs
   * the transition hooks. The caller calls `committed` after the commit.
   */
  async append(
    tx: EntityManager,
    run: Run,
    type: RunEventType,
    payload: Record<string, unknown>,
    previousStatus: RunStatus | null,
  ): Promise<{ record: RunEventRecord; context: RunEventContext }> {
    run.lastEventSeq += 1;
    const event = tx.create(RunEventSchema, { run, seq: run.lastEventSeq, type, payload });
    const record = toRecord(run.id, event);
    const context: RunEventContext = {
      organizationId: run.organization.id,
      projectId: run.project.id,
      kind: run.kind,
      status: run.status,
      previousStatus,
    };
    for (const hook of this.hooks) await hook(tx, record, context);
    return { record, context };
  }

  /** Publishes a committed event and tells the commit listeners. */
  async committed(record: RunEventRecord, context: RunEventContext): Promise<void> {
    await this.publish(record);
    for (const listener of this.listeners) {
      await listener(record, context).catch((err: unknown) =>
        this.logger.warn({ err, runId: record.runId, seq: record.seq }, 'run event listener failed'),
      );
    }
  }

  async transition(runId: string, t: Transition): Promise<RunEventRecord | null> {
    const em = this.orm.em.fork();
    const appended = await em.transactional(async (tx) => {
      const run = await tx.findOne(RunSchema, { id: runId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!run || !t.from.includes(run.status) || (t.guard && !t.guard(run))) return null;
      const previous = run.status;
      if (t.to) run.status = t.to;
      if (t.patch) Object.assign(run, t.patch);
      if (t.to && TERMINAL_RUN_STATUSES.includes(t.to)) run.finishedAt = new Date();
      return this.append(tx, run, t.type, t.payload ?? {}, previous);
    });
    if (!appended) return null;
    await this.committed(appended.record, appended.context);
    return appended.record;
  }

  async publish(record: RunEventRecord): Promise<void> {
    try {
      await this.pubsub.publish('run-events', record.runId, record);
    } catch (error) {
      this.logger.warn(
        { err: error, runId: record.runId, seq: record.seq },
        'publish failed; subscribers will catch up from the log',
      );
    }
  }

  async loadAfter(runId: string, after: number, limit = 500): Promise<StoredEventsPage> {
    const em = this.orm.em.fork();
    const run = await em.findOne(RunSchema, { id: runId }, { fields: ['status', 'lastEventSeq'] });
    if (!run) return { events: [], terminal: true, lastSeq: 0 };
    const events = await em.find(
      RunEventSchema,
      { run: runId, seq: { $gt: after } },
      { orderBy: { seq: 'asc' }, limit },
    );
    return {
      events: events.map((e) => toRecord(runId, e)),
      terminal: TERMINAL_RUN_STATUSES.includes(run.status),
      lastSeq: run.lastEventSeq,
    };
  }
}
