import { BackendError, labToRgb, type MaskImage, type RasterImage, rgbToLab } from '@pakati/core';

/** The `backend` every refinement error names. */
export const REFINEMENT = 'refinement';

export function refinementError(message: string): BackendError {
  return new BackendError('INVALID_REQUEST', REFINEMENT, message);
}

/** Per-channel CIELAB statistics: [L*, a*, b*] means and standard deviations. */
export interface LabStats {
  mean: [number, number, number];
  std: [number, number, number];
}

/** Below this a source channel counts as flat: it is shifted to the target mean, never stretched. */
const FLAT_STD = 1e-6;

export function assertRasterImage(image: RasterImage): void {
  const { width, height, data } = image ?? {};
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw refinementError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (!(data instanceof Uint8ClampedArray) || data.length !== width * height * 4) {
    throw refinementError(`image data must be ${width * height * 4} RGBA bytes`);
  }
}

function assertMask(mask: MaskImage, image: RasterImage): void {
  if (!mask || mask.width !== image.width || mask.height !== image.height) {
    throw refinementError(
      `mask must be ${image.width}x${image.height} like the image, got ${mask?.width}x${mask?.height}`,
    );
  }
  if (!(mask.data instanceof Float32Array) || mask.data.length !== image.width * image.height) {
    throw refinementError(`mask data must be ${image.width * image.height} floats`);
  }
}

function assertStats(stats: LabStats): void {
  const ok = (v: unknown, min: number) =>
    Array.isArray(v) &&
    v.length === 3 &&
    v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= min);
  if (!stats || !ok(stats.mean, Number.NEGATIVE_INFINITY) || !ok(stats.std, 0)) {
    throw refinementError('target must have mean and std as three finite numbers each (std >= 0)');
  }
}

/** Coverage in [0, 1]; NaN and out-of-range values are clamped (NaN counts as 0). */
function coverage(mask: MaskImage, i: number): number {
  const m = mask.data[i]!;
  return m > 0 ? Math.min(1, m) : 0;
}

/** Coverage-weighted CIELAB mean and standard deviation of `image` (the whole image without a mask). */
export function labStatsOf(image: RasterImage, mask?: MaskImage): LabStats {
  assertRasterImage(image);
  if (mask) assertMask(mask, image);
  const { data } = image;
  const sum = [0, 0, 0];
  const sumSq = [0, 0, 0];
  let weight = 0;
  for (let i = 0, n = image.width * image.height; i < n; i++) {
    const w = mask ? coverage(mask, i) : 1;
    if (w === 0) continue;
    const lab = rgbToLab(data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!);
    const values = [lab.L, lab.a, lab.b];
    for (let c = 0; c < 3; c++) {
      sum[c]! += w * values[c]!;
      sumSq[c]! += w * values[c]! * values[c]!;
    }
    weight += w;
  }
  if (weight === 0) throw refinementError('the mask covers no pixels');
  const mean = sum.map((s) => s / weight) as [number, number, number];
  const std = sumSq.map((s, c) => Math.sqrt(Math.max(0, s / weight - mean[c]! ** 2))) as [
    number,
    number,
    number,
  ];
  return { mean, std };
}

/**
 * Reinhard et al. (2001) colour transfer in CIELAB, restricted to the mask: the masked source statistics are
 * mapped onto `target` per channel, Lab' = (Lab − μs)·(σt/σs) + μt, and each pixel moves from its own Lab toward
 * Lab' by strength × coverage before conversion back to sRGB (clipped to the gamut). Pixels with coverage 0, and
 * every pixel at strength 0, keep their exact bytes; alpha is never changed.
 */
export function reinhardTransfer(
  image: RasterImage,
  mask: MaskImage,
  target: LabStats,
  strength: number,
): RasterImage {
  assertRasterImage(image);
  assertMask(mask, image);
  assertStats(target);
  if (typeof strength !== 'number' || !Number.isFinite(strength) || strength < 0 || strength > 1) {
    throw refinementError(`strength must be a number in [0, 1], got ${strength}`);
  }
  const out: RasterImage = {
    width: image.width,
    height: image.height,
    data: new Uint8ClampedArray(image.data),
  };
  if (strength === 0) return out;
  let covered = false;
  for (let i = 0; i < mask.data.length && !covered; i++) covered = coverage(mask, i) > 0;
  if (!covered) return out;

  const source = labStatsOf(image, mask);
  const scale = source.std.map((s, c) => (s < FLAT_STD ? 1 : target.std[c]! / s));
  const { data } = out;
  for (let i = 0, n = image.width * image.height; i < n; i++) {
    const w = strength * coverage(mask, i);
    if (w === 0) continue;
    const p = i * 4;
    const lab = rgbToLab(data[p]!, data[p + 1]!, data[p + 2]!);
    const values = [lab.L, lab.a, lab.b];
    const mixed = values.map((x, c) => {
      const mapped = (x - source.mean[c]!) * scale[c]! + target.mean[c]!;
      return x + w * (mapped - x);
    });
    const [r, g, b] = labToRgb({ L: mixed[0]!, a: mixed[1]!, b: mixed[2]! });
    data[p] = r;
    data[p + 1] = g;
    data[p + 2] = b;
  }
  return out;
}
