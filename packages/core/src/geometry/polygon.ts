import { PakatiError } from '../errors.ts';

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface BoundingBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

function requireNonEmpty(points: readonly Point[], what: string): void {
  if (points.length === 0) {
    throw new PakatiError('INVALID_POLYGON', `Cannot compute the ${what} of a polygon without points`, {
      reason: 'TOO_FEW_POINTS',
    });
  }
}

/** Signed shoelace area: positive for counter-clockwise winding in a y-up frame (clockwise on screen). */
export function polygonSignedArea(points: readonly Point[]): number {
  const n = points.length;
  if (n < 3) return 0;
  // Translating by the first vertex keeps the products small, which matters for far-from-origin shapes.
  const origin = points[0]!;
  let twice = 0;
  for (let i = 1; i < n - 1; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    twice += (a.x - origin.x) * (b.y - origin.y) - (b.x - origin.x) * (a.y - origin.y);
  }
  return twice / 2;
}

export function polygonArea(points: readonly Point[]): number {
  return Math.abs(polygonSignedArea(points));
}

export function boundingBox(points: readonly Point[]): BoundingBox {
  requireNonEmpty(points, 'bounding box');
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (p.x < minX) minX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/** Area centroid; degenerate (zero-area) input falls back to the vertex average so callers always get a point. */
export function centroid(points: readonly Point[]): Point {
  requireNonEmpty(points, 'centroid');
  const origin = points[0]!;
  const n = points.length;
  let twiceArea = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % n]!;
    const ax = a.x - origin.x;
    const ay = a.y - origin.y;
    const bx = b.x - origin.x;
    const by = b.y - origin.y;
    const cross = ax * by - bx * ay;
    twiceArea += cross;
    cx += (ax + bx) * cross;
    cy += (ay + by) * cross;
  }
  if (twiceArea === 0) {
    let sx = 0;
    let sy = 0;
    for (const p of points) {
      sx += p.x;
      sy += p.y;
    }
    return { x: sx / n, y: sy / n };
  }
  return { x: origin.x + cx / (3 * twiceArea), y: origin.y + cy / (3 * twiceArea) };
}

function orientation(a: Point, b: Point, c: Point): number {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/** Assumes p is collinear with a-b; checks that it lies within the segment's extent. */
function withinSegment(a: Point, b: Point, p: Point): boolean {
  return (
    p.x >= Math.min(a.x, b.x) &&
    p.x <= Math.max(a.x, b.x) &&
    p.y >= Math.min(a.y, b.y) &&
    p.y <= Math.max(a.y, b.y)
  );
}

/** Closed-segment test: touching endpoints and collinear overlap both count as intersecting. */
function segmentsIntersect(p1: Point, p2: Point, p3: Point, p4: Point): boolean {
  const d1 = orientation(p3, p4, p1);
  const d2 = orientation(p3, p4, p2);
  const d3 = orientation(p1, p2, p3);
  const d4 = orientation(p1, p2, p4);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  if (d1 === 0 && withinSegment(p3, p4, p1)) return true;
  if (d2 === 0 && withinSegment(p3, p4, p2)) return true;
  if (d3 === 0 && withinSegment(p1, p2, p3)) return true;
  if (d4 === 0 && withinSegment(p1, p2, p4)) return true;
  return false;
}

/**
 * True when the closed ring has no self-intersections. Zero-length edges and adjacent edges that fold back
 * onto each other are rejected too, because they make masks and areas ambiguous.
 */
export function isSimplePolygon(points: readonly Point[]): boolean {
  const n = points.length;
  if (n < 3) return false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
  }
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % n]!;
    const c = points[(i + 2) % n]!;
    if (a.x === b.x && a.y === b.y) return false;
    // Adjacent edges share b; they overlap beyond it only when collinear and pointing back the same way.
    if (orientation(a, b, c) === 0 && (a.x - b.x) * (c.x - b.x) + (a.y - b.y) * (c.y - b.y) > 0) return false;
  }
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % n]!;
    const minX = Math.min(a.x, b.x);
    const maxX = Math.max(a.x, b.x);
    const minY = Math.min(a.y, b.y);
    const maxY = Math.max(a.y, b.y);
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      const c = points[j]!;
      const d = points[(j + 1) % n]!;
      // Cheap box rejection keeps the quadratic scan fast for the 1000-point limit.
      if (Math.max(c.x, d.x) < minX || Math.min(c.x, d.x) > maxX) continue;
      if (Math.max(c.y, d.y) < minY || Math.min(c.y, d.y) > maxY) continue;
      if (segmentsIntersect(a, b, c, d)) return false;
    }
  }
  return true;
}

/** Even-odd rule, matching how the mask rasterizer fills polygons. */
export function pointInPolygon(p: Point, points: readonly Point[]): boolean {
  const n = points.length;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = points[i]!;
    const b = points[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

export function rectangle(x: number, y: number, width: number, height: number): Point[] {
  return [
    { x, y },
    { x: x + width, y },
    { x: x + width, y: y + height },
    { x, y: y + height },
  ];
}

export function ellipse(cx: number, cy: number, rx: number, ry: number, segments = 64): Point[] {
  if (!Number.isInteger(segments) || segments < 3) {
    throw new PakatiError('BAD_USER_INPUT', 'An ellipse needs an integer number of segments, at least 3', {
      segments,
    });
  }
  const points: Point[] = [];
  for (let i = 0; i < segments; i++) {
    const angle = (2 * Math.PI * i) / segments;
    points.push({ x: cx + rx * Math.cos(angle), y: cy + ry * Math.sin(angle) });
  }
  return points;
}
