import { type DocumentNode, getOperationAST } from 'graphql';

/** The operation's name and type as metric labels and span names; an unnamed operation is `anonymous`. */
export function operationLabels(document: DocumentNode, operationName?: string | null) {
  const operation = getOperationAST(document, operationName ?? undefined);
  return {
    operation: operation?.name?.value ?? operationName ?? 'anonymous',
    type: operation?.operation ?? 'unknown',
  };
}

/** The machine-readable code of a GraphQL error, as our resolvers and yoga set it. */
export function errorCode(error: Error, fallback = 'INTERNAL_SERVER_ERROR'): string {
  const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
  return typeof code === 'string' ? code : fallback;
}
