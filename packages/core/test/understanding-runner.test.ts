import { describe, expect, it } from 'vitest';
import { BackendError } from '../src/backends/backend-error.ts';
import type { ImageBackend, InpaintParams } from '../src/backends/image-backend.ts';
import { createPatchMatchBackend } from '../src/backends/patchmatch-backend.ts';
import type { RasterImage } from '../src/backends/raster.ts';
import { isPakatiError } from '../src/errors.ts';
import { deriveSeed } from '../src/random/seed-derivation.ts';
import { createRandom } from '../src/random/seeded-random.ts';
import { maskingStrategy, maskingStrategyNames } from '../src/understanding/masking-strategy.ts';
import {
  assessUnderstanding,
  DEFAULT_UNDERSTANDING_DIFFICULTIES,
  UNDERSTANDING_MASTERY_THRESHOLD,
  type UnderstandingProgress,
  type UnderstandingReport,
  understandingLevel,
} from '../src/understanding/understanding-runner.ts';

const N = 48;
const STRATEGIES = ['center-out', 'edges', 'progressive-reveal', 'quadrants', 'random-patches', 'spiral'];

function image(f: (x: number, y: number) => [number, number, number]): RasterImage {
  const data = new Uint8ClampedArray(N * N * 4);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) data.set([...f(x, y), 255], (y * N + x) * 4);
  }
  return { width: N, height: N, data };
}

/** Horizontal two-colour stripes: every row is its own continuation, the easiest thing to rebuild. */
const stripes = image((_, y) => (Math.floor(y / 4) % 2 === 1 ? [200, 60, 40] : [30, 60, 180]));

/** Photo-like: sky gradient, a sun, a tree trunk, a textured ground with a horizon. */
const photo = image((x, y) => {
  if ((x - 32) ** 2 + (y - 12) ** 2 < 36) return [250, 220, 90];
  if (x > 8 && x < 18 && y > 16 && y < 34) return [120 - (y - 16) * 2, 70, 50];
  if ((x - 13) ** 2 + (y - 12) ** 2 < 40) return [40, 120 + ((x * y) % 5) * 8, 50];
  if (y < 28) return [110 + y * 2, 150 + y, 230 - y];
  return [60 + (x % 5) * 3 + (y - 28) * 2, 110 + ((x + y) % 7) * 4, 40];
});

const noise = (() => {
  const random = createRandom(7);
  return image(() => [random.int(0, 255), random.int(0, 255), random.int(0, 255)]);
})();

/** PatchMatch with a log of every request, to count calls and inspect what the backend was shown. */
function recordingBackend(): ImageBackend & { calls: InpaintParams[] } {
  const inner = createPatchMatchBackend();
  const calls: InpaintParams[] = [];
  return {
    ...inner,
    calls,
    inpaint: (params, ctx) => {
      calls.push(params);
      return inner.inpaint(params, ctx);
    },
  };
}

function byName(report: UnderstandingReport, name: string) {
  return report.strategies.find((s) => s.strategy === name)!;
}

/** Mean of the two hardest attempts is no better than the mean of the two easiest (small slack for noise). */
function getsHarder(scores: number[]): boolean {
  const easy = (scores[0]! + scores[1]!) / 2;
  const hard = (scores.at(-1)! + scores.at(-2)!) / 2;
  return hard <= easy + 0.02;
}

function expectConsistent(report: UnderstandingReport): void {
  for (const s of report.strategies) {
    expect(s.level).toBeGreaterThanOrEqual(0);
    expect(s.level).toBeLessThanOrEqual(1);
    expect(s.level).toBeCloseTo(understandingLevel(s.attempts), 12);
    expect(s.mastery).toBe(s.level >= UNDERSTANDING_MASTERY_THRESHOLD);
    for (const a of s.attempts) {
      expect(a.score).toBeGreaterThanOrEqual(0);
      expect(a.score).toBeLessThanOrEqual(1);
      expect(a.ms).toBeGreaterThanOrEqual(0);
    }
  }
  const mean = report.strategies.reduce((sum, s) => sum + s.level, 0) / report.strategies.length;
  expect(report.level).toBeCloseTo(mean, 12);
  expect(report.understood).toBe(report.level >= 0.75);
}

