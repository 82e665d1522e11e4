import { LockMode } from '@mikro-orm/core';
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

  async transition(runId: string, t: Transition): Promise<RunEventRecord | null> {
    const em = this.orm.em.fork();
    const record = await em.transactional(async (tx) => {
      const run = await tx.findOne(RunSchema, { id: runId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!run || !t.from.includes(run.status) || (t.guard && !t.guard(run))) return null;
      run.lastEventSeq += 1;
      if (t.to) run.status = t.to;
      if (t.patch) Object.assign(run, t.patch);
      if (t.to && TERMINAL_RUN_STATUSES.includes(t.to)) run.finishedAt = new Date();
      const event = tx.create(RunEventSchema, {
        run,
        seq: run.lastEventSeq,
        type: t.type,
        payload: t.payload ?? {},
      });
      return toRecord(runId, event);
    });
    if (record) await this.publish(record);
    return record;
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
