import type { RasterImage } from '../backends/raster.ts';
import {
  D65_WHITE,
  LAB_EPSILON,
  LAB_KAPPA,
  REC709_LUMA,
  SRGB_TO_LINEAR_LUT,
  SRGB_TO_XYZ,
} from './color-space.ts';

/** Per-pixel colour planes, row-major, one value per pixel. */
export interface LabPlanes {
  L: Float32Array;
  a: Float32Array;
  b: Float32Array;
  /** HSV saturation in [0, 1]. */
  saturation: Float32Array;
}

// Math.cbrt costs about as much as the rest of the conversion together; a linear table start plus one Newton
// step gives the cube root to float precision (errors ~1e-9) at a third of the price.
const CBRT_SEGMENTS = 1024;
const CBRT_MAX = 1.0625;
const CBRT_SCALE = CBRT_SEGMENTS / CBRT_MAX;
const CBRT_TABLE = (() => {
  const table = new Float64Array(CBRT_SEGMENTS + 2);
  for (let i = 0; i < table.length; i++) table[i] = Math.cbrt(i / CBRT_SCALE);
  return table;
})();

// Module-local copies: under a CommonJS or test transform, imported bindings become getter calls per use.
const EPSILON = LAB_EPSILON;
const KAPPA = LAB_KAPPA;
const LINEAR = SRGB_TO_LINEAR_LUT;
const [LUMA_R, LUMA_G, LUMA_B] = REC709_LUMA;

function labF(t: number): number {
  if (t <= EPSILON) return (KAPPA * t + 16) / 116;
  const u = Math.min(t * CBRT_SCALE, CBRT_SEGMENTS);
  const i = u | 0;
  const c0 = CBRT_TABLE[i]!;
  const y = c0 + (u - i) * (CBRT_TABLE[i + 1]! - c0);
  return (2 * y + t / (y * y)) / 3;
}

// The matrix rows for X and Z pre-divided by the white point, so f() gets X/Xn and Z/Zn directly.
const MX0 = SRGB_TO_XYZ[0] / D65_WHITE.X;
const MX1 = SRGB_TO_XYZ[1] / D65_WHITE.X;
const MX2 = SRGB_TO_XYZ[2] / D65_WHITE.X;
const MY0 = SRGB_TO_XYZ[3];
const MY1 = SRGB_TO_XYZ[4];
const MY2 = SRGB_TO_XYZ[5];
const MZ0 = SRGB_TO_XYZ[6] / D65_WHITE.Z;
const MZ1 = SRGB_TO_XYZ[7] / D65_WHITE.Z;
const MZ2 = SRGB_TO_XYZ[8] / D65_WHITE.Z;

/** Rec. 709 luma of gamma-encoded values (0..255) for every pixel: what the filters and SSIM work on. Alpha is ignored. */
export function lumaPlane(image: RasterImage): Float32Array {
  const { data } = image;
  const n = image.width * image.height;
  const out = new Float32Array(n);
  for (let p = 0, q = 0; p < n; p++, q += 4) {
    out[p] = LUMA_R * data[q]! + LUMA_G * data[q + 1]! + LUMA_B * data[q + 2]!;
  }
  return out;
}

/** CIELAB (D65) and HSV saturation of every pixel. Alpha is ignored: flatten transparent images first. */
export function labPlanes(image: RasterImage): LabPlanes {
  const { data } = image;
  const n = image.width * image.height;
  const L = new Float32Array(n);
  const A = new Float32Array(n);
  const B = new Float32Array(n);
  const S = new Float32Array(n);
  const lin = LINEAR;
  for (let p = 0, q = 0; p < n; p++, q += 4) {
    const r8 = data[q]!;
    const g8 = data[q + 1]!;
    const b8 = data[q + 2]!;
    const r = lin[r8]!;
    const g = lin[g8]!;
    const b = lin[b8]!;
    const fx = labF(MX0 * r + MX1 * g + MX2 * b);
    const fy = labF(MY0 * r + MY1 * g + MY2 * b);
    const fz = labF(MZ0 * r + MZ1 * g + MZ2 * b);
    L[p] = 116 * fy - 16;
    A[p] = 500 * (fx - fy);
    B[p] = 200 * (fy - fz);
    const max = Math.max(r8, g8, b8);
    const min = Math.min(r8, g8, b8);
    S[p] = max === 0 ? 0 : (max - min) / max;
  }
  return { L, a: A, b: B, saturation: S };
}
