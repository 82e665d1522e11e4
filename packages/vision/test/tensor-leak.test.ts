import { loadTfjs } from '@pakati/backends';
import type { RasterImage } from '@pakati/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createSemanticAnalyzers,
  runSemanticAnalyzers,
  SEMANTIC_ANALYZER_NAMES,
  type SemanticAnalyzer,
  type SemanticRegionInput,
} from '../src/index.ts';
import { photo, rect } from './photos.ts';

const RUNS = 50;

describe('tensor hygiene', () => {
  let analyzers: SemanticAnalyzer[];
  let image: RasterImage;
  let regions: SemanticRegionInput[];

  beforeAll(async () => {
    analyzers = createSemanticAnalyzers(SEMANTIC_ANALYZER_NAMES);
    const [coffee, rocket] = await Promise.all([photo('coffee.png'), photo('rocket.jpg')]);
    image = coffee;
    // Every fifth run brings a new reference, so the reference-embedding path runs too, not just the cache.
    regions = [{ id: 'cup', points: rect(165, 21, 245, 238), prompt: 'a cup', references: [rocket] }];
    // Warm-up: model loads and first-call allocations are not leaks.
    await runSemanticAnalyzers(analyzers, image, regions);
  });

  it(`keeps tf.memory().numTensors flat over ${RUNS} runs of every analyzer`, async () => {
    const { tf } = await loadTfjs('auto');
    const before = tf.memory().numTensors;
    const rocket = regions[0]!.references[0]!;
    for (let i = 0; i < RUNS; i++) {
      const reference = i % 5 === 0 ? variant(rocket, i) : rocket;
      const findings = await runSemanticAnalyzers(analyzers, image, [
        { ...regions[0]!, references: [reference] },
      ]);
      // An analyzer that failed would leak nothing and prove nothing.
      for (const finding of findings) expect(finding.details.error).toBeUndefined();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});

/** The same image with one pixel changed, so its content hash is new. */
function variant(image: RasterImage, seed: number): RasterImage {
  const data = new Uint8ClampedArray(image.data);
  data[0] = (data[0]! + seed) % 256;
  return { width: image.width, height: image.height, data };
}
