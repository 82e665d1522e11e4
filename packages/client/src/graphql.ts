import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.js';

/**
 * `graphql(...)` documents typed from the committed SDL (packages/schema/schema.graphql) through the
 * introspection in graphql-env.d.ts, which `pnpm --filter @pakati/client gql:write` regenerates.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    DateTime: string;
    Upload: Blob;
  };
}>();

export type { FragmentOf, ResultOf, TadaDocumentNode, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';
