import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  ADD_REFERENCE,
  ADD_REGION,
  API_KEYS,
  CANCEL_RUN,
  CREATE_API_KEY,
  CREATE_PROJECT,
  PROJECTS,
  REVOKE_API_KEY,
  RUN,
  START_RUN,
} from './documents.ts';
import type { ResultOf, TadaDocumentNode, VariablesOf } from './graphql.ts';
import { fetchBytes, type HttpTransportOptions, postOperation } from './http-transport.ts';
import { type RunEvent, streamRunEvents } from './run-events.ts';

export interface PakatiClientOptions {
  /** The API's GraphQL endpoint (`http://host:4000/graphql`); a bare origin gets `/graphql` appended. */
  url: string;
  apiKey: string;
  fetch?: typeof fetch;
  /** A WebSocket class for subscriptions; the `ws` package by default. */
  webSocketImpl?: unknown;
  /** How often a dropped event stream reconnects before giving up (default 10). */
  retryAttempts?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: any document shape is accepted; result and variables types follow it.
type AnyDocument = TadaDocumentNode<any, any>;

type CreateProjectInput = VariablesOf<typeof CREATE_PROJECT>['input'];
type AddRegionInput = VariablesOf<typeof ADD_REGION>['input'];
type StartRunInput = VariablesOf<typeof START_RUN>['input'];
export type Run = ResultOf<typeof START_RUN>['startRun']['run'];
export type Project = ResultOf<typeof CREATE_PROJECT>['createProject']['project'];
export type Region = ResultOf<typeof ADD_REGION>['addRegion']['region'];
export type Reference = ResultOf<typeof ADD_REFERENCE>['addReference']['reference'];
export type ApiKey = ResultOf<typeof API_KEYS>['apiKeys']['edges'][number]['node'];

export interface AddReferenceInput {
  projectId: string;
  /** Omitted, the reference is project-wide. */
  regionId?: string | null;
  description?: string | null;
  image: Blob | Uint8Array;
  /** The file name the upload carries (default `reference`). */
  filename?: string;
}

/** `http://host/graphql` as given; a bare origin or path-less URL gets `/graphql`. */
export function graphqlEndpoint(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/graphql';
  return parsed.toString();
}

function wsUrl(endpoint: string): string {
  const url = new URL(endpoint);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** Pages through a connection until it has no next page. */
async function* pages<T>(
  fetchPage: (after: string | null) => Promise<{
    edges: readonly { node: T }[];
    pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  }>,
): AsyncGenerator<T> {
  let after: string | null = null;
  for (;;) {
    const page = await fetchPage(after);
    for (const edge of page.edges) yield edge.node;
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
    after = page.pageInfo.endCursor;
  }
}

/** A typed client of the Pakati GraphQL API: every failure is a {@link PakatiClientError}. */
export function createPakatiClient(options: PakatiClientOptions) {
  const http: HttpTransportOptions = {
    endpoint: graphqlEndpoint(options.url),
    apiKey: options.apiKey,
    fetch: options.fetch ?? globalThis.fetch,
  };
  let ws: WsClient | null = null;
  const subscriptions = (): WsClient => {
    ws ??= createWsClient({
      url: wsUrl(http.endpoint),
      webSocketImpl: options.webSocketImpl ?? WebSocket,
      connectionParams: { authorization: `Bearer ${options.apiKey}` },
      lazy: true,
      retryAttempts: options.retryAttempts ?? 10,
    });
    return ws;
  };

  async function request<D extends AnyDocument>(
    document: D,
    variables: VariablesOf<D>,
    signal?: AbortSignal,
  ): Promise<ResultOf<D>> {
    return (await postOperation(http, document, variables, signal)) as ResultOf<D>;
  }

  return {
    endpoint: http.endpoint,
    request,

    async createProject(input: CreateProjectInput): Promise<Project> {
      return (await request(CREATE_PROJECT, { input })).createProject.project;
    },

    async addRegion(input: AddRegionInput): Promise<Region> {
      return (await request(ADD_REGION, { input })).addRegion.region;
    },

    /** Uploads the image as a GraphQL multipart request. */
    async addReference(input: AddReferenceInput): Promise<Reference> {
      const { image, filename, ...rest } = input;
      const blob = image instanceof Blob ? image : new Blob([new Uint8Array(image)]);
      const file = new File([blob], filename ?? 'reference', { type: blob.type });
      return (await request(ADD_REFERENCE, { input: { ...rest, image: file } })).addReference.reference;
    },

    async startRun(input: StartRunInput): Promise<Run> {
      return (await request(START_RUN, { input })).startRun.run;
    },

    /** Null when the run does not exist or belongs to another organization. */
    async run(id: string): Promise<Run | null> {
      return (await request(RUN, { id })).run ?? null;
    },

    async cancelRun(id: string): Promise<Run> {
      return (await request(CANCEL_RUN, { id })).cancelRun.run;
    },

    /** Every project of the organization, newest first, fetched `pageSize` at a time. */
    listProjects(pageSize = 50) {
      return pages(async (after) => (await request(PROJECTS, { first: pageSize, after })).projects);
    },

    /** Every API key of the organization, revoked ones included, newest first. */
    listApiKeys(pageSize = 50): AsyncGenerator<ApiKey> {
      return pages(async (after) => (await request(API_KEYS, { first: pageSize, after })).apiKeys);
    },

    /** The secret `key` is returned this once. */
    async createApiKey(name: string) {
      return (await request(CREATE_API_KEY, { input: { name } })).createApiKey;
    },

    async revokeApiKey(id: string, options: { confirmSelf?: boolean } = {}) {
      return (await request(REVOKE_API_KEY, { input: { id, confirmSelf: options.confirmSelf ?? null } }))
        .revokeApiKey.apiKey;
    },

    /** The bytes behind an image URL the API signed (run results, references, thumbnails). */
    downloadImage(url: string, signal?: AbortSignal): Promise<Uint8Array> {
      return fetchBytes(http, url, signal);
    },

    /**
     * A run's events from seq `after` + 1 (all of them by default) up to and including its terminal event
     * (COMPLETED, FAILED or CANCELLED), across dropped connections.
     */
    runEvents(runId: string, eventOptions: { after?: number } = {}): AsyncIterable<RunEvent> {
      return {
        [Symbol.asyncIterator]: () => streamRunEvents(subscriptions(), runId, eventOptions.after ?? 0),
      };
    },

    /** Closes the event stream socket, if one is open. */
    async close(): Promise<void> {
      await ws?.dispose();
      ws = null;
    },
  };
}

export type PakatiClient = ReturnType<typeof createPakatiClient>;
