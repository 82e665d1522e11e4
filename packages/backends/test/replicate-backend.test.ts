import type { MaskImage, ProgressUpdate } from '@pakati/core';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReplicateBackend, nearestFluxAspectRatio } from '../src/replicate/replicate-backend.ts';
import { parseTqdmProgress } from '../src/replicate/tqdm-progress.ts';
import { replicateFakeColor, startReplicateFake, tqdmLine } from './fakes/replicate-fake.ts';
import { backendFailure as failure, pixel, solid } from './helpers/rasters.ts';

type Fake = Awaited<ReturnType<typeof startReplicateFake>>;
let fake: Fake;

beforeAll(async () => {
  fake = await startReplicateFake();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.cancels.length = 0;
  Object.assign(fake.behaviour, { pollsToFinish: 4, steps: 4, failWith: null, tqdmLogs: true });
});

function ctx(onProgress?: (u: ProgressUpdate) => void, signal = new AbortController().signal) {
  return { signal, onProgress };
}

function backend(extra: Partial<Parameters<typeof createReplicateBackend>[0]> = {}) {
  return createReplicateBackend({ apiToken: fake.apiToken, baseUrl: fake.baseUrl, pollMs: 10, ...extra });
}

function jsonBody(index = 0) {
  return JSON.parse(fake.creations()[index]!.body.toString()) as {
    input: Record<string, unknown>;
    version?: string;
  };
}

async function decodeDataUri(uri: unknown) {
  expect(typeof uri).toBe('string');
  expect(uri as string).toMatch(/^data:image\/png;base64,/);
  return sharp(Buffer.from((uri as string).split(',')[1]!, 'base64'))
    .raw()
    .toBuffer({ resolveWithObject: true });
}

describe('Replicate parsing', () => {
  it('reads the newest tqdm bar from the logs', () => {
    const logs = [
      'Using seed: 5',
      tqdmLine(0, 5),
      tqdmLine(2, 5),
      ' 80%|████████  | 4/5 [00:02<00:00,  2.1it/s]',
    ].join('\n');
    expect(parseTqdmProgress(logs)).toEqual({ step: 4, total: 5 });
    expect(parseTqdmProgress(`${tqdmLine(1, 28)}\r${tqdmLine(3, 28)}`)).toEqual({ step: 3, total: 28 });
    expect(parseTqdmProgress('Loading weights\nDone')).toBeUndefined();
    expect(parseTqdmProgress(null)).toBeUndefined();
  });

  it.each([
    [1024, 1024, '1:1'],
    [1920, 1080, '16:9'],
    [1024, 768, '4:3'],
    [768, 1024, '3:4'],
    [1000, 2300, '9:21'],
  ])('maps %ix%i to aspect_ratio %s', (w, h, ratio) => {
    expect(nearestFluxAspectRatio(w, h)).toBe(ratio);
  });
});

describe('Replicate generate', () => {
  it('creates a prediction on the model endpoint, polls it, reports tqdm progress and downloads the output', async () => {
    const updates: ProgressUpdate[] = [];
    const result = await backend().generate(
      { prompt: 'a red kite', negativePrompt: 'clouds', width: 640, height: 360, seed: 99 },
      ctx((u) => updates.push(u)),
    );

    const [create] = fake.creations();
    expect(create!.path).toBe('/v1/models/black-forest-labs/flux-schnell/predictions');
    expect(create!.headers.authorization).toBe('Bearer r8_test');
    expect(create!.headers['content-type']).toMatch(/^application\/json/);
    expect(create!.headers.prefer).toBeUndefined();
    // FLUX takes an aspect ratio and has no negative prompt.
    expect(jsonBody()).toEqual({
      input: { prompt: 'a red kite', seed: 99, num_outputs: 1, output_format: 'png', aspect_ratio: '16:9' },
    });
    const id = [...fake.predictions.values()].at(-1)!.id;
    expect(fake.polls().map((r) => r.path)).toEqual(Array(4).fill(`/v1/predictions/${id}`));
    expect(fake.polls().every((r) => r.headers.authorization === 'Bearer r8_test')).toBe(true);
    expect(fake.requests.at(-1)!.path).toBe(`/files/${id}/out-0.png`);

    expect([result.image.width, result.image.height]).toEqual([640, 360]);
    expect(pixel(result.image, 320, 180)).toEqual(replicateFakeColor('a red kite', 99));
    expect(result.seed).toBe(99);
    expect(result.model).toBe('black-forest-labs/flux-schnell');
    expect(result.modelVersion).toBe('hidden');
    expect(result.timings.inferenceMs).toBe(250);
    expect(result.timings.queueMs).toBeGreaterThanOrEqual(0);

    const fractions = updates.map((u) => u.fraction);
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++)
      expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    // The steps in between come from the tqdm bars in the logs, with their real counts.
    const fromLogs = updates.filter((u) => u.totalSteps === 4 && u.fraction > 0 && u.fraction < 1);
    expect(fromLogs.map((u) => [u.step, u.fraction])).toEqual([
      [1, 0.25],
      [2, 0.5],
      [3, 0.75],
    ]);
  });

  it('reports only start and end when the logs hold no progress bar', async () => {
    fake.behaviour.tqdmLogs = false;
    const updates: ProgressUpdate[] = [];
    await backend().generate(
      { prompt: 'p', width: 64, height: 64, seed: 1 },
      ctx((u) => updates.push(u)),
    );
    expect(updates.map((u) => u.fraction)).toEqual([0, 1]);
  });

  it('runs a pinned version through POST /predictions', async () => {
    await backend({ version: 'abc123' }).generate({ prompt: 'p', width: 64, height: 64, seed: 1 }, ctx());
    expect(fake.creations()[0]!.path).toBe('/v1/predictions');
    expect(jsonBody().version).toBe('abc123');

    await backend({ model: 'owner/model:def456' }).generate(
      { prompt: 'p', width: 64, height: 64, seed: 1 },
      ctx(),
    );
    expect(fake.creations()[1]!.path).toBe('/v1/predictions');
    expect(jsonBody(1).version).toBe('def456');
  });

  it('sends width, height and negative_prompt to models that take them', async () => {
    const b = backend({ model: 'stability-ai/sdxl', negativePrompt: true });
    expect(b.capabilities.negativePrompt).toBe(true);
    const result = await b.generate(
      { prompt: 'p', negativePrompt: 'blur', width: 500, height: 300, seed: 1 },
      ctx(),
    );
    expect(fake.creations()[0]!.path).toBe('/v1/models/stability-ai/sdxl/predictions');
    expect(jsonBody().input).toEqual({
      prompt: 'p',
      negative_prompt: 'blur',
      seed: 1,
      num_outputs: 1,
      output_format: 'png',
      width: 504,
      height: 304,
    });
    expect([result.image.width, result.image.height]).toEqual([500, 300]);
  });

  it('uses Prefer: wait and skips polling when the answer is already final', async () => {
    const result = await backend({ preferWaitSeconds: 5 }).generate(
      { prompt: 'p', width: 64, height: 64, seed: 1 },
      ctx(),
    );
    expect(fake.creations()[0]!.headers.prefer).toBe('wait=5');
    expect(fake.polls()).toHaveLength(0);
    expect(result.image.width).toBe(64);
  });
});

