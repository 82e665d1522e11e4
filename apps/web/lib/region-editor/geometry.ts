/** Hit testing on canvas coordinates: which region, vertex or edge a pointer is on. */
import { pointInPolygon } from '@pakati/core';

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** The point of segment a-b closest to p, and where along the segment it lies (0 = a, 1 = b). */
export function closestOnSegment(p: Point, a: Point, b: Point): { point: Point; t: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  const raw = lengthSquared === 0 ? 0 : ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared;
  const t = Math.min(1, Math.max(0, raw));
  return { point: { x: a.x + t * dx, y: a.y + t * dy }, t };
}

/** Even-odd, like the server's mask rasterizer, so a click selects what the mask would cover. */
export function hitsPolygon(p: Point, points: readonly Point[]): boolean {
  return points.length >= 3 && pointInPolygon(p, points);
}

/** Index of the vertex nearest to p within radius (ties go to the lower index), or null. */
export function nearestVertex(p: Point, points: readonly Point[], radius: number): number | null {
  let best: number | null = null;
  let bestDistance = radius;
  points.forEach((vertex, index) => {
    const d = distance(p, vertex);
    if (d <= bestDistance && (best === null || d < bestDistance)) {
      best = index;
      bestDistance = d;
    }
  });
  return best;
}

export interface EdgeHit {
  /** The edge runs from vertex `index` to vertex `(index + 1) % n`. */
  index: number;
  point: Point;
  distance: number;
}

/** The edge of the closed ring nearest to p within radius, with the closest point on it, or null. */
export function nearestEdge(p: Point, points: readonly Point[], radius: number): EdgeHit | null {
  let best: EdgeHit | null = null;
  const n = points.length;
  if (n < 2) return null;
  for (let index = 0; index < n; index++) {
    const { point } = closestOnSegment(p, points[index]!, points[(index + 1) % n]!);
    const d = distance(p, point);
    if (d <= radius && (best === null || d < best.distance)) best = { index, point, distance: d };
  }
  return best;
}

/** Index of the topmost region (last in bottom-to-top order) whose polygon contains p, or null. */
export function topmostRegionAt(p: Point, polygons: readonly (readonly Point[])[]): number | null {
  for (let i = polygons.length - 1; i >= 0; i--) {
    if (hitsPolygon(p, polygons[i]!)) return i;
  }
  return null;
}
