/** Decoded pixels, RGBA, row-major: the one image type every backend, blender and analyzer speaks. */
export interface RasterImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Per-pixel coverage in [0, 1] (1 = the region / the area to repaint), row-major. */
export interface MaskImage {
  width: number;
  height: number;
  data: Float32Array;
}

export function createRaster(width: number, height: number): RasterImage {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}
