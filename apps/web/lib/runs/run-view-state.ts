import {
  clampFraction,
  type IterationEvent,
  type IterationRegionScore,
  isTerminalStatus,
  type RunError,
  type RunEvent,
  type RunStatus,
} from './run-event';

/** What the `run(id)` query says, fetched on load, while queued and after the stream ends. */
export interface RunSnapshot {
  id: string;
  status: RunStatus;
  progress: number;
  /** The seq of the newest event the server had when it answered. */
  lastEventSeq: number;
  etaSeconds?: number | null;
  queuePosition?: number | null;
  imageUrl?: string | null;
  error?: RunError | null;
}

export interface IterationSummary {
  iteration: number;
  accepted: boolean;
  score: number;
  bestScore: number;
  rejection: string | null;
  thumbnailUrl: string | null;
  regions: IterationRegionScore[];
}

export interface RunViewState {
  status: RunStatus;
  /** 0..1 and never lower than a value already shown; 1 once the run succeeded. */
  fraction: number;
  step: number | null;
  totalSteps: number | null;
  message: string | null;
  /** Only while RUNNING. */
  etaSeconds: number | null;
  /** Only while QUEUED. */
  queuePosition: number | null;
  previewUrl: string | null;
  /** Decided iterations by number, baseline (0) first; a re-decided iteration keeps its latest decision. */
  iterations: IterationSummary[];
  bestScore: number | null;
  bestIteration: number | null;
  imageUrl: string | null;
  error: RunError | null;
  cancelReason: string | null;
}

function statusOf(event: RunEvent): RunStatus | null {
  switch (event.type) {
    case 'QUEUED':
      return 'QUEUED';
    case 'STARTED':
    case 'PROGRESS':
    case 'STEP':
    case 'RETRY':
    case 'ITERATION':
      return 'RUNNING';
    case 'COMPLETED':
      return 'SUCCEEDED';
    case 'FAILED':
      return 'FAILED';
    case 'CANCELLED':
      return 'CANCELLED';
  }
}

function summarize(event: IterationEvent): IterationSummary {
  return {
    iteration: event.iteration,
    accepted: event.accepted,
    score: event.score,
    bestScore: event.bestScore,
    rejection: event.rejection,
    thumbnailUrl: event.thumbnailUrl,
    regions: event.regions,
  };
}

/**
 * Folds the ordered, gap-free events and the latest snapshot into what the run view shows. The
 * snapshot wins only where it is newer than the events (its lastEventSeq is past the last event),
 * and a terminal state, from either, is never undone by the other.
 */
export function deriveRunView(events: readonly RunEvent[], snapshot: RunSnapshot | null): RunViewState {
  let status: RunStatus | null = null;
  let fraction = 0;
  let step: number | null = null;
  let totalSteps: number | null = null;
  let message: string | null = null;
  let etaSeconds: number | null = null;
  let previewUrl: string | null = null;
  let imageUrl: string | null = null;
  let error: RunError | null = null;
  let cancelReason: string | null = null;
  let bestScore: number | null = null;
  let bestIteration: number | null = null;
  const iterations = new Map<number, IterationSummary>();

  for (const event of events) {
    const next = statusOf(event);
    if (next && !(status && isTerminalStatus(status))) status = next;
    switch (event.type) {
      case 'PROGRESS':
        fraction = Math.max(fraction, event.fraction);
        step = event.step;
        totalSteps = event.totalSteps;
        message = event.message;
        etaSeconds = event.etaSeconds;
        if (event.previewUrl) previewUrl = event.previewUrl;
        break;
      case 'ITERATION':
        iterations.set(event.iteration, summarize(event));
        bestScore = event.bestScore;
        bestIteration = event.bestIteration;
        break;
      case 'COMPLETED':
        imageUrl = event.imageUrl;
        break;
      case 'FAILED':
        error = event.error;
        break;
      case 'CANCELLED':
        cancelReason = event.reason;
        break;
      default:
        break;
    }
  }

  const lastSeq = events.length > 0 ? events[events.length - 1]!.seq : 0;
  const snapshotIsNewer = snapshot !== null && snapshot.lastEventSeq > lastSeq;
  if (snapshot) {
    fraction = Math.max(fraction, clampFraction(snapshot.progress));
    const eventsTerminal = status !== null && isTerminalStatus(status);
    if (!eventsTerminal && (status === null || snapshotIsNewer || isTerminalStatus(snapshot.status))) {
      status = snapshot.status;
      if (snapshot.etaSeconds !== undefined) etaSeconds = snapshot.etaSeconds;
    }
    imageUrl = imageUrl ?? snapshot.imageUrl ?? null;
    error = error ?? snapshot.error ?? null;
  }
  const finalStatus = status ?? 'QUEUED';
  if (finalStatus === 'SUCCEEDED') fraction = 1;

  return {
    status: finalStatus,
    fraction,
    step,
    totalSteps,
    message,
    etaSeconds: finalStatus === 'RUNNING' ? etaSeconds : null,
    queuePosition: finalStatus === 'QUEUED' ? (snapshot?.queuePosition ?? null) : null,
    previewUrl: isTerminalStatus(finalStatus) ? null : previewUrl,
    iterations: [...iterations.values()].sort((a, b) => a.iteration - b.iteration),
    bestScore,
    bestIteration,
    imageUrl,
    error,
    cancelReason,
  };
}

/** A run can be cancelled while it is queued or running. */
export function isCancellable(status: RunStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING';
}
