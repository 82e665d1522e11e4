'use client';

import { useEffect, useReducer, useRef, useState } from 'react';
import {
  type ApiClient,
  createWsClient,
  describeSubscriptionError,
  GraphQLRequestError,
  isUnauthenticated,
} from '../lib/graphql-client';
import { CANCEL_RUN_MUTATION, type CancelRunData, RUN_QUERY, type RunData } from '../lib/operations';
import {
  initialRunView,
  isCancellable,
  isTerminalStatus,
  progressPercent,
  type RunEvent,
  type RunSnapshot,
  type RunStatus,
  runViewReducer,
} from '../lib/run-events';
import { subscribeRunEvents } from '../lib/run-subscription';
import { type DisplayError, ErrorMessage, toDisplayError } from './ErrorMessage';

type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

function eventDetail(event: RunEvent): string {
  switch (event.type) {
    case 'PROGRESS':
      return `${progressPercent(event.fraction)}% · step ${event.step}/${event.totalSteps}${event.message ? ` · ${event.message}` : ''}`;
    case 'FAILED':
      return `${event.error.code}: ${event.error.message}`;
    case 'CANCELLED':
      return event.reason ?? '';
    case 'STEP':
      return [event.status, event.backend, event.next ? `→ ${event.next}` : null, event.message]
        .filter(Boolean)
        .join(' · ');
    case 'COMPLETED':
      return 'image ready';
    default:
      return '';
  }
}

export function RunPanel({
  api,
  apiUrl,
  apiKey,
  run,
  width,
  height,
  onUnauthenticated,
  onStatusChange,
}: {
  api: ApiClient;
  apiUrl: string;
  apiKey: string;
  run: RunSnapshot;
  width: number;
  height: number;
  onUnauthenticated: (error: unknown) => void;
  onStatusChange: (status: RunStatus) => void;
}) {
  const [view, dispatch] = useReducer(runViewReducer, run, initialRunView);
  const [live, setLive] = useState<LiveState>('connecting');
  const [streamError, setStreamError] = useState<DisplayError | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<DisplayError | null>(null);
  const runId = run.id;

  // Callbacks from the parent change identity every render; read them through refs so neither the
  // subscription nor the status notification re-runs because of that.
  const callbacks = useRef({ onUnauthenticated, onStatusChange });
  useEffect(() => {
    callbacks.current = { onUnauthenticated, onStatusChange };
  });

  useEffect(() => {
    callbacks.current.onStatusChange(view.status);
  }, [view.status]);

  useEffect(() => {
    let finished = false;

    // Reconcile with the stored run after the stream ends or fails (e.g. to pick up a terminal
    // state that was reached while no events could be delivered).
    const refresh = () => {
      api
        .request<RunData>(RUN_QUERY, { id: runId })
        .then((data) => {
          if (data.run) dispatch({ type: 'snapshot', run: data.run });
        })
        .catch((error: unknown) => {
          if (isUnauthenticated(error)) callbacks.current.onUnauthenticated(error);
        });
    };

    const client = createWsClient({
      apiUrl,
      apiKey,
      on: {
        connected: () => {
          if (!finished) setLive('live');
        },
        closed: () => {
          if (!finished) setLive('reconnecting');
        },
      },
    });
    const unsubscribe = subscribeRunEvents(client, runId, {
      onEvent: (event) => dispatch({ type: 'event', event }),
      onError: (error) => {
        if (finished) return;
        finished = true;
        setLive('closed');
        const described = describeSubscriptionError(error);
        setStreamError(described);
        if (described.code === 'UNAUTHENTICATED') {
          callbacks.current.onUnauthenticated(new GraphQLRequestError(described.code, described.message));
          return;
        }
        refresh();
      },
      onComplete: () => {
        if (finished) return;
        finished = true;
        setLive('closed');
        refresh();
      },
    });
    return () => {
      finished = true;
      unsubscribe();
      void client.dispose();
    };
  }, [api, apiUrl, apiKey, runId]);

  async function cancel() {
    setCancelError(null);
    setCancelling(true);
    try {
      const data = await api.request<CancelRunData>(CANCEL_RUN_MUTATION, { id: runId });
      dispatch({ type: 'snapshot', run: data.cancelRun.run });
    } catch (error) {
      if (isUnauthenticated(error)) callbacks.current.onUnauthenticated(error);
      else setCancelError(toDisplayError(error));
    } finally {
      setCancelling(false);
    }
  }

  const percent = progressPercent(view.progress.fraction);
  const { step, totalSteps, message } = view.progress;

  return (
    <div className="run" data-testid="run-panel" data-run-id={view.runId} data-run-status={view.status}>
      <div className="run-head">
        <span className={`status status-${view.status.toLowerCase()}`} data-testid="run-status">
          {view.status}
        </span>
        <span className="muted small">
          run <code>{view.runId}</code>
          {view.seed !== null ? ` · seed ${view.seed}` : ''}
        </span>
        <span className={`live live-${live}`} data-testid="run-connection">
          {live}
        </span>
        {isCancellable(view.status) ? (
          <button
            type="button"
            className="danger"
            data-testid="cancel-run-button"
            onClick={() => void cancel()}
            disabled={cancelling}
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : null}
      </div>

      <div className="progress-row">
        <progress
          data-testid="run-progress"
          max={100}
          value={percent}
          aria-label="Run progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        />
        <span className="progress-text" data-testid="run-progress-text">
          {percent}%{step !== null && totalSteps !== null ? ` · step ${step}/${totalSteps}` : ''}
          {message ? ` · ${message}` : ''}
        </span>
      </div>

      <ErrorMessage error={cancelError} testId="cancel-run-error" />
      {view.status === 'FAILED' && view.error ? (
        <ErrorMessage error={view.error} testId="run-error" prefix="Run failed:" />
      ) : null}
      {view.status === 'CANCELLED' ? (
        <p className="muted" data-testid="run-cancelled">
          Cancelled{view.cancelReason ? `: ${view.cancelReason}` : '.'}
        </p>
      ) : null}
      {streamError && !isTerminalStatus(view.status) ? (
        <ErrorMessage error={streamError} testId="run-stream-error" prefix="Live updates stopped:" />
      ) : null}

      {view.status === 'SUCCEEDED' && view.imageUrl ? (
        <figure className="result">
          {/* biome-ignore lint/performance/noImgElement: the API hands out signed, expiring absolute URLs; next/image would proxy and cache them. */}
          <img
            data-testid="run-result-image"
            src={view.imageUrl}
            alt={`Generated result of run ${view.runId}`}
            width={width}
            height={height}
          />
        </figure>
      ) : null}

      <details className="log" open>
        <summary>Events ({view.events.length})</summary>
        <ol data-testid="run-event-log">
          {view.events.map((event) => (
            <li key={event.seq} data-seq={event.seq} data-type={event.type}>
              <span className="seq">#{event.seq}</span> <span className="type">{event.type}</span>{' '}
              <span className="muted small">{eventDetail(event)}</span>
            </li>
          ))}
        </ol>
      </details>
    </div>
  );
}
