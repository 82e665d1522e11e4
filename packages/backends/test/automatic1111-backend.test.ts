import type { MaskImage, ProgressUpdate } from '@pakati/core';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAutomatic1111Backend } from '../src/automatic1111/automatic1111-backend.ts';
import { seedColor, sleep, startAutomatic1111Fake } from './fakes/automatic1111-fake.ts';
import { pixel, backendFailure as rejection, solid } from './helpers/rasters.ts';

type Fake = Awaited<ReturnType<typeof startAutomatic1111Fake>>;

const AUTH = { username: 'pakati', password: 's3cret' };

async function redChannel(base64: string): Promise<{ width: number; values: Buffer }> {
  const { data, info } = await sharp(Buffer.from(base64, 'base64'))
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, values: data };
}

describe('AUTOMATIC1111 backend', () => {
  let fake: Fake;
  const ctx = () => ({ signal: new AbortController().signal });
  const backend = (extra: Partial<Parameters<typeof createAutomatic1111Backend>[0]> = {}) =>
    createAutomatic1111Backend({ baseUrl: fake.url, ...AUTH, progressPollMs: 10, ...extra });
  const params = {
    prompt: 'a red fox',
    negativePrompt: 'blurry',
    width: 64,
    height: 48,
    seed: 1234,
    steps: 5,
  };

  beforeEach(async () => {
    fake = await startAutomatic1111Fake({ stepMs: 20, auth: AUTH });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('describes itself: local, deterministic, one job at a time', () => {
    const b = backend();
    expect(b.name).toBe('automatic1111');
    expect(b.concurrency).toBe(1);
    expect(b.capabilities).toMatchObject({
      txt2img: true,
      img2img: true,
      inpainting: true,
      negativePrompt: true,
      regionalPrompting: false,
      deterministicSeeds: true,
      sizeMultiple: 8,
      costPerImage: 0,
      rateLimitPerMinute: null,
      maxWidth: 2048,
      maxHeight: 2048,
    });
  });

  it('posts txt2img in the WebUI format with basic auth and returns the decoded image and seed', async () => {
    const result = await backend({ model: 'sdxl_base.safetensors', sampler: 'DPM++ 2M' }).generate(
      params,
      ctx(),
    );

    const request = fake.requests.find((r) => r.path === '/sdapi/v1/txt2img')!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('pakati:s3cret').toString('base64')}`);
    expect(JSON.parse(request.body.toString())).toMatchObject({
      prompt: 'a red fox',
      negative_prompt: 'blurry',
      seed: 1234,
      steps: 5,
      cfg_scale: 7.5,
      width: 64,
      height: 48,
      sampler_name: 'DPM++ 2M',
      override_settings: { sd_model_checkpoint: 'sdxl_base.safetensors' },
      send_images: true,
      save_images: false,
    });

    expect(result.seed).toBe(1234);
    expect(result.model).toBe('sdxl_base.safetensors');
    expect(result.modelVersion).toBe('6ce0161689');
    expect(result.image.width).toBe(64);
    expect(result.image.height).toBe(48);
    expect(result.image.data.length).toBe(64 * 48 * 4);
    expect(pixel(result.image, 10, 10)).toEqual(seedColor(1234, 'a red fox'));
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('round-trips seeds: same seed same pixels, another seed other pixels', async () => {
    const b = backend();
    const first = await b.generate({ ...params, steps: 1 }, ctx());
    const again = await b.generate({ ...params, steps: 1 }, ctx());
    const other = await b.generate({ ...params, steps: 1, seed: 99 }, ctx());
    expect(Buffer.from(again.image.data).equals(Buffer.from(first.image.data))).toBe(true);
    expect(Buffer.from(other.image.data).equals(Buffer.from(first.image.data))).toBe(false);
    expect(other.seed).toBe(99);
  });

  it('reports real progress from /sdapi/v1/progress with previews and stops polling when done', async () => {
    const updates: ProgressUpdate[] = [];
    await backend().generate({ ...params, steps: 8 }, { ...ctx(), onProgress: (u) => updates.push(u) });

    const polls = fake.requests.filter((r) => r.path === '/sdapi/v1/progress');
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.every((r) => r.query.get('skip_current_image') === 'false')).toBe(true);
    expect(polls.every((r) => r.headers.authorization?.startsWith('Basic '))).toBe(true);
    expect(updates.length).toBeGreaterThanOrEqual(3);
    const fractions = updates.map((u) => u.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBeGreaterThanOrEqual(0.99);
    const midway = updates.filter((u) => u.fraction > 0 && u.fraction < 1);
    expect(midway.length).toBeGreaterThanOrEqual(2);
    expect(midway.some((u) => u.step > 0 && u.totalSteps === 8)).toBe(true);
    const preview = updates.find((u) => u.preview)?.preview;
    expect(preview?.width).toBe(16);
    expect(updates.some((u) => u.message?.startsWith('eta '))).toBe(true);

    const after = polls.length;
    await sleep(60);
    expect(fake.requests.filter((r) => r.path === '/sdapi/v1/progress').length).toBe(after);
  });

  it('keeps reported fractions non-decreasing when the server progress goes back', async () => {
    const state = (step: number) => ({ job_count: 1, job_no: 0, sampling_step: step, sampling_steps: 10 });
    fake.scriptProgress(
      { progress: 0.61, eta_relative: 1, state: state(6), current_image: null },
      // A second pass (e.g. hires fix) restarts the step count.
      { progress: 0.31, eta_relative: 2, state: state(3), current_image: null },
      { progress: 0.81, eta_relative: 0.5, state: state(8), current_image: null },
    );
    const updates: ProgressUpdate[] = [];
    await backend().generate({ ...params, steps: 10 }, { ...ctx(), onProgress: (u) => updates.push(u) });
    const fractions = updates.map((u) => u.fraction);
    const first = fractions.indexOf(0.61);
    expect(fractions.slice(first, first + 3)).toEqual([0.61, 0.61, 0.81]);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(updates[first + 1]!.step).toBe(3);
  });

  it('sends img2img with the init image and the strength as denoising_strength', async () => {
    const init = solid(64, 48, [0, 0, 200]);
    const result = await backend().img2img({ ...params, init, strength: 0.25 }, ctx());

    const request = fake.requests.find((r) => r.path === '/sdapi/v1/img2img')!;
    const body = JSON.parse(request.body.toString());
    expect(body.denoising_strength).toBe(0.25);
    expect(body.init_images).toHaveLength(1);
    const sent = await sharp(Buffer.from(body.init_images[0], 'base64'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([sent.info.width, sent.info.height]).toEqual([64, 48]);
    expect([...sent.data.subarray(0, 3)]).toEqual([0, 0, 200]);
    expect(body.mask).toBeUndefined();

    const [r, g, b] = seedColor(1234, 'a red fox');
    expect(pixel(result.image, 5, 5)).toEqual([
      Math.round(r * 0.25),
      Math.round(g * 0.25),
      Math.round(0.75 * 200 + b * 0.25),
    ]);
  });

  it('inpaints through img2img with a mask that is white where we paint', async () => {
    const init = solid(64, 48, [10, 200, 10]);
    const mask: MaskImage = { width: 64, height: 48, data: new Float32Array(64 * 48) };
    for (let y = 0; y < 48; y++) for (let x = 0; x < 32; x++) mask.data[y * 64 + x] = 1;
    const result = await backend().inpaint({ ...params, init, mask }, ctx());

    const body = JSON.parse(fake.requests.find((r) => r.path === '/sdapi/v1/img2img')!.body.toString());
    expect(body).toMatchObject({ inpainting_fill: 1, inpaint_full_res: false, inpainting_mask_invert: 0 });
    expect(typeof body.mask_blur).toBe('number');
    expect(body.init_images).toHaveLength(1);
    const { width, values } = await redChannel(body.mask);
    expect(values[5 * width + 5]).toBe(255);
    expect(values[5 * width + 60]).toBe(0);

    expect(pixel(result.image, 5, 5)).toEqual(seedColor(1234, 'a red fox'));
    expect(pixel(result.image, 60, 5)).toEqual([10, 200, 10]);
  });

  it('rounds sizes up to a multiple of 8 for the request and resizes the result back', async () => {
    const result = await backend().generate({ ...params, width: 100, height: 61 }, ctx());
    const body = JSON.parse(fake.requests.find((r) => r.path === '/sdapi/v1/txt2img')!.body.toString());
    expect([body.width, body.height]).toEqual([104, 64]);
    expect([result.image.width, result.image.height]).toEqual([100, 61]);
    expect(pixel(result.image, 50, 30)).toEqual(seedColor(1234, 'a red fox'));
  });

  it('refuses sizes above the configured maximum before sending anything', async () => {
    const error = await rejection(backend({ maxWidth: 512 }).generate({ ...params, width: 1024 }, ctx()));
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(fake.requests).toHaveLength(0);
  });

  it('maps 429 with Retry-After to RATE_LIMITED', async () => {
    fake.fail({ kind: 'rate-limit', retryAfter: '3' });
    const error = await rejection(backend().generate(params, ctx()));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.details.retryAfterMs).toBe(3000);
    expect(error.details.status).toBe(429);
  });

  it('maps a 500 with an A1111 error body to UNAVAILABLE, keeping the message', async () => {
    fake.fail({ kind: 'server-error' });
    const error = await rejection(backend().generate(params, ctx()));
    expect(error.kind).toBe('UNAVAILABLE');
    expect(error.message).toContain('RuntimeError');
    expect(error.message).toContain('Expected all tensors');
  });

  it('maps CUDA out of memory to OUT_OF_MEMORY', async () => {
    fake.fail({ kind: 'oom' });
    const error = await rejection(backend().generate(params, ctx()));
    expect(error.kind).toBe('OUT_OF_MEMORY');
    expect(error.retryable).toBe(true);
  });

  it('maps a wrong password to AUTH', async () => {
    const error = await rejection(backend({ password: 'wrong' }).generate(params, ctx()));
    expect(error.kind).toBe('AUTH');
    expect(error.details.status).toBe(401);
    expect(error.message).toContain('Incorrect username or password');
  });

  it('maps a malformed answer to PROTOCOL', async () => {
    fake.fail({ kind: 'malformed' });
    const error = await rejection(backend().generate(params, ctx()));
    expect(error.kind).toBe('PROTOCOL');
  });

  it('times out after timeoutMs and interrupts the job it left running', async () => {
    fake.fail({ kind: 'slow', delayMs: 400 });
    const started = Date.now();
    const error = await rejection(backend({ timeoutMs: 80 }).generate(params, ctx()));
    expect(error.kind).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(400);
    expect(fake.interrupts).toBe(1);
  });

  it('cancels mid-run: interrupts exactly once and throws CANCELLED', async () => {
    const controller = new AbortController();
    const updates: ProgressUpdate[] = [];
    const run = backend().generate(
      { ...params, steps: 50 },
      {
        signal: controller.signal,
        onProgress: (u) => {
          updates.push(u);
          if (u.step >= 2) controller.abort();
        },
      },
    );
    const error = await rejection(run);
    expect(error.kind).toBe('CANCELLED');
    expect(fake.interrupts).toBe(1);
    expect(fake.requests.filter((r) => r.path === '/sdapi/v1/interrupt')).toHaveLength(1);
    await sleep(60);
    const job = fake.jobs[0]!;
    expect(job.interrupted).toBe(true);
    expect(job.step).toBeLessThan(50);
    expect(updates.every((u) => u.fraction < 1)).toBe(true);
  });

  it('does not send anything when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(backend().generate(params, { signal: controller.signal }));
    expect(error.kind).toBe('CANCELLED');
    expect(fake.requests).toHaveLength(0);
  });
});
