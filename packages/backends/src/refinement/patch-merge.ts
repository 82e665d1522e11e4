import type { RasterImage } from '@pakati/core';
import { assertRasterImage, refinementError } from './color-transfer.ts';

/**
 * Builds one candidate from per-region results computed in parallel on the same base: each patch differs from
 * the base only inside its region (the actions keep outside bytes exact), so every pixel a patch changed is
 * taken from it, later patches (higher z-order) winning where regions overlap.
 */
export function mergeRegionPatches(base: RasterImage, patches: readonly RasterImage[]): RasterImage {
  assertRasterImage(base);
  const out = new Uint8ClampedArray(base.data);
  for (const patch of patches) {
    assertRasterImage(patch);
    if (patch.width !== base.width || patch.height !== base.height) {
      throw refinementError(`patch is ${patch.width}x${patch.height}, the base ${base.width}x${base.height}`);
    }
    const { data } = patch;
    for (let p = 0; p < data.length; p += 4) {
      if (
        data[p] !== base.data[p] ||
        data[p + 1] !== base.data[p + 1] ||
        data[p + 2] !== base.data[p + 2] ||
        data[p + 3] !== base.data[p + 3]
      ) {
        out[p] = data[p]!;
        out[p + 1] = data[p + 1]!;
        out[p + 2] = data[p + 2]!;
        out[p + 3] = data[p + 3]!;
      }
    }
  }
  return { width: base.width, height: base.height, data: out };
}
