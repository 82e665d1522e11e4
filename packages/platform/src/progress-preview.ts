import { PakatiError, type RasterImage } from '@pakati/core';
import sharp from 'sharp';

/** Previews are for watching, not keeping: small enough that storing one per event costs little. */
export const PREVIEW_MAX_SIDE = 256;

/** A backend's preview frame as a small PNG, ready for the blob store (events carry only its key). */
export async function encodePreview(preview: RasterImage): Promise<Buffer> {
  const { width, height, data } = preview;
  const sized = Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0;
  if (!sized || data?.length !== width * height * 4) {
    throw new PakatiError('INVALID_IMAGE', 'a preview must be an RGBA raster of width x height', {
      width,
      height,
    });
  }
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels: 4 },
  })
    .resize(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
}
