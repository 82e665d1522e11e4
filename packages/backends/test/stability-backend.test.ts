import type { MaskImage, ProgressUpdate } from '@pakati/core';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodePng } from '../src/image-codec.ts';
import {
  createStabilityBackend,
  nearestAspectRatio,
  toStabilitySeed,
} from '../src/stability/stability-backend.ts';
import { stabilityFakeChosenSeed, stabilityFakeColor, startStabilityFake } from './fakes/stability-fake.ts';
import { backendFailure as failure, pixel, solid } from './helpers/rasters.ts';

type Fake = Awaited<ReturnType<typeof startStabilityFake>>;
let fake: Fake;

beforeAll(async () => {
  fake = await startStabilityFake();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

function ctx(onProgress?: (u: ProgressUpdate) => void, signal = new AbortController().signal) {
  return { signal, onProgress };
}

function backend(extra: Partial<Parameters<typeof createStabilityBackend>[0]> = {}) {
  return createStabilityBackend({ apiKey: fake.apiKey, baseUrl: fake.url, ...extra });
}

async function lastForm() {
  return fake.requests.at(-1)!.asRequest().formData();
}

function fields(form: FormData) {
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string'));
}

describe('Stability mapping', () => {
  it.each([
    [1920, 1080, '16:9'],
    [1024, 1024, '1:1'],
    [1100, 1000, '1:1'],
    [2560, 1080, '21:9'],
    [4000, 1000, '21:9'],
    [800, 1200, '2:3'],
    [1200, 800, '3:2'],
    [800, 1000, '4:5'],
    [1000, 800, '5:4'],
    [1080, 1920, '9:16'],
    [1080, 2520, '9:21'],
  ])('%ix%i is closest to %s', (width, height, ratio) => {
    expect(nearestAspectRatio(width, height)).toBe(ratio);
  });

  it('keeps seeds in the range Stability accepts', () => {
    expect(toStabilitySeed(42)).toBe(42);
    expect(toStabilitySeed(4_294_967_294)).toBe(4_294_967_294);
    expect(toStabilitySeed(2 ** 32 + 5)).toBe(5);
    expect(toStabilitySeed(-2)).toBe(4_294_967_294);
  });
});

describe('Stability generate', () => {
  it('posts multipart fields to the core endpoint and returns the requested size', async () => {
    const updates: ProgressUpdate[] = [];
    const result = await backend().generate(
      { prompt: 'a harbour', negativePrompt: 'fog', width: 640, height: 360, seed: 42 },
      ctx((u) => updates.push(u)),
    );
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/v2beta/stable-image/generate/core');
    expect(req!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(req!.headers.accept).toBe('image/*');
    expect(req!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(fields(await lastForm())).toEqual({
      prompt: 'a harbour',
      negative_prompt: 'fog',
      seed: '42',
      aspect_ratio: '16:9',
      output_format: 'png',
    });

    expect([result.image.width, result.image.height]).toEqual([640, 360]);
    expect(pixel(result.image, 320, 180)).toEqual(stabilityFakeColor('a harbour', 42));
    expect(result.seed).toBe(42);
    expect(result.model).toBe('core');
    expect(updates.map((u) => u.fraction)).toEqual([0, 1]);
  });

  it('reports the seed Stability chose, from the seed header, and is deterministic for a fixed seed', async () => {
    const b = backend();
    const chosen = await b.generate({ prompt: 'dunes', width: 64, height: 64, seed: 0 }, ctx());
    expect((await lastForm()).get('seed')).toBe('0');
    expect(chosen.seed).toBe(stabilityFakeChosenSeed('dunes'));
    expect(pixel(chosen.image, 10, 10)).toEqual(stabilityFakeColor('dunes', chosen.seed));

    const again = await b.generate({ prompt: 'dunes', width: 64, height: 64, seed: chosen.seed }, ctx());
    expect(again.seed).toBe(chosen.seed);
    expect(Buffer.from(again.image.data).equals(Buffer.from(chosen.image.data))).toBe(true);
    const other = await b.generate({ prompt: 'dunes', width: 64, height: 64, seed: chosen.seed + 1 }, ctx());
    expect(pixel(other.image, 10, 10)).not.toEqual(pixel(chosen.image, 10, 10));
  });

  it('leaves negative_prompt out when there is none', async () => {
    await backend().generate({ prompt: 'p', negativePrompt: null, width: 64, height: 64, seed: 1 }, ctx());
    expect((await lastForm()).has('negative_prompt')).toBe(false);
  });

  it('routes ultra and the SD3 family, naming the SD3 model and mode', async () => {
    await backend({ model: 'ultra' }).generate({ prompt: 'p', width: 900, height: 1600, seed: 1 }, ctx());
    expect(fake.requests.at(-1)!.path).toBe('/v2beta/stable-image/generate/ultra');
    expect((await lastForm()).get('aspect_ratio')).toBe('9:16');

    const large = await backend({ model: 'sd3.5-large' }).generate(
      { prompt: 'p', width: 64, height: 64, seed: 1 },
      ctx(),
    );
    expect(fake.requests.at(-1)!.path).toBe('/v2beta/stable-image/generate/sd3');
    expect(fields(await lastForm())).toMatchObject({ model: 'sd3.5-large', mode: 'text-to-image' });
    expect(large.model).toBe('sd3.5-large');

    await backend({ model: 'sd3' }).generate({ prompt: 'p', width: 64, height: 64, seed: 1 }, ctx());
    const form = await lastForm();
    expect(form.has('model')).toBe(false);
    expect(form.get('mode')).toBe('text-to-image');
  });

  it('falls back to a JSON body with base64 when that is what comes back', async () => {
    const png = await encodePng(solid(32, 32, [1, 2, 3]));
    fake.script({ status: 200, body: { image: png.toString('base64'), seed: 77, finish_reason: 'SUCCESS' } });
    const result = await backend().generate({ prompt: 'p', width: 48, height: 48, seed: 5 }, ctx());
    expect(result.seed).toBe(77);
    expect(pixel(result.image, 24, 24)).toEqual([1, 2, 3]);
  });
});

describe('Stability img2img and inpaint', () => {
  it('runs img2img on the SD3 endpoint with image and strength', async () => {
    const init = solid(200, 100, [0, 0, 0]);
    const result = await backend({ model: 'sd3.5-medium' }).img2img(
      { prompt: 'neon', negativePrompt: 'dull', width: 400, height: 200, seed: 9, init, strength: 0.25 },
      ctx(),
    );
    expect(fake.requests.at(-1)!.path).toBe('/v2beta/stable-image/generate/sd3');
    const form = await lastForm();
    expect(fields(form)).toEqual({
      prompt: 'neon',
      negative_prompt: 'dull',
      seed: '9',
      output_format: 'png',
      model: 'sd3.5-medium',
      mode: 'image-to-image',
      strength: '0.25',
    });
    const image = form.get('image') as File;
    expect(image.type).toBe('image/png');
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 200, 100]);
    expect([result.image.width, result.image.height]).toEqual([400, 200]);
    const color = stabilityFakeColor('neon', 9);
    expect(pixel(result.image, 200, 100)).toEqual(color.map((c) => Math.round(c * 0.25)));
  });

  it('uses the SD3 endpoint default for img2img when configured for core', async () => {
    const init = solid(64, 64, [0, 0, 0]);
    const result = await backend().img2img(
      { prompt: 'p', width: 64, height: 64, seed: 1, init, strength: 1 },
      ctx(),
    );
    expect(fake.requests.at(-1)!.path).toBe('/v2beta/stable-image/generate/sd3');
    expect((await lastForm()).has('model')).toBe(false);
    expect(result.model).toBe('sd3');
  });

  it('inpaints with a white-means-paint mask', async () => {
    const init = solid(128, 64, [20, 40, 60]);
    const mask: MaskImage = { width: 128, height: 64, data: new Float32Array(128 * 64) };
    for (let y = 0; y < 64; y++) for (let x = 64; x < 128; x++) mask.data[y * 128 + x] = 1;
    const result = await backend().inpaint(
      { prompt: 'a window', negativePrompt: 'bars', width: 128, height: 64, seed: 11, init, mask },
      ctx(),
    );
    expect(fake.requests.at(-1)!.path).toBe('/v2beta/stable-image/edit/inpaint');
    const form = await lastForm();
    expect(fields(form)).toEqual({
      prompt: 'a window',
      negative_prompt: 'bars',
      seed: '11',
      output_format: 'png',
    });
    const sentMask = await sharp(Buffer.from(await (form.get('mask') as File).arrayBuffer()))
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([sentMask.info.width, sentMask.info.height]).toEqual([128, 64]);
    expect(sentMask.data[10 * 128 + 100]).toBe(255);
    expect(sentMask.data[10 * 128 + 10]).toBe(0);

    expect(pixel(result.image, 100, 32)).toEqual(stabilityFakeColor('a window', 11));
    expect(pixel(result.image, 10, 32)).toEqual([20, 40, 60]);
  });
});

describe('Stability errors', () => {
  const params = { prompt: 'a cat', width: 64, height: 64, seed: 1 };

  it('maps 400 to INVALID_REQUEST with the errors list as message', async () => {
    const error = await failure(backend({ model: 'sd3.9-giant' }).generate(params, ctx()));
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(error.details).toMatchObject({ status: 400, providerCode: 'bad_request' });
    expect(error.message).toContain('model: unknown model sd3.9-giant');
  });

  it('maps 413 to INVALID_REQUEST', async () => {
    fake.script({ status: 413, body: { name: 'payload_too_large', errors: ['body: payload too large'] } });
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(error.retryable).toBe(false);
  });

  it('maps the 403 moderation answer to CONTENT_FILTERED', async () => {
    const error = await failure(backend().generate({ ...params, prompt: 'forbidden scene' }, ctx()));
    expect(error.kind).toBe('CONTENT_FILTERED');
    expect(error.details).toMatchObject({ status: 403, providerCode: 'content_moderation' });
  });

  it('refuses a blurred CONTENT_FILTERED answer instead of returning it', async () => {
    const error = await failure(backend().generate({ ...params, prompt: 'blurry-nsfw scene' }, ctx()));
    expect(error.kind).toBe('CONTENT_FILTERED');
    expect(error.details.providerCode).toBe('CONTENT_FILTERED');
  });

  it('maps 429 with Retry-After to RATE_LIMITED', async () => {
    fake.script({
      status: 429,
      body: { name: 'rate_limit_exceeded', errors: ['You have exceeded the rate limit'] },
      headers: { 'retry-after': '10' },
    });
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.details.retryAfterMs).toBe(10_000);
  });

  it.each([500, 503])('maps %i to UNAVAILABLE', async (status) => {
    fake.script({ status, body: { name: 'internal_error', message: 'An unexpected server error occurred' } });
    const error = await failure(backend().generate(params, ctx()));
    expect(error.kind).toBe('UNAVAILABLE');
    expect(error.message).toContain('An unexpected server error occurred');
  });

  it('maps a wrong key to AUTH', async () => {
    const error = await failure(backend({ apiKey: 'nope' }).generate(params, ctx()));
    expect(error.kind).toBe('AUTH');
    expect(error.details.status).toBe(401);
  });

  it('gives up with TIMEOUT after timeoutMs', async () => {
    fake.script({ delayMs: 5000 });
    const started = performance.now();
    const error = await failure(backend({ timeoutMs: 150 }).generate(params, ctx()));
    expect(error.kind).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports CANCELLED when the caller aborts', async () => {
    fake.script({ delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(
      backend({ timeoutMs: 10_000 }).generate(params, ctx(undefined, controller.signal)),
    );
    expect(error.kind).toBe('CANCELLED');
  });
});
