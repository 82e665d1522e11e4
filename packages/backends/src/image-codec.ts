import type { MaskImage, RasterImage } from '@pakati/core';
import sharp from 'sharp';

/** Providers speak PNG/JPEG/WebP; the domain speaks RGBA rasters. These are the only conversions. */
export async function decodeImage(bytes: Buffer | Uint8Array): Promise<RasterImage> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
  };
}

export async function encodePng(image: RasterImage): Promise<Buffer> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 4 },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** White where the provider should paint, black where it keeps the image (the convention of A1111, OpenAI's inverse is handled by its adapter). */
export async function encodeMaskPng(mask: MaskImage): Promise<Buffer> {
  const gray = Buffer.alloc(mask.width * mask.height);
  for (let i = 0; i < gray.length; i++) gray[i] = Math.round(Math.min(1, Math.max(0, mask.data[i]!)) * 255);
  return sharp(gray, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .png()
    .toBuffer();
}

export async function resizeRaster(image: RasterImage, width: number, height: number): Promise<RasterImage> {
  if (image.width === width && image.height === height) return image;
  const { data, info } = await sharp(
    Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    {
      raw: { width: image.width, height: image.height, channels: 4 },
    },
  )
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** The image scaled down (never up) so its long side is at most `maxSide`, keeping the aspect ratio. */
export function fitWithin(image: RasterImage, maxSide: number): Promise<RasterImage> {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  return resizeRaster(
    image,
    Math.max(1, Math.round(image.width * scale)),
    Math.max(1, Math.round(image.height * scale)),
  );
}
