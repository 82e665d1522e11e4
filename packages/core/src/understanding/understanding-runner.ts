import { BackendError } from '../backends/backend-error.ts';
import type { ImageBackend } from '../backends/image-backend.ts';
import type { MaskImage, RasterImage } from '../backends/raster.ts';
import { PakatiError } from '../errors.ts';
import { deriveSeed } from '../random/seed-derivation.ts';
import { MAX_SEED } from '../random/seeded-random.ts';
// Registers the built-in strategies, so the default "every strategy" really is every one of them.
import './builtin-masking-strategies.ts';
import { hiddenFraction, maskingStrategy, maskingStrategyNames } from './masking-strategy.ts';
import { scoreReconstruction } from './reconstruction-score.ts';

/** The original's difficulty ladder. */
export const DEFAULT_UNDERSTANDING_DIFFICULTIES: readonly number[] = Object.freeze([0.1, 0.3, 0.5, 0.7, 0.9]);
/** A strategy is mastered at this level (the original's threshold). */
export const UNDERSTANDING_MASTERY_THRESHOLD = 0.85;
/** The reference counts as understood when the mean strategy level reaches this (the original's value). */
export const UNDERSTOOD_THRESHOLD = 0.75;
/** Hidden pixels reach the backend as mid-grey: neutral, and unlike the original's black rarely real. */
const HIDDEN_GREY = 128;

export interface UnderstandingAttempt {
  difficulty: number;
  /** scoreReconstruction's combined score, 0..1. */
  score: number;
  /** Wall time of the attempt: masking, inpainting and scoring. */
  ms: number;
  ssim: number;
  colorDeltaE: number;
  /** Share of the picture the mask hid. */
  hiddenFraction: number;
  /** The seed the backend was asked to use. */
  seed: number;
}

export interface StrategyUnderstanding {
  strategy: string;
  /** In the order the difficulties were given. */
  attempts: UnderstandingAttempt[];
  /** Difficulty-weighted mean score, see understandingLevel. */
  level: number;
  /** level >= UNDERSTANDING_MASTERY_THRESHOLD. */
  mastery: boolean;
}

export interface UnderstandingReport {
  backend: string;
  seed: number;
  /** In the order the strategies were given (registration order by default). */
  strategies: StrategyUnderstanding[];
  /** Mean of the strategy levels. */
  level: number;
  /** level >= UNDERSTOOD_THRESHOLD. */
  understood: boolean;
}

export interface UnderstandingProgress {
  strategy: string;
  difficulty: number;
  score: number;
  /** Attempts finished so far, including this one. */
  done: number;
  total: number;
}

export interface AssessUnderstandingOptions {
  /** Strategy names; every registered strategy when absent. */
  strategies?: readonly string[];
  /** Each in [0, 1]; DEFAULT_UNDERSTANDING_DIFFICULTIES when absent. */
  difficulties?: readonly number[];
  seed: number;
  /** Passed to the backend; empty by default (PatchMatch and other classical fills ignore it). */
  prompt?: string;
  signal?: AbortSignal;
  onProgress?: (progress: UnderstandingProgress) => void;
}

/**
 * Weight of an attempt at difficulty d is 0.5 + d: rebuilding 90% of a picture says more than rebuilding
 * 10% of it, so hard attempts count 1.4 / 0.6 ≈ 2.3 times as much as easy ones, while the easy ones still
 * matter (a backend that fails small holes has not understood the picture either).
 */
export function understandingLevel(attempts: readonly { difficulty: number; score: number }[]): number {
  let sum = 0;
  let weights = 0;
  for (const { difficulty, score } of attempts) {
    const weight = 0.5 + difficulty;
    sum += weight * score;
    weights += weight;
  }
  return weights === 0 ? 0 : sum / weights;
}

function assertReference(reference: RasterImage): void {
  const { width, height, data } = reference ?? ({} as Partial<RasterImage>);
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    (width as number) <= 0 ||
    (height as number) <= 0 ||
    !ArrayBuffer.isView(data) ||
    data.length !== (width as number) * (height as number) * 4
  ) {
    throw new PakatiError('INVALID_IMAGE', 'The reference must be a positive-size RGBA raster', {
      width,
      height,
    });
  }
}

function resolveStrategies(names: readonly string[] | undefined): string[] {
  const list = names == null ? maskingStrategyNames() : [...names];
  if (list.length === 0) throw new PakatiError('BAD_USER_INPUT', 'At least one masking strategy is needed');
  if (new Set(list).size !== list.length) {
    throw new PakatiError('BAD_USER_INPUT', 'Masking strategies must not repeat', { strategies: list });
  }
  for (const name of list) maskingStrategy(name);
  return list;
}

