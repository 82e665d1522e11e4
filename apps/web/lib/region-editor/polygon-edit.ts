/** Immutable edits of one polygon, all kept inside the canvas. */
import type { Point, Size } from './geometry';
import { clampToCanvas } from './viewport';

/** The API refuses fewer (TOO_FEW_POINTS), so deleting a vertex stops here. */
export const MIN_POINTS = 3;

/** Moves every vertex by the delta, shortened so the whole shape stays on the canvas. */
export function movePolygon(points: readonly Point[], delta: Point, canvas: Size): Point[] {
  if (points.length === 0) return [];
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const dx = Math.min(canvas.width - Math.max(...xs), Math.max(-Math.min(...xs), delta.x));
  const dy = Math.min(canvas.height - Math.max(...ys), Math.max(-Math.min(...ys), delta.y));
  return points.map((p) => ({ x: p.x + dx, y: p.y + dy }));
}

export function moveVertex(points: readonly Point[], index: number, to: Point, canvas: Size): Point[] {
  if (index < 0 || index >= points.length) return [...points];
  return points.map((p, i) => (i === index ? clampToCanvas(to, canvas) : p));
}

/** Inserts a vertex on the edge from `edgeIndex` to the next vertex; returns the new vertex's index. */
export function insertVertex(
  points: readonly Point[],
  edgeIndex: number,
  at: Point,
  canvas: Size,
): { points: Point[]; index: number } {
  const index = edgeIndex + 1;
  const next = [...points];
  next.splice(index, 0, clampToCanvas(at, canvas));
  return { points: next, index };
}

/** Removes one vertex unless that would leave fewer than {@link MIN_POINTS}; null means refused. */
export function deleteVertex(points: readonly Point[], index: number): Point[] | null {
  if (points.length <= MIN_POINTS || index < 0 || index >= points.length) return null;
  return points.filter((_, i) => i !== index);
}
