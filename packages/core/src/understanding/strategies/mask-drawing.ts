import type { MaskImage } from '../../backends/raster.ts';

export function emptyMask(width: number, height: number): MaskImage {
  return { width, height, data: new Float32Array(width * height) };
}

/** Hides the pixels of [x0, x1) × [y0, y1), clipped to the mask. */
export function hideRect(mask: MaskImage, x0: number, y0: number, x1: number, y1: number): void {
  const ax = Math.max(0, x0);
  const ay = Math.max(0, y0);
  const bx = Math.min(mask.width, x1);
  const by = Math.min(mask.height, y1);
  for (let y = ay; y < by; y++) mask.data.fill(1, y * mask.width + ax, y * mask.width + bx);
}

/**
 * Float products such as 30 * 0.3 land a hair below the integer they mean; flooring them would drop a whole
 * step at exactly the documented difficulties.
 */
export function floorDifficultyProduct(value: number): number {
  return Math.floor(value + 1e-9);
}
