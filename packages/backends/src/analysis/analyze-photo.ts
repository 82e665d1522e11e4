import {
  type AnalysisKernel,
  type AnalysisRegion,
  analyzeImage,
  type ImageAnalysis,
  PakatiError,
  type RasterImage,
  type Size,
} from '@pakati/core';
import sharp from 'sharp';
import { sharpKernel } from './sharp-kernel.ts';

/** Below this on either side, Laplacian and SSIM windows see mostly border and the statistics mean little. */
export const MIN_ANALYSIS_SIZE = 32;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Decodes any image sharp reads into the analysis's input: upright (EXIF orientation applied), sRGB (CMYK and
 * embedded profiles converted), 8 bits per channel (16-bit input reduced), transparency flattened onto white,
 * RGBA with opaque alpha.
 */
export async function loadPhoto(bytes: Uint8Array): Promise<RasterImage> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new PakatiError('INVALID_IMAGE', 'Expected the bytes of an image', { reason: 'EMPTY' });
  }
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(bytes).metadata());
  } catch (error) {
    throw new PakatiError('INVALID_IMAGE', 'The bytes are not an image sharp can read', {
      reason: 'UNDECODABLE',
      cause: errorMessage(error),
    });
  }
  if (
    width === undefined ||
    height === undefined ||
    width < MIN_ANALYSIS_SIZE ||
    height < MIN_ANALYSIS_SIZE
  ) {
    throw new PakatiError(
      'INVALID_IMAGE',
      `Images must be at least ${MIN_ANALYSIS_SIZE}×${MIN_ANALYSIS_SIZE} pixels to analyse`,
      { reason: 'TOO_SMALL', width, height, minimum: MIN_ANALYSIS_SIZE },
    );
  }
  try {
    const { data, info } = await sharp(bytes)
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .ensureAlpha(1)
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (error) {
    throw new PakatiError('INVALID_IMAGE', 'The image could not be decoded', {
      reason: 'UNDECODABLE',
      cause: errorMessage(error),
    });
  }
}

/**
 * Loads a photograph and analyses it. Regions may be given as a function of the decoded size, since masks are
 * canvas-sized and the size is known only after decoding (and orientation).
 */
export async function analyzePhoto(
  bytes: Uint8Array,
  regions: readonly AnalysisRegion[] | ((size: Size) => readonly AnalysisRegion[]) = [],
  kernel: AnalysisKernel = sharpKernel,
): Promise<ImageAnalysis> {
  const image = await loadPhoto(bytes);
  const resolved =
    typeof regions === 'function' ? regions({ width: image.width, height: image.height }) : regions;
  return analyzeImage(image, resolved, kernel);
}
