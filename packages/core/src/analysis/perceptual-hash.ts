import { PakatiError } from '../errors.ts';

const SIZE = 32;
const BITS = 8;

/** DCT-II basis for SIZE samples, rows 0..BITS-1 only: the hash reads nothing above the lowest frequencies. */
const BASIS = (() => {
  const basis = new Float64Array(BITS * SIZE);
  for (let u = 0; u < BITS; u++) {
    for (let x = 0; x < SIZE; x++) basis[u * SIZE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIZE));
  }
  return basis;
})();

/** Area average into a SIZE×SIZE grid: bilinear sampling would alias a large image into noise. */
function shrink(luma: Float32Array, width: number, height: number): Float64Array {
  const sums = new Float64Array(SIZE * SIZE);
  const counts = new Float64Array(SIZE * SIZE);
  for (let y = 0; y < height; y++) {
    const row = Math.min(SIZE - 1, Math.floor((y * SIZE) / height)) * SIZE;
    for (let x = 0; x < width; x++) {
      const cell = row + Math.min(SIZE - 1, Math.floor((x * SIZE) / width));
      sums[cell]! += luma[y * width + x]!;
      counts[cell]! += 1;
    }
  }
  for (let i = 0; i < sums.length; i++) sums[i] = counts[i]! > 0 ? sums[i]! / counts[i]! : 0;
  return sums;
}

/**
 * The classic 64-bit perceptual hash of a luma plane: shrink to 32×32, take the 8×8 lowest DCT frequencies and
 * set a bit for each coefficient above their median (the DC term excluded from the median, as pHash does).
 * Returned as 16 hex digits. Near-duplicates differ in a few bits; unrelated images in about 32.
 */
export function perceptualHash(luma: Float32Array, width: number, height: number): string {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new PakatiError('BAD_USER_INPUT', 'perceptual hash needs a plane of positive size', {
      width,
      height,
    });
  }
  if (luma.length !== width * height) {
    throw new PakatiError('BAD_USER_INPUT', `plane has ${luma.length} values, expected ${width * height}`);
  }
  const small = shrink(luma, width, height);
  // Separable 2D DCT restricted to the BITS lowest frequencies on each axis.
  const rows = new Float64Array(SIZE * BITS);
  for (let y = 0; y < SIZE; y++) {
    for (let u = 0; u < BITS; u++) {
      let sum = 0;
      for (let x = 0; x < SIZE; x++) sum += small[y * SIZE + x]! * BASIS[u * SIZE + x]!;
      rows[y * BITS + u] = sum;
    }
  }
  const coefficients = new Float64Array(BITS * BITS);
  for (let v = 0; v < BITS; v++) {
    for (let u = 0; u < BITS; u++) {
      let sum = 0;
      for (let y = 0; y < SIZE; y++) sum += rows[y * BITS + u]! * BASIS[v * SIZE + y]!;
      coefficients[v * BITS + u] = sum;
    }
  }
  const sorted = Array.from(coefficients.subarray(1)).sort((a, b) => a - b);
  const median = (sorted[31]! + sorted[32]!) / 2;
  let hash = 0n;
  for (let i = 0; i < coefficients.length; i++) {
    hash = (hash << 1n) | (coefficients[i]! > median ? 1n : 0n);
  }
  return hash.toString(16).padStart(16, '0');
}

/** Bits that differ between two hashes from `perceptualHash`, 0..64. */
export function hashDistance(a: string, b: string): number {
  if (!/^[0-9a-f]{16}$/.test(a) || !/^[0-9a-f]{16}$/.test(b)) {
    throw new PakatiError('BAD_USER_INPUT', 'perceptual hashes are 16 hex digits', { a, b });
  }
  let diff = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let bits = 0;
  while (diff > 0n) {
    bits += Number(diff & 1n);
    diff >>= 1n;
  }
  return bits;
}
