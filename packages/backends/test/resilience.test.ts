import {
  BackendError,
  type GenerateParams,
  type GenerationResult,
  type ImageBackend,
  type OperationContext,
} from '@pakati/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESILIENCE, PerformanceTracker, ResilientBackend, withFailover } from '../src/index.ts';

type Script = (call: number, ctx: OperationContext) => Promise<GenerationResult>;

/** A backend whose every call follows a script: the test decides when it fails, how, and how slowly. */
function scripted(name: string, script: Script) {
  let calls = 0;
  const backend: ImageBackend & { calls: () => number } = {
    name,
    capabilities: {
      maxWidth: 512,
      maxHeight: 512,
      sizeMultiple: 1,
      txt2img: true,
      img2img: false,
      inpainting: false,
      regionalPrompting: false,
      negativePrompt: false,
      deterministicSeeds: true,
      costPerImage: 0,
      rateLimitPerMinute: null,
    },
    generate: (_p: GenerateParams, ctx: OperationContext) => script(++calls, ctx),
    img2img: () => Promise.reject(new BackendError('UNSUPPORTED', name, 'no')),
    inpaint: () => Promise.reject(new BackendError('UNSUPPORTED', name, 'no')),
    calls: () => calls,
  };
  return backend;
}

const ok = (seed = 1): GenerationResult => ({
  image: { width: 1, height: 1, data: new Uint8ClampedArray(4) },
  seed,
  model: 'm',
  modelVersion: '1',
  timings: { totalMs: 1 },
});
const params: GenerateParams = { prompt: 'p', width: 8, height: 8, seed: 1 };
const ctx = () => ({ signal: new AbortController().signal });
const fast = {
  ...DEFAULT_RESILIENCE,
  initialDelayMs: 5,
  maxDelayMs: 20,
  timeoutMs: 1000,
  halfOpenAfterMs: 100,
};
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new BackendError('CANCELLED', 'x', 'aborted'));
    });
  });

