import type { MaskImage, RasterImage } from '../backends/raster.ts';
import { PakatiError } from '../errors.ts';
import { srgbToLabInto } from './cie-lab.ts';
import { maskedSsim } from './masked-ssim.ts';

/**
 * Structure weighs more than colour: a reconstruction with the right shapes in slightly wrong colours shows
 * more understanding than a smear of the right average colour, which colour alone would reward.
 */
export const RECONSTRUCTION_SSIM_WEIGHT = 0.6;
export const RECONSTRUCTION_COLOR_WEIGHT = 0.4;
/**
 * Mean ΔE76 that counts as a complete colour mismatch. ΔE ≈ 2.3 is a just-noticeable difference and two
 * unrelated colours average around 50, so this spreads "barely visible" to "unrelated" over 0..1.
 */
export const RECONSTRUCTION_DELTA_E_SCALE = 50;

export interface ReconstructionScore {
  /** 0.6·max(0, ssim) + 0.4·(1 − colorDistance): 1 = the hidden area is rebuilt exactly, ~0 = unrelated. */
  score: number;
  /** Masked SSIM on luma over the hidden pixels, −1..1. */
  ssim: number;
  /** Mean CIE76 ΔE over the hidden pixels (mask-weighted). */
  colorDeltaE: number;
  /** colorDeltaE / 50, clamped to 0..1. */
  colorDistance: number;
  /** Mask-weighted number of hidden pixels that were compared. */
  hiddenPixels: number;
}

function assertRaster(image: RasterImage, what: string): void {
  const { width, height, data } = image ?? ({} as Partial<RasterImage>);
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    (width as number) <= 0 ||
    (height as number) <= 0 ||
    !ArrayBuffer.isView(data) ||
    data.length !== (width as number) * (height as number) * 4
  ) {
    throw new PakatiError('INVALID_IMAGE', `The ${what} must be a positive-size RGBA raster`, {
      width,
      height,
    });
  }
}

// BT.601 luma, the weighting SSIM is conventionally computed on.
function luma(data: Uint8ClampedArray, pixels: number): Float64Array {
  const out = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) {
    out[i] = 0.299 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!;
  }
  return out;
}

/**
 * How well `reconstruction` rebuilds `original` where `mask` hides it (1 = hidden; soft values weigh pixels
 * partially). Only hidden pixels count, so context the backend kept cannot inflate the score. Alpha is
 * ignored: both images are compared as opaque colours. A mask that hides nothing scores a vacuous 1.
 */
export function scoreReconstruction(
  original: RasterImage,
  reconstruction: RasterImage,
  mask: MaskImage,
): ReconstructionScore {
  assertRaster(original, 'original image');
  assertRaster(reconstruction, 'reconstruction');
  const { width, height } = original;
  if (reconstruction.width !== width || reconstruction.height !== height) {
    throw new PakatiError('INVALID_IMAGE', 'The reconstruction must have the size of the original', {
      width,
      height,
      reconstructionWidth: reconstruction.width,
      reconstructionHeight: reconstruction.height,
    });
  }
  const pixels = width * height;
  if (mask == null || mask.width !== width || mask.height !== height || mask.data?.length !== pixels) {
    throw new PakatiError('INVALID_IMAGE', `The mask must be a ${width}×${height} coverage map`, {
      width: mask?.width,
      height: mask?.height,
    });
  }

  const weight = new Float64Array(pixels);
  let hiddenPixels = 0;
  for (let i = 0; i < pixels; i++) {
    const m = mask.data[i]!;
    if (Number.isNaN(m)) throw new PakatiError('BAD_USER_INPUT', 'The mask contains NaN', { index: i });
    weight[i] = Math.max(0, Math.min(1, m));
    hiddenPixels += weight[i]!;
  }
  if (hiddenPixels === 0) {
    return { score: 1, ssim: 1, colorDeltaE: 0, colorDistance: 0, hiddenPixels: 0 };
  }

  const a = original.data;
  const b = reconstruction.data;
  const ssim = maskedSsim(luma(a, pixels), luma(b, pixels), weight, width, height);

  const lab = new Float64Array(6);
  let deltaSum = 0;
  for (let i = 0; i < pixels; i++) {
    const m = weight[i]!;
    if (m === 0) continue;
    const j = i * 4;
    srgbToLabInto(a[j]!, a[j + 1]!, a[j + 2]!, lab, 0);
    srgbToLabInto(b[j]!, b[j + 1]!, b[j + 2]!, lab, 3);
    deltaSum += m * Math.hypot(lab[0]! - lab[3]!, lab[1]! - lab[4]!, lab[2]! - lab[5]!);
  }
  const colorDeltaE = deltaSum / hiddenPixels;
  const colorDistance = Math.min(1, colorDeltaE / RECONSTRUCTION_DELTA_E_SCALE);
  const score =
    RECONSTRUCTION_SSIM_WEIGHT * Math.max(0, ssim) + RECONSTRUCTION_COLOR_WEIGHT * (1 - colorDistance);
  return { score, ssim, colorDeltaE, colorDistance, hiddenPixels };
}
