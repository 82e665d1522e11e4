import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BackendError, type RasterImage } from '@pakati/core';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, resizeRaster } from '../src/image-codec.ts';
import { cropImage } from '../src/postprocess/crop.ts';
import { createUpscaler, type Upscaler } from '../src/postprocess/upscaler.ts';

const PHOTO = '/work/shared/fixtures/photos/chelsea.png';

let photo: RasterImage;
let upscaler: Upscaler;

beforeAll(async () => {
  photo = await decodeImage(await readFile(PHOTO));
  upscaler = createUpscaler({ preference: 'wasm' });
});

afterAll(() => upscaler.dispose());

function rgbStats(a: RasterImage, b: RasterImage): { mse: number; max: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (i % 4 === 3) continue;
    const d = a.data[i]! - b.data[i]!;
    sum += d * d;
    max = Math.max(max, Math.abs(d));
    n++;
  }
  return { mse: sum / n, max };
}

async function nearest(image: RasterImage, width: number, height: number): Promise<RasterImage> {
  const { data } = await sharp(Buffer.from(image.data), {
    raw: { width: image.width, height: image.height, channels: 4 },
  })
    .resize(width, height, { fit: 'fill', kernel: 'nearest' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width, height, data: new Uint8ClampedArray(data) };
}

async function rejection(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}

describe('createUpscaler with esrgan-slim', () => {
  it('upscales 2x with the model on wasm, reporting progress', async () => {
    const input = cropImage(photo, { x: 120, y: 80, width: 32, height: 32 });
    const progress: number[] = [];
    const result = await upscaler.upscale(input, 2, { onProgress: (f) => progress.push(f) });
    expect(result.method).toBe('esrgan-slim');
    expect(result.runtime).toBe('wasm');
    expect(result.ms).toBeGreaterThan(0);
    expect([result.image.width, result.image.height]).toEqual([64, 64]);
    expect(result.image.data.length).toBe(64 * 64 * 4);
    expect(progress).toEqual([1]);
    expect(
      Array.from(result.image.data)
        .filter((_, i) => i % 4 === 3)
        .every((a) => a === 255),
    ).toBe(true);
    // The model, not a resize: it differs from lanczos, yet stays close to it.
    const lanczos = await resizeRaster(input, 64, 64);
    const { mse } = rgbStats(result.image, lanczos);
    expect(mse).toBeGreaterThan(1);
    expect(mse).toBeLessThan(400);
  });

  it('restores a downscaled photo better than lanczos and nearest neighbour', async () => {
    const original = cropImage(photo, { x: 100, y: 60, width: 48, height: 48 });
    const small = await resizeRaster(original, 24, 24);
    const esrgan = await upscaler.upscale(small, 2);
    expect(esrgan.method).toBe('esrgan-slim');
    const esrganMse = rgbStats(esrgan.image, original).mse;
    const lanczosMse = rgbStats(await resizeRaster(small, 48, 48), original).mse;
    const nearestMse = rgbStats(await nearest(small, 48, 48), original).mse;
    // Measured on wasm: ~60 vs ~90 (lanczos) and ~76 (nearest).
    expect(esrganMse).toBeLessThan(lanczosMse);
    expect(esrganMse).toBeLessThan(nearestMse);
  });

  it('tiles without seams when the padding covers the receptive field', async () => {
    const input = cropImage(photo, { x: 150, y: 40, width: 48, height: 40 });
    const whole = await upscaler.upscale(input, 2);
    const progress: number[] = [];
    const tiled = await createUpscaler({ preference: 'wasm', patchSize: 16, padding: 10 }).upscale(input, 2, {
      onProgress: (f) => progress.push(f),
    });
    expect(tiled.method).toBe('esrgan-slim');
    expect([tiled.image.width, tiled.image.height]).toEqual([96, 80]);
    // 3 x 3 patches, one update each, increasing to 1.
    expect(progress).toHaveLength(9);
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]!);
    const seamless = rgbStats(tiled.image, whole.image);
    expect(seamless.max).toBeLessThanOrEqual(1);
    expect(seamless.mse).toBeLessThan(0.05);
    // Without context at patch borders the seams show, so the comparison above has teeth.
    const unpadded = await createUpscaler({ preference: 'wasm', patchSize: 16, padding: 0 }).upscale(
      input,
      2,
    );
    expect(rgbStats(unpadded.image, whole.image).max).toBeGreaterThan(10);
  });

  it('upscales 4x', async () => {
    const input = cropImage(photo, { x: 200, y: 100, width: 16, height: 16 });
    const result = await upscaler.upscale(input, 4);
    expect(result.method).toBe('esrgan-slim');
    expect([result.image.width, result.image.height]).toEqual([64, 64]);
    expect(rgbStats(result.image, await resizeRaster(input, 64, 64)).mse).toBeLessThan(400);
  });

  it('upscales alpha separately with lanczos', async () => {
    const input = cropImage(photo, { x: 10, y: 10, width: 16, height: 16 });
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) input.data[(y * 16 + x) * 4 + 3] = 0;
    const result = await upscaler.upscale(input, 2);
    expect(result.method).toBe('esrgan-slim');
    const alphaAt = (x: number, y: number) => result.image.data[(y * 32 + x) * 4 + 3]!;
    for (const y of [0, 15, 31]) {
      expect(alphaAt(2, y)).toBe(0);
      expect(alphaAt(12, y)).toBe(0);
      expect(alphaAt(20, y)).toBe(255);
      expect(alphaAt(31, y)).toBe(255);
    }
  });

  it('does not leak tensors over repeated upscales, cancelled ones included', async () => {
    const input = cropImage(photo, { x: 0, y: 0, width: 40, height: 24 });
    const tiled = createUpscaler({ preference: 'wasm', patchSize: 16, padding: 4 });
    await tiled.upscale(input, 2);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await tiled.upscale(input, 2);
    const controller = new AbortController();
    await rejection(
      tiled.upscale(input, 2, { signal: controller.signal, onProgress: () => controller.abort() }),
    );
    expect(tf.memory().numTensors).toBe(before);
    tiled.dispose();
    await new Promise((resolve) => setImmediate(resolve));
    // dispose() frees the cached model's weights.
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('cancels between patches and before starting', async () => {
    const input = cropImage(photo, { x: 0, y: 0, width: 48, height: 48 });
    const tiled = createUpscaler({ preference: 'wasm', patchSize: 16, padding: 2 });
    const controller = new AbortController();
    const progress: number[] = [];
    const error = await rejection(
      tiled.upscale(input, 2, {
        signal: controller.signal,
        onProgress: (f) => {
          progress.push(f);
          if (progress.length === 2) controller.abort();
        },
      }),
    );
    expect(error.kind).toBe('CANCELLED');
    expect(progress).toEqual([1 / 9, 2 / 9]);
    const early = await rejection(tiled.upscale(input, 2, { signal: AbortSignal.abort() }));
    expect(early.kind).toBe('CANCELLED');
    tiled.dispose();
  });

  it('falls back to lanczos above maxInputPixels', async () => {
    const input = cropImage(photo, { x: 50, y: 50, width: 32, height: 32 });
    const progress: number[] = [];
    const result = await createUpscaler({ preference: 'wasm', maxInputPixels: 32 * 31 }).upscale(input, 2, {
      onProgress: (f) => progress.push(f),
    });
    expect(result.method).toBe('lanczos');
    expect(result.runtime).toBeNull();
    expect(progress).toEqual([1]);
    expect(Array.from(result.image.data)).toEqual(Array.from((await resizeRaster(input, 64, 64)).data));
  });

  it('falls back to lanczos when the model cannot load', async () => {
    const input = cropImage(photo, { x: 50, y: 50, width: 16, height: 16 });
    const missing = createUpscaler({
      preference: 'wasm',
      modelsDir: path.join(import.meta.dirname, 'no-such-models'),
    });
    const result = await missing.upscale(input, 3);
    expect(result.method).toBe('lanczos');
    expect([result.image.width, result.image.height]).toEqual([48, 48]);
  });

  it('rejects invalid scales and options', async () => {
    const input = cropImage(photo, { x: 0, y: 0, width: 8, height: 8 });
    const error = await rejection(upscaler.upscale(input, 5 as 2));
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(() => createUpscaler({ patchSize: 0 })).toThrow(BackendError);
    expect(() => createUpscaler({ padding: -1 })).toThrow(BackendError);
    expect(() => createUpscaler({ maxInputPixels: 0 })).toThrow(BackendError);
  });
});
