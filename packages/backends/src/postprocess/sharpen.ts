import type { RasterImage } from '@pakati/core';
import { assertRaster, invalidRequest, rasterFromSharp, sharpFromRaster } from './raster-sharp.ts';

export interface SharpenOptions {
  /** Gaussian sigma of the unsharp mask, 0.000001..10. Without any option sharp's fast, mild 3x3 sharpen runs. */
  sigma?: number;
  /** Sharpening of flat areas, 0..1000000 (sharp's m1, default 1). */
  flat?: number;
  /** Sharpening of jagged areas, 0..1000000 (sharp's m2, default 2). */
  jagged?: number;
}

/** Sharpens with sharp's unsharp mask (on lightness, in LAB); alpha is kept exactly. */
export async function sharpenImage(image: RasterImage, options: SharpenOptions = {}): Promise<RasterImage> {
  assertRaster(image);
  const { sigma, flat, jagged } = options;
  let pipeline = sharpFromRaster(image);
  if (sigma === undefined && flat === undefined && jagged === undefined) {
    pipeline = pipeline.sharpen();
  } else {
    // sharp takes flat/jagged only together with a sigma; 1 is a moderate radius for those callers.
    const s = sigma ?? 1;
    if (!Number.isFinite(s) || s < 0.000001 || s > 10) {
      throw invalidRequest(`sigma must be between 0.000001 and 10, got ${s}`);
    }
    pipeline = pipeline.sharpen({
      sigma: s,
      ...(flat === undefined ? {} : { m1: inRange('flat', flat) }),
      ...(jagged === undefined ? {} : { m2: inRange('jagged', jagged) }),
    });
  }
  return rasterFromSharp(pipeline, image);
}

function inRange(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1_000_000) {
    throw invalidRequest(`${name} must be between 0 and 1000000, got ${value}`);
  }
  return value;
}