describe('ResilientBackend', () => {
  it('retries retryable failures with backoff and returns the eventual success', async () => {
    const inner = scripted('flaky', async (n) => {
      if (n < 3) throw new BackendError('UNAVAILABLE', 'flaky', 'HTTP 503');
      return ok(42);
    });
    const outcomes: unknown[] = [];
    const result = await new ResilientBackend(inner, fast, (o) => outcomes.push(o)).generate(params, ctx());
    expect(result.seed).toBe(42);
    expect(inner.calls()).toBe(3);
    expect(outcomes).toMatchObject([{ backend: 'flaky', ok: true }]);
  });

  it('waits for Retry-After on 429, and does not retry requests that are wrong', async () => {
    const limited = scripted('limited', async (n) => {
      if (n === 1)
        throw new BackendError('RATE_LIMITED', 'limited', '429', { status: 429, retryAfterMs: 120 });
      return ok();
    });
    const started = performance.now();
    await new ResilientBackend(limited, fast).generate(params, ctx());
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);

    const wrong = scripted('wrong', async () => {
      throw new BackendError('INVALID_REQUEST', 'wrong', '422');
    });
    await expect(new ResilientBackend(wrong, fast).generate(params, ctx())).rejects.toMatchObject({
      kind: 'INVALID_REQUEST',
    });
    expect(wrong.calls()).toBe(1);
  });

  it('turns a slow call into TIMEOUT and aborts the attempt', async () => {
    let innerAborted = false;
    const slow = scripted('slow', async (_n, c) => {
      c.signal.addEventListener('abort', () => {
        innerAborted = true;
      });
      await sleep(5000, c.signal);
      return ok();
    });
    const backend = new ResilientBackend(slow, { ...fast, timeoutMs: 50, maxAttempts: 1 });
    await expect(backend.generate(params, ctx())).rejects.toMatchObject({ kind: 'TIMEOUT' });
    expect(innerAborted).toBe(true);
  });

  it('opens the circuit after consecutive failures, refuses without calling, then tries again half-open', async () => {
    let healthy = false;
    const inner = scripted('down', async () => {
      if (!healthy) throw new BackendError('UNAVAILABLE', 'down', 'HTTP 502');
      return ok();
    });
    const backend = new ResilientBackend(inner, { ...fast, maxAttempts: 1, breakerThreshold: 3 });
    for (let i = 0; i < 3; i++)
      await expect(backend.generate(params, ctx())).rejects.toMatchObject({ kind: 'UNAVAILABLE' });
    expect(backend.circuitState).toBe('open');
    await expect(backend.generate(params, ctx())).rejects.toThrow(/circuit open/);
    expect(inner.calls()).toBe(3);
    healthy = true;
    await sleep(120);
    await backend.generate(params, ctx());
    expect(backend.circuitState).toBe('closed');
  });

  it('limits concurrency and refuses beyond the queue', async () => {
    const inner = scripted('busy', async (_n, c) => {
      await sleep(80, c.signal);
      return ok();
    });
    const backend = new ResilientBackend(inner, { ...fast, concurrency: 1, queue: 0, maxAttempts: 1 });
    const results = await Promise.allSettled([
      backend.generate(params, ctx()),
      backend.generate(params, ctx()),
    ]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { kind: 'RATE_LIMITED' } });
  });

  it('counts calls against the provider rate limit and reports the headroom left this minute', async () => {
    const inner = scripted('limited-rate', async () => ok());
    const limited = { ...inner, capabilities: { ...inner.capabilities, rateLimitPerMinute: 2 } };
    const backend = new ResilientBackend(limited, fast);
    expect(backend.rateHeadroom()).toBe(2);
    await backend.generate(params, ctx());
    await backend.generate(params, ctx());
    expect(backend.rateHeadroom()).toBe(0);
    expect(backend.rateHeadroom(Date.now() + 61_000)).toBe(2);
    expect(
      new ResilientBackend(
        scripted('free', async () => ok()),
        fast,
      ).rateHeadroom(),
    ).toBe(Number.POSITIVE_INFINITY);
  });

  it('reports a caller cancel as CANCELLED, not as a backend failure', async () => {
    const inner = scripted('cancellable', async (_n, c) => {
      await sleep(5000, c.signal);
      return ok();
    });
    const controller = new AbortController();
    const outcomes: { errorKind?: string }[] = [];
    const pending = new ResilientBackend(inner, fast, (o) => outcomes.push(o)).generate(params, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ kind: 'CANCELLED' });
    const tracker = new PerformanceTracker();
    for (const o of outcomes) tracker.record(o as never);
    expect(tracker.performance('cancellable')).toEqual({ successes: 0, failures: 0, p50LatencyMs: null });
  });
});

describe('failover', () => {
  it('moves to the next backend on failure and says so', async () => {
    const said: string[] = [];
    const result = await withFailover(
      ['a', 'b', 'c'],
      async (name) => {
        if (name !== 'c')
          throw new BackendError(name === 'a' ? 'OUT_OF_MEMORY' : 'UNAVAILABLE', name, 'down');
        return ok(7);
      },
      (failed, next) => void said.push(`${failed.backend}:${failed.error.kind}->${next}`),
    );
    expect(result.backend).toBe('c');
    expect(said).toEqual(['a:OUT_OF_MEMORY->b', 'b:UNAVAILABLE->c']);
  });

  it('stops at once on cancel, and fails with every reason when all fail', async () => {
    await expect(
      withFailover(['a', 'b'], async (n) => {
        throw new BackendError('CANCELLED', n, 'stop');
      }),
    ).rejects.toMatchObject({ kind: 'CANCELLED', backend: 'a' });
    await expect(
      withFailover(['a', 'b'], async (n) => {
        throw new BackendError('UNAVAILABLE', n, `${n} down`);
      }),
    ).rejects.toThrow(/a down.*b down/);
  });
});

describe('PerformanceTracker', () => {
  it('keeps success counts and the median latency over a rolling window', () => {
    const tracker = new PerformanceTracker(4);
    for (const [ok, latencyMs] of [
      [false, 1],
      [true, 300],
      [true, 100],
      [true, 200],
      [true, 400],
    ] as const) {
      tracker.record({ backend: 'x', operation: 'generate', ok, latencyMs });
    }
    expect(tracker.performance('x')).toEqual({ successes: 4, failures: 0, p50LatencyMs: 200 });
  });
});
