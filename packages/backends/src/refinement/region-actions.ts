import type { MaskImage, Point, RasterImage } from '@pakati/core';
import { adjustImage } from '../postprocess/adjust.ts';
import { rasterFromSharp, sharpFromRaster } from '../postprocess/raster-sharp.ts';
import { sharpenImage } from '../postprocess/sharpen.ts';
import { extractBox, type PixelBox, pixelBox, regionMask } from '../region-compositor.ts';
import {
  assertRasterImage,
  type LabStats,
  labStatsOf,
  refinementError,
  reinhardTransfer,
} from './color-transfer.ts';

export interface RefinementRegion {
  /** The region's polygon in image coordinates. */
  points: Point[];
  /** Width of the soft edge inside the polygon, in pixels (0 for a hard, anti-aliased edge). */
  featherPx: number;
}

export type RegionAction =
  | { kind: 'adjust'; brightness?: number; contrast?: number; saturation?: number; hue?: number }
  | { kind: 'sharpen' /** 0 leaves the region unchanged, 1 is a strong unsharp mask. */; amount: number }
  | {
      kind: 'soften' /** 0 leaves the region unchanged, 1 is a Gaussian blur of sigma SOFTEN_SIGMA. */;
      amount: number;
    }
  | { kind: 'color-transfer'; target: LabStats /** 0..1 */; strength: number }
  /** -1..1: cooler (towards blue-cyan) to warmer (towards orange), by up to WARMTH_SHIFT ΔE*ab. */
  | { kind: 'warmth'; amount: number };

export const SOFTEN_SIGMA = 1.5;

/** How far `amount: 1` moves the region's mean colour along the warm axis, in ΔE*ab. */
export const WARMTH_SHIFT = 20;
/** The analysis's warm axis in the a*b* plane (hue 55°, orange). */
const WARM_HUE = (55 * Math.PI) / 180;

/** The unsharp mask that `amount: 1` applies; smaller amounts blend it with the original. */
const FULL_SHARPEN = { sigma: 1, flat: 2, jagged: 4 } as const;

function finite(
  name: string,
  value: unknown,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw refinementError(`${name} must be a finite number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function assertRegion(region: RefinementRegion): void {
  if (!region || !Array.isArray(region.points) || region.points.length < 3) {
    throw refinementError('region must have a polygon of at least 3 points');
  }
  for (const p of region.points) {
    if (!p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      throw refinementError('region points must have finite x and y');
    }
  }
  finite('featherPx', region.featherPx, 0, 1000);
}

function assertAction(action: RegionAction): void {
  switch (action?.kind) {
    case 'adjust':
      for (const key of ['brightness', 'contrast', 'saturation'] as const) {
        if (action[key] !== undefined) finite(key, action[key], 0);
      }
      if (action.hue !== undefined) finite('hue', action.hue);
      return;
    case 'sharpen':
      finite('amount', action.amount, 0, 1);
      return;
    case 'warmth':
      finite('amount', action.amount, -1, 1);
      return;
    case 'soften':
      finite('amount', action.amount, 0, 1);
      return;
    case 'color-transfer': {
      finite('strength', action.strength, 0, 1);
      const { target } = action;
      const triple = (v: unknown, min: number) =>
        Array.isArray(v) &&
        v.length === 3 &&
        v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= min);
      if (!target || !triple(target.mean, Number.NEGATIVE_INFINITY) || !triple(target.std, 0)) {
        throw refinementError('target must have mean and std as three finite numbers each (std >= 0)');
      }
      return;
    }
    default:
      throw refinementError(`unknown region action ${JSON.stringify((action as { kind?: unknown })?.kind)}`);
  }
}

async function blurImage(image: RasterImage, sigma: number): Promise<RasterImage> {
  return rasterFromSharp(sharpFromRaster(image).blur(sigma), image);
}

/** The crop with the operation applied, or null where the operation is the identity. */
async function processCrop(
  crop: RasterImage,
  mask: MaskImage,
  action: RegionAction,
): Promise<RasterImage | null> {
  switch (action.kind) {
    case 'adjust': {
      const { kind: _kind, ...options } = action;
      return adjustImage(crop, options);
    }
    case 'sharpen':
    case 'soften': {
      if (action.amount === 0) return null;
      const filtered =
        action.kind === 'sharpen'
          ? await sharpenImage(crop, FULL_SHARPEN)
          : await blurImage(crop, SOFTEN_SIGMA);
      if (action.amount === 1) return filtered;
      const data = new Uint8ClampedArray(crop.data.length);
      for (let i = 0; i < data.length; i++) {
        data[i] = Math.round(crop.data[i]! + action.amount * (filtered.data[i]! - crop.data[i]!));
      }
      return { width: crop.width, height: crop.height, data };
    }
    case 'color-transfer':
      // Already weighted by the mask: its statistics are the region's, and it blends by strength × coverage.
      return action.strength === 0 ? null : reinhardTransfer(crop, mask, action.target, action.strength);
    case 'warmth': {
      if (action.amount === 0) return null;
      // A pure shift of the mean along the warm axis, spread unchanged: a transfer to the region's own stats, moved.
      const own = labStatsOf(crop, mask);
      const shift = action.amount * WARMTH_SHIFT;
      const target: LabStats = {
        mean: [
          own.mean[0],
          own.mean[1] + shift * Math.cos(WARM_HUE),
          own.mean[2] + shift * Math.sin(WARM_HUE),
        ],
        std: own.std,
      };
      return reinhardTransfer(crop, mask, target, 1);
    }
  }
}

/**
 * Applies one refinement to the pixels inside a region: crops the polygon's pixel box, runs the operation on the
 * crop, and blends the result back through the region's feathered mask. Pixels outside the polygon (mask 0) keep
 * their exact bytes, and so does alpha; the input image is not modified.
 */
export async function applyRegionAction(
  image: RasterImage,
  region: RefinementRegion,
  action: RegionAction,
): Promise<RasterImage> {
  assertRasterImage(image);
  assertRegion(region);
  assertAction(action);
  const out: RasterImage = {
    width: image.width,
    height: image.height,
    data: new Uint8ClampedArray(image.data),
  };

  const xs = region.points.map((p) => p.x);
  const ys = region.points.map((p) => p.y);
  if (
    Math.max(...xs) <= 0 ||
    Math.max(...ys) <= 0 ||
    Math.min(...xs) >= image.width ||
    Math.min(...ys) >= image.height
  ) {
    return out; // The polygon lies wholly off the canvas.
  }
  const box: PixelBox = pixelBox(region.points, image);
  const maskBytes = await regionMask(region.points, box, region.featherPx);
  const mask: MaskImage = { width: box.width, height: box.height, data: new Float32Array(maskBytes.length) };
  let covered = false;
  for (let i = 0; i < maskBytes.length; i++) {
    mask.data[i] = maskBytes[i]! / 255;
    covered ||= maskBytes[i]! > 0;
  }
  if (!covered) return out;

  const crop = extractBox(image, box);
  const processed = await processCrop(crop, mask, action);
  if (!processed) return out;
  const masked = action.kind !== 'color-transfer' && action.kind !== 'warmth';
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const m = maskBytes[y * box.width + x]!;
      if (m === 0) continue;
      const src = (y * box.width + x) * 4;
      const dst = ((box.y + y) * image.width + box.x + x) * 4;
      for (let c = 0; c < 3; c++) {
        const before = crop.data[src + c]!;
        const after = processed.data[src + c]!;
        out.data[dst + c] = masked ? Math.round(before + ((after - before) * m) / 255) : after;
      }
    }
  }
  return out;
}
