import { describe, expect, it } from 'vitest';
import type { GenerationResult, ImageBackend, InpaintParams } from '../src/backends/image-backend.ts';
import { createRaster, type MaskImage } from '../src/backends/raster.ts';
import { isPakatiError, PakatiError } from '../src/errors.ts';
import {
  assertMaskArguments,
  MASKING_STRATEGIES,
  type MaskingStrategy,
  maskingStrategy,
  maskingStrategyNames,
  registerMaskingStrategy,
} from '../src/understanding/masking-strategy.ts';
import { assessUnderstanding } from '../src/understanding/understanding-runner.ts';

/** Hides the left d of every row: the simplest strategy that keeps the contract. */
function leftColumns(name: string): MaskingStrategy {
  return {
    name,
    description: 'The left columns hidden',
    mask(width, height, difficulty, seed) {
      assertMaskArguments(width, height, difficulty, seed);
      const data = new Float32Array(width * height);
      const columns = Math.round(difficulty * (width - 1));
      for (let y = 0; y < height; y++) data.fill(1, y * width, y * width + columns);
      return { width, height, data } satisfies MaskImage;
    },
  };
}

/** Answers every inpaint with the init image and records what it was asked. */
function echoBackend(): ImageBackend & { calls: InpaintParams[] } {
  const calls: InpaintParams[] = [];
  const result = (image: GenerationResult['image'], seed: number): GenerationResult => ({
    image,
    seed,
    model: 'echo',
    modelVersion: '1',
    timings: { totalMs: 0 },
  });
  return {
    name: 'echo',
    calls,
    capabilities: {
      maxWidth: 64,
      maxHeight: 64,
      sizeMultiple: 1,
      txt2img: false,
      img2img: false,
      inpainting: true,
      regionalPrompting: false,
      negativePrompt: false,
      deterministicSeeds: true,
      costPerImage: 0,
      rateLimitPerMinute: null,
    },
    generate: () => Promise.reject(new Error('unused')),
    img2img: () => Promise.reject(new Error('unused')),
    inpaint: async (params) => {
      calls.push(params);
      return result(params.init, params.seed);
    },
  };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isPakatiError(error) ? error.code : 'NOT_A_PAKATI_ERROR';
  }
  return undefined;
}

describe('masking strategy registry', () => {
  it('makes a newly registered strategy available by name, to the runner included', async () => {
    const strategy = leftColumns('test-left-columns');
    const before = maskingStrategyNames();
    expect(before).not.toContain('test-left-columns');
    const unregister = registerMaskingStrategy(strategy);
    try {
      expect(MASKING_STRATEGIES.get('test-left-columns')).toBe(strategy);
      expect(maskingStrategy('test-left-columns')).toBe(strategy);
      expect(maskingStrategyNames()).toEqual([...before, 'test-left-columns']);

      // The runner's default is "every registered strategy", so the new one takes part without being named.
      const backend = echoBackend();
      const report = await assessUnderstanding(createRaster(16, 16), backend, {
        seed: 3,
        difficulties: [0.5],
      });
      expect(report.strategies.map((s) => s.strategy)).toEqual(maskingStrategyNames());
      expect(backend.calls).toHaveLength(maskingStrategyNames().length);
      const ours = report.strategies.find((s) => s.strategy === 'test-left-columns')!;
      expect(ours.attempts[0]!.hiddenFraction).toBeCloseTo(8 / 16, 10);
    } finally {
      unregister();
    }
    expect(maskingStrategyNames()).toEqual(before);
    expect(codeOf(() => maskingStrategy('test-left-columns'))).toBe('BAD_USER_INPUT');
  });

  it('rejects unknown names with BAD_USER_INPUT, listing the known ones', () => {
    try {
      maskingStrategy('no-such-strategy');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PakatiError);
      expect((error as PakatiError).code).toBe('BAD_USER_INPUT');
      expect((error as PakatiError).details.known).toEqual(maskingStrategyNames());
    }
  });

  it('keeps names unique and well-formed', () => {
    const strategy = leftColumns('test-unique');
    const unregister = registerMaskingStrategy(strategy);
    try {
      // Evaluating a strategy module twice re-registers the same object: harmless.
      expect(() => registerMaskingStrategy(strategy)).not.toThrow();
      expect(codeOf(() => registerMaskingStrategy(leftColumns('test-unique')))).toBe('BAD_USER_INPUT');
      expect(maskingStrategy('test-unique')).toBe(strategy);
    } finally {
      unregister();
    }
    for (const bad of ['', 'Has Spaces', 'UPPER', 'trailing-', '-leading', 'double--dash']) {
      expect(
        codeOf(() => registerMaskingStrategy(leftColumns(bad))),
        bad,
      ).toBe('BAD_USER_INPUT');
    }
    expect(
      codeOf(() =>
        registerMaskingStrategy({ name: 'no-mask', description: '' } as unknown as MaskingStrategy),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('a stale unregister does not remove a later strategy of the same name', () => {
    const first = leftColumns('test-stale');
    const unregisterFirst = registerMaskingStrategy(first);
    unregisterFirst();
    const second = leftColumns('test-stale');
    const unregisterSecond = registerMaskingStrategy(second);
    unregisterFirst();
    expect(maskingStrategy('test-stale')).toBe(second);
    unregisterSecond();
    expect(MASKING_STRATEGIES.has('test-stale')).toBe(false);
  });
});
