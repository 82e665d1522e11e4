import { describe, expect, it } from 'vitest';
import {
  autoNegativeConditioning,
  ellipse,
  isConvexPolygon,
  overlapFraction,
  PakatiError,
  type Point,
  polygonArea,
  rectangle,
  zOrderSort,
} from '../src/index.ts';

const canvas = { width: 200, height: 160 };

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

function rectOverlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** An L made of two disjoint rectangles, returned with the polygon outlining it. */
function lShape(x: number, y: number, size: number, arm: number): { points: Point[]; parts: Rect[] } {
  return {
    points: [
      { x, y },
      { x: x + size, y },
      { x: x + size, y: y + arm },
      { x: x + arm, y: y + arm },
      { x: x + arm, y: y + size },
      { x, y: y + size },
    ],
    parts: [
      { x, y, w: size, h: arm },
      { x, y: y + arm, w: arm, h: size - arm },
    ],
  };
}

function exactLOverlap(a: Rect[], b: Rect[]): number {
  let shared = 0;
  for (const ra of a) for (const rb of b) shared += rectOverlapArea(ra, rb);
  return shared / a.reduce((sum, r) => sum + r.w * r.h, 0);
}

describe('overlapFraction', () => {
  it('measures known shapes exactly when one of them is convex', () => {
    expect(overlapFraction(rectangle(10, 10, 40, 40), rectangle(30, 10, 40, 40), canvas)).toBeCloseTo(
      0.5,
      10,
    );
    expect(overlapFraction(rectangle(10, 10, 40, 40), rectangle(100, 100, 20, 20), canvas)).toBe(0);
    expect(overlapFraction(rectangle(20, 20, 10, 10), rectangle(10, 10, 60, 60), canvas)).toBeCloseTo(1, 10);
    // Not symmetric: the big square is only a quarter covered by the small one.
    expect(overlapFraction(rectangle(10, 10, 40, 40), rectangle(10, 10, 20, 20), canvas)).toBeCloseTo(
      0.25,
      10,
    );
    // Fractional coordinates are not snapped to pixels on the exact path.
    expect(overlapFraction(rectangle(10.25, 10, 40, 40), rectangle(30.25, 10, 40, 40), canvas)).toBeCloseTo(
      0.5,
      10,
    );
  });

  it('matches the analytic area for a circle against a half-plane rectangle', () => {
    const circle = ellipse(100, 80, 30, 30, 256);
    const right = rectangle(100, 0, 100, 160);
    expect(overlapFraction(circle, right, canvas)).toBeCloseTo(0.5, 6);
  });

  it('is exact for a concave region against a convex one', () => {
    const l = lShape(20, 20, 60, 20);
    const square = { x: 30, y: 30, w: 40, h: 40 };
    const expected = exactLOverlap(l.parts, [square]);
    expect(overlapFraction(l.points, rectangle(30, 30, 40, 40), canvas)).toBeCloseTo(expected, 9);
    expect(overlapFraction(rectangle(30, 30, 40, 40), l.points, canvas)).toBeCloseTo(
      exactLOverlap([square], l.parts),
      9,
    );
  });

  it('estimates two concave regions from the raster within 1 %', () => {
    const a = lShape(20.3, 20.6, 80, 30);
    const b = lShape(50.7, 35.2, 90, 25);
    const expected = exactLOverlap(a.parts, b.parts);
    expect(expected).toBeGreaterThan(0.1);
    expect(Math.abs(overlapFraction(a.points, b.points, canvas) - expected)).toBeLessThan(0.01);
    expect(overlapFraction(a.points, lShape(150, 100, 40, 10).points, canvas)).toBe(0);
  });

  it('only counts the part of a region that lies on the canvas', () => {
    // Half of a lies off the canvas; the on-canvas half is fully inside b.
    expect(overlapFraction(rectangle(-20, 10, 40, 20), rectangle(0, 0, 50, 50), canvas)).toBeCloseTo(1, 10);
    expect(overlapFraction(rectangle(-50, -50, 10, 10), rectangle(0, 0, 50, 50), canvas)).toBe(0);
  });

  it('rejects non-finite points', () => {
    expect(() =>
      overlapFraction([{ x: Number.NaN, y: 0 }, ...rectangle(0, 0, 5, 5)], rectangle(0, 0, 5, 5), canvas),
    ).toThrow(PakatiError);
  });
});

