import { type AnalysisKernel, GAUSSIAN_MIN_AMPLITUDE, jsKernel, PakatiError } from '@pakati/core';
import sharp, { type Sharp } from 'sharp';
import { encodeFloatTiff } from './float-tiff.ts';

export interface SharpKernelOptions {
  /**
   * Planes with fewer pixels run on the JavaScript filters: below about 256×256 a libvips call costs more in
   * set-up and copies than the filter itself. 0 sends everything to libvips.
   */
  minPixels?: number;
}

const LAPLACIAN = [0, 1, 0, 1, -4, 1, 0, 1, 0];
const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
const DEFAULT_MIN_PIXELS = 256 * 256;

async function filterPlane(
  tiff: Buffer,
  width: number,
  height: number,
  operation: (image: Sharp) => Sharp,
): Promise<Float32Array> {
  const pixels = width * height;
  const { data, info } = await operation(sharp(tiff))
    // Keeps the float B_W image as it is: any other output space would convert (and clip) it.
    .toColourspace('b-w')
    .raw({ depth: 'float' })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 1 || data.length !== pixels * 4) {
    throw new PakatiError('INTERNAL', 'libvips returned a plane of an unexpected shape', {
      expected: { width, height, channels: 1 },
      actual: { width: info.width, height: info.height, channels: info.channels, bytes: data.length },
    });
  }
  // A Float32Array view needs 4-byte alignment; Buffers from a pool may not have it.
  if (data.byteOffset % 4 === 0) return new Float32Array(data.buffer, data.byteOffset, pixels);
  return new Float32Array(new Uint8Array(data).buffer);
}

function convolve3x3(kernel: number[]): (image: Sharp) => Sharp {
  return (image) => image.convolve({ width: 3, height: 3, kernel, scale: 1, offset: 0 });
}

/**
 * The analysis filters on libvips through sharp: float in, float out (see float-tiff.ts), edges replicated, the
 * same definitions as the JavaScript kernel. Calls are asynchronous and run on libuv's thread pool, so the
 * analyzer converts colours on the main thread meanwhile, and the two Sobel directions run in parallel.
 */
export function createSharpKernel(options: SharpKernelOptions = {}): AnalysisKernel {
  const minPixels = options.minPixels ?? DEFAULT_MIN_PIXELS;
  const small = (width: number, height: number) => width * height < minPixels;
  return {
    name: 'sharp',
    async blur(values, width, height, sigma) {
      if (small(width, height)) return jsKernel.blur(values, width, height, sigma);
      return filterPlane(encodeFloatTiff(values, width, height), width, height, (image) =>
        image.blur({ sigma, precision: 'float', minAmplitude: GAUSSIAN_MIN_AMPLITUDE }),
      );
    },
    async laplacian(values, width, height) {
      if (small(width, height)) return jsKernel.laplacian(values, width, height);
      return filterPlane(encodeFloatTiff(values, width, height), width, height, convolve3x3(LAPLACIAN));
    },
    async sobel(values, width, height) {
      if (small(width, height)) return jsKernel.sobel(values, width, height);
      const tiff = encodeFloatTiff(values, width, height);
      const [gx, gy] = await Promise.all([
        filterPlane(tiff, width, height, convolve3x3(SOBEL_X)),
        filterPlane(tiff, width, height, convolve3x3(SOBEL_Y)),
      ]);
      for (let i = 0; i < gx.length; i++) gx[i] = Math.sqrt(gx[i]! * gx[i]! + gy[i]! * gy[i]!);
      return gx;
    },
  };
}

export const sharpKernel: AnalysisKernel = createSharpKernel();
