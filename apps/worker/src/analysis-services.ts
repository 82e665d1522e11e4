import {
  AnalysisCache,
  type ChosenKernel,
  chooseAnalysisKernel,
  createVisionJudge,
  decodeImage,
  fitWithin,
  type ReferenceProfile,
  referenceProfile,
  type VisionJudge,
} from '@pakati/backends';
import type { RasterImage } from '@pakati/core';
import type { Platform } from '@pakati/platform';
import { createSemanticAnalyzers, type SemanticAnalyzer } from '@pakati/vision';
import { LRUCache } from 'lru-cache';

/** References are measured at this size: their statistics, not their pixels, are what a region is compared to. */
const REFERENCE_SIDE = 512;

export interface LoadedReference {
  image: RasterImage;
  profile: ReferenceProfile;
}

/** What the analysis jobs share within one worker process. */
export interface AnalysisServices {
  kernel: ChosenKernel;
  cache: AnalysisCache;
  semantic: SemanticAnalyzer[];
  judge: VisionJudge | null;
  /** A reference decoded, scaled and profiled once per blob key (keys are content hashes, so never stale). */
  reference(imageKey: string): Promise<LoadedReference>;
}

function names(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function createAnalysisServices(
  platform: Platform,
  env = process.env,
): Promise<AnalysisServices> {
  const kernel = await chooseAnalysisKernel(env.PAKATI_ANALYSIS_KERNEL?.trim() || 'auto');
  const references = new LRUCache<string, Promise<LoadedReference>>({ max: 64 });
  return {
    kernel,
    cache: new AnalysisCache(platform.redis, platform.config.queuePrefix),
    semantic: createSemanticAnalyzers(names(env.PAKATI_SEMANTIC_ANALYZERS)),
    judge: createVisionJudge(env),
    reference(imageKey) {
      let pending = references.get(imageKey);
      if (!pending) {
        pending = (async () => {
          const bytes = await platform.blobs.get(imageKey);
          if (!bytes) throw new Error(`reference image ${imageKey} is missing from the blob store`);
          const image = await fitWithin(await decodeImage(bytes), REFERENCE_SIDE);
          return { image, profile: await referenceProfile(image, kernel.kernel) };
        })();
        references.set(imageKey, pending);
        pending.catch(() => references.delete(imageKey));
      }
      return pending;
    },
  };
}
