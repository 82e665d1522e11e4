import type { Config } from '@pakati/platform';
import { createTenant, createTestEnvironment, httpClient, type TestEnvironment } from '@pakati/testkit';
import { type BackendRegistry, startWorkers } from '@pakati/worker';
import { type ApiServer, startApiServer } from '../src/server.ts';

export const RUN_EVENTS = /* GraphQL */ `
  subscription Events($runId: ID!, $after: Int) {
    runEvents(runId: $runId, after: $after) {
      __typename seq type runId
      ... on RunProgressEvent { fraction step totalSteps message }
      ... on RunCompletedEvent { imageUrl width height }
      ... on RunFailedEvent { error { code message } }
      ... on RunCancelledEvent { reason }
      ... on RunStepEvent { regionId status backend attempt }
    }
  }
`;

export interface RunEventMessage {
  runEvents: {
    __typename: string;
    seq: number;
    type: string;
    runId: string;
    fraction?: number;
    imageUrl?: string;
    error?: { code: string; message: string };
    regionId?: string | null;
    status?: string;
    backend?: string | null;
  };
}

/** API in-process on a random port, optionally with a worker in the same process, on real services. */
export async function startStack(
  options: {
    worker?: boolean;
    env?: Record<string, string>;
    backends?: (config: Config) => BackendRegistry;
  } = {},
) {
  const environment: TestEnvironment = await createTestEnvironment(options.env);
  const api: ApiServer = await startApiServer(environment.platform, 0);
  const backends = options.backends?.(environment.platform.config);
  const worker = options.worker === false ? null : await startWorkers(environment.platform, { backends });
  const alpha = await createTenant(environment.platform, 'alpha');
  const beta = await createTenant(environment.platform, 'beta');
  return {
    ...environment,
    api,
    backends,
    alpha: { ...alpha, gql: httpClient(api.url, alpha.key) },
    beta: { ...beta, gql: httpClient(api.url, beta.key) },
    async stop() {
      await worker?.close();
      await api.close();
      await environment.cleanup();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export const CREATE_PROJECT = `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id name width height } } }`;
export const ADD_REGION = `mutation($input: AddRegionInput!) { addRegion(input: $input) { region { id prompt points { x y } seed zOrder feather } } }`;
export const START_RUN = `mutation($input: StartRunInput!) { startRun(input: $input) { run { id status seed lastEventSeq } } }`;

export async function projectWithRegion(
  gql: Stack['alpha']['gql'],
  prompt = 'a red sunset over blue sea waves',
) {
  const created = await gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
    input: { name: 'Harbour', width: 128, height: 96 },
  });
  const projectId = created.data!.createProject.project.id;
  const region = await gql<{ addRegion: { region: { id: string } } }>(ADD_REGION, {
    input: {
      projectId,
      prompt,
      points: [
        { x: 16, y: 16 },
        { x: 100, y: 16 },
        { x: 100, y: 80 },
        { x: 16, y: 80 },
      ],
    },
  });
  if (region.errors) throw new Error(JSON.stringify(region.errors));
  return { projectId, regionId: region.data!.addRegion.region.id };
}

/** Uploads a reference image through GraphQL multipart, as a client would; project-wide unless a region is given. */
export async function uploadReference(
  stack: Stack,
  projectId: string,
  bytes: Buffer,
  regionId: string | null = null,
): Promise<string> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: `mutation($input: AddReferenceInput!) { addReference(input: $input) { reference { id } } }`,
      variables: { input: { projectId, regionId, image: null } },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.input.image'] }));
  form.append('0', new Blob([new Uint8Array(bytes)]), 'reference.png');
  const res = await fetch(`${stack.api.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.alpha.key}`, 'x-pakati-csrf': '1' },
    body: form,
  });
  const body = (await res.json()) as {
    data?: { addReference: { reference: { id: string } } };
    errors?: unknown;
  };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.addReference.reference.id;
}

/** The database id inside a Relay global id (`base64("Type:id")`). */
export const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
