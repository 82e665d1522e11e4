/** One entry of a run's event log as the client keeps it: validated, with only the fields the UI reads. */

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_EVENT_TYPES = [
  'QUEUED',
  'STARTED',
  'PROGRESS',
  'STEP',
  'RETRY',
  'ITERATION',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export interface RunError {
  code: string;
  message: string;
}

export interface IterationRegionScore {
  regionId: string;
  score: number;
  scoreBefore: number | null;
  attributeDelta: number;
}

interface RunEventBase {
  seq: number;
  at: string;
  runId: string;
}

export type QueuedEvent = RunEventBase & { type: 'QUEUED' };
export type StartedEvent = RunEventBase & { type: 'STARTED'; attempt: number };
export type ProgressEvent = RunEventBase & {
  type: 'PROGRESS';
  fraction: number;
  step: number;
  totalSteps: number;
  etaSeconds: number | null;
  message: string | null;
  previewUrl: string | null;
};
export type StepEvent = RunEventBase & {
  type: 'STEP';
  status: string;
  regionId: string | null;
  backend: string | null;
  next: string | null;
  message: string | null;
};
export type RetryEvent = RunEventBase & {
  type: 'RETRY';
  jobName: string;
  attempt: number;
  code: string;
  message: string;
  delayMs: number;
};
export type IterationEvent = RunEventBase & {
  type: 'ITERATION';
  iteration: number;
  accepted: boolean;
  score: number;
  bestScore: number;
  bestIteration: number;
  rejection: string | null;
  thumbnailUrl: string | null;
  regions: IterationRegionScore[];
};
export type CompletedEvent = RunEventBase & {
  type: 'COMPLETED';
  imageUrl: string;
  width: number | null;
  height: number | null;
  durationMs: number | null;
};
export type FailedEvent = RunEventBase & { type: 'FAILED'; error: RunError };
export type CancelledEvent = RunEventBase & { type: 'CANCELLED'; reason: string | null };

export type RunEvent =
  | QueuedEvent
  | StartedEvent
  | ProgressEvent
  | StepEvent
  | RetryEvent
  | IterationEvent
  | CompletedEvent
  | FailedEvent
  | CancelledEvent;

export function isTerminalStatus(status: RunStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';
}

export function isTerminalEvent(event: RunEvent): boolean {
  return event.type === 'COMPLETED' || event.type === 'FAILED' || event.type === 'CANCELLED';
}

export function clampFraction(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function parseRegionScore(raw: unknown): IterationRegionScore | null {
  if (!isRecord(raw) || typeof raw.regionId !== 'string') return null;
  const score = num(raw.score);
  if (score === null) return null;
  return {
    regionId: raw.regionId,
    score,
    scoreBefore: num(raw.scoreBefore),
    attributeDelta: num(raw.attributeDelta) ?? 0,
  };
}

/**
 * Validates one `runEvents` payload into a {@link RunEvent}; returns null for anything malformed so
 * a bad frame cannot corrupt the view (the caller drops it).
 */
export function parseRunEvent(raw: unknown): RunEvent | null {
  if (!isRecord(raw)) return null;
  const { seq, type, runId } = raw;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1 || typeof runId !== 'string') return null;
  if (typeof type !== 'string' || !(RUN_EVENT_TYPES as readonly string[]).includes(type)) return null;
  const base: RunEventBase = { seq, at: str(raw.at) ?? '', runId };
  switch (type as RunEventType) {
    case 'QUEUED':
      return { ...base, type: 'QUEUED' };
    case 'STARTED':
      return { ...base, type: 'STARTED', attempt: num(raw.attempt) ?? 1 };
    case 'PROGRESS': {
      const fraction = num(raw.fraction);
      if (fraction === null) return null;
      return {
        ...base,
        type: 'PROGRESS',
        fraction: clampFraction(fraction),
        step: num(raw.step) ?? 0,
        totalSteps: num(raw.totalSteps) ?? 0,
        etaSeconds: num(raw.etaSeconds),
        message: str(raw.message),
        previewUrl: str(raw.previewUrl),
      };
    }
    case 'STEP':
      return {
        ...base,
        type: 'STEP',
        status: str(raw.status) ?? 'UNKNOWN',
        regionId: str(raw.regionId),
        backend: str(raw.backend),
        next: str(raw.next),
        message: str(raw.message),
      };
    case 'RETRY':
      return {
        ...base,
        type: 'RETRY',
        jobName: str(raw.jobName) ?? 'job',
        attempt: num(raw.attempt) ?? 1,
        code: str(raw.code) ?? 'UNKNOWN',
        message: str(raw.retryMessage) ?? '',
        delayMs: num(raw.delayMs) ?? 0,
      };
    case 'ITERATION': {
      const iteration = num(raw.iteration);
      const score = num(raw.score);
      const bestScore = num(raw.bestScore);
      if (iteration === null || score === null || bestScore === null || typeof raw.accepted !== 'boolean') {
        return null;
      }
      const regions = Array.isArray(raw.regions) ? raw.regions.map(parseRegionScore) : [];
      return {
        ...base,
        type: 'ITERATION',
        iteration,
        accepted: raw.accepted,
        score,
        bestScore,
        bestIteration: num(raw.bestIteration) ?? iteration,
        rejection: str(raw.rejection),
        thumbnailUrl: str(raw.thumbnailUrl),
        regions: regions.filter((r): r is IterationRegionScore => r !== null),
      };
    }
    case 'COMPLETED': {
      const imageUrl = str(raw.imageUrl);
      if (imageUrl === null) return null;
      return {
        ...base,
        type: 'COMPLETED',
        imageUrl,
        width: num(raw.width),
        height: num(raw.height),
        durationMs: num(raw.durationMs),
      };
    }
    case 'FAILED': {
      const error = isRecord(raw.error) ? raw.error : {};
      return {
        ...base,
        type: 'FAILED',
        error: { code: str(error.code) ?? 'UNKNOWN', message: str(error.message) ?? 'The run failed.' },
      };
    }
    case 'CANCELLED':
      return { ...base, type: 'CANCELLED', reason: str(raw.reason) };
  }
}
