import { type Point, rasterizeMask } from '@pakati/core';
import { cocoNounsOf } from './coco-nouns.ts';
import { round3, unitOption } from './numbers.ts';
import { loadObjectDetector, type ObjectDetection, type ObjectDetector } from './object-detector.ts';
import type { SemanticAnalyzer, SemanticFinding } from './semantic-analyzer.ts';

export const OBJECT_PRESENCE = 'object-presence';

export interface ObjectPresenceOptions {
  /**
   * Detector confidence at which a named object counts as found. CenterNet gave the fixture photos' real
   * subjects 0.45-0.6 and its best false positive 0.32 (a 'clock' in a rocket launch), hence 0.35.
   */
  minScore?: number;
  /**
   * Share of a detection's box that must lie inside the region's polygon for the object to be in the region.
   * Box area, not box centre: a box straddling the edge counts only when most of it is inside, and a region
   * smaller than the object it names does not find it (the detector sees whole objects, not parts).
   */
  minBoxInside?: number;
  /** Defaults to the process's shared CenterNet. */
  detector?: () => Promise<ObjectDetector>;
}

export const DEFAULT_OBJECT_PRESENCE = { minScore: 0.35, minBoxInside: 0.5 } as const;

/**
 * Does each region show the COCO objects its prompt names? One detection pass over the whole canvas, then per
 * region: a noun's evidence is the best score among detections of its class that lie inside the polygon.
 * score = mean over the region's nouns of min(1, evidence / minScore), so a found object counts fully and a
 * weak one partly; passed = every noun found. Regions that name no COCO object get passed null and score 0.
 */
export function createObjectPresenceAnalyzer(options: ObjectPresenceOptions = {}): SemanticAnalyzer {
  const minScore = unitOption('minScore', options.minScore ?? DEFAULT_OBJECT_PRESENCE.minScore);
  const minBoxInside = unitOption(
    'minBoxInside',
    options.minBoxInside ?? DEFAULT_OBJECT_PRESENCE.minBoxInside,
  );
  const loadDetector = options.detector ?? loadObjectDetector;

  return {
    name: OBJECT_PRESENCE,
    async analyze(image, regions, signal) {
      signal?.throwIfAborted();
      const wanted = regions.map((region) => ({ region, ...cocoNounsOf(region.prompt) }));
      // Skip the detector (model load and ~200 ms) when no prompt names anything it could find.
      const detections = wanted.some((w) => w.nouns.length > 0)
        ? await (await loadDetector()).detect(image)
        : [];
      signal?.throwIfAborted();

      return wanted.map(({ region, nouns, negated }): SemanticFinding => {
        const base = { analyzer: OBJECT_PRESENCE, regionId: region.id };
        if (nouns.length === 0) {
          return {
            ...base,
            score: 0,
            passed: null,
            details: { reason: 'The prompt names no object the COCO detector knows', nouns: [], negated },
          };
        }
        const inside = detections
          .map((d) => ({ ...d, inside: round3(insideFraction(d.box, region.points)) }))
          .filter((d) => d.inside >= minBoxInside);
        const results = nouns.map((noun) => {
          const best = inside
            .filter((d) => d.label === noun.label)
            .reduce<(typeof inside)[number] | undefined>(
              (a, d) => (a && a.score >= d.score ? a : d),
              undefined,
            );
          const score = best?.score ?? 0;
          return { ...noun, found: score >= minScore, score, detection: best ?? null };
        });
        const evidence =
          results.reduce((sum, r) => sum + Math.min(1, r.score / minScore), 0) / results.length;
        return {
          ...base,
          score: round3(evidence),
          passed: results.every((r) => r.found),
          details: { nouns: results, negated, detections: inside, minScore, minBoxInside },
        };
      });
    },
  };
}

/** Share of the box's area inside the polygon, by the polygon's anti-aliased mask over the box only. */
export function insideFraction(box: ObjectDetection['box'], points: readonly Point[]): number {
  const x0 = Math.floor(box.x);
  const y0 = Math.floor(box.y);
  const width = Math.ceil(box.x + box.width) - x0;
  const height = Math.ceil(box.y + box.height) - y0;
  if (width <= 0 || height <= 0) return 0;
  const local = points.map((p) => ({ x: p.x - x0, y: p.y - y0 }));
  const mask = rasterizeMask(local, width, height, 2);
  let sum = 0;
  for (let i = 0; i < mask.length; i++) sum += mask[i]!;
  return sum / mask.length;
}
