/**
 * sRGB → CIE L*a*b* (D65) with the exact IEC 61966-2-1 transfer curve and CIE constants (ε = 216/24389,
 * κ = 24389/27) rather than the rounded 0.008856 / 903.3, so pure white maps to L* = 100, a* = b* = 0.
 */

// sRGB → XYZ for the D65 white, as derived from the sRGB primaries (Lindbloom's 7-digit matrix).
const M = [
  0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041,
] as const;
// The white point is the matrix applied to (1, 1, 1), so white lands exactly on it.
const WHITE_X = M[0] + M[1] + M[2];
const WHITE_Y = M[3] + M[4] + M[5];
const WHITE_Z = M[6] + M[7] + M[8];
const EPSILON = 216 / 24389;
const KAPPA = 24389 / 27;

/** Linear-light value of each 8-bit sRGB code, computed once: the curve is the expensive part. */
const LINEAR = new Float64Array(256);
for (let code = 0; code < 256; code++) {
  const c = code / 255;
  LINEAR[code] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function f(t: number): number {
  return t > EPSILON ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

/** Writes L*, a*, b* of the 8-bit sRGB colour (r, g, b) into `out` at `offset`. */
export function srgbToLabInto(r: number, g: number, b: number, out: Float64Array, offset: number): void {
  const lr = LINEAR[r]!;
  const lg = LINEAR[g]!;
  const lb = LINEAR[b]!;
  const fx = f((M[0] * lr + M[1] * lg + M[2] * lb) / WHITE_X);
  const fy = f((M[3] * lr + M[4] * lg + M[5] * lb) / WHITE_Y);
  const fz = f((M[6] * lr + M[7] * lg + M[8] * lb) / WHITE_Z);
  out[offset] = 116 * fy - 16;
  out[offset + 1] = 500 * (fx - fy);
  out[offset + 2] = 200 * (fy - fz);
}
