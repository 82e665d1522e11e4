import sharp from 'sharp';

/**
 * Re-encodes an uploaded image without its metadata (EXIF with GPS positions and camera serials, XMP, IPTC,
 * comments), turning it upright first so dropping the orientation tag changes nothing visible. The colour
 * profile stays: it carries no personal data and the colours depend on it. Same format, so a JPEG stays small.
 */
export async function stripImageMetadata(bytes: Buffer, format: string, maxPixels: number): Promise<Buffer> {
  const animated = format === 'gif' || format === 'webp';
  const image = sharp(bytes, { limitInputPixels: maxPixels, animated }).rotate().keepIccProfile();
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
    case 'png':
      return image.png().toBuffer();
    case 'webp':
      return image.webp({ lossless: true }).toBuffer();
    case 'gif':
      return image.gif().toBuffer();
    case 'avif':
      return image.avif({ lossless: true }).toBuffer();
    default:
      return image.tiff().toBuffer();
  }
}
