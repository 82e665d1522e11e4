import { PakatiError } from '@pakati/core';
import type { Platform, Principal } from '@pakati/platform';
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';

export interface GraphQLContext {
  platform: Platform;
  principal: Principal;
}

/**
 * Every root field is authorized: the Query and Subscription types need `read`, the Mutation type `write`, and
 * the fields that manage the organization itself add `admin` or `owner`. A schema test fails for a root field
 * whose requirement is not declared (see `root-field-permissions.test.ts`).
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  AuthScopes: { read: boolean; write: boolean; admin: boolean; owner: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    Upload: { Input: File; Output: never };
  };
}>({
  // Relay before scope-auth, so field scopes see parsed global ids.
  plugins: [RelayPlugin, ScopeAuthPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    brandLoadedObjects: true,
    nodeQueryOptions: { authScopes: { read: true } },
    nodesQueryOptions: { authScopes: { read: true } },
  },
  scopeAuth: {
    // A subscription is refused when it starts, not silently at its first event.
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      read: ctx.principal.permissions.has('read'),
      write: ctx.principal.permissions.has('write'),
      admin: ctx.principal.permissions.has('admin'),
      owner: ctx.principal.permissions.has('owner'),
    }),
    unauthorizedError: (_parent, context, info, result) =>
      new PakatiError('FORBIDDEN', `${info.parentType.name}.${info.fieldName}: ${result.message}`, {
        reason: 'MISSING_PERMISSION',
        role: context.principal.role,
      }),
  },
});

builder.queryType({ authScopes: { read: true } });
builder.mutationType({ authScopes: { write: true } });
builder.subscriptionType({ authScopes: { read: true } });
