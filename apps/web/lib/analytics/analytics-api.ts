import { gqlRequest } from '../api';
import type { ResultOf } from '../graphql';
import { AnalyticsQuery } from './analytics-documents';

export type Analytics = ResultOf<typeof AnalyticsQuery>['analytics'];
export type RunsPerDay = Analytics['runsPerDay'][number];
export type BackendUsage = Analytics['backends'][number];

/** What the analytics page asks of the API; a prop (defaulting to {@link graphqlAnalyticsApi}) for tests. */
export interface AnalyticsApi {
  analytics(days: number, signal?: AbortSignal): Promise<Analytics>;
}

export const graphqlAnalyticsApi: AnalyticsApi = {
  analytics: async (days, signal) =>
    (await gqlRequest(AnalyticsQuery, { days }, signal ? { signal } : {})).analytics,
};