describe('assessUnderstanding with PatchMatch', () => {
  it('runs every strategy at every difficulty and scores a structured image well', async () => {
    const backend = recordingBackend();
    const progress: UnderstandingProgress[] = [];
    const report = await assessUnderstanding(stripes, backend, {
      seed: 42,
      onProgress: (p) => progress.push(p),
    });

    expect(maskingStrategyNames()).toEqual(expect.arrayContaining(STRATEGIES));
    expect(report.strategies.map((s) => s.strategy)).toEqual(maskingStrategyNames());
    expect(backend.calls).toHaveLength(30);
    expect(progress).toHaveLength(30);
    progress.forEach((p, i) => {
      expect(p.done).toBe(i + 1);
      expect(p.total).toBe(30);
    });
    for (const s of report.strategies) {
      expect(s.attempts.map((a) => a.difficulty)).toEqual([...DEFAULT_UNDERSTANDING_DIFFICULTIES]);
      // Harder attempts hide more.
      const hidden = s.attempts.map((a) => a.hiddenFraction);
      for (let i = 1; i < hidden.length; i++) expect(hidden[i]).toBeGreaterThan(hidden[i - 1]!);
    }
    expectConsistent(report);

    expect(
      report.strategies.filter((s) => getsHarder(s.attempts.map((a) => a.score))).length,
    ).toBeGreaterThanOrEqual(5);
    expect(report.strategies.some((s) => s.mastery)).toBe(true);
    expect(byName(report, 'random-patches').mastery).toBe(true);
    // Stripes continue across any hole: the easiest attempts are rebuilt almost exactly.
    for (const s of report.strategies) expect(s.attempts[0]!.score).toBeGreaterThan(0.9);
    expect(report.level).toBeGreaterThan(0.75);
    expect(report.understood).toBe(true);
  });

  it('shows the backend the masked reference, never the hidden pixels', async () => {
    const backend = recordingBackend();
    await assessUnderstanding(photo, backend, {
      seed: 5,
      strategies: ['center-out', 'quadrants'],
      difficulties: [0.3, 0.7],
      prompt: 'a tree under the sun',
    });
    expect(backend.calls).toHaveLength(4);
    let k = 0;
    for (const name of ['center-out', 'quadrants']) {
      for (const difficulty of [0.3, 0.7]) {
        const call = backend.calls[k++]!;
        const expected = maskingStrategy(name).mask(N, N, difficulty, deriveSeed(5, name, 'mask'));
        expect(Array.from(call.mask.data)).toEqual(Array.from(expected.data));
        expect(call.seed).toBe(deriveSeed(5, name, difficulty));
        expect(call.prompt).toBe('a tree under the sun');
        expect(call.reference ?? null).toBeNull();
        expect([call.width, call.height]).toEqual([N, N]);
        for (let i = 0; i < N * N; i++) {
          const pixel = Array.from(call.init.data.subarray(i * 4, i * 4 + 4));
          const original = Array.from(photo.data.subarray(i * 4, i * 4 + 4));
          expect(pixel).toEqual(expected.data[i] === 1 ? [128, 128, 128, 255] : original);
        }
      }
    }
  });

  it('does not master pure noise', async () => {
    const backend = recordingBackend();
    const report = await assessUnderstanding(noise, backend, { seed: 42 });
    expect(backend.calls).toHaveLength(30);
    expectConsistent(report);
    expect(report.strategies.some((s) => s.mastery)).toBe(false);
    for (const s of report.strategies) expect(s.level).toBeLessThan(0.3);
    expect(report.understood).toBe(false);
  });

  it('assesses a photo-like picture: good at small holes, worse as more is hidden', async () => {
    const report = await assessUnderstanding(photo, createPatchMatchBackend(), { seed: 1 });
    expectConsistent(report);
    expect(report.strategies).toHaveLength(6);
    expect(
      report.strategies.filter((s) => getsHarder(s.attempts.map((a) => a.score))).length,
    ).toBeGreaterThanOrEqual(4);
    const easiest = report.strategies.map((s) => s.attempts[0]!.score);
    const hardest = report.strategies.map((s) => s.attempts.at(-1)!.score);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(easiest)).toBeGreaterThan(mean(hardest) + 0.15);
    // Somewhere between stripes and noise.
    expect(report.level).toBeGreaterThan(0.3);
    expect(report.level).toBeLessThan(0.95);
  });

  it('is reproducible from its seed', async () => {
    const options = { seed: 9, strategies: ['random-patches', 'spiral'], difficulties: [0.2, 0.8] };
    const scores = async () =>
      (await assessUnderstanding(photo, createPatchMatchBackend(), options)).strategies.flatMap((s) =>
        s.attempts.map((a) => [a.score, a.seed, a.hiddenFraction]),
      );
    expect(await scores()).toEqual(await scores());
  });
});

