import type { Analytics, BackendUsage, RunsPerDay } from './analytics-api';

/** The windows the page offers, in days. */
export const ANALYTICS_WINDOWS = [7, 30, 90] as const;
export type AnalyticsWindow = (typeof ANALYTICS_WINDOWS)[number];
export const DEFAULT_WINDOW: AnalyticsWindow = 30;

export interface DayBar {
  /** "Nov 3", the UTC day the API bucketed by, whatever the viewer's time zone. */
  label: string;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Queued or running when the page was loaded. */
  unfinished: number;
}

/** The stacks of the runs-per-day chart, in the order they are drawn, bottom first. */
export const DAY_SERIES = [
  { key: 'succeeded', label: 'Succeeded', color: '#059669' },
  { key: 'failed', label: 'Failed', color: '#dc2626' },
  { key: 'cancelled', label: 'Cancelled', color: '#6b7280' },
  { key: 'unfinished', label: 'Unfinished', color: '#2563eb' },
] as const satisfies readonly { key: keyof DayBar; label: string; color: string }[];

const dayLabel = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** One bar per day; whatever did not succeed, fail or get cancelled yet is still unfinished. */
export function dayBars(days: readonly RunsPerDay[]): DayBar[] {
  return days.map((d) => ({
    label: dayLabel.format(new Date(d.day)),
    succeeded: d.succeeded,
    failed: d.failed,
    cancelled: d.cancelled,
    unfinished: Math.max(0, d.total - d.succeeded - d.failed - d.cancelled),
  }));
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** 12.5 -> "$12.50", 0.004 -> "< $0.01"; null (no reported price) -> "—". */
export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return '—';
  if (cost > 0 && cost < 0.005) return '< $0.01';
  return usd.format(cost);
}

/**
 * The estimated cost summed over the backends with a known price (null when none has one), and whether a
 * backend that did produce steps has no price, so the sum is too low.
 */
export function totalCost(backends: readonly BackendUsage[]): { cost: number | null; partial: boolean } {
  const prices = backends.map((b) => b.estimatedCost).filter((c): c is number => c !== null);
  return {
    cost: prices.length ? prices.reduce((sum, c) => sum + c, 0) : null,
    partial: backends.some((b) => b.steps > 0 && b.estimatedCost === null),
  };
}

/** The runs still queued or running in the window, which the success rate leaves out. */
export function unfinishedRuns(
  analytics: Pick<Analytics, 'total' | 'succeeded' | 'failed' | 'cancelled'>,
): number {
  return Math.max(0, analytics.total - analytics.succeeded - analytics.failed - analytics.cancelled);
}
