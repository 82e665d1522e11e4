import type { PixelBox } from '@pakati/backends';
import type { RasterImage } from '@pakati/core';
import sharp from 'sharp';

export interface RgbPixels {
  width: number;
  height: number;
  /** RGB, 8 bits per channel, row-major. */
  data: Uint8Array;
}

export interface RgbOptions {
  /** Crop to this box first (canvas pixels). */
  box?: PixelBox;
  width: number;
  height: number;
  /** 'fill' stretches to exactly width×height; 'inside' keeps the aspect ratio and never enlarges. */
  fit: 'fill' | 'inside';
}

/**
 * The pixels a model is fed. libvips resizes with a proper (lanczos) filter: tfjs's resizeBilinear, which the
 * models would otherwise use, skips pixels when shrinking a large canvas to 224 and aliases fine texture.
 */
export async function rgbPixels(image: RasterImage, options: RgbOptions): Promise<RgbPixels> {
  const bytes = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  let pipeline = sharp(bytes, { raw: { width: image.width, height: image.height, channels: 4 } });
  if (options.box) {
    const { x, y, width, height } = options.box;
    pipeline = pipeline.extract({ left: x, top: y, width, height });
  }
  const { data, info } = await pipeline
    .resize(options.width, options.height, {
      fit: options.fit,
      withoutEnlargement: options.fit === 'inside',
    })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}
