import { describe, expect, it } from 'vitest';
import {
  deltaE76,
  hsvSaturation,
  labPlanes,
  labToRgb,
  linearToSrgb,
  lumaPlane,
  rec709Luma,
  rgbToLab,
  SRGB_TO_LINEAR_LUT,
  srgbToLinear,
} from '../src/index.ts';

function raster(colours: [number, number, number][]) {
  const data = new Uint8ClampedArray(colours.length * 4);
  for (const [i, [r, g, b]] of colours.entries()) data.set([r, g, b, 255], i * 4);
  return { width: colours.length, height: 1, data };
}

describe('colour space', () => {
  it('maps the sRGB primaries and white to their published CIELAB (D65) values', () => {
    const cases: [[number, number, number], [number, number, number]][] = [
      [
        [255, 255, 255],
        [100, 0, 0],
      ],
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
      [
        [255, 0, 0],
        [53.24, 80.09, 67.2],
      ],
      [
        [0, 255, 0],
        [87.73, -86.18, 83.18],
      ],
      [
        [0, 0, 255],
        [32.3, 79.19, -107.86],
      ],
      [
        [128, 128, 128],
        [53.59, 0, 0],
      ],
    ];
    for (const [[r, g, b], [L, a, bb]] of cases) {
      const lab = rgbToLab(r, g, b);
      expect(Math.abs(lab.L - L)).toBeLessThan(0.05);
      expect(Math.abs(lab.a - a)).toBeLessThan(0.05);
      expect(Math.abs(lab.b - bb)).toBeLessThan(0.05);
    }
  });

  it('uses the exact sRGB transfer function, with a table that matches it', () => {
    expect(srgbToLinear(0)).toBe(0);
    expect(srgbToLinear(1)).toBeCloseTo(1, 12);
    expect(srgbToLinear(0.04045)).toBeCloseTo(0.04045 / 12.92, 12);
    expect(srgbToLinear(0.5)).toBeCloseTo(0.214041, 6);
    for (let i = 0; i < 256; i++) {
      expect(SRGB_TO_LINEAR_LUT[i]).toBe(srgbToLinear(i / 255));
      expect(linearToSrgb(srgbToLinear(i / 255)) * 255).toBeCloseTo(i, 9);
    }
  });

  it('converts CIELAB back to sRGB', () => {
    for (const rgb of [
      [255, 0, 0],
      [12, 200, 99],
      [3, 4, 5],
      [250, 251, 252],
    ] as [number, number, number][]) {
      expect(labToRgb(rgbToLab(...rgb))).toEqual(rgb);
    }
    expect(deltaE76(rgbToLab(255, 255, 255), rgbToLab(0, 0, 0))).toBeCloseTo(100, 4);
  });

  it('computes HSV saturation and Rec. 709 luma of gamma-encoded values', () => {
    expect(hsvSaturation(0, 0, 0)).toBe(0);
    expect(hsvSaturation(200, 200, 200)).toBe(0);
    expect(hsvSaturation(255, 0, 0)).toBe(1);
    expect(hsvSaturation(200, 100, 50)).toBeCloseTo(0.75, 12);
    expect(rec709Luma(255, 255, 255)).toBeCloseTo(255, 10);
    expect(rec709Luma(255, 0, 0)).toBeCloseTo(0.2126 * 255, 10);
    expect(rec709Luma(0, 255, 0)).toBeCloseTo(0.7152 * 255, 10);
  });

  it('gives the same values in the bulk pixel path as in the exact formulas', () => {
    const colours: [number, number, number][] = [];
    for (let r = 0; r < 256; r += 15) {
      for (let g = 0; g < 256; g += 15) {
        for (let b = 0; b < 256; b += 15) colours.push([r, g, b]);
      }
    }
    colours.push([1, 0, 0], [0, 1, 0], [0, 0, 1], [2, 2, 2], [255, 255, 255]);
    const image = raster(colours);
    const planes = labPlanes(image);
    const luma = lumaPlane(image);
    let worst = 0;
    colours.forEach(([r, g, b], i) => {
      const lab = rgbToLab(r, g, b);
      worst = Math.max(
        worst,
        Math.abs(planes.L[i]! - lab.L),
        Math.abs(planes.a[i]! - lab.a),
        Math.abs(planes.b[i]! - lab.b),
      );
      expect(planes.saturation[i]).toBeCloseTo(hsvSaturation(r, g, b), 6);
      expect(luma[i]).toBeCloseTo(rec709Luma(r, g, b), 4);
    });
    // Float32 storage limits the agreement, not the fast cube root.
    expect(worst).toBeLessThan(1e-4);
  });
});
