import { gqlRequest, subscribe } from '../api';
import type { ResultOf } from '../graphql';
import {
  CANCEL_RUN_MUTATION,
  GENERATION_HISTORY_QUERY,
  PROJECT_REGIONS_QUERY,
  PROJECT_RUNS_QUERY,
  RUN_EVENTS_SUBSCRIPTION,
  RUN_ITERATIONS_QUERY,
  RUN_QUERY,
  START_RUN_MUTATION,
} from './run-documents';
import type { StartRunRequest } from './start-run-form';

export type RunSummary = ResultOf<typeof START_RUN_MUTATION>['startRun']['run'];
export type RunDetail = NonNullable<ResultOf<typeof RUN_QUERY>['run']>;
export type RunFailure = RunDetail['failures'][number];
export type IterationDetail = NonNullable<
  ResultOf<typeof RUN_ITERATIONS_QUERY>['run']
>['iterations']['edges'][number]['node'];
export type CancelledRun = ResultOf<typeof CANCEL_RUN_MUTATION>['cancelRun']['run'];
type ProjectRuns = NonNullable<ResultOf<typeof PROJECT_RUNS_QUERY>['project']>;
export type RunsPage = Pick<ProjectRuns, 'width' | 'height'> & {
  runs: RunSummary[];
  hasNextPage: boolean;
  endCursor: string | null;
};
type History = NonNullable<ResultOf<typeof GENERATION_HISTORY_QUERY>['project']>['generationHistory'];
export type GenerationStep = History['edges'][number]['node'];
export interface HistoryPage {
  steps: GenerationStep[];
  hasNextPage: boolean;
  endCursor: string | null;
}
export interface RegionLabel {
  id: string;
  prompt: string;
}

export interface RunEventHandlers {
  /** The raw `runEvents` payload; the caller validates it. */
  next(raw: unknown): void;
  error(error: unknown): void;
  complete(): void;
}

/**
 * Everything the run screens ask of the API. Components take it as a prop (defaulting to
 * {@link graphqlRunsApi}) so tests can script the server.
 */
export interface RunsApi {
  startRun(request: StartRunRequest, idempotencyKey: string): Promise<RunSummary>;
  run(id: string): Promise<RunDetail | null>;
  iterations(id: string): Promise<IterationDetail[]>;
  cancelRun(id: string): Promise<CancelledRun>;
  projectRuns(projectId: string, first: number, after: string | null): Promise<RunsPage | null>;
  projectRegions(projectId: string): Promise<RegionLabel[]>;
  generationHistory(
    projectId: string,
    regionId: string | null,
    first: number,
    after: string | null,
  ): Promise<HistoryPage | null>;
  /** `after` is read on every (re)subscribe, so a reconnect resumes where the client is. */
  subscribeRunEvents(runId: string, after: () => number, handlers: RunEventHandlers): () => void;
}

/** A REFINE run has at most 20 iterations after the baseline. */
const MAX_ITERATION_NODES = 21;

export const graphqlRunsApi: RunsApi = {
  async startRun(request, idempotencyKey) {
    const data = await gqlRequest(START_RUN_MUTATION, { input: { ...request, idempotencyKey } });
    return data.startRun.run;
  },
  async run(id) {
    return (await gqlRequest(RUN_QUERY, { id })).run ?? null;
  },
  async iterations(id) {
    const data = await gqlRequest(RUN_ITERATIONS_QUERY, { id, first: MAX_ITERATION_NODES });
    return data.run?.iterations.edges.map((edge) => edge.node) ?? [];
  },
  async cancelRun(id) {
    return (await gqlRequest(CANCEL_RUN_MUTATION, { id })).cancelRun.run;
  },
  async projectRuns(projectId, first, after) {
    const data = await gqlRequest(PROJECT_RUNS_QUERY, { projectId, first, after });
    if (!data.project) return null;
    const { width, height, runs } = data.project;
    return {
      width,
      height,
      runs: runs.edges.map((edge) => edge.node),
      hasNextPage: runs.pageInfo.hasNextPage,
      endCursor: runs.pageInfo.endCursor ?? null,
    };
  },
  async projectRegions(projectId) {
    return (await gqlRequest(PROJECT_REGIONS_QUERY, { projectId })).project?.regions ?? [];
  },
  async generationHistory(projectId, regionId, first, after) {
    const data = await gqlRequest(GENERATION_HISTORY_QUERY, { projectId, regionId, first, after });
    if (!data.project) return null;
    const history = data.project.generationHistory;
    return {
      steps: history.edges.map((edge) => edge.node),
      hasNextPage: history.pageInfo.hasNextPage,
      endCursor: history.pageInfo.endCursor ?? null,
    };
  },
  subscribeRunEvents(runId, after, handlers) {
    return subscribe(RUN_EVENTS_SUBSCRIPTION, () => ({ runId, after: after() }), {
      next: (data) => handlers.next(data.runEvents),
      error: handlers.error,
      complete: handlers.complete,
    });
  },
};
