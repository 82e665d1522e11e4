import { describe, expect, it } from 'vitest';
import { baselineVersusBest } from '../lib/runs/before-after';
import type { IterationSummary } from '../lib/runs/run-view-state';
import { buildScoreChart } from '../lib/runs/score-chart';
import { region } from './runs-fixtures';

const it_ = (
  iteration: number,
  score: number,
  regions = [region('a', score)],
  thumb = true,
): IterationSummary => ({
  iteration,
  accepted: true,
  score,
  bestScore: score,
  rejection: null,
  thumbnailUrl: thumb ? `https://cdn.test/it${iteration}.png` : null,
  regions,
});

describe('buildScoreChart', () => {
  it('has one point per iteration with the overall score and one key per region, in first-seen order', () => {
    const chart = buildScoreChart(
      [
        it_(0, 0.5, [region('b', 0.3), region('a.1', 0.7)]),
        it_(1, 0.6, [region('a.1', 0.8), region('c', 0.2)]),
      ],
      { b: 'sky' },
    );
    expect(chart.series.map((s) => [s.key, s.regionId, s.label])).toEqual([
      ['overall', null, 'Overall'],
      ['region0', 'b', 'sky'],
      ['region1', 'a.1', 'a.1'],
      ['region2', 'c', 'c'],
    ]);
    expect(chart.data).toEqual([
      { iteration: 0, overall: 0.5, region0: 0.3, region1: 0.7, region2: null },
      { iteration: 1, overall: 0.6, region0: null, region1: 0.8, region2: 0.2 },
    ]);
    expect(new Set(chart.series.map((s) => s.color)).size).toBe(4);
  });
});

describe('baselineVersusBest', () => {
  it('pairs the baseline with the best iteration, preferring full-size images', () => {
    const pair = baselineVersusBest(
      [it_(0, 0.5), it_(1, 0.7), it_(2, 0.6)],
      1,
      new Map([[1, 'https://cdn.test/full1.png']]),
    );
    expect(pair).toEqual({
      before: { iteration: 0, url: 'https://cdn.test/it0.png', score: 0.5 },
      after: { iteration: 1, url: 'https://cdn.test/full1.png', score: 0.7 },
      improved: true,
    });
  });

  it('says when nothing beat the baseline, and has no pair without images', () => {
    expect(baselineVersusBest([it_(0, 0.5), it_(1, 0.4)], 0)?.improved).toBe(false);
    expect(baselineVersusBest([it_(0, 0.5, [], false), it_(1, 0.7)], 1)).toBeNull();
    expect(baselineVersusBest([], null)).toBeNull();
  });
});
