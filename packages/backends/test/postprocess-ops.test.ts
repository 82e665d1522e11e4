import { BackendError, type RasterImage } from '@pakati/core';
import { describe, expect, it } from 'vitest';
import { adjustImage } from '../src/postprocess/adjust.ts';
import { cropImage } from '../src/postprocess/crop.ts';
import { sharpenImage } from '../src/postprocess/sharpen.ts';

function image(width: number, height: number, pixel: (x: number, y: number) => number[]): RasterImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 4);
  }
  return { width, height, data };
}

/** Colourful, textured, with alpha that varies, so every operation has something to change. */
const scene = image(32, 32, (x, y) => [
  (x * 8) % 256,
  (y * 8) % 256,
  128 + Math.round(100 * Math.sin((x + y) / 4)),
  x < 8 ? 128 : 255,
]);

function channelMean(img: RasterImage, channel: number): number {
  let sum = 0;
  for (let i = channel; i < img.data.length; i += 4) sum += img.data[i]!;
  return sum / (img.data.length / 4);
}

function rgbStdDev(img: RasterImage): number {
  const values = Array.from(img.data).filter((_, i) => i % 4 !== 3);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

function alpha(img: RasterImage): number[] {
  return Array.from(img.data).filter((_, i) => i % 4 === 3);
}

async function rejectsInvalid(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendError);
  expect((error as BackendError).kind).toBe('INVALID_REQUEST');
}

function throwsInvalid(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BackendError);
  expect((error as BackendError).kind).toBe('INVALID_REQUEST');
}

describe('adjustImage', () => {
  it('returns identical pixels (in a new raster) for identity options', async () => {
    for (const options of [{}, { brightness: 1, contrast: 1, saturation: 1, hue: 0 }, { hue: 360 }]) {
      const out = await adjustImage(scene, options);
      expect(out).not.toBe(scene);
      expect(out.width).toBe(32);
      expect(out.height).toBe(32);
      expect(Array.from(out.data)).toEqual(Array.from(scene.data));
    }
  });

  it('brightens with brightness > 1 and keeps alpha', async () => {
    const out = await adjustImage(scene, { brightness: 1.5 });
    const before = channelMean(scene, 0) + channelMean(scene, 1) + channelMean(scene, 2);
    const after = channelMean(out, 0) + channelMean(out, 1) + channelMean(out, 2);
    expect(after).toBeGreaterThan(before * 1.15);
    expect(alpha(out)).toEqual(alpha(scene));
    const darker = await adjustImage(scene, { brightness: 0.5 });
    expect(channelMean(darker, 1)).toBeLessThan(channelMean(scene, 1) * 0.8);
  });

  it('turns the image grey with saturation 0', async () => {
    const out = await adjustImage(scene, { saturation: 0 });
    let maxSpread = 0;
    for (let i = 0; i < out.data.length; i += 4) {
      const [r, g, b] = [out.data[i]!, out.data[i + 1]!, out.data[i + 2]!];
      maxSpread = Math.max(maxSpread, Math.max(r, g, b) - Math.min(r, g, b));
    }
    expect(maxSpread).toBeLessThanOrEqual(2);
    expect(alpha(out)).toEqual(alpha(scene));
    // The original is far from grey, so the check above is not vacuous.
    expect(Math.abs(scene.data[4 * 20]! - scene.data[4 * 20 + 1]!)).toBeGreaterThan(100);
  });

  it('rotates red towards green and blue with hue', async () => {
    const red = image(8, 8, () => [200, 30, 30, 255]);
    const plus = await adjustImage(red, { hue: 120 });
    expect(channelMean(plus, 1)).toBeGreaterThan(channelMean(plus, 0) + 40);
    expect(channelMean(plus, 1)).toBeGreaterThan(channelMean(plus, 2));
    const minus = await adjustImage(red, { hue: -120 });
    expect(channelMean(minus, 2)).toBeGreaterThan(channelMean(minus, 0) + 40);
    expect(channelMean(minus, 2)).toBeGreaterThan(channelMean(minus, 1));
  });

  it('spreads values around mid-grey with contrast', async () => {
    const more = await adjustImage(scene, { contrast: 1.5 });
    const less = await adjustImage(scene, { contrast: 0.5 });
    expect(rgbStdDev(more)).toBeGreaterThan(rgbStdDev(scene) * 1.2);
    expect(rgbStdDev(less)).toBeLessThan(rgbStdDev(scene) * 0.6);
    expect(alpha(more)).toEqual(alpha(scene));
    const flat = await adjustImage(scene, { contrast: 0 });
    expect(
      Array.from(flat.data)
        .filter((_, i) => i % 4 !== 3)
        .every((v) => v === 128),
    ).toBe(true);
    // A mid-grey pixel is the fixed point.
    const grey = await adjustImage(
      image(2, 2, () => [128, 128, 128, 255]),
      { contrast: 2 },
    );
    expect(Array.from(grey.data.subarray(0, 3))).toEqual([128, 128, 128]);
  });

  it('rejects invalid options', async () => {
    await rejectsInvalid(adjustImage(scene, { brightness: -1 }));
    await rejectsInvalid(adjustImage(scene, { saturation: Number.NaN }));
    await rejectsInvalid(adjustImage(scene, { contrast: Number.POSITIVE_INFINITY }));
    await rejectsInvalid(adjustImage(scene, { hue: Number.NaN }));
    await rejectsInvalid(adjustImage({ width: 2, height: 2, data: new Uint8ClampedArray(15) }, {}));
  });
});

