import { isPakatiError } from '@pakati/core';
import { GraphQLError } from 'graphql';

/** Domain errors keep their message and code; anything unexpected is masked, logged, and coded INTERNAL. */
export function maskError(error: unknown, log: (error: unknown) => void): Error {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (isPakatiError(original)) {
    const source = error instanceof GraphQLError ? error : undefined;
    return new GraphQLError(original.message, {
      ...(source ? { nodes: source.nodes, path: source.path } : {}),
      extensions: { code: original.code, ...original.details },
    });
  }
  if (original instanceof GraphQLError && original.extensions?.code) return original;
  if (error instanceof GraphQLError && !error.originalError) {
    // Parse and validation errors from graphql-js itself.
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  }
  log(original);
  const source = error instanceof GraphQLError ? error : undefined;
  return new GraphQLError('Unexpected error.', {
    ...(source ? { path: source.path } : {}),
    extensions: { code: 'INTERNAL' },
  });
}

export const unauthenticated = () =>
  new GraphQLError('missing, unknown or revoked API key', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } },
  });
