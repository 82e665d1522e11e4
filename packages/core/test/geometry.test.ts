import { describe, expect, it } from 'vitest';
import {
  assertRegionCount,
  boundingBox,
  centroid,
  DEFAULT_CANVAS_LIMITS,
  ellipse,
  isSimplePolygon,
  PakatiError,
  type Point,
  pointInPolygon,
  polygonArea,
  rectangle,
  validateCanvasSize,
  validatePolygon,
} from '../src/index.ts';

const canvas = { width: 100, height: 100 };

function reasonOf(fn: () => unknown): { code: string; reason: unknown } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PakatiError);
    const e = error as PakatiError;
    return { code: e.code, reason: e.details.reason };
  }
  throw new Error('expected a PakatiError');
}

describe('polygon measurements', () => {
  it('computes area, bounding box and centroid of a rectangle', () => {
    const r = rectangle(10, 20, 30, 40);
    expect(polygonArea(r)).toBe(1200);
    expect(polygonArea([...r].reverse())).toBe(1200);
    expect(boundingBox(r)).toEqual({ x: 10, y: 20, width: 30, height: 40 });
    expect(centroid(r)).toEqual({ x: 25, y: 40 });
  });

  it('computes the area centroid of a triangle and an L shape', () => {
    const triangle: Point[] = [
      { x: 0, y: 0 },
      { x: 6, y: 0 },
      { x: 0, y: 3 },
    ];
    expect(polygonArea(triangle)).toBe(9);
    const c = centroid(triangle);
    expect(c.x).toBeCloseTo(2, 12);
    expect(c.y).toBeCloseTo(1, 12);

    // Two unit-width bars: 2x1 along the bottom plus 1x1 on top of the left cell. Vertex average would be wrong.
    const l: Point[] = [
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 2, y: 1 },
      { x: 1, y: 1 },
      { x: 1, y: 2 },
      { x: 0, y: 2 },
    ];
    expect(polygonArea(l)).toBe(3);
    const lc = centroid(l);
    expect(lc.x).toBeCloseTo(5 / 6, 12);
    expect(lc.y).toBeCloseTo(5 / 6, 12);
  });

  it('approximates an ellipse area', () => {
    const e = ellipse(50, 50, 40, 20, 256);
    expect(e).toHaveLength(256);
    expect(polygonArea(e)).toBeCloseTo(Math.PI * 40 * 20, -1);
    const c = centroid(e);
    expect(c.x).toBeCloseTo(50, 9);
    expect(c.y).toBeCloseTo(50, 9);
  });

  it('tests points with the even-odd rule', () => {
    const r = rectangle(0, 0, 10, 10);
    expect(pointInPolygon({ x: 5, y: 5 }, r)).toBe(true);
    expect(pointInPolygon({ x: 15, y: 5 }, r)).toBe(false);
    expect(pointInPolygon({ x: -1, y: 5 }, r)).toBe(false);
  });

  it('detects self-intersections', () => {
    expect(isSimplePolygon(rectangle(0, 0, 10, 10))).toBe(true);
    expect(isSimplePolygon(ellipse(50, 50, 30, 30, 200))).toBe(true);
    const bowtie: Point[] = [
      { x: 0, y: 0 },
      { x: 10, y: 10 },
      { x: 10, y: 0 },
      { x: 0, y: 10 },
    ];
    expect(isSimplePolygon(bowtie)).toBe(false);
    // Repeated consecutive vertex.
    expect(
      isSimplePolygon([
        { x: 0, y: 0 },
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 0, y: 10 },
      ]),
    ).toBe(false);
    // Spike folding back along its own edge.
    expect(
      isSimplePolygon([
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 5, y: 0 },
        { x: 5, y: 10 },
      ]),
    ).toBe(false);
    // Collinear overlap between non-adjacent edges.
    expect(
      isSimplePolygon([
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 5 },
        { x: 6, y: 0 },
        { x: 3, y: 0 },
        { x: 0, y: 5 },
      ]),
    ).toBe(false);
    // A vertex touching another edge.
    expect(
      isSimplePolygon([
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 10 },
        { x: 5, y: 0 },
        { x: 0, y: 10 },
      ]),
    ).toBe(false);
    expect(
      isSimplePolygon([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]),
    ).toBe(false);
  });
});

