import { PakatiError } from '../errors.ts';
import { rasterizeMask } from '../mask/region-mask.ts';
import { assertCanvasDimensions } from './canvas.ts';
import { boundingBox, type Point, polygonArea, polygonSignedArea, rectangle, type Size } from './polygon.ts';

/** Raster estimates sample each pixel on this grid per axis, the same density the region masks use. */
const RASTER_SAMPLES = 4;
const TURN_TOLERANCE = 1e-6;

/**
 * Convex means every turn goes the same way and the turns add up to exactly one revolution; the second test
 * rejects star polygons (a pentagram also turns one way only, but twice around).
 */
export function isConvexPolygon(points: readonly Point[]): boolean {
  const n = points.length;
  if (n < 3) return false;
  let sign = 0;
  let turning = 0;
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % n]!;
    const c = points[(i + 2) % n]!;
    const ux = b.x - a.x;
    const uy = b.y - a.y;
    const vx = c.x - b.x;
    const vy = c.y - b.y;
    if ((ux === 0 && uy === 0) || (vx === 0 && vy === 0)) continue;
    const cross = ux * vy - uy * vx;
    const dot = ux * vx + uy * vy;
    if (cross !== 0) {
      const s = cross > 0 ? 1 : -1;
      if (sign !== 0 && s !== sign) return false;
      sign = s;
    }
    turning += Math.atan2(cross, dot);
  }
  return sign !== 0 && Math.abs(Math.abs(turning) - 2 * Math.PI) < TURN_TOLERANCE;
}

/**
 * Sutherland–Hodgman: keeps the part of `subject` inside the convex `clip`. The subject may be concave; the
 * result can then contain zero-width bridges along the clip edges, which add nothing to its area.
 */
function clipToConvex(subject: readonly Point[], clip: readonly Point[]): Point[] {
  const orientation = Math.sign(polygonSignedArea(clip));
  if (orientation === 0) return [];
  let output: Point[] = subject.slice();
  const n = clip.length;
  for (let i = 0; i < n && output.length > 0; i++) {
    const a = clip[i]!;
    const b = clip[(i + 1) % n]!;
    const ex = b.x - a.x;
    const ey = b.y - a.y;
    if (ex === 0 && ey === 0) continue;
    const side = (p: Point): number => orientation * (ex * (p.y - a.y) - ey * (p.x - a.x));
    const input = output;
    output = [];
    for (let j = 0; j < input.length; j++) {
      const current = input[j]!;
      const previous = input[(j + input.length - 1) % input.length]!;
      const sc = side(current);
      const sp = side(previous);
      if (sc >= 0) {
        if (sp < 0) output.push(intersection(previous, current, sp, sc));
        output.push(current);
      } else if (sp >= 0) {
        output.push(intersection(previous, current, sp, sc));
      }
    }
  }
  return output;
}

/** Point where the segment p→q crosses the clip line, from the signed distances of its ends. */
function intersection(p: Point, q: Point, sp: number, sq: number): Point {
  const t = sp / (sp - sq);
  return { x: p.x + (q.x - p.x) * t, y: p.y + (q.y - p.y) * t };
}

/**
 * Raster estimate: both polygons are rasterized with 4×4 anti-aliasing over a's bounding box, and each pixel
 * contributes min(coverage a, coverage b). That is exact wherever either coverage is 0 or 1, so the error is
 * confined to pixels crossed by both outlines (at most one px² each, and min() over-estimates there) plus the
 * 1/16-px² sampling of each edge pixel: for regions tens of pixels across it stays well under 1 %.
 */
function rasterOverlap(a: readonly Point[], b: readonly Point[], canvas: Size): number {
  const box = boundingBox(a);
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(canvas.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(canvas.height, Math.ceil(box.y + box.height));
  if (x1 <= x0 || y1 <= y0) return 0;
  const width = x1 - x0;
  const height = y1 - y0;
  const shift = (points: readonly Point[]): Point[] => points.map((p) => ({ x: p.x - x0, y: p.y - y0 }));
  const maskA = rasterizeMask(shift(a), width, height, RASTER_SAMPLES);
  const maskB = rasterizeMask(shift(b), width, height, RASTER_SAMPLES);
  let areaA = 0;
  let shared = 0;
  for (let i = 0; i < maskA.length; i++) {
    const ca = maskA[i]!;
    if (ca === 0) continue;
    areaA += ca;
    shared += Math.min(ca, maskB[i]!);
  }
  return areaA > 0 ? shared / areaA : 0;
}

/**
 * How much of region `a` region `b` covers: area(a ∩ b) / area(a), measured inside the canvas, in [0, 1].
 * When either polygon is convex (rectangles, ellipses, most drawn shapes) the intersection is clipped exactly
 * (up to float rounding); otherwise it falls back to the raster estimate described at `rasterOverlap`.
 * A region with no area on the canvas overlaps nothing (0).
 */
export function overlapFraction(a: readonly Point[], b: readonly Point[], canvas: Size): number {
  assertCanvasDimensions(canvas);
  for (const [name, points] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (
      !Array.isArray(points) ||
      points.some((p) => p == null || !Number.isFinite(p.x) || !Number.isFinite(p.y))
    ) {
      throw new PakatiError('INVALID_POLYGON', `Polygon ${name} needs finite points`, {
        reason: 'NOT_FINITE',
      });
    }
  }
  if (a.length < 3 || b.length < 3) return 0;
  const bounds = rectangle(0, 0, canvas.width, canvas.height);
  let onCanvasA: Point[];
  let shared: Point[];
  if (isConvexPolygon(b)) {
    onCanvasA = clipToConvex(a, bounds);
    shared = clipToConvex(onCanvasA, b);
  } else if (isConvexPolygon(a)) {
    onCanvasA = clipToConvex(a, bounds);
    shared = clipToConvex(clipToConvex(b, bounds), a);
  } else {
    return rasterOverlap(a, b, canvas);
  }
  const areaA = polygonArea(onCanvasA);
  if (!(areaA > 0)) return 0;
  return Math.min(1, Math.max(0, polygonArea(shared) / areaA));
}

/**
 * Bottom-to-top painting order. Array.prototype.sort is stable, so regions with equal zOrder keep the
 * caller's order; a copy is returned so the caller's array is untouched.
 */
export function zOrderSort<T extends { zOrder: number }>(regions: readonly T[]): T[] {
  regions.forEach((region, index) => {
    if (!Number.isFinite(region.zOrder)) {
      throw new PakatiError('BAD_USER_INPUT', `Region ${index} has a non-finite zOrder`, { region: index });
    }
  });
  return regions.slice().sort((x, y) => x.zOrder - y.zOrder);
}
