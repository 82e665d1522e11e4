/** The GraphQL documents the web client sends, with the shapes of their results. */
import type { RunError, RunStatus } from './run-events';

export interface Organization {
  id: string;
  name: string;
}

export interface ProjectSummary {
  id: string;
  name: string;
  width: number;
  height: number;
  createdAt: string;
}

export interface Point {
  x: number;
  y: number;
}

export interface Region {
  id: string;
  points: Point[];
  prompt: string;
  negativePrompt: string | null;
  seed: number | null;
  zOrder: number;
  feather: number;
}

export interface ProjectDetail extends ProjectSummary {
  regions: Region[];
}

export interface Run {
  id: string;
  kind: 'GENERATE';
  status: RunStatus;
  progress: number;
  seed: number;
  imageUrl: string | null;
  error: RunError | null;
  createdAt: string;
}

const RUN_FIELDS = 'id kind status progress seed imageUrl error { code message } createdAt';
const PROJECT_FIELDS = 'id name width height createdAt';
const REGION_FIELDS = 'id points { x y } prompt negativePrompt seed zOrder feather';

export const VIEWER_QUERY = /* GraphQL */ `
  query Viewer {
    viewer { organization { id name } }
  }
`;
export interface ViewerData {
  viewer: { organization: Organization };
}

export const PROJECTS_QUERY = /* GraphQL */ `
  query Projects($first: Int) {
    projects(first: $first) { edges { cursor node { ${PROJECT_FIELDS} } } }
  }
`;
export interface ProjectsData {
  projects: { edges: { cursor: string; node: ProjectSummary }[] };
}

export const PROJECT_QUERY = /* GraphQL */ `
  query Project($id: ID!) {
    project(id: $id) { ${PROJECT_FIELDS} regions { ${REGION_FIELDS} } }
  }
`;
export interface ProjectData {
  project: ProjectDetail | null;
}

export const PROJECT_RUNS_QUERY = /* GraphQL */ `
  query ProjectRuns($id: ID!, $first: Int) {
    project(id: $id) { id runs(first: $first) { edges { node { ${RUN_FIELDS} } } } }
  }
`;
export interface ProjectRunsData {
  project: { id: string; runs: { edges: { node: Run }[] } } | null;
}

export const RUN_QUERY = /* GraphQL */ `
  query Run($id: ID!) {
    run(id: $id) { ${RUN_FIELDS} }
  }
`;
export interface RunData {
  run: Run | null;
}

export const CREATE_PROJECT_MUTATION = /* GraphQL */ `
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { project { ${PROJECT_FIELDS} } }
  }
`;
export interface CreateProjectData {
  createProject: { project: ProjectSummary };
}

export const ADD_REGION_MUTATION = /* GraphQL */ `
  mutation AddRegion($input: AddRegionInput!) {
    addRegion(input: $input) { region { ${REGION_FIELDS} } }
  }
`;
export interface AddRegionData {
  addRegion: { region: Region };
}

export const START_RUN_MUTATION = /* GraphQL */ `
  mutation StartRun($input: StartRunInput!) {
    startRun(input: $input) { run { ${RUN_FIELDS} } }
  }
`;
export interface StartRunData {
  startRun: { run: Run };
}

export const CANCEL_RUN_MUTATION = /* GraphQL */ `
  mutation CancelRun($id: ID!) {
    cancelRun(id: $id) { run { ${RUN_FIELDS} } }
  }
`;
export interface CancelRunData {
  cancelRun: { run: Run };
}

export const RUN_EVENTS_SUBSCRIPTION = /* GraphQL */ `
  subscription RunEvents($runId: ID!, $after: Int) {
    runEvents(runId: $runId, after: $after) {
      __typename
      seq
      type
      at
      runId
      ... on RunProgressEvent { fraction step totalSteps message }
      ... on RunCompletedEvent { imageUrl }
      ... on RunFailedEvent { error { code message } }
      ... on RunCancelledEvent { reason }
      ... on RunStepEvent { status backend next message }
    }
  }
`;