describe('validatePolygon', () => {
  it('returns a copy of a valid polygon', () => {
    const points = rectangle(10, 10, 20, 20);
    const result = validatePolygon(points, canvas);
    expect(result).toEqual(points);
    expect(result).not.toBe(points);
    expect(result[0]).not.toBe(points[0]);
  });

  it('accepts points exactly on the canvas border', () => {
    expect(() => validatePolygon(rectangle(0, 0, 100, 100), canvas)).not.toThrow();
  });

  it('rejects each kind of bad polygon with its reason', () => {
    expect(
      reasonOf(() =>
        validatePolygon(
          [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
          canvas,
        ),
      ),
    ).toEqual({ code: 'INVALID_POLYGON', reason: 'TOO_FEW_POINTS' });
    expect(
      reasonOf(() => validatePolygon(ellipse(50, 50, 40, 40, 20), canvas, { minArea: 16, maxPoints: 10 })),
    ).toEqual({ code: 'INVALID_POLYGON', reason: 'TOO_MANY_POINTS' });
    expect(
      reasonOf(() =>
        validatePolygon(
          [
            { x: 0, y: 0 },
            { x: Number.NaN, y: 10 },
            { x: 10, y: 10 },
          ],
          canvas,
        ),
      ),
    ).toEqual({ code: 'INVALID_POLYGON', reason: 'NOT_FINITE' });
    expect(
      reasonOf(() =>
        validatePolygon(
          [
            { x: 0, y: 0 },
            { x: Number.POSITIVE_INFINITY, y: 10 },
            { x: 10, y: 10 },
          ],
          canvas,
        ),
      ),
    ).toEqual({ code: 'INVALID_POLYGON', reason: 'NOT_FINITE' });
    expect(reasonOf(() => validatePolygon(rectangle(50, 50, 60, 10), canvas))).toEqual({
      code: 'INVALID_POLYGON',
      reason: 'OUTSIDE_CANVAS',
    });
    expect(reasonOf(() => validatePolygon(rectangle(-1, 10, 20, 20), canvas))).toEqual({
      code: 'INVALID_POLYGON',
      reason: 'OUTSIDE_CANVAS',
    });
    const bowtie: Point[] = [
      { x: 10, y: 10 },
      { x: 50, y: 50 },
      { x: 50, y: 10 },
      { x: 10, y: 50 },
    ];
    expect(reasonOf(() => validatePolygon(bowtie, canvas))).toEqual({
      code: 'INVALID_POLYGON',
      reason: 'SELF_INTERSECTING',
    });
    expect(reasonOf(() => validatePolygon(rectangle(10, 10, 3, 5), canvas))).toEqual({
      code: 'INVALID_POLYGON',
      reason: 'TOO_SMALL',
    });
    expect(() => validatePolygon(rectangle(10, 10, 4, 4), canvas)).not.toThrow();
  });
});

describe('canvas limits', () => {
  it('accepts sizes within limits', () => {
    expect(validateCanvasSize({ width: 4096, height: 4096 })).toEqual({ width: 4096, height: 4096 });
    expect(validateCanvasSize({ width: 1, height: 1 }, DEFAULT_CANVAS_LIMITS)).toEqual({
      width: 1,
      height: 1,
    });
  });

  it('rejects non-integer or non-positive sizes', () => {
    for (const size of [
      { width: 0, height: 10 },
      { width: 10, height: -1 },
      { width: 10.5, height: 10 },
      { width: Number.NaN, height: 10 },
    ]) {
      expect(reasonOf(() => validateCanvasSize(size))).toEqual({
        code: 'INVALID_CANVAS',
        reason: 'NOT_POSITIVE_INTEGER',
      });
    }
  });

  it('rejects sizes above the limits', () => {
    expect(reasonOf(() => validateCanvasSize({ width: 4097, height: 10 })).code).toBe('CANVAS_TOO_LARGE');
    expect(reasonOf(() => validateCanvasSize({ width: 10, height: 4097 })).code).toBe('CANVAS_TOO_LARGE');
    const limits = { maxWidth: 100, maxHeight: 100, maxPixels: 5000, maxRegions: 2 };
    expect(reasonOf(() => validateCanvasSize({ width: 100, height: 100 }, limits))).toEqual({
      code: 'CANVAS_TOO_LARGE',
      reason: 'TOO_MANY_PIXELS',
    });
  });

  it('limits the region count', () => {
    expect(() => assertRegionCount(10)).not.toThrow();
    expect(reasonOf(() => assertRegionCount(11)).code).toBe('TOO_MANY_REGIONS');
    expect(() => assertRegionCount(3, { ...DEFAULT_CANVAS_LIMITS, maxRegions: 2 })).toThrow(PakatiError);
  });
});
