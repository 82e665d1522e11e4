import { PakatiError } from '../errors.ts';

/**
 * Pure reference filters on one float plane, row-major. Every filter replicates the edge pixels (what libvips
 * does), so a kernel built on libvips can be checked against these value for value.
 */

/**
 * Taps whose weight falls below this fraction of the centre are dropped: libvips's `min_ampl` rule. At σ = 1.5
 * it keeps radius 5, the 11×11 window of Wang et al.'s SSIM.
 */
export const GAUSSIAN_MIN_AMPLITUDE = 0.001;

function assertPlane(values: Float32Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new PakatiError('BAD_USER_INPUT', 'Plane width and height must be positive integers', {
      width,
      height,
    });
  }
  if (values.length !== width * height) {
    throw new PakatiError('BAD_USER_INPUT', `Plane has ${values.length} values, expected ${width * height}`, {
      length: values.length,
      width,
      height,
    });
  }
}

/** Normalised 1-D gaussian taps, centre at index `radius`; the radius follows libvips's gaussmat. */
export function gaussianKernel(sigma: number, minAmplitude = GAUSSIAN_MIN_AMPLITUDE): Float64Array {
  if (!Number.isFinite(sigma) || sigma <= 0) {
    throw new PakatiError('BAD_USER_INPUT', 'Blur sigma must be a finite number > 0', { sigma });
  }
  const twoSigmaSq = 2 * sigma * sigma;
  let x = 0;
  while (Math.exp(-(x * x) / twoSigmaSq) >= minAmplitude) x++;
  const radius = Math.max(x - 1, 0);
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / twoSigmaSq);
    taps[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < taps.length; i++) taps[i]! /= sum;
  return taps;
}

/** Separable gaussian blur with replicated edges. */
export function gaussianBlur(
  values: Float32Array,
  width: number,
  height: number,
  sigma: number,
): Float32Array {
  assertPlane(values, width, height);
  const taps = gaussianKernel(sigma);
  const radius = (taps.length - 1) / 2;
  const rows = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    const base = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      if (x >= radius && x < width - radius) {
        const start = base + x - radius;
        for (let k = 0; k < taps.length; k++) acc += taps[k]! * values[start + k]!;
      } else {
        for (let k = -radius; k <= radius; k++) {
          const xx = x + k < 0 ? 0 : x + k >= width ? width - 1 : x + k;
          acc += taps[k + radius]! * values[base + xx]!;
        }
      }
      rows[base + x] = acc;
    }
  }
  // Column pass as weighted row additions: sequential memory access instead of striding down columns.
  const out = new Float32Array(values.length);
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let k = -radius; k <= radius; k++) {
      const yy = y + k < 0 ? 0 : y + k >= height ? height - 1 : y + k;
      const weight = taps[k + radius]!;
      const base = yy * width;
      for (let x = 0; x < width; x++) acc[x]! += weight * rows[base + x]!;
    }
    out.set(acc, y * width);
  }
  return out;
}

/** 4-neighbour Laplacian [0 1 0; 1 −4 1; 0 1 0] with replicated edges. */
export function laplacian(values: Float32Array, width: number, height: number): Float32Array {
  assertPlane(values, width, height);
  const out = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const up = (y > 0 ? y - 1 : 0) * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    for (let x = 0; x < width; x++) {
      const left = x > 0 ? x - 1 : 0;
      const right = x < width - 1 ? x + 1 : x;
      out[row + x] =
        values[row + left]! +
        values[row + right]! +
        values[up + x]! +
        values[down + x]! -
        4 * values[row + x]!;
    }
  }
  return out;
}

/** Sobel gradient magnitude √(gx² + gy²) with the [1 2 1] ⊗ [−1 0 1] kernels and replicated edges. */
export function sobelMagnitude(values: Float32Array, width: number, height: number): Float32Array {
  assertPlane(values, width, height);
  const out = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const up = (y > 0 ? y - 1 : 0) * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    for (let x = 0; x < width; x++) {
      const l = x > 0 ? x - 1 : 0;
      const r = x < width - 1 ? x + 1 : x;
      const tl = values[up + l]!;
      const tc = values[up + x]!;
      const tr = values[up + r]!;
      const ml = values[row + l]!;
      const mr = values[row + r]!;
      const bl = values[down + l]!;
      const bc = values[down + x]!;
      const br = values[down + r]!;
      const gx = tr + 2 * mr + br - tl - 2 * ml - bl;
      const gy = bl + 2 * bc + br - tl - 2 * tc - tr;
      out[row + x] = Math.sqrt(gx * gx + gy * gy);
    }
  }
  return out;
}