describe('Replicate img2img and inpaint', () => {
  it('refuses both without a configured model', async () => {
    const b = backend();
    expect(b.capabilities).toMatchObject({ img2img: false, inpainting: false });
    const init = solid(32, 32, [0, 0, 0]);
    const mask: MaskImage = { width: 32, height: 32, data: new Float32Array(32 * 32) };
    const params = { prompt: 'p', width: 32, height: 32, seed: 0, init };
    expect((await failure(b.img2img({ ...params, strength: 0.5 }, ctx()))).kind).toBe('UNSUPPORTED');
    expect((await failure(b.inpaint({ ...params, mask }, ctx()))).kind).toBe('UNSUPPORTED');
    expect(fake.requests).toHaveLength(0);
  });

  it('sends img2img as image + prompt_strength to the img2img model', async () => {
    const b = backend({ img2imgModel: 'black-forest-labs/flux-dev' });
    expect(b.capabilities.img2img).toBe(true);
    const init = solid(96, 64, [0, 0, 0]);
    const result = await b.img2img(
      { prompt: 'glow', width: 96, height: 64, seed: 4, init, strength: 0.5 },
      ctx(),
    );
    expect(fake.creations()[0]!.path).toBe('/v1/models/black-forest-labs/flux-dev/predictions');
    const { input } = jsonBody();
    expect(input).toMatchObject({ prompt: 'glow', seed: 4, prompt_strength: 0.5, output_format: 'png' });
    expect(input.aspect_ratio).toBeUndefined();
    const sent = await decodeDataUri(input.image);
    expect([sent.info.width, sent.info.height]).toEqual([96, 64]);
    expect(pixel(result.image, 48, 32)).toEqual(
      replicateFakeColor('glow', 4).map((c) => Math.round(c * 0.5)),
    );
  });

  it('sends inpainting as image + white-means-paint mask to the inpaint model', async () => {
    const b = backend({ inpaintModel: { model: 'black-forest-labs/flux-fill-pro' } });
    expect(b.capabilities.inpainting).toBe(true);
    const init = solid(64, 64, [5, 6, 7]);
    const mask: MaskImage = { width: 64, height: 64, data: new Float32Array(64 * 64) };
    for (let i = 0; i < 64 * 32; i++) mask.data[i] = 1;
    const result = await b.inpaint({ prompt: 'roof', width: 64, height: 64, seed: 8, init, mask }, ctx());
    expect(fake.creations()[0]!.path).toBe('/v1/models/black-forest-labs/flux-fill-pro/predictions');
    const { input } = jsonBody();
    const sentMask = await decodeDataUri(input.mask);
    expect(sentMask.data[(10 * 64 + 10) * sentMask.info.channels]).toBe(255);
    expect(sentMask.data[(50 * 64 + 10) * sentMask.info.channels]).toBe(0);
    expect(pixel(result.image, 32, 10)).toEqual(replicateFakeColor('roof', 8));
    expect(pixel(result.image, 32, 50)).toEqual([5, 6, 7]);
  });
});