describe('assessUnderstanding: control', () => {
  it('weighs harder attempts more: weight 0.5 + difficulty', () => {
    expect(understandingLevel([{ difficulty: 0.5, score: 0.7 }])).toBeCloseTo(0.7, 12);
    expect(
      understandingLevel([
        { difficulty: 0.1, score: 1 },
        { difficulty: 0.9, score: 0 },
      ]),
    ).toBeCloseTo(0.6 / 2, 12);
  });

  it('cancels between attempts with BackendError CANCELLED', async () => {
    const backend = recordingBackend();
    const controller = new AbortController();
    const run = assessUnderstanding(stripes, backend, {
      seed: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 3) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(BackendError);
    await expect(run).rejects.toMatchObject({ kind: 'CANCELLED' });
    expect(backend.calls).toHaveLength(3);

    const already = new AbortController();
    already.abort();
    const idle = recordingBackend();
    await expect(
      assessUnderstanding(stripes, idle, { seed: 1, signal: already.signal }),
    ).rejects.toMatchObject({
      kind: 'CANCELLED',
    });
    expect(idle.calls).toHaveLength(0);
  });

  it('cancels an attempt in flight through the backend', async () => {
    const controller = new AbortController();
    const backend = createPatchMatchBackend();
    const run = assessUnderstanding(stripes, backend, { seed: 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 0);
    await expect(run).rejects.toMatchObject({ name: 'BackendError', kind: 'CANCELLED' });
  });

  it('validates everything before calling the backend', async () => {
    const backend = recordingBackend();
    const code = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return isPakatiError(error) ? error.code : error instanceof BackendError ? error.kind : 'OTHER';
      }
      return undefined;
    };
    expect(
      await code(assessUnderstanding(stripes, backend, { seed: 1, strategies: ['edges', 'nope'] })),
    ).toBe('BAD_USER_INPUT');
    expect(await code(assessUnderstanding(stripes, backend, { seed: 1, strategies: [] }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      await code(assessUnderstanding(stripes, backend, { seed: 1, strategies: ['edges', 'edges'] })),
    ).toBe('BAD_USER_INPUT');
    expect(await code(assessUnderstanding(stripes, backend, { seed: 1, difficulties: [0.5, 1.2] }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code(assessUnderstanding(stripes, backend, { seed: 1, difficulties: [] }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code(assessUnderstanding(stripes, backend, { seed: -3 }))).toBe('BAD_USER_INPUT');
    expect(
      await code(
        assessUnderstanding({ width: 4, height: 4, data: new Uint8ClampedArray(10) }, backend, { seed: 1 }),
      ),
    ).toBe('INVALID_IMAGE');
    const textOnly = { ...backend, capabilities: { ...backend.capabilities, inpainting: false } };
    expect(await code(assessUnderstanding(stripes, textOnly, { seed: 1 }))).toBe('UNSUPPORTED');
    expect(backend.calls).toHaveLength(0);

    const shrinking: ImageBackend = {
      ...backend,
      inpaint: async (params) => ({
        image: { width: 8, height: 8, data: new Uint8ClampedArray(8 * 8 * 4) },
        seed: params.seed,
        model: 'bad',
        modelVersion: '1',
        timings: { totalMs: 0 },
      }),
    };
    expect(await code(assessUnderstanding(stripes, shrinking, { seed: 1 }))).toBe('PROTOCOL');
  });
});