function resolveDifficulties(difficulties: readonly number[] | undefined): number[] {
  const list = difficulties == null ? [...DEFAULT_UNDERSTANDING_DIFFICULTIES] : [...difficulties];
  if (list.length === 0) throw new PakatiError('BAD_USER_INPUT', 'At least one difficulty is needed');
  for (const d of list) {
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d > 1) {
      throw new PakatiError('BAD_USER_INPUT', 'Difficulties must be numbers between 0 and 1', {
        difficulty: d,
      });
    }
  }
  if (new Set(list).size !== list.length) {
    throw new PakatiError('BAD_USER_INPUT', 'Difficulties must not repeat', { difficulties: list });
  }
  return list;
}

/** The reference with its hidden part greyed out: the backend cannot read the answer off its init image. */
function hideMasked(reference: RasterImage, mask: MaskImage): RasterImage {
  const data = new Uint8ClampedArray(reference.data);
  for (let i = 0; i < mask.data.length; i++) {
    const m = Math.max(0, Math.min(1, mask.data[i]!));
    if (!(m > 0)) continue;
    const j = i * 4;
    for (let c = 0; c < 3; c++) data[j + c] = data[j + c]! + (HIDDEN_GREY - data[j + c]!) * m;
  }
  return { width: reference.width, height: reference.height, data };
}

/**
 * Proves (or disproves) that `backend` understood `reference`: for every strategy and every difficulty —
 * all of them, with no early stop, unlike the original whose attempt budget ran only two strategies — part
 * of the picture is hidden, the backend rebuilds it, and the rebuild is scored on the hidden part only.
 *
 * The backend never sees the hidden pixels: they are mid-grey in the init image and no `reference` is passed
 * (it would hand over the answer). Seeds: the mask of a strategy uses deriveSeed(seed, strategy, 'mask') for
 * every difficulty, so a built-in strategy's harder mask contains its easier ones; each inpaint call uses
 * deriveSeed(seed, strategy, difficulty). Everything is validated before the first backend call; the signal
 * is checked before each attempt and after each backend call, and cancels with BackendError('CANCELLED').
 */
export async function assessUnderstanding(
  reference: RasterImage,
  backend: ImageBackend,
  options: AssessUnderstandingOptions,
): Promise<UnderstandingReport> {
  assertReference(reference);
  const { seed, onProgress } = options ?? ({} as Partial<AssessUnderstandingOptions>);
  if (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > MAX_SEED) {
    throw new PakatiError('BAD_USER_INPUT', `Seed must be an integer between 0 and ${MAX_SEED}`, { seed });
  }
  const runSeed = seed as number;
  const strategies = resolveStrategies(options.strategies);
  const difficulties = resolveDifficulties(options.difficulties);
  if (!backend.capabilities.inpainting) {
    throw new BackendError(
      'UNSUPPORTED',
      backend.name,
      'Assessing understanding needs an inpainting backend',
    );
  }
  const signal = options.signal ?? new AbortController().signal;
  const prompt = options.prompt ?? '';
  const { width, height } = reference;
  const checkCancelled = (): void => {
    if (signal.aborted) {
      throw new BackendError('CANCELLED', backend.name, 'Assessing understanding was cancelled');
    }
  };

  const total = strategies.length * difficulties.length;
  let done = 0;
  const results: StrategyUnderstanding[] = [];
  for (const name of strategies) {
    const strategy = maskingStrategy(name);
    const maskSeed = deriveSeed(runSeed, name, 'mask');
    const attempts: UnderstandingAttempt[] = [];
    for (const difficulty of difficulties) {
      checkCancelled();
      const started = performance.now();
      const mask = strategy.mask(width, height, difficulty, maskSeed);
      const attemptSeed = deriveSeed(runSeed, name, difficulty);
      const result = await backend.inpaint(
        { prompt, width, height, seed: attemptSeed, init: hideMasked(reference, mask), mask },
        { signal },
      );
      checkCancelled();
      const image = result?.image;
      if (image == null || image.width !== width || image.height !== height) {
        throw new BackendError(
          'PROTOCOL',
          backend.name,
          `Inpainting returned ${image?.width}×${image?.height}, expected ${width}×${height}`,
        );
      }
      const scored = scoreReconstruction(reference, image, mask);
      attempts.push({
        difficulty,
        score: scored.score,
        ms: performance.now() - started,
        ssim: scored.ssim,
        colorDeltaE: scored.colorDeltaE,
        hiddenFraction: hiddenFraction(mask),
        seed: attemptSeed,
      });
      done++;
      onProgress?.({ strategy: name, difficulty, score: scored.score, done, total });
    }
    const level = understandingLevel(attempts);
    results.push({ strategy: name, attempts, level, mastery: level >= UNDERSTANDING_MASTERY_THRESHOLD });
  }
  const level = results.reduce((sum, r) => sum + r.level, 0) / results.length;
  return {
    backend: backend.name,
    seed: runSeed,
    strategies: results,
    level,
    understood: level >= UNDERSTOOD_THRESHOLD,
  };
}
