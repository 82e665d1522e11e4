import { graphql } from '../graphql';

/** Everything the analytics page shows, for one window of days. */
export const AnalyticsQuery = graphql(`
  query Analytics($days: Int!) {
    analytics(days: $days) {
      days
      since
      total
      succeeded
      failed
      cancelled
      successRate
      runsPerDay { day total succeeded failed cancelled }
      backends { backend steps failedOver p50DurationMs p95DurationMs estimatedCost }
    }
  }
`);
