import { readFileSync } from 'node:fs';
import {
  analyzeImage,
  jsKernel,
  lumaPlane,
  type RasterImage,
  type RegionStats,
  rasterizeMask,
  structuralSimilarity,
} from '@pakati/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTfjsKernel, loadPhoto, loadTfjs, type TfjsKernel } from '../src/index.ts';

// Only the wasm backend runs here. The GPU path (tfjs-node-gpu / tfjs-node, the 'tensorflow' backend) is UNTESTED:
// this machine has neither a GPU nor the native bindings installed.

const PHOTOS = ['astronaut.png', 'coffee.png'];
const SIZE = 256;
const photo = (name: string) => readFileSync(new URL(`../../../fixtures/photos/${name}`, import.meta.url));

/** Stated tolerances: filters within 1e-3 absolute, every region statistic within 1e-2 absolute, SSIM within 1e-2. */
const FILTER_TOLERANCE = 1e-3;
const STATISTIC_TOLERANCE = 1e-2;
const SSIM_TOLERANCE = 1e-2;

async function loadResized(name: string): Promise<RasterImage> {
  return loadPhoto(await sharp(photo(name)).resize(SIZE, SIZE, { fit: 'fill' }).png().toBuffer());
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Every number a region's statistics carry, by path, except the thumbnail planes. */
function numbers(stats: RegionStats): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'number') out.set(path, value);
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
    } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
      for (const [k, v] of Object.entries(value)) if (k !== 'structure') walk(v, `${path}.${k}`);
    }
  };
  walk(stats, 'stats');
  return out;
}

describe('tfjs analysis kernel (wasm)', () => {
  let kernel: TfjsKernel;
  beforeAll(async () => {
    kernel = await createTfjsKernel({ preference: 'wasm' });
  });
  afterAll(() => kernel.dispose());

  it('runs on the wasm backend', () => {
    expect(kernel.backend).toBe('wasm');
    expect(kernel.name).toBe('tfjs-wasm');
  });

  it('matches the JavaScript filters on a small ramp, edges included', async () => {
    const width = 7;
    const height = 5;
    const plane = Float32Array.from({ length: width * height }, (_, i) => (i * 37) % 11);
    const copy = plane.slice();
    expect(
      maxDifference(
        await kernel.blur(plane, width, height, 1.5),
        await jsKernel.blur(plane, width, height, 1.5),
      ),
    ).toBeLessThan(1e-5);
    expect(
      maxDifference(
        await kernel.laplacian(plane, width, height),
        await jsKernel.laplacian(plane, width, height),
      ),
    ).toBeLessThan(1e-5);
    expect(
      maxDifference(await kernel.sobel(plane, width, height), await jsKernel.sobel(plane, width, height)),
    ).toBeLessThan(1e-5);
    expect(plane).toEqual(copy);
  });

  it.each(PHOTOS)(`agrees with the JavaScript filters on %s at ${SIZE}×${SIZE}`, async (name) => {
    const image = await loadResized(name);
    const luma = lumaPlane(image);
    const pairs = [
      [await kernel.blur(luma, SIZE, SIZE, 1.5), await jsKernel.blur(luma, SIZE, SIZE, 1.5)],
      [await kernel.blur(luma, SIZE, SIZE, 4), await jsKernel.blur(luma, SIZE, SIZE, 4)],
      [await kernel.laplacian(luma, SIZE, SIZE), await jsKernel.laplacian(luma, SIZE, SIZE)],
      [await kernel.sobel(luma, SIZE, SIZE), await jsKernel.sobel(luma, SIZE, SIZE)],
    ] as const;
    for (const [tfjs, portable] of pairs)
      expect(maxDifference(tfjs, portable)).toBeLessThan(FILTER_TOLERANCE);
  });

  it('gives the same analyzeImage statistics as the JavaScript kernel', async () => {
    let worst = 0;
    for (const name of PHOTOS) {
      const image = await loadResized(name);
      const regions = [
        {
          id: 'centre',
          mask: {
            width: SIZE,
            height: SIZE,
            data: rasterizeMask(
              [
                { x: SIZE / 2, y: 10 },
                { x: SIZE - 10, y: SIZE - 10 },
                { x: 10, y: SIZE / 2 },
              ],
              SIZE,
              SIZE,
            ),
          },
        },
      ];
      const a = await analyzeImage(image, regions, kernel);
      const b = await analyzeImage(image, regions, jsKernel);
      expect(a.kernel).toBe('tfjs-wasm');
      for (const [tfjs, portable] of [
        [a.canvas, b.canvas],
        [a.regions[0]!, b.regions[0]!],
      ] as const) {
        const n = numbers(tfjs);
        expect(n.size).toBe(numbers(portable).size);
        for (const [path, value] of numbers(portable)) {
          const difference = Math.abs(value - n.get(path)!);
          worst = Math.max(worst, difference);
          if (!(difference < STATISTIC_TOLERANCE)) expect.fail(`${name} ${path}: ${value} vs ${n.get(path)}`);
        }
        expect(maxDifference(tfjs.structure.moments.mean, portable.structure.moments.mean)).toBeLessThan(
          FILTER_TOLERANCE,
        );
      }
    }
    expect(worst).toBeLessThan(STATISTIC_TOLERANCE);
  });

  it('gives the same SSIM as the JavaScript kernel', async () => {
    const x = lumaPlane(await loadResized('astronaut.png'));
    const edited = await loadPhoto(
      await sharp(photo('astronaut.png'))
        .resize(SIZE, SIZE, { fit: 'fill' })
        .modulate({ brightness: 1.2 })
        .blur(1)
        .png()
        .toBuffer(),
    );
    for (const y of [lumaPlane(edited), lumaPlane(await loadResized('coffee.png'))]) {
      const tfjs = await structuralSimilarity(x, y, SIZE, SIZE, kernel);
      const portable = await structuralSimilarity(x, y, SIZE, SIZE, jsKernel);
      expect(Math.abs(tfjs - portable)).toBeLessThan(SSIM_TOLERANCE);
    }
  });

  it('leaks no tensors over 1,000 blur + laplacian + sobel runs', async () => {
    const { tf } = await loadTfjs('wasm');
    const plane = Float32Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i / 7) * 100);
    // One warm-up so the kernel's cached filter tensors exist before counting.
    await kernel.blur(plane, 64, 64, 1.5);
    await kernel.laplacian(plane, 64, 64);
    await kernel.sobel(plane, 64, 64);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) {
      await kernel.blur(plane, 64, 64, 1.5);
      await kernel.laplacian(plane, 64, 64);
      await kernel.sobel(plane, 64, 64);
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('rejects bad input without leaking', async () => {
    const { tf } = await loadTfjs('wasm');
    const before = tf.memory().numTensors;
    await expect(kernel.blur(new Float32Array(10), 4, 4, 1.5)).rejects.toThrow(/expected 16/);
    await expect(kernel.blur(new Float32Array(16), 4, 4, 0)).rejects.toThrow(/sigma/);
    await expect(kernel.laplacian(new Float32Array(16), 0, 16)).rejects.toThrow(/positive integers/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees its filter tensors on dispose and refuses work afterwards', async () => {
    const { tf } = await loadTfjs('wasm');
    const own = await createTfjsKernel({ preference: 'wasm' });
    const before = tf.memory().numTensors;
    const plane = new Float32Array(16).fill(1);
    await own.blur(plane, 4, 4, 2);
    await own.sobel(plane, 4, 4);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    own.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(own.laplacian(plane, 4, 4)).rejects.toThrow(/disposed/);
    expect(() => own.dispose()).not.toThrow();
  });
});
