export {
  type GraphQLErrorEntry,
  PakatiClientError,
  parseRetryAfter,
} from './client-error.ts';
export {
  type FragmentOf,
  graphql,
  type ResultOf,
  readFragment,
  type TadaDocumentNode,
  type VariablesOf,
} from './graphql.ts';
export {
  type AddReferenceInput,
  type ApiKey,
  createPakatiClient,
  graphqlEndpoint,
  type PakatiClient,
  type PakatiClientOptions,
  type Project,
  type Reference,
  type Region,
  type Run,
} from './pakati-client.ts';
export { isTerminalRunEvent, type RunEvent, type RunEventOf } from './run-events.ts';
