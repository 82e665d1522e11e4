import type { RasterImage } from '@pakati/core';
import {
  assertRaster,
  copyRaster,
  invalidRequest,
  rasterFromSharp,
  sharpFromRaster,
} from './raster-sharp.ts';

export interface AdjustOptions {
  /** Lightness multiplier; 1 leaves the image unchanged, 0 is black. */
  brightness?: number;
  /** Spread around mid-grey (128); 1 leaves the image unchanged, 0 is flat grey, above 1 adds contrast. */
  contrast?: number;
  /** Chroma multiplier; 1 leaves the image unchanged, 0 is greyscale. */
  saturation?: number;
  /** Hue rotation in degrees (rounded to whole degrees, as libvips takes them). */
  hue?: number;
}

/**
 * Colour adjustments with sharp: brightness, saturation and hue in LCh (sharp's modulate), then contrast as a
 * linear stretch of RGB. sharp applies modulate before linear whatever order they are chained in. Alpha is kept
 * exactly; options left at their identity values skip the colour-space round trip, so all-identity options
 * return the same pixels.
 */
export async function adjustImage(image: RasterImage, options: AdjustOptions = {}): Promise<RasterImage> {
  assertRaster(image);
  const brightness = nonNegative('brightness', options.brightness);
  const saturation = nonNegative('saturation', options.saturation);
  const contrast = nonNegative('contrast', options.contrast);
  if (options.hue !== undefined && !Number.isFinite(options.hue)) {
    throw invalidRequest(`hue must be a finite number of degrees, got ${options.hue}`);
  }
  // Normalised into [0, 360) so that 360 or -360 count as the identity they are.
  const hue = ((Math.round(options.hue ?? 0) % 360) + 360) % 360;

  const modulate = brightness !== 1 || saturation !== 1 || hue !== 0;
  if (!modulate && contrast === 1) return copyRaster(image);

  let pipeline = sharpFromRaster(image);
  if (modulate) pipeline = pipeline.modulate({ brightness, saturation, hue });
  if (contrast !== 1) {
    const offset = 128 * (1 - contrast);
    // Per-band arrays with the alpha band at identity, so alpha is not stretched with the colours.
    pipeline = pipeline.linear([contrast, contrast, contrast, 1], [offset, offset, offset, 0]);
  }
  return rasterFromSharp(pipeline, image);
}

function nonNegative(name: string, value: number | undefined): number {
  if (value === undefined) return 1;
  if (!Number.isFinite(value) || value < 0) {
    throw invalidRequest(`${name} must be a finite number >= 0, got ${value}`);
  }
  return value;
}
