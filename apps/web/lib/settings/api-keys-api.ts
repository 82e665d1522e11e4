import { gqlRequest } from '../api';
import type { ResultOf } from '../graphql';
import { ApiKeysQuery, CreateApiKeyMutation, RevokeApiKeyMutation } from './api-key-documents';

export type ApiKeySummary = ResultOf<typeof ApiKeysQuery>['apiKeys']['edges'][number]['node'];

export interface ApiKeysPage {
  keys: ApiKeySummary[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * Everything the API keys settings ask of the server. The component takes it as a prop (defaulting to
 * {@link graphqlApiKeysApi}) so tests can script the server.
 */
export interface ApiKeysApi {
  list(first: number, after: string | null): Promise<ApiKeysPage>;
  /** `key` is the whole secret: the only time the API ever returns it. */
  create(name: string): Promise<{ key: string; apiKey: ApiKeySummary }>;
  revoke(id: string, confirmSelf: boolean): Promise<ApiKeySummary>;
  /** Drops the session cookie, once the key it holds has been revoked. */
  signOut(): Promise<void>;
}

export const graphqlApiKeysApi: ApiKeysApi = {
  async list(first, after) {
    const { apiKeys } = await gqlRequest(ApiKeysQuery, { first, after });
    return {
      keys: apiKeys.edges.map((edge) => edge.node),
      hasNextPage: apiKeys.pageInfo.hasNextPage,
      endCursor: apiKeys.pageInfo.endCursor ?? null,
    };
  },
  async create(name) {
    return (await gqlRequest(CreateApiKeyMutation, { input: { name } })).createApiKey;
  },
  async revoke(id, confirmSelf) {
    return (await gqlRequest(RevokeApiKeyMutation, { input: { id, confirmSelf } })).revokeApiKey.apiKey;
  },
  async signOut() {
    const response = await fetch('/api/session', { method: 'DELETE' });
    if (!response.ok) throw new Error(`Signing out failed (HTTP ${response.status}).`);
  },
};