describe('sharpenImage', () => {
  // A soft vertical edge between two mid tones, so sharpening has room to overshoot on both sides.
  const edge = image(32, 16, (x) => {
    const t = Math.min(1, Math.max(0, (x - 13) / 6));
    const v = Math.round(80 + 90 * t);
    return [v, v, v, 255];
  });

  function gradientEnergy(img: RasterImage): number {
    let sum = 0;
    for (let y = 0; y < img.height; y++) {
      for (let x = 1; x < img.width; x++) {
        const d = img.data[(y * img.width + x) * 4]! - img.data[(y * img.width + x - 1) * 4]!;
        sum += d * d;
      }
    }
    return sum;
  }

  it('increases the edge gradient', async () => {
    const mild = await sharpenImage(edge);
    const strong = await sharpenImage(edge, { sigma: 2, flat: 2, jagged: 4 });
    expect(gradientEnergy(mild)).toBeGreaterThan(gradientEnergy(edge) * 1.05);
    expect(gradientEnergy(strong)).toBeGreaterThan(gradientEnergy(mild));
    // Far from the edge nothing changes.
    expect(mild.data[(8 * 32 + 1) * 4]).toBe(80);
    expect(strong.data[(8 * 32 + 30) * 4]).toBe(170);
  });

  it('keeps size and alpha', async () => {
    const out = await sharpenImage(scene, { sigma: 1 });
    expect([out.width, out.height]).toEqual([32, 32]);
    expect(alpha(out)).toEqual(alpha(scene));
    expect(Array.from(out.data)).not.toEqual(Array.from(scene.data));
  });

  it('rejects out-of-range options', async () => {
    await rejectsInvalid(sharpenImage(scene, { sigma: 0 }));
    await rejectsInvalid(sharpenImage(scene, { sigma: 11 }));
    await rejectsInvalid(sharpenImage(scene, { flat: -1 }));
    await rejectsInvalid(sharpenImage(scene, { jagged: Number.NaN }));
  });
});

describe('cropImage', () => {
  it('copies exactly the requested pixels', () => {
    const out = cropImage(scene, { x: 5, y: 7, width: 10, height: 3 });
    expect([out.width, out.height]).toEqual([10, 3]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 10; x++) {
        const src = ((7 + y) * 32 + 5 + x) * 4;
        expect(Array.from(out.data.subarray((y * 10 + x) * 4, (y * 10 + x) * 4 + 4))).toEqual(
          Array.from(scene.data.subarray(src, src + 4)),
        );
      }
    }
    // A copy: writing to it leaves the source alone.
    out.data[0] = (out.data[0]! + 1) % 256;
    expect(out.data[0]).not.toBe(scene.data[(7 * 32 + 5) * 4]);
    const whole = cropImage(scene, { x: 0, y: 0, width: 32, height: 32 });
    expect(Array.from(whole.data)).toEqual(Array.from(scene.data));
  });

  it('rejects rectangles that are not whole pixels inside the image', () => {
    throwsInvalid(() => cropImage(scene, { x: 0.5, y: 0, width: 4, height: 4 }));
    throwsInvalid(() => cropImage(scene, { x: 0, y: 0, width: 4, height: Number.NaN }));
    throwsInvalid(() => cropImage(scene, { x: -1, y: 0, width: 4, height: 4 }));
    throwsInvalid(() => cropImage(scene, { x: 0, y: 0, width: 0, height: 4 }));
    throwsInvalid(() => cropImage(scene, { x: 30, y: 0, width: 3, height: 4 }));
    throwsInvalid(() => cropImage(scene, { x: 0, y: 29, width: 4, height: 4 }));
    expect(cropImage(scene, { x: 28, y: 28, width: 4, height: 4 }).data.length).toBe(64);
  });
});
