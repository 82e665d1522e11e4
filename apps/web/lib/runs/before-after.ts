import type { IterationSummary } from './run-view-state';

export interface ComparisonImage {
  iteration: number;
  url: string;
  score: number;
}

export interface BeforeAfterPair {
  before: ComparisonImage;
  after: ComparisonImage;
  /** False when no iteration beat the baseline (after is then the baseline itself). */
  improved: boolean;
}

function imageOf(
  it: IterationSummary | undefined,
  fullImages: ReadonlyMap<number, string>,
): ComparisonImage | null {
  if (!it) return null;
  const url = fullImages.get(it.iteration) ?? it.thumbnailUrl;
  return url ? { iteration: it.iteration, url, score: it.score } : null;
}

/**
 * The baseline (iteration 0) against the best iteration so far. Full-size images from
 * `Run.iterations` are preferred over the event thumbnails; null while either has no image.
 */
export function baselineVersusBest(
  iterations: readonly IterationSummary[],
  bestIteration: number | null,
  fullImages: ReadonlyMap<number, string> = new Map(),
): BeforeAfterPair | null {
  if (bestIteration === null) return null;
  const before = imageOf(
    iterations.find((it) => it.iteration === 0),
    fullImages,
  );
  const after = imageOf(
    iterations.find((it) => it.iteration === bestIteration),
    fullImages,
  );
  if (!before || !after) return null;
  return { before, after, improved: after.iteration !== before.iteration && after.score > before.score };
}
