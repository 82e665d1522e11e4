import type { Platform, Principal } from '@pakati/platform';
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';

export interface GraphQLContext {
  platform: Platform;
  principal: Principal;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    Upload: { Input: File; Output: never };
  };
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: { clientMutationId: 'omit', cursorType: 'String', brandLoadedObjects: true },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
