import { readFileSync } from 'node:fs';
import {
  analyzeImage,
  jsKernel,
  lumaPlane,
  type RegionStats,
  rasterizeMask,
  structuralSimilarity,
} from '@pakati/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createSharpKernel, encodeFloatTiff, loadPhoto } from '../src/index.ts';

const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg'];
const photo = (name: string) => readFileSync(new URL(`../../../fixtures/photos/${name}`, import.meta.url));
/** Every plane through libvips, however small, so the comparison covers the native path. */
const sharpOnly = createSharpKernel({ minPixels: 0 });

/** Stated tolerances: filters agree to float rounding, every statistic within 1e-2 absolute, SSIM within 1e-2. */
const FILTER_TOLERANCE = 1e-3;
const STATISTIC_TOLERANCE = 1e-2;
const SSIM_TOLERANCE = 1e-2;

function maxDifference(a: Float32Array, b: Float32Array): number {
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

describe('float TIFF transport', () => {
  it('carries a float plane through sharp unchanged, negative values included', async () => {
    const values = Float32Array.from({ length: 35 * 21 }, (_, i) => Math.sin(i) * 1000 - 0.123);
    const { data, info } = await sharp(encodeFloatTiff(values, 35, 21))
      .toColourspace('b-w')
      .raw({ depth: 'float' })
      .toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 35, height: 21, channels: 1 });
    expect(new Float32Array(new Uint8Array(data).buffer)).toEqual(values);
  });
});

describe('sharp kernel', () => {
  it.each(PHOTOS)('agrees with the JavaScript filters on %s', async (name) => {
    const image = await loadPhoto(photo(name));
    const { width, height } = image;
    const luma = lumaPlane(image);
    const pairs = [
      [await sharpOnly.blur(luma, width, height, 1.5), await jsKernel.blur(luma, width, height, 1.5)],
      [await sharpOnly.blur(luma, width, height, 4), await jsKernel.blur(luma, width, height, 4)],
      [await sharpOnly.laplacian(luma, width, height), await jsKernel.laplacian(luma, width, height)],
      [await sharpOnly.sobel(luma, width, height), await jsKernel.sobel(luma, width, height)],
    ] as const;
    for (const [native, portable] of pairs)
      expect(maxDifference(native, portable)).toBeLessThan(FILTER_TOLERANCE);
  });

  it('gives the same statistics as the JavaScript kernel on every fixture photo', async () => {
    let worst = 0;
    for (const name of PHOTOS) {
      const image = await loadPhoto(photo(name));
      const { width, height } = image;
      const regions = [
        {
          id: 'centre',
          mask: {
            width,
            height,
            data: rasterizeMask(
              [
                { x: width / 2, y: 10 },
                { x: width - 10, y: height - 10 },
                { x: 10, y: height / 2 },
              ],
              width,
              height,
            ),
          },
        },
      ];
      const [a, b] = await Promise.all([
        analyzeImage(image, regions, sharpOnly),
        analyzeImage(image, regions, jsKernel),
      ]);
      expect(a.kernel).toBe('sharp');
      for (const [native, portable] of [
        [a.canvas, b.canvas],
        [a.regions[0]!, b.regions[0]!],
      ] as const) {
        const n = numbers(native);
        for (const [path, value] of numbers(portable)) {
          const difference = Math.abs(value - n.get(path)!);
          worst = Math.max(worst, difference);
          if (difference >= STATISTIC_TOLERANCE) expect.fail(`${name} ${path}: ${value} vs ${n.get(path)}`);
        }
        expect(maxDifference(native.structure.moments.mean, portable.structure.moments.mean)).toBeLessThan(
          FILTER_TOLERANCE,
        );
      }
    }
    expect(worst).toBeLessThan(STATISTIC_TOLERANCE);
  });

  it('gives the same SSIM as the JavaScript kernel', async () => {
    const bytes = photo('astronaut.png');
    const original = await loadPhoto(bytes);
    const edited = await loadPhoto(await sharp(bytes).modulate({ brightness: 1.2 }).blur(1).png().toBuffer());
    const other = await loadPhoto(
      await sharp(photo('coffee.png')).resize(512, 512, { fit: 'fill' }).png().toBuffer(),
    );
    const x = lumaPlane(original);
    for (const y of [lumaPlane(edited), lumaPlane(other)]) {
      const native = await structuralSimilarity(x, y, 512, 512, sharpOnly);
      const portable = await structuralSimilarity(x, y, 512, 512, jsKernel);
      expect(Math.abs(native - portable)).toBeLessThan(SSIM_TOLERANCE);
    }
  });

  it('sends small planes to the JavaScript filters by default', async () => {
    const kernel = createSharpKernel();
    const plane = Float32Array.from({ length: 20 * 10 }, (_, i) => i % 7);
    expect(await kernel.laplacian(plane, 20, 10)).toEqual(jsKernel.laplacian(plane, 20, 10));
  });
});
