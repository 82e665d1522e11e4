import {
  type BackendCapabilities,
  type MaskImage,
  type Point,
  type RasterImage,
  rasterizeMask,
} from '@pakati/core';
import sharp from 'sharp';

export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CompositeLayer {
  /** The region's generated image, exactly `box` sized. */
  image: RasterImage;
  box: PixelBox;
  /** The region's polygon in canvas coordinates. */
  points: Point[];
  featherPx: number;
}

/** The whole-pixel box that covers a polygon, clipped to the canvas. */
export function pixelBox(points: Point[], canvas: { width: number; height: number }): PixelBox {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.max(0, Math.floor(Math.min(...xs)));
  const y = Math.max(0, Math.floor(Math.min(...ys)));
  const right = Math.min(canvas.width, Math.ceil(Math.max(...xs)));
  const bottom = Math.min(canvas.height, Math.ceil(Math.max(...ys)));
  return { x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y) };
}

/**
 * The size to ask a backend for: the box itself when the backend allows it, else scaled down to fit its limits
 * (keeping the aspect ratio) and rounded to the sizes it accepts. The result is resized back to the box.
 */
export function generationSize(
  box: PixelBox,
  caps: Pick<BackendCapabilities, 'maxWidth' | 'maxHeight' | 'sizeMultiple'>,
) {
  const scale = Math.min(1, caps.maxWidth / box.width, caps.maxHeight / box.height);
  const m = Math.max(1, caps.sizeMultiple);
  const fit = (v: number, max: number) =>
    Math.min(Math.floor(max / m) * m, Math.max(m, Math.round((v * scale) / m) * m));
  return { width: fit(box.width, caps.maxWidth), height: fit(box.height, caps.maxHeight) };
}

const raw = (image: RasterImage) => ({
  raw: { width: image.width, height: image.height, channels: 4 as const },
});
const bytes = (image: RasterImage) =>
  Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);

/**
 * The region's coverage inside its box: anti-aliased by core's scanline rasterizer, feathered by a libvips blur
 * of which only the inner half of the ramp is kept, so the soft edge lies inside the polygon and nothing bleeds
 * past it. The mask is drawn with a margin around the box so the blur sees the outside of edges on the box.
 */
export async function regionMask(points: Point[], box: PixelBox, featherPx: number): Promise<Buffer> {
  const margin = featherPx > 0 ? Math.ceil(featherPx * 1.5) + 2 : 0;
  const width = box.width + 2 * margin;
  const height = box.height + 2 * margin;
  const local = points.map((p) => ({ x: p.x - box.x + margin, y: p.y - box.y + margin }));
  const coverage = rasterizeMask(local, width, height, 4);
  const bytes = Buffer.alloc(width * height);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(coverage[i]! * 255);
  if (margin === 0) return bytes;
  const blurred = await sharp(bytes, { raw: { width, height, channels: 1 } })
    .blur({ sigma: featherPx / 2, precision: 'approximate' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // Keep the inner half of the ramp (2v - 1) and crop the margin away; libvips may answer in several bands.
  const bands = blurred.info.channels;
  const mask = Buffer.alloc(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const row = (y + margin) * width + margin;
    for (let x = 0; x < box.width; x++)
      mask[y * box.width + x] = Math.max(0, 2 * blurred.data[(row + x) * bands]! - 255);
  }
  return mask;
}

/** Blends each layer over the base through its feathered mask, bottom to top, in one libvips pass. */
export async function compositeRegions(base: RasterImage, layers: CompositeLayer[]): Promise<RasterImage> {
  const inputs = await Promise.all(
    layers.map(async (layer) => {
      const mask = await regionMask(layer.points, layer.box, layer.featherPx);
      // The mask becomes the layer's alpha; libvips then over-blends every layer in one pass.
      const rgba = Buffer.from(bytes(layer.image));
      for (let i = 0; i < mask.length; i++) rgba[i * 4 + 3] = mask[i]!;
      return {
        input: rgba,
        raw: { width: layer.box.width, height: layer.box.height, channels: 4 as const },
        left: layer.box.x,
        top: layer.box.y,
      };
    }),
  );
  const { data, info } = await sharp(bytes(base), raw(base))
    .composite(inputs)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** The pixels of `image` inside `box`, as their own raster. */
export function extractBox(image: RasterImage, box: PixelBox): RasterImage {
  const data = new Uint8ClampedArray(box.width * box.height * 4);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * image.width + box.x) * 4;
    data.set(image.data.subarray(from, from + box.width * 4), y * box.width * 4);
  }
  return { width: box.width, height: box.height, data };
}

/** A mask at another size (bilinear), for backends that generate at a size other than the region's box. */
export function resizeMask(mask: MaskImage, width: number, height: number): MaskImage {
  if (mask.width === width && mask.height === height) return mask;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(mask.height - 1, Math.max(0, ((y + 0.5) * mask.height) / height - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(mask.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(mask.width - 1, Math.max(0, ((x + 0.5) * mask.width) / width - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(mask.width - 1, x0 + 1);
      const fx = sx - x0;
      const top = mask.data[y0 * mask.width + x0]! * (1 - fx) + mask.data[y0 * mask.width + x1]! * fx;
      const bottom = mask.data[y1 * mask.width + x0]! * (1 - fx) + mask.data[y1 * mask.width + x1]! * fx;
      data[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { width, height, data };
}
