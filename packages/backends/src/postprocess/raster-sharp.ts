import { BackendError, type RasterImage } from '@pakati/core';
import sharp, { type Sharp } from 'sharp';

/** The `backend` every post-processing error names. */
export const POSTPROCESS = 'postprocess';

export function invalidRequest(message: string): BackendError {
  return new BackendError('INVALID_REQUEST', POSTPROCESS, message);
}

/** Rasters arrive from callers and other packages; a wrong length would otherwise surface as a libvips error. */
export function assertRaster(image: RasterImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw invalidRequest(`image size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height * 4) {
    throw invalidRequest(`image data has ${data.length} bytes, expected ${width * height * 4} (RGBA)`);
  }
}

export function sharpFromRaster(image: RasterImage): Sharp {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 4 },
  });
}

/**
 * Runs the pipeline to RGBA and puts the source's alpha back: these operations change colours, never coverage,
 * and libvips would otherwise round-trip alpha through premultiplication (or sharpen it with the colours).
 */
export async function rasterFromSharp(pipeline: Sharp, alphaFrom: RasterImage): Promise<RasterImage> {
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== alphaFrom.width || info.height !== alphaFrom.height || info.channels !== 4) {
    throw new BackendError(
      'PROTOCOL',
      POSTPROCESS,
      `sharp returned ${info.width}x${info.height}x${info.channels}, expected ${alphaFrom.width}x${alphaFrom.height}x4`,
    );
  }
  const out = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 3; i < out.length; i += 4) out[i] = alphaFrom.data[i]!;
  return { width: info.width, height: info.height, data: out };
}

export function copyRaster(image: RasterImage): RasterImage {
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
}
