import { type Orm, type RunKind, RunSchema, type RunStatus, TERMINAL_RUN_STATUSES } from '@pakati/db';
import type { RedisPubSub } from './redis-pubsub.ts';
import type { RunEventLog } from './run-event-log.ts';

/** A run of the organization changed status (or, in a snapshot, is in this status now). */
export interface RunStatusChange {
  runId: string;
  projectId: string;
  kind: RunKind;
  status: RunStatus;
  /** Null for a run's first status (QUEUED) and in a snapshot, where the status before is not known. */
  previousStatus: RunStatus | null;
  /** The run's event seq when this was true: later changes of the run have a higher one. */
  seq: number;
  at: string;
}

/** Clocks of the processes that stamp `updatedAt` may disagree by this much; catch-up reads look back as far. */
const CLOCK_MARGIN_MS = 5000;

interface Seen {
  seq: number;
  status: RunStatus;
  /** When a terminal status was yielded: after the catch-up window has passed it, the entry is dropped. */
  terminalAt: number | null;
}

/**
 * Status changes of all of an organization's runs, for dashboards: every committed event that changes a
 * run's status is published on the organization's topic; a subscriber gets the current status of the
 * organization's unfinished runs first, then the changes live.
 */
export class OrganizationRunEvents {
  constructor(
    private readonly orm: Orm,
    private readonly pubsub: RedisPubSub,
    /** A periodic read of recently updated runs, so a lost Redis message delays a change but never drops it. */
    private readonly catchUpIntervalMs = 10_000,
  ) {}

  /** Publishes after each commit that changed a status (including QUEUED, a run's first). */
  attach(eventLog: RunEventLog): void {
    eventLog.onCommitted(async (event, run) => {
      if (run.status === run.previousStatus) return;
      await this.pubsub.publish('run-status', run.organizationId, {
        runId: event.runId,
        projectId: run.projectId,
        kind: run.kind,
        status: run.status,
        previousStatus: run.previousStatus,
        seq: event.seq,
        at: event.at,
      });
    });
  }

  /** Unfinished runs when `since` is null; else every run updated since then, finished or not. */
  private async load(organizationId: string, since: Date | null): Promise<RunStatusChange[]> {
    const runs = await this.orm.em
      .fork()
      .find(
        RunSchema,
        since
          ? { organization: organizationId, updatedAt: { $gte: since } }
          : { organization: organizationId, status: { $nin: [...TERMINAL_RUN_STATUSES] } },
        {
          fields: ['id', 'project', 'kind', 'status', 'lastEventSeq', 'updatedAt'],
          orderBy: { createdAt: 'asc' },
        },
      );
    return runs.map((r) => ({
      runId: r.id,
      projectId: r.project.id,
      kind: r.kind,
      status: r.status,
      previousStatus: null,
      seq: r.lastEventSeq,
      at: r.updatedAt.toISOString(),
    }));
  }

  /**
   * The snapshot, then live changes, each run's at most once per seq and never older than what was yielded for
   * it: subscribe first (buffering), read second, drop what the read already covered. A Redis reconnect or a
   * quiet interval triggers a catch-up read of the runs updated meanwhile. Never ends by itself: `return()`
   * (a client unsubscribing) stops it at once, even while it waits for the next change.
   */
  stream(organizationId: string): AsyncIterableIterator<RunStatusChange> {
    const controller = new AbortController();
    const changes = this.changes(organizationId, controller.signal);
    return {
      next: () => changes.next(),
      // A generator's own return() would wait until it next yields, which a quiet organization may never do.
      return: () => {
        controller.abort();
        return changes.return(undefined);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  private async *changes(organizationId: string, signal: AbortSignal): AsyncGenerator<RunStatusChange> {
    const buffer: RunStatusChange[] = [];
    let wake: (() => void) | null = null;
    let resync = false;
    const notify = () => {
      wake?.();
      wake = null;
    };
    const unsubscribe = await this.pubsub.subscribe('run-status', organizationId, (change) => {
      buffer.push(change);
      notify();
    });
    const stopReconnect = this.pubsub.onReconnect(() => {
      resync = true;
      notify();
    });
    signal.addEventListener('abort', notify);
    const seen = new Map<string, Seen>();
    const note = (change: RunStatusChange) => {
      const terminal = TERMINAL_RUN_STATUSES.includes(change.status);
      seen.set(change.runId, {
        seq: change.seq,
        status: change.status,
        terminalAt: terminal ? Date.now() : null,
      });
      return change;
    };
    try {
      let syncedAt = Date.now();
      for (const change of await this.load(organizationId, null)) yield note(change);
      while (!signal.aborted) {
        if (buffer.length === 0 && !resync) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, this.catchUpIntervalMs).unref?.();
          });
        }
        for (const change of buffer.splice(0)) {
          const known = seen.get(change.runId);
          if (!known || change.seq > known.seq) yield note(change);
        }
        if (!resync && Date.now() - syncedAt < this.catchUpIntervalMs) continue;
        resync = false;
        const since = syncedAt - CLOCK_MARGIN_MS;
        syncedAt = Date.now();
        for (const [runId, known] of seen) {
          // Older than anything the catch-up read can return: it cannot be yielded twice any more.
          if (known.terminalAt !== null && known.terminalAt < since - CLOCK_MARGIN_MS) seen.delete(runId);
        }
        for (const row of await this.load(organizationId, new Date(since))) {
          const known = seen.get(row.runId);
          if (known && (row.seq <= known.seq || row.status === known.status)) {
            known.seq = Math.max(known.seq, row.seq);
            continue;
          }
          yield note({ ...row, previousStatus: known?.status ?? null });
        }
      }
    } finally {
      signal.removeEventListener('abort', notify);
      stopReconnect();
      await unsubscribe();
    }
  }
}
