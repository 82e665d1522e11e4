import type { ApiKey } from '@pakati/db';
import { keysetCursor } from '@pakati/platform';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';

export const ApiKeyRef = builder.node(builder.objectRef<ApiKey>('ApiKey'), {
  id: { resolve: (k) => k.id },
  loadOne: (id, ctx) => ctx.platform.identity.findApiKey(ctx.principal.organizationId, id),
  description:
    'A bearer key of the organization. Only its prefix is ever shown again: the secret is returned once, by createApiKey, and only its hash is stored.',
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The `pk_<prefix>_` part of the key, to recognise it.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (k) => k.createdAt }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the key last signed a request, to the minute; null if never.',
      resolve: (k) => k.lastUsedAt ?? null,
    }),
    revokedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Set once revoked: the key is refused (401) from then on.',
      resolve: (k) => k.revokedAt ?? null,
    }),
    current: t.boolean({
      description: 'True for the key this request is signed with: revoking it signs the caller out.',
      resolve: (k, _args, ctx) => k.id === ctx.principal.apiKeyId,
    }),
  }),
});

builder.queryField('apiKeys', (t) =>
  t.connection({
    type: ApiKeyRef,
    description: "The organization's API keys, revoked ones included, newest first.",
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<ApiKey[]>>(
        { args, toCursor: (k: ApiKey) => keysetCursor(k), defaultSize: 20, maxSize: 100 },
        (page) => ctx.platform.identity.listApiKeys(ctx.principal.organizationId, page),
      ),
  }),
);

builder.relayMutationField(
  'createApiKey',
  {
    inputFields: (t) => ({
      name: t.string({ required: true, description: '1-100 characters, to tell keys apart.' }),
    }),
  },
  {
    resolve: (_root, { input }, ctx) =>
      ctx.platform.identity.createApiKey(ctx.principal.organizationId, input.name),
  },
  {
    outputFields: (t) => ({
      apiKey: t.field({ type: ApiKeyRef, resolve: (p) => p.apiKey }),
      key: t.string({
        description:
          'The whole key (pk_...), to send as `Authorization: Bearer`. Shown this once: store it now.',
        resolve: (p) => p.key,
      }),
    }),
  },
);

builder.relayMutationField(
  'revokeApiKey',
  {
    inputFields: (t) => ({
      id: t.globalID({ required: true }),
      confirmSelf: t.boolean({
        description:
          'Must be true to revoke the key this request is signed with (it signs the caller out); otherwise BAD_USER_INPUT with reason REVOKING_OWN_KEY.',
      }),
    }),
  },
  {
    resolve: async (_root, { input }, ctx) => ({
      apiKey: await ctx.platform.identity.revokeOwnApiKey(ctx.principal, expectType(input.id, 'ApiKey'), {
        confirmSelf: input.confirmSelf ?? false,
      }),
    }),
  },
  {
    outputFields: (t) => ({
      apiKey: t.field({ type: ApiKeyRef, resolve: (p) => p.apiKey }),
    }),
  },
);
