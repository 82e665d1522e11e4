import { describe, expect, it } from 'vitest';
import { type BackendCapabilities, type BackendStatus, PakatiError, selectBackends } from '../src/index.ts';

const caps = (over: Partial<BackendCapabilities> = {}): BackendCapabilities => ({
  maxWidth: 2048,
  maxHeight: 2048,
  sizeMultiple: 8,
  txt2img: true,
  img2img: true,
  inpainting: true,
  regionalPrompting: false,
  negativePrompt: true,
  deterministicSeeds: true,
  costPerImage: 0,
  rateLimitPerMinute: null,
  ...over,
});
const status = (
  name: string,
  over: Partial<BackendStatus> = {},
  c: Partial<BackendCapabilities> = {},
): BackendStatus => ({
  name,
  capabilities: caps(c),
  circuit: 'closed',
  rateHeadroom: Number.POSITIVE_INFINITY,
  performance: { successes: 0, failures: 0, p50LatencyMs: null },
  ...over,
});
const task = { operation: 'generate' as const, width: 512, height: 512 };

describe('model selector', () => {
  it('filters by capability, circuit and rate headroom, and says why each was rejected', () => {
    const selection = selectBackends({ ...task, operation: 'inpaint' }, [
      status('a', {}, { inpainting: false }),
      status('b', { circuit: 'open' }),
      status('c', { rateHeadroom: 0 }),
      status('d'),
    ]);
    expect(selection.ranked).toEqual(['d']);
    expect(selection.rejected).toEqual([
      { name: 'a', reasons: ['cannot inpaint'] },
      { name: 'b', reasons: ['circuit open'] },
      { name: 'c', reasons: ['rate limit reached'] },
    ]);
  });

  it('ranks by recorded success rate, latency and cost', () => {
    const selection = selectBackends(task, [
      status('flaky', { performance: { successes: 5, failures: 5, p50LatencyMs: 1000 } }),
      status('slow', { performance: { successes: 50, failures: 0, p50LatencyMs: 30_000 } }),
      status('good', { performance: { successes: 50, failures: 0, p50LatencyMs: 2000 } }),
      status(
        'pricey',
        { performance: { successes: 50, failures: 0, p50LatencyMs: 2000 } },
        { costPerImage: 0.08 },
      ),
    ]);
    expect(selection.ranked).toEqual(['good', 'pricey', 'slow', 'flaky']);
  });

  it('prefers a generative backend over a prompt-blind classical fill for inpainting', () => {
    const selection = selectBackends({ ...task, operation: 'inpaint' }, [
      status('patchmatch', {}, { txt2img: false, img2img: false }),
      status('procedural'),
    ]);
    expect(selection.ranked).toEqual(['procedural', 'patchmatch']);
  });

  it('puts an explicit choice first when it is capable, keeping the others as failover', () => {
    const backends = [
      status('good', { performance: { successes: 9, failures: 0, p50LatencyMs: 100 } }),
      status('chosen'),
    ];
    expect(selectBackends({ ...task, explicitBackend: 'chosen' }, backends).ranked).toEqual([
      'chosen',
      'good',
    ]);
  });

  it('throws a typed error naming what was missing', () => {
    try {
      selectBackends({ ...task, needsRegionalPrompting: true }, [
        status('a'),
        status('b', {}, { txt2img: false }),
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PakatiError);
      expect((error as PakatiError).code).toBe('NO_CAPABLE_BACKEND');
      expect((error as PakatiError).message).toContain('a: no regional prompting');
      expect((error as PakatiError).message).toContain('b: cannot generate, no regional prompting');
    }
    expect(() => selectBackends({ ...task, explicitBackend: 'ghost' }, [status('a')])).toThrow(
      /"ghost" is not enabled/,
    );
  });
});