describe('isConvexPolygon', () => {
  it('accepts convex shapes and rejects concave and star shapes', () => {
    expect(isConvexPolygon(rectangle(0, 0, 10, 10))).toBe(true);
    expect(isConvexPolygon(ellipse(0, 0, 10, 5))).toBe(true);
    expect(isConvexPolygon(lShape(0, 0, 10, 3).points)).toBe(false);
    const star = [0, 2, 4, 1, 3].map((k) => ({
      x: Math.cos((2 * Math.PI * k) / 5),
      y: Math.sin((2 * Math.PI * k) / 5),
    }));
    expect(isConvexPolygon(star)).toBe(false);
  });
});

describe('zOrderSort', () => {
  it('sorts by zOrder, keeps equal ones in input order and leaves the input alone', () => {
    const regions = [
      { id: 'a', zOrder: 2 },
      { id: 'b', zOrder: 0 },
      { id: 'c', zOrder: 2 },
      { id: 'd', zOrder: -1 },
      { id: 'e', zOrder: 0 },
    ];
    expect(zOrderSort(regions).map((r) => r.id)).toEqual(['d', 'b', 'e', 'a', 'c']);
    expect(regions.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(() => zOrderSort([{ zOrder: Number.NaN }])).toThrow(PakatiError);
  });
});

describe('autoNegativeConditioning', () => {
  const size = { width: 64, height: 48 };
  const regions = [
    {
      id: 'top',
      points: rectangle(20, 10, 30, 30),
      prompt: 'a red balloon',
      zOrder: 5,
      negativePrompt: 'blurry',
    },
    { id: 'bottom', points: rectangle(0, 0, 40, 40), prompt: '  green hills ', zOrder: 1 },
  ];

  it('pairs each prompt with its mask and the same prompt as a negative on the exact complement', () => {
    const result = autoNegativeConditioning(regions, size, { globalNegativePrompt: 'low quality, Blurry' });
    expect(result.map((r) => r.regionId)).toEqual(['bottom', 'top']);
    for (const conditioning of result) {
      expect(conditioning.negativeOutside).toBe(conditioning.positive);
      expect(conditioning.positiveMask.width).toBe(64);
      expect(conditioning.outsideMask.height).toBe(48);
      const { data: inside } = conditioning.positiveMask;
      const { data: outside } = conditioning.outsideMask;
      expect(inside.length).toBe(64 * 48);
      let insideTotal = 0;
      for (let i = 0; i < inside.length; i++) {
        expect(Math.abs(inside[i]! + outside[i]! - 1)).toBeLessThan(1e-6);
        insideTotal += inside[i]!;
      }
      expect(insideTotal).toBeGreaterThan(0);
    }
    const [bottom, top] = result;
    expect(bottom!.positive).toBe('green hills');
    expect(bottom!.negative).toBe('low quality, Blurry');
    // The region's own negative comes first; the global 'Blurry' repeats it and is dropped.
    expect(top!.negative).toBe('blurry, low quality');
    expect(top!.positive).toBe('a red balloon');
  });

  it('removes a lower region where a higher one covers it, unless occlusion is off', () => {
    const at = (mask: Float32Array, x: number, y: number): number => mask[y * 64 + x]!;
    const [bottom, top] = autoNegativeConditioning(regions, size);
    expect(at(top!.positiveMask.data, 30, 20)).toBe(1);
    expect(at(bottom!.positiveMask.data, 30, 20)).toBe(0);
    expect(at(bottom!.outsideMask.data, 30, 20)).toBe(1);
    expect(at(bottom!.positiveMask.data, 5, 5)).toBe(1);
    expect(at(bottom!.positiveMask.data, 50, 45)).toBe(0);
    const [plainBottom] = autoNegativeConditioning(regions, size, { occlusion: 'none' });
    expect(at(plainBottom!.positiveMask.data, 30, 20)).toBe(1);
    const area = plainBottom!.positiveMask.data.reduce((sum, v) => sum + v, 0);
    expect(area).toBeCloseTo(polygonArea(rectangle(0, 0, 40, 40)), 3);
  });

  it('rejects duplicate or missing ids', () => {
    expect(() => autoNegativeConditioning([regions[0]!, { ...regions[1]!, id: 'top' }], size)).toThrow(
      PakatiError,
    );
    expect(() => autoNegativeConditioning([{ ...regions[0]!, id: '' }], size)).toThrow(PakatiError);
  });
});
