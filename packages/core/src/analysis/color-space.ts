/**
 * Colour conversions for analysis. The reference path is the exact IEC 61966-2-1 sRGB transfer function, the
 * sRGB→XYZ matrix for D65 and the CIE 1976 L*a*b* formulas; the bulk pixel path in pixel-features.ts uses the
 * same constants with table look-ups and is tested against these functions.
 */

export interface Lab {
  L: number;
  a: number;
  b: number;
}

/** CIE D65 reference white (2° observer), Y normalised to 1: the white point sRGB is defined against. */
export const D65_WHITE = { X: 0.95047, Y: 1, Z: 1.08883 } as const;

/** IEC 61966-2-1 sRGB→XYZ (D65), row-major, applied to linear RGB in [0, 1]. */
export const SRGB_TO_XYZ = [
  0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041,
] as const;

/** CIE constants as exact rationals, so the two branches of f(t) meet without a kink. */
export const LAB_EPSILON = 216 / 24389;
export const LAB_KAPPA = 24389 / 27;

/** Rec. 709 luma weights, applied to gamma-encoded values (Y', not relative luminance Y). */
export const REC709_LUMA = [0.2126, 0.7152, 0.0722] as const;

/** sRGB decoding of one channel in [0, 1] to linear light in [0, 1]. */
export function srgbToLinear(value: number): number {
  return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
}

/** sRGB encoding of linear light in [0, 1] back to a gamma-encoded value in [0, 1]. */
export function linearToSrgb(value: number): number {
  return value <= 0.0031308 ? value * 12.92 : 1.055 * value ** (1 / 2.4) - 0.055;
}

/** Linear light of every 8-bit code: decoding is the costliest part of the transfer function, pixels reuse it. */
export const SRGB_TO_LINEAR_LUT: Float64Array = (() => {
  const table = new Float64Array(256);
  for (let i = 0; i < 256; i++) table[i] = srgbToLinear(i / 255);
  return table;
})();

function labF(t: number): number {
  return t > LAB_EPSILON ? Math.cbrt(t) : (LAB_KAPPA * t + 16) / 116;
}

function labFInverse(f: number): number {
  const cube = f * f * f;
  return cube > LAB_EPSILON ? cube : (116 * f - 16) / LAB_KAPPA;
}

/** CIE XYZ (Y = 1 for reference white) to L*a*b* relative to D65. */
export function xyzToLab(x: number, y: number, z: number): Lab {
  const fx = labF(x / D65_WHITE.X);
  const fy = labF(y / D65_WHITE.Y);
  const fz = labF(z / D65_WHITE.Z);
  return { L: 116 * fy - 16, a: 500 * (fx - fy), b: 200 * (fy - fz) };
}

/** 8-bit sRGB to CIELAB (D65), through linear light and XYZ. */
export function rgbToLab(r8: number, g8: number, b8: number): Lab {
  const r = srgbToLinear(r8 / 255);
  const g = srgbToLinear(g8 / 255);
  const b = srgbToLinear(b8 / 255);
  const m = SRGB_TO_XYZ;
  return xyzToLab(
    m[0] * r + m[1] * g + m[2] * b,
    m[3] * r + m[4] * g + m[5] * b,
    m[6] * r + m[7] * g + m[8] * b,
  );
}

/** CIELAB back to 8-bit sRGB, clipped to the gamut: palettes are reported as displayable colours. */
export function labToRgb(lab: Lab): [number, number, number] {
  const fy = (lab.L + 16) / 116;
  const x = labFInverse(fy + lab.a / 500) * D65_WHITE.X;
  const y = labFInverse(fy) * D65_WHITE.Y;
  const z = labFInverse(fy - lab.b / 200) * D65_WHITE.Z;
  // Inverse of SRGB_TO_XYZ (IEC 61966-2-1).
  const r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const g = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const b = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  const encode = (v: number) => Math.round(linearToSrgb(Math.min(1, Math.max(0, v))) * 255);
  return [encode(r), encode(g), encode(b)];
}

/** CIE 1976 colour difference ΔE*ab: Euclidean distance in L*a*b*. */
export function deltaE76(p: Lab, q: Lab): number {
  return Math.hypot(p.L - q.L, p.a - q.a, p.b - q.b);
}

/** HSV saturation (max − min) / max of gamma-encoded RGB, in [0, 1]; 0 for black. */
export function hsvSaturation(r8: number, g8: number, b8: number): number {
  const max = Math.max(r8, g8, b8);
  return max === 0 ? 0 : (max - Math.min(r8, g8, b8)) / max;
}

/**
 * Rec. 709 luma Y' = 0.2126 R' + 0.7152 G' + 0.0722 B' on the gamma-encoded 8-bit values, in [0, 255]. This is
 * the signal SSIM was designed on (its constants assume a 255 dynamic range) and the one the filters see;
 * perceptual lightness for brightness and contrast is L*, not this.
 */
export function rec709Luma(r8: number, g8: number, b8: number): number {
  return REC709_LUMA[0] * r8 + REC709_LUMA[1] * g8 + REC709_LUMA[2] * b8;
}
