import { graphql } from '../graphql';

export const ApiKeysQuery = graphql(`
  query ApiKeys($first: Int!, $after: String) {
    apiKeys(first: $first, after: $after) {
      edges { node { id name prefix createdAt lastUsedAt revokedAt current } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      key
      apiKey { id name prefix createdAt lastUsedAt revokedAt current }
    }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($input: RevokeApiKeyInput!) {
    revokeApiKey(input: $input) {
      apiKey { id name prefix createdAt lastUsedAt revokedAt current }
    }
  }
`);
