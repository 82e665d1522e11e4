import { PakatiError } from '../errors.ts';

/**
 * Bilinear resampling of one float plane with pixel centres aligned (the convention of libvips and OpenCV), so
 * a plane resized to its own size comes back unchanged. Used to bring two regions' thumbnails to one box.
 */
export function resizePlane(
  values: Float32Array,
  width: number,
  height: number,
  targetWidth: number,
  targetHeight: number,
): Float32Array {
  if (values.length !== width * height) {
    throw new PakatiError('BAD_USER_INPUT', `Plane has ${values.length} values, expected ${width * height}`);
  }
  if (
    !Number.isInteger(targetWidth) ||
    !Number.isInteger(targetHeight) ||
    targetWidth <= 0 ||
    targetHeight <= 0
  ) {
    throw new PakatiError('BAD_USER_INPUT', 'Target width and height must be positive integers', {
      targetWidth,
      targetHeight,
    });
  }
  if (width === targetWidth && height === targetHeight) return values.slice();
  const out = new Float32Array(targetWidth * targetHeight);
  const sx = width / targetWidth;
  const sy = height / targetHeight;
  for (let y = 0; y < targetHeight; y++) {
    const fy = Math.min(height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < targetWidth; x++) {
      const fx = Math.min(width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      const tx = fx - x0;
      const top = values[y0 * width + x0]! * (1 - tx) + values[y0 * width + x1]! * tx;
      const bottom = values[y1 * width + x0]! * (1 - tx) + values[y1 * width + x1]! * tx;
      out[y * targetWidth + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}
