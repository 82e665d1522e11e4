import { graphql } from './graphql.ts';

export const CREATE_PROJECT = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { project { id name width height createdAt } }
  }
`);

export const ADD_REGION = graphql(`
  mutation AddRegion($input: AddRegionInput!) {
    addRegion(input: $input) { region { id prompt zOrder feather seed model negativePrompt points { x y } } }
  }
`);

export const ADD_REFERENCE = graphql(`
  mutation AddReference($input: AddReferenceInput!) {
    addReference(input: $input) { reference { id regionId width height byteSize contentType description } }
  }
`);

export const RunFields = graphql(`
  fragment RunFields on Run @_unmask {
    id
    kind
    status
    progress
    etaSeconds
    queuePosition
    seed
    priority
    lastEventSeq
    imageUrl
    createdAt
    startedAt
    finishedAt
    error { code message }
  }
`);

export const START_RUN = graphql(
  `
  mutation StartRun($input: StartRunInput!) {
    startRun(input: $input) { run { ...RunFields } }
  }
`,
  [RunFields],
);

export const RUN = graphql(
  `
  query Run($id: ID!) {
    run(id: $id) { ...RunFields }
  }
`,
  [RunFields],
);

export const CANCEL_RUN = graphql(
  `
  mutation CancelRun($id: ID!) {
    cancelRun(id: $id) { run { ...RunFields } }
  }
`,
  [RunFields],
);

export const PROJECTS = graphql(`
  query Projects($first: Int, $after: String) {
    projects(first: $first, after: $after) {
      edges { node { id name width height createdAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const API_KEYS = graphql(`
  query ApiKeys($first: Int, $after: String) {
    apiKeys(first: $first, after: $after) {
      edges { node { id name prefix current createdAt lastUsedAt revokedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CREATE_API_KEY = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { key apiKey { id name prefix createdAt } }
  }
`);

export const REVOKE_API_KEY = graphql(`
  mutation RevokeApiKey($input: RevokeApiKeyInput!) {
    revokeApiKey(input: $input) { apiKey { id name prefix revokedAt } }
  }
`);

// RunRetryEvent.message is aliased: it is String! where the other events' is String, and GraphQL refuses
// one response field with two types.
export const RUN_EVENTS = graphql(`
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
