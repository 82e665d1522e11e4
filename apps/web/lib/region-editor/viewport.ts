/**
 * The overlay shows the whole canvas scaled to fit its box, centred (like SVG's xMidYMid meet), so a
 * pointer position in screen pixels maps to canvas pixels through one scale and one offset.
 */
import type { Point, Size } from './geometry';

export interface Viewport {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export interface ScreenBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function fitViewport(canvas: Size, box: ScreenBox): Viewport {
  const scale = Math.min(box.width / canvas.width, box.height / canvas.height);
  if (!Number.isFinite(scale) || scale <= 0) return { scale: 1, offsetX: box.left, offsetY: box.top };
  return {
    scale,
    offsetX: box.left + (box.width - canvas.width * scale) / 2,
    offsetY: box.top + (box.height - canvas.height * scale) / 2,
  };
}

/** Screen to canvas, rounded to whole pixels: the canvas is a pixel grid and whole numbers keep edits exact. */
export function screenToCanvas(viewport: Viewport, screen: Point): Point {
  return {
    x: Math.round((screen.x - viewport.offsetX) / viewport.scale),
    y: Math.round((screen.y - viewport.offsetY) / viewport.scale),
  };
}

export function canvasToScreen(viewport: Viewport, point: Point): Point {
  return { x: point.x * viewport.scale + viewport.offsetX, y: point.y * viewport.scale + viewport.offsetY };
}

/** A distance on screen (a grab radius) in canvas pixels. */
export function screenToCanvasDistance(viewport: Viewport, pixels: number): number {
  return pixels / viewport.scale;
}

export function clampToCanvas(point: Point, canvas: Size): Point {
  return {
    x: Math.min(canvas.width, Math.max(0, point.x)),
    y: Math.min(canvas.height, Math.max(0, point.y)),
  };
}
