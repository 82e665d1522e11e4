/** Pure run-event handling: parsing subscription payloads and folding them into a view of one run. */

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_EVENT_TYPES = [
  'QUEUED',
  'STARTED',
  'PROGRESS',
  'STEP',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export interface RunError {
  code: string;
  message: string;
}

interface RunEventBase {
  seq: number;
  at: string;
  runId: string;
}

export type RunEvent =
  | (RunEventBase & { type: 'QUEUED' })
  | (RunEventBase & { type: 'STARTED' })
  | (RunEventBase & {
      type: 'PROGRESS';
      fraction: number;
      step: number;
      totalSteps: number;
      message: string | null;
    })
  | (RunEventBase & {
      /** A region's step: STARTED, SUCCEEDED, or FAILOVER from `backend` to `next` (with the reason in message). */
      type: 'STEP';
      status: string;
      backend: string | null;
      next: string | null;
      message: string | null;
    })
  | (RunEventBase & { type: 'COMPLETED'; imageUrl: string })
  | (RunEventBase & { type: 'FAILED'; error: RunError })
  | (RunEventBase & { type: 'CANCELLED'; reason: string | null });

/** What the API says about a run outside the event stream (startRun, cancelRun, run(id)). */
export interface RunSnapshot {
  id: string;
  status: RunStatus;
  progress: number;
  seed?: number | null;
  imageUrl?: string | null;
  error?: RunError | null;
}

export interface RunProgress {
  fraction: number;
  step: number | null;
  totalSteps: number | null;
  message: string | null;
}

export interface RunView {
  runId: string;
  seed: number | null;
  status: RunStatus;
  /** Every distinct event seen, ordered by seq. */
  events: RunEvent[];
  /** Highest seq seen; the `after` to resubscribe with. */
  lastSeq: number | null;
  progress: RunProgress;
  imageUrl: string | null;
  error: RunError | null;
  cancelReason: string | null;
}

export type RunAction = { type: 'event'; event: RunEvent } | { type: 'snapshot'; run: RunSnapshot };

const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export function isTerminalStatus(status: RunStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export function isTerminalEventType(type: RunEventType): boolean {
  return type === 'COMPLETED' || type === 'FAILED' || type === 'CANCELLED';
}

/** A run can be cancelled while it is queued or running. */
export function isCancellable(status: RunStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING';
}

export function clampFraction(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}

/** Percentage 0..100 (integer) for a progress bar. */
export function progressPercent(fraction: number): number {
  return Math.round(clampFraction(fraction) * 100);
}

export function statusForEvent(type: RunEventType): RunStatus {
  switch (type) {
    case 'QUEUED':
      return 'QUEUED';
    case 'STARTED':
    case 'PROGRESS':
    case 'STEP':
      return 'RUNNING';
    case 'COMPLETED':
      return 'SUCCEEDED';
    case 'FAILED':
      return 'FAILED';
    case 'CANCELLED':
      return 'CANCELLED';
  }
}

export function initialRunView(run: RunSnapshot): RunView {
  return applySnapshot(
    {
      runId: run.id,
      seed: run.seed ?? null,
      status: run.status,
      events: [],
      lastSeq: null,
      progress: { fraction: 0, step: null, totalSteps: null, message: null },
      imageUrl: null,
      error: null,
      cancelReason: null,
    },
    run,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEventType(value: unknown): value is RunEventType {
  return typeof value === 'string' && (RUN_EVENT_TYPES as readonly string[]).includes(value);
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Validates one `runEvents` payload (as selected by RUN_EVENTS_SUBSCRIPTION) into a {@link RunEvent};
 * returns null for anything malformed so a bad frame cannot corrupt the view.
 */
export function parseRunEvent(raw: unknown): RunEvent | null {
  if (!isRecord(raw)) return null;
  const { seq, type, at, runId } = raw;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || !isEventType(type) || typeof runId !== 'string') {
    return null;
  }
  const base = { seq, at: typeof at === 'string' ? at : '', runId };
  switch (type) {
    case 'QUEUED':
    case 'STARTED':
      return { ...base, type };
    case 'PROGRESS': {
      if (typeof raw.fraction !== 'number') return null;
      return {
        ...base,
        type,
        fraction: clampFraction(raw.fraction),
        step: typeof raw.step === 'number' ? raw.step : 0,
        totalSteps: typeof raw.totalSteps === 'number' ? raw.totalSteps : 0,
        message: optionalString(raw.message),
      };
    }
    case 'STEP':
      return {
        ...base,
        type,
        status: typeof raw.status === 'string' ? raw.status : 'UNKNOWN',
        backend: optionalString(raw.backend),
        next: optionalString(raw.next),
        message: optionalString(raw.message),
      };
    case 'COMPLETED':
      if (typeof raw.imageUrl !== 'string') return null;
      return { ...base, type, imageUrl: raw.imageUrl };
    case 'FAILED': {
      const error = isRecord(raw.error) ? raw.error : {};
      return {
        ...base,
        type,
        error: {
          code: typeof error.code === 'string' ? error.code : 'UNKNOWN',
          message: typeof error.message === 'string' ? error.message : 'The run failed.',
        },
      };
    }
    case 'CANCELLED':
      return { ...base, type, reason: optionalString(raw.reason) };
  }
}

/**
 * Folds one event into the view. Events for another run and seqs already seen are ignored (the
 * server replays `seq > after` on resubscribe, but a retried subscription may still overlap).
 * Only an event newer than everything seen moves status/progress forward, and once the run is
 * terminal later non-terminal events cannot revive it.
 */
export function applyRunEvent(state: RunView, event: RunEvent): RunView {
  if (event.runId !== state.runId) return state;
  if (state.events.some((e) => e.seq === event.seq)) return state;

  const events = [...state.events, event].sort((a, b) => a.seq - b.seq);
  const isNewest = state.lastSeq === null || event.seq > state.lastSeq;
  const lastSeq = isNewest ? event.seq : state.lastSeq;
  const next: RunView = { ...state, events, lastSeq };

  const terminal = isTerminalEventType(event.type);
  if (!isNewest && !terminal) return next;
  if (isTerminalStatus(state.status) && !terminal) return next;

  next.status = statusForEvent(event.type);
  switch (event.type) {
    case 'PROGRESS':
      next.progress = {
        fraction: event.fraction,
        step: event.step,
        totalSteps: event.totalSteps,
        message: event.message,
      };
      break;
    case 'COMPLETED':
      next.progress = { ...state.progress, fraction: 1 };
      next.imageUrl = event.imageUrl;
      next.error = null;
      break;
    case 'FAILED':
      next.error = event.error;
      break;
    case 'CANCELLED':
      next.cancelReason = event.reason;
      break;
    default:
      break;
  }
  return next;
}

/**
 * Merges a server-side snapshot of the run (e.g. the answer to cancelRun or run(id)). A stale
 * non-terminal snapshot never overrides a terminal state already learned from events.
 */
export function applySnapshot(state: RunView, run: RunSnapshot): RunView {
  if (run.id !== state.runId) return state;
  if (isTerminalStatus(state.status) && !isTerminalStatus(run.status)) return state;
  const fraction =
    run.status === 'SUCCEEDED' ? 1 : Math.max(state.progress.fraction, clampFraction(run.progress));
  return {
    ...state,
    seed: run.seed ?? state.seed,
    status: run.status,
    progress: { ...state.progress, fraction },
    // Keep an image URL already shown (avoids reloading it); take the server's when there is none.
    imageUrl: state.imageUrl ?? run.imageUrl ?? null,
    error: run.error ?? state.error,
  };
}

export function runViewReducer(state: RunView, action: RunAction): RunView {
  switch (action.type) {
    case 'event':
      return applyRunEvent(state, action.event);
    case 'snapshot':
      return applySnapshot(state, action.run);
  }
}
