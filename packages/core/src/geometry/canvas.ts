import { PakatiError } from '../errors.ts';
import type { Size } from './polygon.ts';

export interface CanvasLimits {
  maxWidth: number;
  maxHeight: number;
  maxPixels: number;
  maxRegions: number;
}

export const DEFAULT_CANVAS_LIMITS: Readonly<CanvasLimits> = {
  maxWidth: 4096,
  maxHeight: 4096,
  maxPixels: 4096 * 4096,
  maxRegions: 10,
};

/** Shape-only check, shared with code that renders at any size and enforces no product limits. */
export function assertCanvasDimensions(size: Size): void {
  const { width, height } = size ?? ({} as Partial<Size>);
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    (width as number) <= 0 ||
    (height as number) <= 0
  ) {
    throw new PakatiError('INVALID_CANVAS', 'Canvas width and height must be positive integers', {
      reason: 'NOT_POSITIVE_INTEGER',
      width,
      height,
    });
  }
}

export function validateCanvasSize(size: Size, limits: CanvasLimits = DEFAULT_CANVAS_LIMITS): Size {
  assertCanvasDimensions(size);
  const { width, height } = size;
  const details = { width, height, limits: { ...limits } };
  if (width > limits.maxWidth) {
    throw new PakatiError(
      'CANVAS_TOO_LARGE',
      `Canvas width ${width} exceeds the maximum of ${limits.maxWidth}`,
      {
        reason: 'TOO_WIDE',
        ...details,
      },
    );
  }
  if (height > limits.maxHeight) {
    throw new PakatiError(
      'CANVAS_TOO_LARGE',
      `Canvas height ${height} exceeds the maximum of ${limits.maxHeight}`,
      {
        reason: 'TOO_TALL',
        ...details,
      },
    );
  }
  if (width * height > limits.maxPixels) {
    throw new PakatiError(
      'CANVAS_TOO_LARGE',
      `Canvas has ${width * height} pixels, more than the maximum of ${limits.maxPixels}`,
      { reason: 'TOO_MANY_PIXELS', ...details },
    );
  }
  return { width, height };
}

export function assertRegionCount(count: number, limits: CanvasLimits = DEFAULT_CANVAS_LIMITS): void {
  if (count > limits.maxRegions) {
    throw new PakatiError(
      'TOO_MANY_REGIONS',
      `At most ${limits.maxRegions} regions are allowed, got ${count}`,
      {
        count,
        maxRegions: limits.maxRegions,
      },
    );
  }
}
