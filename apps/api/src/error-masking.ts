import { isPakatiError } from '@pakati/core';
import { GraphQLError } from 'graphql';
import { ARMOR_REJECTION } from './security/graphql-hardening.ts';

/** Domain errors keep their message and code; anything unexpected is masked, logged, and coded INTERNAL. */
// By name, not instanceof: errors may come from graphql-js copies loaded by other packages.
const isGraphQLError = (e: unknown): e is GraphQLError => e instanceof Error && e.name === 'GraphQLError';

export function maskError(error: unknown, log: (error: unknown) => void): Error {
  const original = isGraphQLError(error) ? (error.originalError ?? error) : error;
  if (isPakatiError(original)) {
    const source = isGraphQLError(error) ? error : undefined;
    return new GraphQLError(original.message, {
      ...(source ? { nodes: source.nodes, path: source.path } : {}),
      extensions: { code: original.code, ...original.details },
    });
  }
  if (isGraphQLError(original)) {
    // Errors of graphql-js and yoga themselves: a malformed request, not a server fault.
    // Before the code check: yoga codes a refusal from the token-limited parser GRAPHQL_PARSE_FAILED.
    if (ARMOR_REJECTION.test(original.message)) {
      return new GraphQLError(original.message, { extensions: { code: 'QUERY_TOO_COMPLEX' } });
    }
    if (original.extensions?.code) return original;
    const code = /variable|expected value|argument/i.test(original.message)
      ? 'BAD_USER_INPUT'
      : 'GRAPHQL_VALIDATION_FAILED';
    return new GraphQLError(original.message, { nodes: original.nodes, extensions: { code } });
  }
  const source = isGraphQLError(error) ? error : undefined;
  // Pothos refusing an argument it could not parse (a malformed global id): the client's input, not our fault.
  if (original instanceof Error && original.name === 'PothosValidationError') {
    return new GraphQLError(original.message, {
      ...(source ? { path: source.path } : {}),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  // `node(id:)` with a well-formed id of a type that does not exist: as unknown as any other id.
  if (
    original instanceof Error &&
    original.name === 'PothosSchemaError' &&
    /has not been implemented/.test(original.message)
  ) {
    return new GraphQLError('node not found', {
      ...(source ? { path: source.path } : {}),
      extensions: { code: 'NOT_FOUND' },
    });
  }
  // A value PostgreSQL refuses as data (SQLSTATE class 22: too long, out of range, bad encoding) that no check
  // caught first: the client's input, typed, never INTERNAL. Still logged, since a check is missing.
  const sqlState = (original as { code?: unknown }).code;
  if (typeof sqlState === 'string' && sqlState.startsWith('22')) {
    log(original);
    return new GraphQLError('a value is out of range or not storable', {
      ...(source ? { path: source.path } : {}),
      extensions: { code: 'BAD_USER_INPUT', reason: 'UNSTORABLE_VALUE' },
    });
  }
  log(original);
  return new GraphQLError('Unexpected error.', {
    ...(source ? { path: source.path } : {}),
    extensions: { code: 'INTERNAL' },
  });
}

export const unauthenticated = () =>
  new GraphQLError('missing, unknown or revoked API key', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } },
  });
