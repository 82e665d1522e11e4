import type { MaskImage } from '../backends/raster.ts';
import { PakatiError } from '../errors.ts';
import { MAX_SEED } from '../random/seeded-random.ts';

/**
 * One way of hiding part of a reference image to test whether a backend can rebuild it. Masks use the
 * inpainting convention (1 = hidden, to be painted; 0 = visible context) so they go to a backend unchanged.
 */
export interface MaskingStrategy {
  /** Stable kebab-case id, used in reports and seed derivation. */
  readonly name: string;
  readonly description: string;
  /**
   * Contract: `difficulty` in [0, 1], where harder always hides more (for a fixed seed the hidden area never
   * shrinks as difficulty grows); the same arguments always give the same mask; values are exactly 0 or 1
   * unless the strategy documents soft edges.
   */
  mask(width: number, height: number, difficulty: number, seed: number): MaskImage;
}

const registry = new Map<string, MaskingStrategy>();

/** Every registered strategy by name, in registration order; read-only (registerMaskingStrategy adds). */
export const MASKING_STRATEGIES: ReadonlyMap<string, MaskingStrategy> = registry;

const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Adds a strategy to the registry; a strategy file calls this at load time, so importing the file is all it
 * takes to make the strategy available to the runner. Registering the same object twice is a no-op (a module
 * can be evaluated again by bundlers or test runners); a different strategy under a taken name is rejected,
 * because silently replacing one would change what existing reports mean. Returns a function that removes it.
 */
export function registerMaskingStrategy(strategy: MaskingStrategy): () => void {
  if (strategy == null || typeof strategy.mask !== 'function') {
    throw new PakatiError('BAD_USER_INPUT', 'A masking strategy needs a mask() function');
  }
  if (typeof strategy.name !== 'string' || !NAME_PATTERN.test(strategy.name)) {
    throw new PakatiError('BAD_USER_INPUT', 'A masking strategy name must be kebab-case', {
      name: strategy.name,
    });
  }
  const existing = registry.get(strategy.name);
  if (existing != null && existing !== strategy) {
    throw new PakatiError(
      'BAD_USER_INPUT',
      `A masking strategy named '${strategy.name}' is already registered`,
      {
        name: strategy.name,
      },
    );
  }
  registry.set(strategy.name, strategy);
  return () => {
    if (registry.get(strategy.name) === strategy) registry.delete(strategy.name);
  };
}

export function maskingStrategy(name: string): MaskingStrategy {
  const strategy = registry.get(name);
  if (strategy == null) {
    throw new PakatiError('BAD_USER_INPUT', `Unknown masking strategy '${name}'`, {
      name,
      known: [...registry.keys()],
    });
  }
  return strategy;
}

export function maskingStrategyNames(): string[] {
  return [...registry.keys()];
}

/** The arguments every strategy accepts; strategies call this first so they all reject the same inputs. */
export function assertMaskArguments(width: number, height: number, difficulty: number, seed: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new PakatiError('BAD_USER_INPUT', 'Mask width and height must be positive integers', {
      width,
      height,
    });
  }
  if (!Number.isFinite(difficulty) || difficulty < 0 || difficulty > 1) {
    throw new PakatiError('BAD_USER_INPUT', 'Difficulty must be a number between 0 and 1', { difficulty });
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new PakatiError('BAD_USER_INPUT', `Seed must be an integer between 0 and ${MAX_SEED}`, { seed });
  }
}

/** Mask-weighted share of the image that is hidden, 0..1. */
export function hiddenFraction(mask: MaskImage): number {
  const { data } = mask;
  if (data.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += Math.max(0, Math.min(1, data[i]!));
  return sum / data.length;
}
