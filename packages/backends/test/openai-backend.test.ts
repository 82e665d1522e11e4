import type { MaskImage, ProgressUpdate } from '@pakati/core';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createOpenAiBackend,
  nearestOpenAiSize,
  parseOpenAiResetDuration,
} from '../src/openai/openai-backend.ts';
import { encodeOpenAiMaskPng } from '../src/openai/openai-mask.ts';
import { openAiFakeColor, startOpenAiFake } from './fakes/openai-fake.ts';
import { backendFailure as failure, pixel, solid } from './helpers/rasters.ts';

type Fake = Awaited<ReturnType<typeof startOpenAiFake>>;
let fake: Fake;

beforeAll(async () => {
  fake = await startOpenAiFake();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

function ctx(onProgress?: (u: ProgressUpdate) => void, signal = new AbortController().signal) {
  return { signal, onProgress };
}

function backend(extra: Partial<Parameters<typeof createOpenAiBackend>[0]> = {}) {
  return createOpenAiBackend({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, ...extra });
}

describe('OpenAI size mapping', () => {
  it.each([
    ['gpt-image-1', 512, 512, '1024x1024'],
    ['gpt-image-1', 1200, 800, '1536x1024'],
    ['gpt-image-1', 600, 1000, '1024x1536'],
    ['gpt-image-1', 1100, 1000, '1024x1024'],
    ['dall-e-3', 1920, 1080, '1792x1024'],
    ['dall-e-3', 720, 1280, '1024x1792'],
    ['dall-e-3', 800, 800, '1024x1024'],
    ['dall-e-2', 200, 120, '256x256'],
    ['dall-e-2', 300, 500, '512x512'],
    ['dall-e-2', 900, 600, '1024x1024'],
    ['dall-e-2', 4000, 4000, '1024x1024'],
  ])('%s at %ix%i asks for %s', (model, width, height, size) => {
    expect(nearestOpenAiSize(model, width, height)).toBe(size);
  });

  it('reads the Go-style durations of x-ratelimit-reset-*', () => {
    expect(parseOpenAiResetDuration('1s')).toBe(1000);
    expect(parseOpenAiResetDuration('6m0s')).toBe(360_000);
    expect(parseOpenAiResetDuration('1m30.5s')).toBe(90_500);
    expect(parseOpenAiResetDuration('20ms')).toBe(20);
    expect(parseOpenAiResetDuration('soon')).toBeUndefined();
    expect(parseOpenAiResetDuration(null)).toBeUndefined();
  });
});

describe('OpenAI generate', () => {
  it('posts the JSON body gpt-image-1 expects and returns an image of the requested size', async () => {
    const updates: ProgressUpdate[] = [];
    const result = await backend({ organization: 'org-42' }).generate(
      { prompt: 'a lighthouse at dusk', width: 600, height: 400, seed: 1234 },
      ctx((u) => updates.push(u)),
    );

    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/v1/images/generations');
    expect(req!.headers.authorization).toBe('Bearer sk-test');
    expect(req!.headers['openai-organization']).toBe('org-42');
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    // Exactly these fields: gpt-image-1 rejects response_format and there is no seed or negative prompt.
    expect(JSON.parse(req!.body.toString())).toEqual({
      model: 'gpt-image-1',
      prompt: 'a lighthouse at dusk',
      n: 1,
      size: '1536x1024',
    });

    expect(result.image.width).toBe(600);
    expect(result.image.height).toBe(400);
    expect(result.image.data).toHaveLength(600 * 400 * 4);
    expect(pixel(result.image, 300, 200)).toEqual(openAiFakeColor('a lighthouse at dusk'));
    expect(result.seed).toBe(1234);
    expect(result.model).toBe('gpt-image-1');
    expect(result.revisedPrompt).toBeUndefined();
    expect(result.timings.totalMs).toBeGreaterThan(0);
    // Only the two moments OpenAI lets us observe; nothing invented in between.
    expect(updates.map((u) => u.fraction)).toEqual([0, 1]);
  });

  it('sends no organization header unless configured', async () => {
    await backend().generate({ prompt: 'x', width: 64, height: 64, seed: 0 }, ctx());
    expect(fake.requests[0]!.headers['openai-organization']).toBeUndefined();
  });

  it('asks dall-e-3 for b64_json, maps to its sizes and keeps the revised prompt', async () => {
    const b = backend({ model: 'dall-e-3' });
    expect(b.capabilities).toMatchObject({ img2img: false, inpainting: false, deterministicSeeds: false });
    const result = await b.generate({ prompt: 'a fox', width: 1600, height: 900, seed: 7 }, ctx());
    expect(JSON.parse(fake.requests[0]!.body.toString())).toEqual({
      model: 'dall-e-3',
      prompt: 'a fox',
      n: 1,
      size: '1792x1024',
      response_format: 'b64_json',
    });
    expect(result.revisedPrompt).toBe('A detailed illustration of a fox');
    expect([result.image.width, result.image.height]).toEqual([1600, 900]);
  });

  it('lets the per-call model override the configured one', async () => {
    await backend().generate({ prompt: 'p', width: 256, height: 256, seed: 0, model: 'dall-e-2' }, ctx());
    expect(JSON.parse(fake.requests[0]!.body.toString())).toMatchObject({
      model: 'dall-e-2',
      size: '256x256',
    });
  });
});

describe('OpenAI edits', () => {
  it('builds a mask that is transparent exactly where we paint', async () => {
    const mask: MaskImage = {
      width: 4,
      height: 2,
      data: new Float32Array([1, 0, 0.5, 0.49, 0, 0.7, 0.2, 1]),
    };
    const { data, info } = await sharp(await encodeOpenAiMaskPng(mask))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    const alphas = Array.from({ length: 8 }, (_, i) => data[i * 4 + 3]);
    expect(alphas).toEqual([0, 255, 0, 255, 255, 0, 255, 0]);

    const scaled = await sharp(await encodeOpenAiMaskPng(mask, 8, 4))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([scaled.info.width, scaled.info.height]).toEqual([8, 4]);
    // Nearest-neighbour scaling: each source pixel becomes a 2x2 block with the same, still binary, alpha.
    expect(scaled.data[(1 * 8 + 1) * 4 + 3]).toBe(0);
    expect(scaled.data[(0 * 8 + 2) * 4 + 3]).toBe(255);
    expect(new Set(Array.from({ length: 32 }, (_, i) => scaled.data[i * 4 + 3]))).toEqual(new Set([0, 255]));
  });

  it('inpaints through /images/edits with image, alpha mask, prompt, model, size and n', async () => {
    const size = 1024;
    const init = solid(size, size, [10, 200, 30]);
    const mask: MaskImage = { width: size, height: size, data: new Float32Array(size * size) };
    // A painted square with a soft edge: 0.7 still counts as paint, 0.3 does not.
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (x >= 256 && x < 768 && y >= 256 && y < 768) mask.data[y * size + x] = 1;
        else if (x >= 768 && x < 800 && y >= 256 && y < 768) mask.data[y * size + x] = 0.7;
        else if (x >= 224 && x < 256 && y >= 256 && y < 768) mask.data[y * size + x] = 0.3;
      }
    }
    const updates: ProgressUpdate[] = [];
    const result = await backend().inpaint(
      { prompt: 'a red door', width: size, height: size, seed: 5, init, mask },
      ctx((u) => updates.push(u)),
    );

    const [req] = fake.requests;
    expect(req!.path).toBe('/v1/images/edits');
    expect(req!.headers.authorization).toBe('Bearer sk-test');
    expect(req!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = await req!.asRequest().formData();
    expect([...form.keys()].sort()).toEqual(['image', 'mask', 'model', 'n', 'prompt', 'size']);
    expect(form.get('prompt')).toBe('a red door');
    expect(form.get('model')).toBe('gpt-image-1');
    expect(form.get('size')).toBe('1024x1024');
    expect(form.get('n')).toBe('1');
    const imageFile = form.get('image') as File;
    expect(imageFile.type).toBe('image/png');
    expect((await sharp(Buffer.from(await imageFile.arrayBuffer())).metadata()).format).toBe('png');

    const maskBytes = Buffer.from(await (form.get('mask') as File).arrayBuffer());
    const sent = await sharp(maskBytes).raw().toBuffer({ resolveWithObject: true });
    expect([sent.info.width, sent.info.height, sent.info.channels]).toEqual([size, size, 4]);
    let mismatches = 0;
    for (let i = 0; i < size * size; i++) {
      const wantTransparent = mask.data[i]! >= 0.5;
      if ((sent.data[i * 4 + 3] === 0) !== wantTransparent) mismatches++;
    }
    expect(mismatches).toBe(0);

    // The fake painted where the mask is transparent: our region is new, the rest is the init image.
    expect(pixel(result.image, 512, 512)).toEqual(openAiFakeColor('a red door'));
    expect(pixel(result.image, 785, 512)).toEqual(openAiFakeColor('a red door'));
    expect(pixel(result.image, 100, 100)).toEqual([10, 200, 30]);
    expect(pixel(result.image, 240, 512)).toEqual([10, 200, 30]);
    expect(updates.map((u) => u.fraction)).toEqual([0, 1]);
  });

  it('scales init and mask to the API size and the result back to the requested one', async () => {
    const init = solid(300, 200, [0, 0, 255]);
    const mask: MaskImage = { width: 300, height: 200, data: new Float32Array(300 * 200).fill(0) };
    const result = await backend().inpaint(
      { prompt: 'nothing', width: 300, height: 200, seed: 0, init, mask },
      ctx(),
    );
    const form = await fake.requests[0]!.asRequest().formData();
    expect(form.get('size')).toBe('1536x1024');
    for (const field of ['image', 'mask']) {
      const meta = await sharp(Buffer.from(await (form.get(field) as File).arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([1536, 1024]);
    }
    expect([result.image.width, result.image.height]).toEqual([300, 200]);
    expect(pixel(result.image, 150, 100)).toEqual([0, 0, 255]);
  });

  it('sends dall-e-2 edits a square image with response_format b64_json', async () => {
    const init = solid(256, 256, [50, 50, 50]);
    const mask: MaskImage = { width: 256, height: 256, data: new Float32Array(256 * 256).fill(1) };
    const result = await backend({ model: 'dall-e-2' }).inpaint(
      { prompt: 'sky', width: 256, height: 256, seed: 0, init, mask },
      ctx(),
    );
    const form = await fake.requests[0]!.asRequest().formData();
    expect(form.get('response_format')).toBe('b64_json');
    expect(form.get('size')).toBe('256x256');
    expect(pixel(result.image, 128, 128)).toEqual(openAiFakeColor('sky'));
  });

  it('runs img2img as an edit without a mask on gpt-image-1', async () => {
    const init = solid(1024, 1024, [0, 0, 0]);
    const result = await backend().img2img(
      { prompt: 'dawn', width: 512, height: 512, seed: 3, init, strength: 0.6 },
      ctx(),
    );
    const form = await fake.requests[0]!.asRequest().formData();
    expect(fake.requests[0]!.path).toBe('/v1/images/edits');
    expect(form.has('mask')).toBe(false);
    expect(form.has('image')).toBe(true);
    expect([result.image.width, result.image.height]).toEqual([512, 512]);
  });

  it('refuses img2img and inpaint on dall-e-3 without calling out', async () => {
    const b = backend({ model: 'dall-e-3' });
    const init = solid(64, 64, [0, 0, 0]);
    const mask: MaskImage = { width: 64, height: 64, data: new Float32Array(64 * 64) };
    const params = { prompt: 'p', width: 64, height: 64, seed: 0, init };
    expect((await failure(b.img2img({ ...params, strength: 0.5 }, ctx()))).kind).toBe('UNSUPPORTED');
    expect((await failure(b.inpaint({ ...params, mask }, ctx()))).kind).toBe('UNSUPPORTED');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('OpenAI errors', () => {
  const params = { prompt: 'a cat', width: 64, height: 64, seed: 0 };
  const rateLimited = {
    message: 'Rate limit reached for images',
    type: 'requests',
    code: 'rate_limit_exceeded',
  };

  it('maps 429 with Retry-After to RATE_LIMITED with retryAfterMs', async () => {
    fake.script({ status: 429, body: { error: rateLimited }, headers: { 'retry-after': '7' } });
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({
      status: 429,
      retryAfterMs: 7000,
      providerCode: 'rate_limit_exceeded',
    });
    expect(error.message).toContain('Rate limit reached for images');
  });

  it('falls back to x-ratelimit-reset-requests when there is no Retry-After', async () => {
    fake.script({
      status: 429,
      body: { error: rateLimited },
      headers: { 'x-ratelimit-reset-requests': '1m30s' },
    });
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.details.retryAfterMs).toBe(90_000);
  });

  it('treats an exhausted quota as a configuration problem, not a wait', async () => {
    fake.script({
      status: 429,
      body: {
        error: {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      },
    });
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('AUTH');
    expect(error.retryable).toBe(false);
  });

  it.each([500, 502, 503])('maps %i to UNAVAILABLE', async (status) => {
    fake.script({
      status,
      body: { error: { message: 'The server had an error', type: 'server_error', code: null } },
    });
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('UNAVAILABLE');
    expect(error.details.status).toBe(status);
    expect(error.message).toContain('The server had an error');
  });

  it('maps a wrong key to AUTH', async () => {
    const error = await failure(backend({ apiKey: 'sk-wrong' }).generate(params, ctx()));
    expect(error.kind).toBe('AUTH');
    expect(error.details).toMatchObject({ status: 401, providerCode: 'invalid_api_key' });
  });

  it('maps moderation refusals of both model families to CONTENT_FILTERED', async () => {
    const gpt = await failure(backend().generate({ ...params, prompt: 'something forbidden' }, ctx()));
    expect(gpt.kind).toBe('CONTENT_FILTERED');
    expect(gpt.details.providerCode).toBe('moderation_blocked');
    const dalle = await failure(
      backend({ model: 'dall-e-3' }).generate({ ...params, prompt: 'forbidden too' }, ctx()),
    );
    expect(dalle.kind).toBe('CONTENT_FILTERED');
    expect(dalle.details.providerCode).toBe('content_policy_violation');
  });

  it('gives up with TIMEOUT after timeoutMs', async () => {
    fake.script({ delayMs: 5000 });
    const started = performance.now();
    const error = await failure(backend({ timeoutMs: 150 }).generate(params, ctx()));
    expect(error.kind).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports CANCELLED when the caller aborts mid-request, and sends nothing when already aborted', async () => {
    fake.script({ delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(backend().generate(params, ctx(undefined, controller.signal)));
    expect(error.kind).toBe('CANCELLED');

    fake.requests.length = 0;
    const aborted = await failure(backend().generate(params, ctx(undefined, AbortSignal.abort())));
    expect(aborted.kind).toBe('CANCELLED');
    expect(fake.requests).toHaveLength(0);
  });

  it('calls an unparseable success answer a PROTOCOL error', async () => {
    fake.script({ status: 200, body: { data: [] } });
    expect((await failure(backend().generate(params, ctx()))).kind).toBe('PROTOCOL');
  });
});
