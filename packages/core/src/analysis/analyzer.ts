import type { RasterImage } from '../backends/raster.ts';
import { PakatiError } from '../errors.ts';
import { type AnalysisKernel, jsKernel } from './analysis-kernel.ts';
import { labPlanes, lumaPlane } from './pixel-features.ts';
import {
  type AnalysisRegion,
  measureRegions,
  type RegionMeasurements,
  type RegionStats,
} from './region-statistics.ts';
import { ssimMoments } from './ssim.ts';

export interface ImageAnalysis {
  width: number;
  height: number;
  /** Name of the kernel that ran the filters. */
  kernel: string;
  /** The whole canvas, as an implicit region with full coverage. */
  canvas: RegionStats;
  /** One entry per input region, in input order. */
  regions: RegionStats[];
}

function assertRaster(image: RasterImage): void {
  const { width, height, data } = image ?? ({} as Partial<RasterImage>);
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    (width as number) <= 0 ||
    (height as number) <= 0 ||
    !(data instanceof Uint8ClampedArray) ||
    data.length !== (width as number) * (height as number) * 4
  ) {
    throw new PakatiError('INVALID_IMAGE', 'Expected an RGBA raster with width × height × 4 bytes', {
      width,
      height,
      length: data?.length,
    });
  }
}

function assertPlane(
  plane: Float32Array,
  length: number,
  what: string,
  kernel: AnalysisKernel,
): Float32Array {
  if (!(plane instanceof Float32Array) || plane.length !== length) {
    throw new PakatiError('INTERNAL', `Kernel ${kernel.name} returned a ${what} of the wrong size`, {
      expected: length,
      actual: plane?.length,
    });
  }
  return plane;
}

async function withMoments(measured: RegionMeasurements, kernel: AnalysisKernel): Promise<RegionStats> {
  const { width, height, luma } = measured.structure;
  const moments = await ssimMoments(luma, width, height, kernel);
  return { ...measured, structure: { ...measured.structure, moments } };
}

/**
 * Statistics of the canvas and of every region. The kernel's filters are started first so a native kernel
 * computes them while this thread converts the pixels to L*a*b*; then one batched pass measures all regions.
 * Alpha is ignored: flatten transparent images first.
 */
export async function analyzeImage(
  image: RasterImage,
  regions: readonly AnalysisRegion[],
  kernel: AnalysisKernel = jsKernel,
): Promise<ImageAnalysis> {
  assertRaster(image);
  const { width, height } = image;
  const luma = lumaPlane(image);
  const filters = Promise.all([kernel.laplacian(luma, width, height), kernel.sobel(luma, width, height)]);
  const lab = labPlanes(image);
  const [laplacian, gradient] = await filters;
  const measured = measureRegions(
    {
      width,
      height,
      luma,
      lab,
      laplacian: assertPlane(laplacian, luma.length, 'Laplacian', kernel),
      gradient: assertPlane(gradient, luma.length, 'gradient', kernel),
    },
    regions,
  );
  const [canvas, ...rest] = await Promise.all(
    [measured.canvas, ...measured.regions].map((m) => withMoments(m, kernel)),
  );
  return { width, height, kernel: kernel.name, canvas: canvas!, regions: rest };
}
