import { PakatiError } from '../errors.ts';
import { isSimplePolygon, type Point, polygonArea, type Size } from './polygon.ts';

export interface PolygonLimits {
  minArea: number;
  maxPoints: number;
}

export const DEFAULT_POLYGON_LIMITS: Readonly<PolygonLimits> = { minArea: 16, maxPoints: 1000 };

export type PolygonRejection =
  | 'TOO_FEW_POINTS'
  | 'TOO_MANY_POINTS'
  | 'NOT_FINITE'
  | 'OUTSIDE_CANVAS'
  | 'SELF_INTERSECTING'
  | 'TOO_SMALL';

function reject(reason: PolygonRejection, message: string, extra: Record<string, unknown> = {}): never {
  throw new PakatiError('INVALID_POLYGON', message, { reason, ...extra });
}

/**
 * Checks a user-drawn region against the canvas and returns a defensive copy, so later mutation of the
 * caller's array cannot change a validated region. Cheap checks run first so a huge bad input fails fast.
 */
export function validatePolygon(
  points: readonly Point[],
  canvas: Size,
  limits: PolygonLimits = DEFAULT_POLYGON_LIMITS,
): Point[] {
  if (!Array.isArray(points) || points.length < 3) {
    reject('TOO_FEW_POINTS', 'A region polygon needs at least 3 points', {
      count: Array.isArray(points) ? points.length : 0,
    });
  }
  if (points.length > limits.maxPoints) {
    reject('TOO_MANY_POINTS', `A region polygon may have at most ${limits.maxPoints} points`, {
      count: points.length,
      maxPoints: limits.maxPoints,
    });
  }
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (p == null || !Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      reject('NOT_FINITE', `Polygon point ${i} has a missing or non-finite coordinate`, { index: i });
    }
  }
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.x < 0 || p.y < 0 || p.x > canvas.width || p.y > canvas.height) {
      reject(
        'OUTSIDE_CANVAS',
        `Polygon point ${i} (${p.x}, ${p.y}) lies outside the ${canvas.width}x${canvas.height} canvas`,
        { index: i },
      );
    }
  }
  if (!isSimplePolygon(points)) {
    reject(
      'SELF_INTERSECTING',
      'The region polygon crosses or overlaps itself; draw it without crossing edges',
    );
  }
  const area = polygonArea(points);
  if (area < limits.minArea) {
    reject(
      'TOO_SMALL',
      `The region polygon covers ${area} px², less than the minimum of ${limits.minArea} px²`,
      {
        area,
        minArea: limits.minArea,
      },
    );
  }
  return points.map((p) => ({ x: p.x, y: p.y }));
}
