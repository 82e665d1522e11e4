import type { IterationSummary } from './run-view-state';

export interface ScoreSeries {
  /** The recharts dataKey. Region ids are not used as keys: recharts reads dotted keys as paths. */
  key: string;
  /** Null for the run's overall score. */
  regionId: string | null;
  label: string;
  color: string;
}

export type ScorePoint = { iteration: number } & Record<string, number | null>;

export interface ScoreChart {
  series: ScoreSeries[];
  /** One point per decided iteration, baseline first; a region without a score there is null (a gap). */
  data: ScorePoint[];
}

/** Distinguishable on light and dark backgrounds; cycles for more regions than colours. */
const PALETTE = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];
export const OVERALL_COLOR = '#111827';

/**
 * Per-region score over iterations for a recharts LineChart, plus the overall score. Regions keep
 * the order they first appear in; `labels` names them (a prompt excerpt), falling back to the id.
 */
export function buildScoreChart(
  iterations: readonly IterationSummary[],
  labels: Readonly<Record<string, string>> = {},
): ScoreChart {
  const keys = new Map<string, string>();
  for (const it of iterations) {
    for (const region of it.regions) {
      if (!keys.has(region.regionId)) keys.set(region.regionId, `region${keys.size}`);
    }
  }
  const series: ScoreSeries[] = [
    { key: 'overall', regionId: null, label: 'Overall', color: OVERALL_COLOR },
    ...[...keys].map(([regionId, key], i) => ({
      key,
      regionId,
      label: labels[regionId] ?? regionId,
      color: PALETTE[i % PALETTE.length]!,
    })),
  ];
  const data = iterations.map((it) => {
    const point: ScorePoint = { iteration: it.iteration, overall: it.score };
    for (const [regionId, key] of keys) {
      point[key] = it.regions.find((r) => r.regionId === regionId)?.score ?? null;
    }
    return point;
  });
  return { series, data };
}
