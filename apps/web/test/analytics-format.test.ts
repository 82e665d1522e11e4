import { describe, expect, it } from 'vitest';
import type { BackendUsage } from '../lib/analytics/analytics-api';
import { dayBars, formatCost, totalCost, unfinishedRuns } from '../lib/analytics/analytics-format';

const backend = (name: string, steps: number, estimatedCost: number | null): BackendUsage => ({
  backend: name,
  steps,
  failedOver: 0,
  p50DurationMs: null,
  p95DurationMs: null,
  estimatedCost,
});

describe('dayBars', () => {
  it('labels each bar by its UTC day and counts the rest of the total as unfinished', () => {
    const bars = dayBars([
      { day: '2026-11-02T00:00:00.000Z', total: 0, succeeded: 0, failed: 0, cancelled: 0 },
      { day: '2026-11-03T00:00:00.000Z', total: 9, succeeded: 4, failed: 2, cancelled: 1 },
    ]);
    expect(bars).toEqual([
      { label: 'Nov 2', succeeded: 0, failed: 0, cancelled: 0, unfinished: 0 },
      { label: 'Nov 3', succeeded: 4, failed: 2, cancelled: 1, unfinished: 2 },
    ]);
  });
});

describe('formatCost', () => {
  it('shows dollars and cents, a floor for fractions of a cent, and a dash without a price', () => {
    expect(formatCost(12.5)).toBe('$12.50');
    expect(formatCost(0)).toBe('$0.00');
    expect(formatCost(0.004)).toBe('< $0.01');
    expect(formatCost(0.006)).toBe('$0.01');
    expect(formatCost(null)).toBe('—');
  });
});

describe('totalCost', () => {
  it('sums the priced backends and flags a used backend without a price', () => {
    expect(totalCost([backend('a', 10, 0.4), backend('b', 5, 1.1)])).toEqual({ cost: 1.5, partial: false });
    expect(totalCost([backend('a', 10, 0.4), backend('b', 5, null)])).toEqual({ cost: 0.4, partial: true });
    // A backend that only failed over produced nothing to pay for.
    expect(totalCost([backend('a', 10, 0.4), backend('b', 0, null)])).toEqual({ cost: 0.4, partial: false });
    expect(totalCost([backend('a', 3, null)])).toEqual({ cost: null, partial: true });
    expect(totalCost([])).toEqual({ cost: null, partial: false });
  });
});

describe('unfinishedRuns', () => {
  it('is what has not ended yet', () => {
    expect(unfinishedRuns({ total: 10, succeeded: 5, failed: 2, cancelled: 1 })).toBe(2);
  });
});
