import type { IncomingMessage } from 'node:http';
import type { AuditRecord, Platform, Principal } from '@pakati/platform';
import { type FieldNode, type GraphQLError, getOperationAST, Kind, valueFromASTUntyped } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestAddress } from './authenticate-request.ts';

interface AuditContext {
  principal?: Principal;
  request?: Request;
  req?: IncomingMessage;
}

// Domain errors are not masked into coded GraphQL errors until after execution.
const errorCode = (error: GraphQLError) =>
  String(
    error.extensions?.code ?? (error.originalError as { code?: string } | undefined)?.code ?? 'INTERNAL',
  );

/**
 * Writes one audit entry per mutation field of every executed mutation, successful or refused, before the
 * response leaves: an entry that could be lost to a crash after the reply would not be an audit.
 */
export function auditPlugin(platform: Platform): Plugin {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      const ctx = args.contextValue as AuditContext;
      if (operation?.operation !== 'mutation' || !ctx.principal) return;
      const principal = ctx.principal;
      const fields = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      return {
        async onExecuteDone({ result }) {
          if (!('errors' in result) && !('data' in result)) return; // a stream: mutations never are
          const errors = result.errors ?? [];
          const entries: AuditRecord[] = fields.map((field) => {
            const key = field.alias?.value ?? field.name.value;
            // An error of a sibling field can null the whole `data`, yet this field's change is made: judge by path.
            const error = errors.find((e) => e.path?.[0] === key) ?? errors.find((e) => !e.path) ?? null;
            return {
              organizationId: principal.organizationId,
              memberId: principal.memberId,
              apiKeyId: principal.apiKeyId,
              actor: `pk_${principal.apiKeyPrefix}`,
              operation: field.name.value,
              input: Object.fromEntries(
                (field.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]),
              ),
              outcome: error ? 'ERROR' : 'OK',
              errorCode: error ? errorCode(error) : null,
              ip: ctx.req ? requestAddress(platform, ctx.req) : null,
              userAgent: ctx.request?.headers.get('user-agent') ?? null,
              requestId: ctx.request?.headers.get('x-request-id') ?? null,
            };
          });
          try {
            await platform.audit.record(entries);
          } catch (error) {
            platform.logger.error(
              { err: error, operations: entries.map((e) => e.operation) },
              'audit write failed',
            );
          }
        },
      };
    },
  };
}
