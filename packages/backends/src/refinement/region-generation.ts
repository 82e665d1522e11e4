import {
  DEFAULT_GUIDANCE,
  type GenerationResult,
  type ImageBackend,
  type Point,
  type ProgressUpdate,
  type RasterImage,
} from '@pakati/core';
import { resizeRaster } from '../image-codec.ts';
import {
  compositeRegions,
  extractBox,
  generationSize,
  pixelBox,
  regionMask,
  resizeMask,
} from '../region-compositor.ts';
import { refinementError } from './color-transfer.ts';

export interface GenerativeRegion {
  points: Point[];
  featherPx: number;
  prompt: string;
  negativePrompt: string | null;
}

export interface RegionGenerationOptions {
  kind: 'regenerate' | 'inpaint';
  /** 0..1: how far the new pixels replace the old ones inside the region. */
  strength: number;
  seed: number;
  /** Inpainting: the reference whose content fills the region (PatchMatch copies patches from it). */
  reference?: RasterImage | null;
  signal: AbortSignal;
  onProgress?: (update: ProgressUpdate) => void;
}

/** Backends that read `(text:weight)` emphasis; others would take the brackets as words. */
const EMPHASIS_SYNTAX = new Set(['automatic1111', 'comfyui']);

/**
 * A stronger recommendation asks more of the prompt: emphasis on backends that understand it, and guidance
 * raised by up to 2 (the original's "detail" rule).
 */
function weighted(backend: ImageBackend, prompt: string, strength: number) {
  const emphasis = 1 + 0.3 * strength;
  return {
    prompt: EMPHASIS_SYNTAX.has(backend.name) ? `(${prompt}:${emphasis.toFixed(2)})` : prompt,
    guidance: DEFAULT_GUIDANCE + 2 * strength,
  };
}

function mix(before: RasterImage, after: RasterImage, strength: number): RasterImage {
  if (strength >= 1) return after;
  const data = new Uint8ClampedArray(before.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.round(before.data[i]! + strength * (after.data[i]! - before.data[i]!));
  }
  return { width: before.width, height: before.height, data };
}

/**
 * Regenerates (fresh pixels from the prompt and a new seed) or inpaints (the region filled in context, from a
 * reference where the backend can) one region with a backend, blended into `image` through the region's feathered
 * mask and by `strength`. Pixels outside the region keep their exact bytes.
 */
export async function generateRegion(
  backend: ImageBackend,
  image: RasterImage,
  region: GenerativeRegion,
  options: RegionGenerationOptions,
): Promise<{ image: RasterImage; result: GenerationResult }> {
  const { strength } = options;
  if (typeof strength !== 'number' || !Number.isFinite(strength) || strength < 0 || strength > 1) {
    throw refinementError(`strength must be a finite number in [0, 1], got ${String(strength)}`);
  }
  const box = pixelBox(region.points, image);
  const size = generationSize(box, backend.capabilities);
  const { prompt, guidance } = weighted(backend, region.prompt, options.strength);
  const request = {
    prompt,
    negativePrompt: region.negativePrompt,
    width: size.width,
    height: size.height,
    seed: options.seed,
    guidance,
  };
  const ctx = { signal: options.signal, ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
  let result: GenerationResult;
  if (options.kind === 'regenerate') {
    result = await backend.generate(request, ctx);
  } else {
    const coverage = await regionMask(region.points, box, region.featherPx);
    const mask = { width: box.width, height: box.height, data: Float32Array.from(coverage, (v) => v / 255) };
    result = await backend.inpaint(
      {
        ...request,
        init: await resizeRaster(extractBox(image, box), size.width, size.height),
        mask: resizeMask(mask, size.width, size.height),
        reference: options.reference ?? null,
      },
      ctx,
    );
  }
  const pixels = await resizeRaster(result.image, box.width, box.height);
  const composed = await compositeRegions(image, [
    { image: pixels, box, points: region.points, featherPx: region.featherPx },
  ]);
  return { image: mix(image, composed, options.strength), result };
}
