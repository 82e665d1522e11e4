import {
  type AnalysisKernel,
  analyzeImage,
  attributeDelta,
  combineDeltaReports,
  DELTA_ATTRIBUTES,
  type DeltaReport,
  hashDistance,
  lumaPlane,
  type Point,
  perceptualHash,
  type RasterImage,
  type RegionStats,
  rasterizeMask,
  regionDeltas,
  regionScore,
  type TargetAttributes,
} from '@pakati/core';
import { extractBox, pixelBox } from '../region-compositor.ts';
import { type LabStats, labStatsOf } from './color-transfer.ts';

/** What a refinement needs to know about a reference image, computed once per image. */
export interface ReferenceProfile {
  stats: RegionStats;
  lab: LabStats;
  /** Perceptual hash of the whole reference. */
  hash: string;
}

export interface WeightedReference {
  id: string;
  /** From the reference's understanding level (see `referenceWeight`). */
  weight: number;
  profile: ReferenceProfile;
}

export interface RegionTarget {
  id: string;
  points: Point[];
  references: readonly WeightedReference[];
  /**
   * Tone the region's prompt asks for (see core's `promptTargets`): for the attributes it names, the prompt's
   * level replaces the references' as the target of the signed delta; the references still set everything else.
   */
  targets?: TargetAttributes;
}

export interface RegionAnalysis {
  regionId: string;
  /** The deltas against each reference, combined by weight. */
  report: DeltaReport;
  score: number;
  attributeDelta: number;
  /** Bits between the region's crop and its nearest reference; the copy guard reads this. */
  hashDistance: number | null;
  references: { referenceId: string; weight: number; report: DeltaReport }[];
}

export interface ReferenceAnalysis {
  kernel: string;
  regions: RegionAnalysis[];
}

function withPromptTargets(report: DeltaReport, stats: RegionStats, targets: TargetAttributes | undefined) {
  if (!targets || Object.keys(targets).length === 0) return report;
  const asked = regionDeltas(stats, targets);
  const out = { ...report };
  for (const attribute of DELTA_ATTRIBUTES) {
    if (targets[attribute] !== undefined) out[`${attribute}_delta`] = asked[`${attribute}_delta`];
  }
  return out;
}

function phash(image: RasterImage): string {
  return perceptualHash(lumaPlane(image), image.width, image.height);
}

export async function referenceProfile(
  image: RasterImage,
  kernel: AnalysisKernel,
): Promise<ReferenceProfile> {
  const analysis = await analyzeImage(image, [], kernel);
  return { stats: analysis.canvas, lab: labStatsOf(image), hash: phash(image) };
}

/**
 * One batched analysis of `image` (every region in the same pass), then each region's deltas against each of its
 * references, combined by the references' weights. A region without references is left out: there is nothing
 * to refine it toward.
 */
export async function analyzeAgainstReferences(
  image: RasterImage,
  regions: readonly RegionTarget[],
  kernel: AnalysisKernel,
): Promise<ReferenceAnalysis> {
  const targets = regions.filter((r) => r.references.length > 0);
  const analysis = await analyzeImage(
    image,
    targets.map((r) => {
      const box = pixelBox(r.points, image);
      return {
        id: r.id,
        mask: {
          width: image.width,
          height: image.height,
          data: rasterizeMask(r.points, image.width, image.height),
        },
        bounds: { x: box.x, y: box.y, width: box.width, height: box.height },
      };
    }),
    kernel,
  );
  const results = targets.map((target, i) => {
    const stats = analysis.regions[i]!;
    const references = target.references.map((ref) => ({
      referenceId: ref.id,
      weight: ref.weight,
      report: regionDeltas(stats, ref.profile.stats),
    }));
    const report = withPromptTargets(combineDeltaReports(references), stats, target.targets);
    const crop = phash(extractBox(image, pixelBox(target.points, image)));
    return {
      regionId: target.id,
      report,
      score: regionScore(report),
      attributeDelta: attributeDelta(report),
      hashDistance: Math.min(...target.references.map((ref) => hashDistance(crop, ref.profile.hash))),
      references,
    };
  });
  return { kernel: analysis.kernel, regions: results };
}