describe('Replicate failures', () => {
  const params = { prompt: 'a cat', width: 64, height: 64, seed: 1 };

  it('maps a CUDA out-of-memory failure to OUT_OF_MEMORY', async () => {
    fake.behaviour.failWith = 'CUDA out of memory. Tried to allocate 2.00 GiB';
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('OUT_OF_MEMORY');
    expect(error.message).toContain('CUDA out of memory');
  });

  it('maps an NSFW failure to CONTENT_FILTERED', async () => {
    const error = await failure(backend().generate({ ...params, prompt: 'an nsfw-scene' }, ctx()));
    expect(error.kind).toBe('CONTENT_FILTERED');
  });

  it('maps other failures to UNAVAILABLE with the error text', async () => {
    fake.behaviour.failWith = 'Prediction interrupted; please retry (code: PA)';
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('UNAVAILABLE');
    expect(error.message).toContain('Prediction interrupted');
  });

  it('maps a throttled create to RATE_LIMITED with retryAfterMs', async () => {
    fake.script({
      status: 429,
      body: {
        title: 'Request was throttled',
        detail: 'Request was throttled. Expected available in 3 seconds.',
        status: 429,
      },
      headers: { 'retry-after': '3' },
    });
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.details.retryAfterMs).toBe(3000);
    expect(error.message).toContain('Expected available in 3 seconds');
  });

  it('maps 422 input validation to INVALID_REQUEST', async () => {
    const error = await failure(backend().generate({ ...params, prompt: '' }, ctx()));
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(error.details.status).toBe(422);
    expect(error.message).toContain('input.prompt: prompt is required');
  });

  it('maps 401 to AUTH and 5xx on create to UNAVAILABLE', async () => {
    expect((await failure(backend({ apiToken: 'r8_wrong' }).generate(params, ctx()))).kind).toBe('AUTH');
    fake.script({
      status: 503,
      body: { title: 'Service Unavailable', detail: 'Try again later', status: 503 },
    });
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('UNAVAILABLE');
    expect(error.details.status).toBe(503);
  });

  it('rides out a transient 5xx while polling', async () => {
    fake.script({ status: 502, body: { detail: 'bad gateway' }, when: (r) => r.method === 'GET' });
    const result = await backend().generate(params, ctx());
    expect(result.image.width).toBe(64);
    expect(fake.polls()).toHaveLength(5);
  });

  it('times out after timeoutMs and cancels the prediction it gave up on', async () => {
    fake.behaviour.pollsToFinish = 10_000;
    const started = performance.now();
    const error = await failure(backend({ timeoutMs: 300 }).generate(params, ctx()));
    expect(error.kind).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(3000);
    const id = [...fake.predictions.values()].at(-1)!.id;
    expect(fake.cancels).toEqual([id]);
    expect(fake.predictions.get(id)!.status).toBe('canceled');
  });

  it('cancels exactly our prediction on abort and throws CANCELLED', async () => {
    const find = (prompt: string) => [...fake.predictions.values()].find((p) => p.input.prompt === prompt);
    fake.behaviour.pollsToFinish = 10_000;
    const controller = new AbortController();
    const b = backend();
    const cancelled = failure(
      b.generate({ ...params, prompt: 'to be cancelled' }, ctx(undefined, controller.signal)),
    );
    await expect.poll(() => find('to be cancelled')?.polls ?? 0).toBeGreaterThan(0);
    // A second prediction is running when we abort the first; the cancel must leave it alone.
    fake.behaviour.pollsToFinish = 30;
    const other = b.generate({ ...params, prompt: 'keeps going' }, ctx());
    await expect.poll(() => find('keeps going')?.polls ?? 0).toBeGreaterThan(0);
    controller.abort();
    const ours = find('to be cancelled')!.id;

    const error = await cancelled;
    expect(error.kind).toBe('CANCELLED');
    const result = await other;
    expect(result.image.width).toBe(64);

    expect(fake.cancels).toEqual([ours]);
    expect(fake.requests.filter((r) => r.path.endsWith('/cancel')).map((r) => r.path)).toEqual([
      `/v1/predictions/${ours}/cancel`,
    ]);
    expect(fake.requests.find((r) => r.path.endsWith('/cancel'))!.headers.authorization).toBe(
      'Bearer r8_test',
    );
    expect(fake.predictions.get(ours)!.status).toBe('canceled');
    expect(find('keeps going')!.status).toBe('succeeded');
  });

  it('sends nothing when already aborted, and nothing to cancel when aborted before the prediction exists', async () => {
    expect((await failure(backend().generate(params, ctx(undefined, AbortSignal.abort())))).kind).toBe(
      'CANCELLED',
    );
    expect(fake.requests).toHaveLength(0);

    fake.script({ delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect((await failure(backend().generate(params, ctx(undefined, controller.signal)))).kind).toBe(
      'CANCELLED',
    );
    expect(fake.cancels).toHaveLength(0);
  });
});
