import type { MaskImage } from '@pakati/core';
import sharp from 'sharp';

/**
 * OpenAI's edits endpoint repaints where the mask is fully TRANSPARENT (alpha 0) and keeps every other pixel,
 * the inverse of our white-means-paint convention. Partial alpha is kept, not blended, so soft edges are cut at
 * half coverage: anything we want at least half painted is handed to the model. The result has the given size
 * because OpenAI rejects a mask whose dimensions differ from the image's.
 */
export async function encodeOpenAiMaskPng(
  mask: MaskImage,
  width = mask.width,
  height = mask.height,
): Promise<Buffer> {
  const rgba = Buffer.alloc(mask.width * mask.height * 4);
  for (let i = 0; i < mask.width * mask.height; i++) {
    // The colour channels are irrelevant to OpenAI; black keeps the file readable by eye.
    rgba[i * 4 + 3] = mask.data[i]! >= 0.5 ? 0 : 255;
  }
  let image = sharp(rgba, { raw: { width: mask.width, height: mask.height, channels: 4 } });
  if (width !== mask.width || height !== mask.height) {
    // Nearest keeps alpha binary; any smoothing kernel would bring back the partial alpha OpenAI ignores.
    image = image.resize(width, height, { fit: 'fill', kernel: 'nearest' });
  }
  return image.png().toBuffer();
}
