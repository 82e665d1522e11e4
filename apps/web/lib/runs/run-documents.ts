import { graphql } from '../graphql';

export const RunSummaryFields = graphql(`
  fragment RunSummaryFields on Run @_unmask {
    id
    kind
    status
    progress
    priority
    seed
    createdAt
    finishedAt
    imageUrl
    error { code message }
  }
`);

export const RUN_QUERY = graphql(
  `
  query RunDetail($id: ID!) {
    run(id: $id) {
      ...RunSummaryFields
      startedAt
      lastEventSeq
      etaSeconds
      queuePosition
      failures { at attempt code jobName message willRetry }
    }
  }
`,
  [RunSummaryFields],
);

export const RUN_ITERATIONS_QUERY = graphql(`
  query RunIterations($id: ID!, $first: Int) {
    run(id: $id) {
      id
      iterations(first: $first) {
        edges {
          node {
            index
            status
            score
            bestScore
            imageUrl
            rejection
            regions { regionId score scoreBefore attributeDelta deltas { name value } }
            recommendations { regionId output value firedRules { degree line text } }
            actions { regionId kind applied note parameters }
          }
        }
      }
    }
  }
`);

// RunRetryEvent.message is aliased: it is String! where the other events' is String, and GraphQL refuses
// one response field with two types.
export const RUN_EVENTS_SUBSCRIPTION = graphql(`
  subscription RunEvents($runId: ID!, $after: Int) {
    runEvents(runId: $runId, after: $after) {
      __typename
      seq
      type
      at
      runId
      ... on RunStartedEvent { attempt }
      ... on RunProgressEvent { fraction step totalSteps etaSeconds message previewUrl }
      ... on RunStepEvent { status regionId backend next message }
      ... on RunRetryEvent { jobName attempt code retryMessage: message delayMs }
      ... on RunIterationEvent {
        iteration accepted score bestScore bestIteration rejection thumbnailUrl
        regions { regionId score scoreBefore attributeDelta }
      }
      ... on RunCompletedEvent { imageUrl width height durationMs }
      ... on RunFailedEvent { error { code message } }
      ... on RunCancelledEvent { reason }
    }
  }
`);

export const START_RUN_MUTATION = graphql(
  `
  mutation StartRun($input: StartRunInput!) {
    startRun(input: $input) { run { ...RunSummaryFields } }
  }
`,
  [RunSummaryFields],
);

export const CANCEL_RUN_MUTATION = graphql(
  `
  mutation CancelRun($id: ID!) {
    cancelRun(id: $id) { run { ...RunSummaryFields lastEventSeq } }
  }
`,
  [RunSummaryFields],
);

export const PROJECT_RUNS_QUERY = graphql(
  `
  query ProjectRuns($projectId: ID!, $first: Int, $after: String) {
    project(id: $projectId) {
      id
      width
      height
      runs(first: $first, after: $after) {
        edges { cursor node { ...RunSummaryFields } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`,
  [RunSummaryFields],
);

export const PROJECT_REGIONS_QUERY = graphql(`
  query ProjectRegionsForRuns($projectId: ID!) {
    project(id: $projectId) { id regions { id prompt } }
  }
`);

export const GENERATION_HISTORY_QUERY = graphql(`
  query GenerationHistory($projectId: ID!, $regionId: ID, $first: Int, $after: String) {
    project(id: $projectId) {
      id
      generationHistory(regionId: $regionId, first: $first, after: $after) {
        edges {
          cursor
          node {
            id runId regionId operation backend model modelVersion prompt seed
            width height durationMs imageUrl createdAt
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);
