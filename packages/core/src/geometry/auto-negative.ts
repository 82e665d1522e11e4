import type { MaskImage } from '../backends/raster.ts';
import { PakatiError } from '../errors.ts';
import { featherMask, rasterizeMask } from '../mask/region-mask.ts';
import { assertCanvasDimensions } from './canvas.ts';
import type { Point, Size } from './polygon.ts';
import { zOrderSort } from './region-overlap.ts';

export interface AutoNegativeRegion {
  id: string;
  points: Point[];
  prompt: string;
  negativePrompt?: string | null;
  zOrder: number;
  /** Softens the mask edge like the renderer does; 0 when absent. */
  featherPx?: number;
}

export interface AutoNegativeOptions {
  /** The run's negative prompt; it joins every region's own negative inside that region. */
  globalNegativePrompt?: string | null;
  /**
   * 'z-order' (default): where a higher region covers a lower one, the lower region's prompt is not wanted
   * there either, matching how the canvas composes regions. 'none': every mask is the bare polygon.
   */
  occlusion?: 'z-order' | 'none';
}

export interface RegionConditioning {
  regionId: string;
  zOrder: number;
  /** The region's prompt, active inside `positiveMask`. */
  positive: string;
  positiveMask: MaskImage;
  /** The region's own negative plus the global negative, active inside `positiveMask` too. */
  negative: string;
  /** The region's prompt again, as a negative active outside the region, so it stays where it was drawn. */
  negativeOutside: string;
  /** 1 − positiveMask, pixel for pixel. */
  outsideMask: MaskImage;
}

/**
 * Joins negative prompts term by term (comma-separated), dropping blanks and repeats (case-insensitive), so a
 * term that is in both the region's and the global negative is not weighted twice.
 */
function joinNegatives(...parts: (string | null | undefined)[]): string {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const part of parts) {
    for (const term of (part ?? '').split(',')) {
      const text = term.trim();
      const key = text.toLowerCase();
      if (text === '' || seen.has(key)) continue;
      seen.add(key);
      kept.push(text);
    }
  }
  return kept.join(', ');
}

/**
 * InvokeAI-style "auto-negative" for backends with regional conditioning: each region's prompt is also used as
 * a negative prompt outside its mask, which stops a strong regional prompt ("red balloon") from leaking into
 * the rest of the picture. Pure data: the caller turns the prompts and masks into whatever the backend takes.
 * The global negative should still be sent as the unmasked base negative; it is repeated per region because
 * a regional negative replaces the base one inside the region on several backends.
 *
 * Results are in painting order (zOrderSort: bottom to top).
 */
export function autoNegativeConditioning(
  regions: readonly AutoNegativeRegion[],
  canvas: Size,
  options: AutoNegativeOptions = {},
): RegionConditioning[] {
  assertCanvasDimensions(canvas);
  const { width, height } = canvas;
  const ids = new Set<string>();
  regions.forEach((region, index) => {
    if (typeof region.id !== 'string' || region.id === '') {
      throw new PakatiError('BAD_USER_INPUT', `Region ${index} needs a non-empty id`, { region: index });
    }
    if (ids.has(region.id)) {
      throw new PakatiError('BAD_USER_INPUT', `Region id ${region.id} is used twice`, { region: index });
    }
    ids.add(region.id);
    if (typeof region.prompt !== 'string') {
      throw new PakatiError('BAD_USER_INPUT', `Region ${region.id} needs a prompt`, { region: index });
    }
    if (!Array.isArray(region.points) || region.points.length < 3) {
      throw new PakatiError('INVALID_POLYGON', `Region ${region.id} needs at least 3 points`, {
        reason: 'TOO_FEW_POINTS',
        region: index,
      });
    }
  });

  const ordered = zOrderSort(regions);
  const coverages = ordered.map((region) => {
    const coverage = rasterizeMask(region.points, width, height);
    const feather = region.featherPx ?? 0;
    return feather > 0 ? featherMask(coverage, width, height, feather) : coverage;
  });

  if ((options.occlusion ?? 'z-order') === 'z-order') {
    // Walk top-down accumulating what is already covered ("over" compositing), then keep each region's
    // visible share: coverage × (1 − covered by regions above).
    const covered = new Float32Array(width * height);
    for (let k = ordered.length - 1; k >= 0; k--) {
      const coverage = coverages[k]!;
      for (let i = 0; i < coverage.length; i++) {
        const c = coverage[i]!;
        if (c === 0) continue;
        const above = covered[i]!;
        const visible = c * (1 - above);
        coverage[i] = visible;
        covered[i] = above + visible;
      }
    }
  }

  const globalNegative = options.globalNegativePrompt;
  return ordered.map((region, k) => {
    const positiveMask = coverages[k]!;
    const outside = new Float32Array(positiveMask.length);
    for (let i = 0; i < outside.length; i++) outside[i] = 1 - positiveMask[i]!;
    const prompt = region.prompt.trim();
    return {
      regionId: region.id,
      zOrder: region.zOrder,
      positive: prompt,
      positiveMask: { width, height, data: positiveMask },
      negative: joinNegatives(region.negativePrompt, globalNegative),
      negativeOutside: prompt,
      outsideMask: { width, height, data: outside },
    };
  });
}
