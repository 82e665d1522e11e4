'use client';

import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { type DisplayError, toDisplayError } from '../../components/ErrorMessage';
import { type EventLog, emptyEventLog, hasGap, mergeRunEvents } from './event-log';
import { isTerminalStatus, parseRunEvent, type RunEvent } from './run-event';
import { deriveRunView, type RunSnapshot, type RunViewState } from './run-view-state';
import type { IterationDetail, RunDetail, RunsApi } from './runs-api';

/** While a run waits its queue position changes without an event; this is how often it is re-read. */
export const QUEUE_POLL_MS = 4000;

export type StreamState = 'connecting' | 'live' | 'ended' | 'error';

export interface RunStream {
  view: RunViewState;
  events: readonly RunEvent[];
  run: RunDetail | null;
  iterationDetails: IterationDetail[];
  stream: StreamState;
  streamError: DisplayError | null;
  loadError: DisplayError | null;
  refresh(): void;
  /** Merges what cancelRun answered. */
  applyRun(run: Pick<RunDetail, 'status' | 'progress' | 'lastEventSeq'>): void;
}

function toSnapshot(run: RunDetail): RunSnapshot {
  return {
    id: run.id,
    status: run.status,
    progress: run.progress,
    lastEventSeq: run.lastEventSeq,
    etaSeconds: run.etaSeconds ?? null,
    queuePosition: run.queuePosition ?? null,
    imageUrl: run.imageUrl ?? null,
    error: run.error ?? null,
  };
}

/**
 * One run, live: loads it, subscribes to its events (replaying from the start, resuming from the
 * last gap-free seq after a reconnect or a detected gap), and keeps the refinement details in step.
 */
export function useRunStream(api: RunsApi, runId: string): RunStream {
  const [log, merge] = useReducer(
    (state: EventLog, events: RunEvent[]) => mergeRunEvents(state, events),
    runId,
    (id) => emptyEventLog(id),
  );
  const [run, setRun] = useState<RunDetail | null>(null);
  const [iterationDetails, setIterationDetails] = useState<IterationDetail[]>([]);
  const [stream, setStream] = useState<StreamState>('connecting');
  const [streamError, setStreamError] = useState<DisplayError | null>(null);
  const [loadError, setLoadError] = useState<DisplayError | null>(null);
  const [subscription, setSubscription] = useState(0);

  // graphql-ws reads `after` again whenever it re-subscribes, which happens outside React.
  const after = useRef(log.contiguousSeq);
  useEffect(() => {
    after.current = log.contiguousSeq;
  }, [log.contiguousSeq]);

  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const refresh = useCallback(() => {
    api.run(runId).then(
      (next) => {
        if (!live.current) return;
        if (next) {
          setRun(next);
          setLoadError(null);
        } else
          setLoadError({
            code: 'NOT_FOUND',
            message: 'This run does not exist, or belongs to another organization.',
          });
      },
      (error: unknown) => {
        if (live.current) setLoadError(toDisplayError(error));
      },
    );
  }, [api, runId]);

  useEffect(refresh, [refresh]);

  const gap = hasGap(log);
  useEffect(() => {
    // A hole in the seqs: subscribe again from the last gap-free event; the replay fills it.
    if (gap) setSubscription((n) => n + 1);
  }, [gap]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `subscription` is the trigger to subscribe again.
  useEffect(() => {
    let active = true;
    setStream('connecting');
    const unsubscribe = api.subscribeRunEvents(runId, () => after.current, {
      next(raw) {
        if (!active) return;
        const event = parseRunEvent(raw);
        if (event) merge([event]);
        setStream('live');
        setStreamError(null);
      },
      error(error) {
        if (!active) return;
        setStream('error');
        setStreamError(toDisplayError(error));
        refresh();
      },
      complete() {
        if (!active) return;
        setStream('ended');
        refresh();
      },
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, [api, runId, refresh, subscription]);

  const snapshot = useMemo(() => (run ? toSnapshot(run) : null), [run]);
  const view = useMemo(() => deriveRunView(log.events, snapshot), [log.events, snapshot]);

  useEffect(() => {
    if (view.status !== 'QUEUED') return;
    const timer = setInterval(refresh, QUEUE_POLL_MS);
    return () => clearInterval(timer);
  }, [view.status, refresh]);

  // Recommendations and fired rules live on Run.iterations; re-read them as iterations are decided.
  const decided = view.iterations.length;
  const isRefine = run?.kind === 'REFINE';
  const finished = isTerminalStatus(view.status);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `finished` re-reads the final plan once the run ends.
  useEffect(() => {
    if (!isRefine || decided === 0) return;
    api.iterations(runId).then(
      (details) => {
        if (live.current) setIterationDetails(details);
      },
      (error: unknown) => {
        if (live.current) setLoadError(toDisplayError(error));
      },
    );
  }, [api, runId, isRefine, decided, finished]);

  const applyRun = useCallback((next: Pick<RunDetail, 'status' | 'progress' | 'lastEventSeq'>) => {
    setRun((current) => (current ? { ...current, ...next } : current));
  }, []);

  return {
    view,
    events: log.events,
    run,
    iterationDetails,
    stream,
    streamError,
    loadError,
    refresh,
    applyRun,
  };
}
