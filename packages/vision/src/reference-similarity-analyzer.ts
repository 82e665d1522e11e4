import { createHash } from 'node:crypto';
import { pixelBox } from '@pakati/backends';
import type { RasterImage } from '@pakati/core';
import { rgbPixels } from './model-input.ts';
import { loadNsfwModel, NSFW_INPUT_SIZE, type NsfwModel } from './nsfw-model.ts';
import { clamp01, round3 } from './numbers.ts';
import type { SemanticAnalyzer, SemanticFinding } from './semantic-analyzer.ts';

export const REFERENCE_SIMILARITY = 'reference-similarity';

/**
 * Median cosine between MobileNetV2 embeddings of unrelated photographs (measured; near-duplicates reach 0.97,
 * a crop of a photo vs the whole photo 0.57-0.92). The features are post-ReLU, so cosines are never negative
 * and unrelated images are far from 0: this baseline maps to score 0.
 */
export const UNRELATED_COSINE = 0.42;

export interface ReferenceSimilarityOptions {
  /** Reference embeddings kept, by content hash (each is 1280 floats). */
  cacheSize?: number;
  /** Defaults to the process's shared nsfwjs MobileNetV2. */
  model?: () => Promise<NsfwModel>;
}

/**
 * How much a region looks like its references: the embedding of the region's bounding-box crop against each
 * whole reference. score = (best cosine - UNRELATED_COSINE) / (1 - UNRELATED_COSINE), clamped to 0..1; no
 * pass/fail (passed null): what counts as similar enough depends on the references. Regions without
 * references get no finding. The embedding captures content and layout, not colour.
 */
export function createReferenceSimilarityAnalyzer(
  options: ReferenceSimilarityOptions = {},
): SemanticAnalyzer {
  const loadModel = options.model ?? loadNsfwModel;
  const cache = new LruCache<Float32Array>(Math.max(1, options.cacheSize ?? 64));

  const embedReference = async (model: NsfwModel, reference: RasterImage) => {
    const key = contentHash(reference);
    let embedding = cache.get(key);
    if (!embedding) {
      embedding = await model.embed(await rgbPixels(reference, modelSize));
      cache.set(key, embedding);
    }
    return embedding;
  };

  return {
    name: REFERENCE_SIMILARITY,
    async analyze(image, regions, signal) {
      signal?.throwIfAborted();
      const withReferences = regions.filter((region) => region.references.length > 0);
      if (withReferences.length === 0) return [];
      const model = await loadModel();
      const findings: SemanticFinding[] = [];
      for (const region of withReferences) {
        signal?.throwIfAborted();
        const box = pixelBox(region.points, image);
        const crop = await model.embed(await rgbPixels(image, { ...modelSize, box }));
        const cosines: number[] = [];
        for (const reference of region.references)
          cosines.push(cosine(crop, await embedReference(model, reference)));
        const best = cosines.indexOf(Math.max(...cosines));
        findings.push({
          analyzer: REFERENCE_SIMILARITY,
          regionId: region.id,
          score: round3(clamp01((cosines[best]! - UNRELATED_COSINE) / (1 - UNRELATED_COSINE))),
          passed: null,
          details: {
            box,
            cosines: cosines.map(round3),
            bestReference: best,
            unrelatedCosine: UNRELATED_COSINE,
          },
        });
      }
      return findings;
    },
    async dispose() {
      cache.clear();
    },
  };
}

const modelSize = { width: NSFW_INPUT_SIZE, height: NSFW_INPUT_SIZE, fit: 'fill' } as const;

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function contentHash(image: RasterImage): string {
  return createHash('sha256')
    .update(`${image.width}x${image.height}:`)
    .update(image.data)
    .digest('base64url');
}

/** Least recently used eviction on a Map's insertion order (lru-cache is not a dependency of this package). */
class LruCache<V> {
  readonly #entries = new Map<string, V>();
  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }
}
