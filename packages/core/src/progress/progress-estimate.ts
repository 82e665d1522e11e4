import type { ProgressPart } from './progress-plan.ts';

export interface WeightedPart {
  id: string;
  /** The expected duration of the part: its weight in the run's fraction. */
  weightMs: number;
}

export interface ProgressInput {
  parts: readonly WeightedPart[];
  /** 0..1 per part id; a part not listed has not started. */
  done: Readonly<Record<string, number>>;
  /** Wall time since the run started. */
  elapsedMs: number;
  /** The fraction reported before: progress never goes back. */
  floor?: number;
}

export interface ProgressEstimate {
  /** Weighted work done, 0..1. */
  fraction: number;
  /** Parts finished, and parts in all. */
  partsDone: number;
  totalParts: number;
  /** Seconds until the run is expected to finish; null when there is nothing to base it on. */
  etaSeconds: number | null;
}

/**
 * How much the expectation counts against the measured pace: as if a tenth of the run had already gone exactly
 * as expected. Early on the ETA is the expectation; as work gets done, the run's own pace takes over.
 */
const PRIOR_SHARE = 0.1;

const unit = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/** Weights from expected durations; a step measured at 0 ms still counts as a little work. */
export function weighParts(
  parts: readonly ProgressPart[],
  expectedMs: (part: ProgressPart) => number,
): WeightedPart[] {
  return parts.map((p) => {
    const ms = expectedMs(p);
    return { id: p.id, weightMs: Number.isFinite(ms) ? Math.max(1, ms) : 1 };
  });
}

/**
 * The weighted fraction of the run's parts that is done, and an ETA: the expected duration of the remaining
 * work, scaled by the run's pace so far (wall time per unit of expected work, which also absorbs parts running
 * in parallel), blended with the expectation while little is done.
 */
export function estimateProgress(input: ProgressInput): ProgressEstimate {
  const totalMs = input.parts.reduce((sum, p) => sum + p.weightMs, 0);
  let doneMs = 0;
  let partsDone = 0;
  for (const part of input.parts) {
    const f = unit(input.done[part.id] ?? 0);
    doneMs += part.weightMs * f;
    if (f >= 1) partsDone++;
  }
  const floor = unit(input.floor ?? 0);
  if (totalMs === 0) return { fraction: floor, partsDone, totalParts: 0, etaSeconds: null };
  const fraction = Math.max(floor, Math.min(1, doneMs / totalMs));
  const elapsed = Math.max(0, input.elapsedMs);
  if (!Number.isFinite(elapsed))
    return { fraction, partsDone, totalParts: input.parts.length, etaSeconds: null };
  const prior = PRIOR_SHARE * totalMs;
  const pace = (elapsed + prior) / (fraction * totalMs + prior);
  const etaSeconds = Math.round(((1 - fraction) * totalMs * pace) / 100) / 10;
  return { fraction, partsDone, totalParts: input.parts.length, etaSeconds };
}
