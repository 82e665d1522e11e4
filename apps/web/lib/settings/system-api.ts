import { gqlRequest } from '../api';
import type { ResultOf } from '../graphql';
import { SystemStatusQuery } from './system-documents';

export type SystemStatus = ResultOf<typeof SystemStatusQuery>;
export type Backend = SystemStatus['models'][number];
export type FleetWorker = SystemStatus['workers'][number];
export type QueueCounts = SystemStatus['queues'][number];

/** What the system settings ask of the API; a prop (defaulting to {@link graphqlSystemApi}) for tests. */
export interface SystemApi {
  status(signal?: AbortSignal): Promise<SystemStatus>;
}

export const graphqlSystemApi: SystemApi = {
  status: (signal) => gqlRequest(SystemStatusQuery, {}, signal ? { signal } : {}),
};
