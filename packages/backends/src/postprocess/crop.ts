import type { RasterImage } from '@pakati/core';
import { assertRaster, invalidRequest } from './raster-sharp.ts';

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Copies a rectangle out of the image. The rectangle must be whole pixels and lie entirely inside the image. */
export function cropImage(image: RasterImage, rect: CropRect): RasterImage {
  assertRaster(image);
  const { x, y, width, height } = rect;
  for (const [name, value] of Object.entries({ x, y, width, height })) {
    if (!Number.isInteger(value)) throw invalidRequest(`crop ${name} must be an integer, got ${value}`);
  }
  if (width < 1 || height < 1) throw invalidRequest(`crop size must be at least 1x1, got ${width}x${height}`);
  if (x < 0 || y < 0 || x + width > image.width || y + height > image.height) {
    throw invalidRequest(
      `crop ${width}x${height} at (${x}, ${y}) leaves the ${image.width}x${image.height} image`,
    );
  }
  const data = new Uint8ClampedArray(width * height * 4);
  const rowBytes = width * 4;
  for (let row = 0; row < height; row++) {
    const start = ((y + row) * image.width + x) * 4;
    data.set(image.data.subarray(start, start + rowBytes), row * rowBytes);
  }
  return { width, height, data };
}
